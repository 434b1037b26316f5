"""The names of people who asked are kept out of the minutes however they were typed, and in
every text the minutes publish: notes, titles, presenters, questions, candidates, on the page and
in the Markdown."""

from __future__ import annotations

import unicodedata

import pytest
from django.urls import reverse

from assembly import actions, minutes
from assembly.models import Membership
from assembly.redaction import Redactor, withheld_runs
from tests.conftest import client_for, present

pytestmark = pytest.mark.usefixtures("quiet")

WITHHELD = "[name withheld]"


@pytest.fixture
def roll(organization):
    """Lupe Ramírez and Ana María Soto asked not to be named; Ana Pérez and Tomás did not."""
    for name, withhold in (
        ("Lupe Ramírez", True),
        ("Ana María Soto", True),
        ("Ana Pérez", False),
        ("Tomás Ruiz", False),
    ):
        Membership.objects.create(organization=organization, name=name, withhold_name=withhold)


@pytest.fixture
def adjourned(live_meeting, facilitator, roll):
    actions.meetings.adjourn(meeting=live_meeting, by=facilitator)
    live_meeting.refresh_from_db()
    return live_meeting


def notes_as_published(meeting, text, secretary) -> str:
    item = meeting.items.order_by("position").first()
    actions.minutes.save_notes(meeting=meeting, item_id=item.pk, text=text, by=secretary)
    return minutes.build(meeting).items[0].notes


@pytest.mark.parametrize(
    ("written", "published"),
    [
        ("Lupe Ramírez spoke.", "[name withheld] spoke."),
        ("Lupe Ramirez spoke.", "[name withheld] spoke."),  # no accent
        ("LUPE RAMÍREZ spoke.", "[name withheld] spoke."),
        ("Ramírez spoke.", "[name withheld] spoke."),  # the surname alone
        (unicodedata.normalize("NFD", "Lupe Ramírez spoke."), "[name withheld] spoke."),
        ("Lupe\u00a0Ramírez spoke.", "[name withheld] spoke."),  # non-breaking space
        ("Lupe  Ramírez spoke.", "[name withheld] spoke."),  # two spaces
        ("Lupe\nRamírez spoke.", "[name withheld] spoke."),  # a line break
        ("Lupe-Ramírez spoke.", "[name withheld] spoke."),  # a hyphen
        ("Lupe\u200bRamírez spoke.", "[name withheld] spoke."),  # a zero-width space
        ("Ra\u200bmírez spoke.", "[name withheld] spoke."),  # inside the name
        ("_Ramírez_ spoke, **Lupe** too.", "_[name withheld]_ spoke, **[name withheld]** too."),
        ("Ｌｕｐｅ spoke.", "[name withheld] spoke."),  # full-width letters
        ("Ana María said no.", "[name withheld] said no."),
        ("María Soto said no.", "[name withheld] said no."),
        ("Ramírez's motion.", "[name withheld]'s motion."),
    ],
)
def test_a_withheld_name_is_caught_however_it_was_typed(adjourned, secretary, written, published):
    assert notes_as_published(adjourned, written, secretary) == published


def test_what_surrounds_a_withheld_name_is_kept_as_written(adjourned, secretary):
    written = "Opening:\n\n- LUPE\u00a0ramírez  asked (twice);\n- then *Tomás* replied. Banana."
    assert notes_as_published(adjourned, written, secretary) == (
        "Opening:\n\n- [name withheld]  asked (twice);\n- then *Tomás* replied. Banana."
    )


def test_a_name_part_shared_with_someone_who_did_not_ask_stays(adjourned, secretary):
    # "Ana" alone could be Ana Pérez: blanking it would hide her, so it stays; "Ana María" is not
    # anyone else's name, so it goes.
    written = "Ana Pérez and Ana María. Ana agreed."
    assert notes_as_published(adjourned, written, secretary) == (
        "Ana Pérez and [name withheld]. Ana agreed."
    )


def test_a_name_part_shared_only_among_those_who_asked_is_withheld(organization):
    found = withheld_runs(["Bo Díaz", "Bo Chen"], ["Rosa Luna"])
    assert Redactor(found, WITHHELD)("Bo came.") == "[name withheld] came."


def test_particles_and_one_letter_initials_are_not_withheld_alone():
    found = withheld_runs(["María de la Cruz", "J. Soto"], [])
    redact = Redactor(found, WITHHELD)
    assert redact("Casa de la cultura; j. Cruz") == "Casa de la cultura; j. [name withheld]"
    assert redact("María de la Cruz y J. Soto") == "[name withheld] y [name withheld]"


def test_the_account_name_of_someone_who_asked_is_withheld_too(adjourned, member, secretary):
    lupita = member.memberships.get()
    lupita.name, lupita.withhold_name = "Guadalupe Ramírez", True
    lupita.save()
    member.display_name = "Lupita"
    member.save()
    published = notes_as_published(adjourned, "Lupita and Guadalupe spoke.", secretary)
    assert published == "[name withheld] and [name withheld] spoke."


@pytest.fixture
def named_everywhere(live_meeting, facilitator, roll):
    """A meeting whose title, item, presenter, question and candidates name Lupe Ramírez."""
    live_meeting.title = "Assembly with Lupe Ramirez"
    live_meeting.place = "Casa Ramírez"
    live_meeting.save()
    item = live_meeting.current_item
    item.title = "Report by Ramírez"
    item.presenter = "Lupe Ramírez"
    item.save()
    rosa = present(live_meeting, facilitator)
    decision = actions.decisions.create(
        meeting=live_meeting,
        by=facilitator,
        question="Who speaks to the press, Lupe or Tomás?",
        method="approval",
        options=["Lupe Ramírez", "Ana María Soto", "Tomás Ruiz"],
    )
    actions.decisions.open_round(
        meeting=live_meeting, decision_id=decision.pk, by=facilitator, override_quorum=True
    )
    options = list(decision.options.values_list("pk", flat=True))
    actions.decisions.cast(
        decision_id=decision.pk, attendee=rosa, choice={"options": [str(options[0])]}
    )
    actions.decisions.close(meeting=live_meeting, decision_id=decision.pk, by=facilitator)
    actions.meetings.adjourn(meeting=live_meeting, by=facilitator)
    live_meeting.refresh_from_db()
    return live_meeting


def test_every_text_the_minutes_publish_withholds_the_name(named_everywhere, secretary):
    meeting = named_everywhere
    actions.minutes.publish(meeting=meeting, by=secretary)
    client = client_for(secretary)
    html = client.get(reverse("assembly:minutes", args=[meeting.pk])).content.decode()
    response = client.get(reverse("assembly:minutes-markdown", args=[meeting.pk]))
    text = response.content.decode()
    for published in (html, text):
        for name in ("Lupe", "Ramírez", "Ramirez", "Ana María", "Soto"):
            assert name not in published
        assert "Tomás" in published
        assert "[name withheld] (2)" in published  # two withheld candidates stay two lines
    assert "Report by [name withheld]" in text and "Presented by [name withheld]" in text
    assert "Who speaks to the press, [name withheld] or Tomás?" in text
    assert "Elected: [name withheld]**" in text
    assert "Casa [name withheld]" in text
    assert "Lupe" not in response["Content-Disposition"]
    assert "Ramirez" not in response["Content-Disposition"]


def test_the_stored_record_keeps_what_was_written(named_everywhere):
    meeting = named_everywhere
    minutes.build(meeting)
    decision = meeting.decisions.get()
    assert decision.question == "Who speaks to the press, Lupe or Tomás?"
    assert "Lupe Ramírez" in decision.result["winners"]
    assert meeting.items.get(pk=decision.item_id).presenter == "Lupe Ramírez"


def test_the_draft_notes_box_keeps_the_secretary_s_text(adjourned, secretary):
    item = adjourned.items.order_by("position").first()
    actions.minutes.save_notes(
        meeting=adjourned, item_id=item.pk, text="Lupe Ramírez spoke.", by=secretary
    )
    html = client_for(secretary).get(reverse("assembly:minutes", args=[adjourned.pk])).content
    assert "Lupe Ramírez spoke.</textarea>" in html.decode()
    assert "withhold the names" in html.decode()
