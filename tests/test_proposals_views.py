"""Proposing and amending from a phone, and the console's queue, through the views."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assembly import actions
from assembly.models import Proposal
from tests.conftest import client_for, guest_client, make_person, present

pytestmark = pytest.mark.usefixtures("quiet")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def lupe(live_meeting, member):
    return present(live_meeting, member)


def test_a_member_proposes_from_the_phone_and_sees_it_wait(live_meeting, member, lupe):
    client = client_for(member)
    page = client.get(reverse("assembly:meeting-room", args=[live_meeting.pk])).content.decode()
    assert "Make a proposal" in page
    url = reverse("assembly:proposal-submit", args=[live_meeting.pk])
    response = client.post(url, {"title": "Fund", "text": "Commit the fund."}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your proposal was sent to the facilitator." in html
    assert 'id="my-proposals"' in html and "Waiting for the facilitator" in html
    assert Proposal.objects.get().proposer == lupe


def test_a_proposal_too_long_comes_back_with_the_text_and_the_limit(live_meeting, member, lupe):
    url = reverse("assembly:proposal-submit", args=[live_meeting.pk])
    response = client_for(member).post(
        url, {"title": "Fund", "text": "word " * 1100, "where": "new"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "under 5000 characters (it has 5499)" in html
    assert "word word" in html and 'value="new" checked' in html
    assert not Proposal.objects.exists()


def test_a_spanish_guest_without_the_right_is_told_on_the_phone(live_meeting, guest):
    client = guest_client(guest)
    page = client.get(
        reverse("assembly:meeting-room", args=[live_meeting.pk]), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "solo las personas socias pueden hacer propuestas" in page
    assert "Hacer una propuesta" not in page


def test_the_proposer_accepts_from_the_phone_and_the_text_changes(
    live_meeting, member, lupe, facilitator, organization
):
    proposal = actions.proposals.submit(attendee=lupe, title="Fund", text="Commit the fund.")
    actions.proposals.bring_to_floor(meeting=live_meeting, proposal_id=proposal.pk, by=facilitator)
    tomas_user = make_person(organization, "tomas@example.org", "member")
    present(live_meeting, tomas_user)
    amend = reverse("assembly:proposal-amend", args=[live_meeting.pk, proposal.pk])
    response = client_for(tomas_user).post(
        amend, {"text": "Commit the fund, capped at $500.", "against": "1"}, **HTMX
    )
    assert response.status_code == 200
    assert "Your change was sent" in response.content.decode()
    amendment = proposal.amendments.get()
    answer = reverse("assembly:amendment-answer", args=[live_meeting.pk, amendment.pk])
    response = client_for(member).post(answer, {"accept": "1"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="proposal"' in html and "capped at $500" in html and "<ins>" in html
    proposal.refresh_from_db()
    assert proposal.version == 2
    # Sent again from the other phone: refused with a message, nothing changes.
    response = client_for(member).post(answer, {"accept": "1"}, **HTMX)
    assert response.status_code == 409
    assert "already been answered" in response.content.decode()


def test_the_console_lists_the_queue_with_its_controls(live_meeting, lupe, facilitator):
    actions.proposals.submit(attendee=lupe, title="Hardship fund", text="Commit the fund.")
    page = (
        client_for(facilitator)
        .get(reverse("assembly:meeting-console", args=[live_meeting.pk]))
        .content.decode()
    )
    assert "Hardship fund" in page and "Bring to the floor" in page
    assert "Why decline it (the proposer sees this)" in page
    assert "Enter a proposal for someone" in page


def test_the_facilitator_declines_and_the_proposers_phone_says_why(
    live_meeting, member, lupe, facilitator
):
    proposal = actions.proposals.submit(attendee=lupe, title="Fund", text="Commit the fund.")
    url = reverse("assembly:proposal-decline", args=[live_meeting.pk, proposal.pk])
    response = client_for(facilitator).post(url, {"reason": "Not this month"}, **HTMX)
    assert response.status_code == 200
    page = client_for(member).get(reverse("assembly:meeting-room", args=[live_meeting.pk]))
    assert "The facilitator's reason: Not this month" in page.content.decode()


def test_the_secretary_enters_a_proposal_for_someone_from_the_attendance_page(
    live_meeting, secretary
):
    client = client_for(secretary)
    page = client.get(reverse("assembly:meeting-attendance", args=[live_meeting.pk]))
    assert "Enter a proposal for someone" in page.content.decode()
    url = reverse("assembly:proposal-submit-for", args=[live_meeting.pk])
    back = reverse("assembly:meeting-attendance", args=[live_meeting.pk])
    response = client.post(
        url,
        {"proposer_name": "Carmen Ruiz", "title": "Ramp", "text": "Build a ramp.", "next": back},
    )
    assert response.status_code == 302 and response["Location"] == back
    proposal = Proposal.objects.get()
    assert (proposal.proposer_name, proposal.entered_by) == ("Carmen Ruiz", secretary)


@pytest.mark.parametrize("from_console", [False, True])
def test_a_facilitator_who_proposed_answers_as_the_page_they_are_on(
    live_meeting, facilitator, lupe, from_console
):
    rosa = present(live_meeting, facilitator)
    proposal = actions.proposals.submit(attendee=rosa, title="Fund", text="Commit the fund.")
    actions.proposals.bring_to_floor(meeting=live_meeting, proposal_id=proposal.pk, by=facilitator)
    amendment = actions.proposals.amend(
        attendee=lupe, proposal_id=proposal.pk, text="Commit half the fund.", against=1
    )
    page = "meeting-console" if from_console else "meeting-room"
    headers = {**HTMX, "HTTP_HX_CURRENT_URL": reverse(f"assembly:{page}", args=[live_meeting.pk])}
    url = reverse("assembly:amendment-answer", args=[live_meeting.pk, amendment.pk])
    html = client_for(facilitator).post(url, {"accept": "1"}, **headers).content.decode()
    # The phone gets its own parts back; the console, its own (with the facilitator's controls).
    assert ('id="my-proposals"' in html) != from_console
    assert ("Proposals from the floor" in html) == from_console
    version = proposal.versions.get(number=2)
    assert version.accepted_by_proposer != from_console


def test_on_a_bilingual_meeting_a_change_is_sent_with_its_translation(
    live_meeting, member, lupe, facilitator, organization
):
    from assembly.models import Meeting

    Meeting.objects.filter(pk=live_meeting.pk).update(bilingual=True)
    proposal = actions.proposals.submit(
        attendee=lupe, title="Fund", text="Commit the fund.", text_translation="Destinar el fondo."
    )
    actions.proposals.bring_to_floor(meeting=live_meeting, proposal_id=proposal.pk, by=facilitator)
    tomas_user = make_person(organization, "tomas@example.org", "member")
    present(live_meeting, tomas_user)
    tomas = client_for(tomas_user)
    page = tomas.get(reverse("assembly:meeting-room", args=[live_meeting.pk])).content.decode()
    assert 'name="text_translation" rows="5" maxlength="5000">Destinar el fondo.</textarea>' in page
    amend = reverse("assembly:proposal-amend", args=[live_meeting.pk, proposal.pk])
    tomas.post(
        amend,
        {
            "text": "Commit the fund, capped.",
            "text_translation": "Destinar el fondo, con tope.",
            "against": "1",
        },
        **HTMX,
    )
    page = client_for(member).get(reverse("assembly:meeting-room", args=[live_meeting.pk]))
    assert "With its translation:" in page.content.decode()
    assert proposal.amendments.get().text_translation == "Destinar el fondo, con tope."


def test_a_reader_of_the_other_language_reads_the_current_translation_first(
    live_meeting, member, lupe, facilitator
):
    from django.utils import translation

    from assembly.live.parts import Audience, Part
    from assembly.live.render import render_parts
    from assembly.models import Meeting

    Meeting.objects.filter(pk=live_meeting.pk).update(bilingual=True)
    live_meeting.refresh_from_db()
    proposal = actions.proposals.submit(
        attendee=lupe, title="Fund", text="Commit the fund.", text_translation="Destinar el fondo."
    )
    actions.proposals.bring_to_floor(meeting=live_meeting, proposal_id=proposal.pk, by=facilitator)
    with translation.override("es"):
        spanish = render_parts(live_meeting, Audience.PARTICIPANT, [Part.PROPOSAL], "es")
    english = render_parts(live_meeting, Audience.PARTICIPANT, [Part.PROPOSAL], "en")
    assert spanish.index("Destinar el fondo.") < spanish.index("Commit the fund.")
    assert english.index("Commit the fund.") < english.index("Destinar el fondo.")
