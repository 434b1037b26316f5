"""The minutes as a PDF made on the server: read back as text, it holds the body's name, the
meeting, page numbers, each decision with its numbers and each action item; in the reader's
language, and in both on a bilingual meeting."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest
from django.urls import reverse

from assembly import actions
from assembly.models import ActionItem, Membership
from tests.conftest import client_for, present

pytestmark = [
    pytest.mark.usefixtures("quiet"),
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext"),
]


@pytest.fixture
def evening(live_meeting, facilitator, secretary, member):
    live_meeting.bilingual = True
    live_meeting.title_translation = "Asamblea general"
    live_meeting.save()
    lupe = present(live_meeting, member)
    decision = actions.decisions.create(
        meeting=live_meeting,
        by=facilitator,
        question="Commit the strike fund?",
        question_translation="¿Comprometer el fondo de huelga?",
        method="motion",
    )
    actions.decisions.open_round(
        meeting=live_meeting, decision_id=decision.pk, by=facilitator, override_quorum=True
    )
    actions.decisions.cast(decision_id=decision.pk, attendee=lupe, choice={"vote": "yes"})
    actions.decisions.close(meeting=live_meeting, decision_id=decision.pk, by=facilitator)
    actions.minutes.save_notes(
        meeting=live_meeting,
        item_id=live_meeting.current_item_id,
        text="Twelve members came; the fund was discussed at length.",
        by=secretary,
    )
    actions.meetings.next_item(meeting=live_meeting, by=facilitator)
    banner = actions.decisions.create(
        meeting=live_meeting,
        by=facilitator,
        question="Which banner for the march?",
        method="approval",
        options=["Red banner", "Green banner", "Blue banner"],
    )
    actions.decisions.open_round(
        meeting=live_meeting, decision_id=banner.pk, by=facilitator, override_quorum=True
    )
    red, green, _blue = banner.options.order_by("id")
    actions.decisions.cast(
        decision_id=banner.pk, attendee=lupe, choice={"options": [red.pk, green.pk]}
    )
    actions.decisions.close(meeting=live_meeting, decision_id=banner.pk, by=facilitator)
    actions.minutes.add_action_item(
        meeting=live_meeting,
        by=secretary,
        what="Call the landlord",
        item_id=live_meeting.current_item_id,
        assignee_id=Membership.objects.get(user=member).pk,
        due=date(2027, 1, 15),
    )
    actions.minutes.add_action_item(
        meeting=live_meeting, by=secretary, what="Print flyers", assignee_name="Tomás"
    )
    actions.meetings.adjourn(meeting=live_meeting, by=facilitator)
    return live_meeting


def pdf_text(meeting, user, language="en", tmp_path=None) -> str:
    response = client_for(user).get(
        reverse("assembly:minutes-pdf", args=[meeting.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    path = tmp_path / "minutes.pdf"
    path.write_bytes(response.content)
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True)
    return done.stdout


COUNTS = (("Red banner", 1), ("Green banner", 1), ("Blue banner", 0))


def test_the_pdf_holds_every_decision_its_numbers_and_action_items(evening, secretary, tmp_path):
    text = pdf_text(evening, secretary, tmp_path=tmp_path)
    assert "Inquilinos Unidos" in text
    assert "General assembly" in text and "Asamblea general" in text
    assert "Commit the strike fund?" in text and "¿Comprometer el fondo de huelga?" in text
    assert "Passed" in text and "Yes" in text and "It needed 1 yes vote out of 1" in text
    assert "Call the landlord" in text and "Print flyers" in text and "Tomás" in text
    assert "Twelve members came; the fund was discussed at length." in text
    assert "Which banner for the march?" in text and "Elected" in text
    flat = " ".join(text.split())
    # Red and Green tie and a lot picks one, whose bar then carries "✓ elected" between its
    # name and its count: read the counts from the table of rounds, the same whoever won.
    # The table of rounds lists the two at 1 in an order the lot decides: read each count alone.
    assert all(f"{name} {n} ·" in flat or f"· {name} {n}" in flat for name, n in COUNTS)
    # The result's chart is drawn in the PDF too, its line labelled (it takes the page past one).
    assert "more than half of the votes cast: 1 needed" in text
    assert "Page 1 / " in text and "Page 2 / " in text


def test_an_items_heading_stays_on_the_page_of_its_decision(evening, secretary, tmp_path):
    # Turned into pictures (pdftoppm -r 60) and looked at: "2. Report" sat alone at the foot
    # of page 1 with its vote on page 2, until headings were kept with what they head.
    pages = pdf_text(evening, secretary, tmp_path=tmp_path).split("\f")
    assert "2. Report" in pages[1] and "Which banner for the march?" in pages[1]


def test_the_pdf_of_the_next_meeting_lists_the_review_and_the_approval(
    evening, organization, facilitator, member, secretary, tmp_path
):
    second = organization.meetings.create(title="Next assembly")
    second.items.create(position=1, title="Action items", kind="review")
    second.items.create(
        position=2, title="Approve the minutes", kind="approve_minutes", minutes_of=evening
    )
    actions.meetings.start(meeting=second, by=facilitator)
    landlord = ActionItem.objects.get(what="Call the landlord")
    flyers = ActionItem.objects.get(what="Print flyers")
    for action_item, outcome in ((landlord, "done"), (flyers, "moved")):
        actions.minutes.review_action_item(
            meeting=second, action_item_id=action_item.pk, outcome=outcome, by=facilitator
        )
    actions.meetings.next_item(meeting=second, by=facilitator)
    lupe = present(second, member)
    vote = actions.decisions.create(
        meeting=second, by=facilitator, question="Approve the minutes?", method="motion"
    )
    actions.decisions.open_round(
        meeting=second, decision_id=vote.pk, by=facilitator, override_quorum=True
    )
    actions.decisions.cast(decision_id=vote.pk, attendee=lupe, choice={"vote": "yes"})
    actions.decisions.close(meeting=second, decision_id=vote.pk, by=facilitator)
    actions.meetings.adjourn(meeting=second, by=facilitator)
    text = " ".join(pdf_text(second, secretary, tmp_path=tmp_path).split())
    assert "Call the landlord · Lupe · by Jan. 15, 2027 · Done" in text
    assert "Print flyers · Tomás · Moved to the next meeting" in text
    assert "Approve the minutes? Passed" in text
    assert "Yes 1 · 100.0 % No 0 · 0.0 % Abstain 0" in text
    approved = " ".join(pdf_text(evening, member, tmp_path=tmp_path).split())
    assert "by the meeting “Next assembly”. They can no longer change." in approved


def test_the_pdf_is_in_the_readers_language(evening, secretary, tmp_path):
    text = pdf_text(evening, secretary, "es", tmp_path=tmp_path)
    assert "Página 1 / 2" in text and "Asistencia" in text
    assert "Asamblea general · " in text.splitlines()[0]  # the page head, in Spanish too
    assert text.index("¿Comprometer el fondo de huelga?") < text.index("Commit the strike fund?")


def test_members_get_no_pdf_of_unpublished_minutes(evening, member):
    response = client_for(member).get(reverse("assembly:minutes-pdf", args=[evening.pk]))
    assert response.status_code == 403
