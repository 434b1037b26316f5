"""Proposals from the floor, as scenario step 8 plays them: Lupe proposes from her phone, Rosa
brings it to the floor, Tomás amends it, Lupe accepts, the meeting votes on formal amendments
and tests for consensus on the final version."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse

from assembly import actions
from assembly.actions import ActionError
from assembly.live.render import render_parts, render_personal
from assembly.models import Amendment, AuditEntry, Decision, Meeting, Proposal
from assembly.models.proposals import TEXT_MAX
from tests.conftest import client_for, make_person, present

pytestmark = pytest.mark.usefixtures("quiet")

FUND = "Commit the hardship fund to rapid response for members caught in immigration raids."
CAPPED = (
    "Commit the hardship fund to rapid response for members caught in immigration raids, "
    "and cap each grant at $500."
)


@pytest.fixture
def lupe(live_meeting, member):
    return present(live_meeting, member)


@pytest.fixture
def tomas(live_meeting, organization):
    return present(live_meeting, make_person(organization, "tomas@example.org", "member"))


def propose(attendee, text=FUND, **fields):
    return actions.proposals.submit(attendee=attendee, title="Hardship fund", text=text, **fields)


@pytest.fixture
def on_floor(live_meeting, lupe, facilitator):
    proposal = propose(lupe)
    return actions.proposals.bring_to_floor(
        meeting=live_meeting, proposal_id=proposal.pk, by=facilitator
    )


def amend(attendee, proposal, text=CAPPED, against=None):
    return actions.proposals.amend(
        attendee=attendee,
        proposal_id=proposal.pk,
        text=text,
        against=against or Proposal.objects.get(pk=proposal.pk).version,
    )


def test_a_members_proposal_waits_for_the_facilitator_on_the_current_item(live_meeting, lupe):
    proposal = propose(lupe)
    assert proposal.status == Proposal.Status.SUBMITTED
    assert proposal.item == live_meeting.current_item
    assert proposal.shown_name == "Lupe"
    assert [v.text for v in proposal.versions.all()] == [FUND]
    new_business = propose(lupe, new_business=True, named=False)
    assert new_business.item is None and new_business.shown_name == "a participant"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   \n  ", "Write the text of the proposal."),
        ("x" * (TEXT_MAX + 1), "under 5000 characters (it has 5001)"),
    ],
)
def test_empty_or_enormous_text_is_refused_and_nothing_is_saved(lupe, text, message):
    with pytest.raises(ActionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        propose(lupe, text=text)
    assert not Proposal.objects.exists()


def test_a_guest_proposes_only_where_the_organization_allows(live_meeting, guest, organization):
    with pytest.raises(ActionError, match="only members can make proposals"):
        propose(guest)
    organization.guests_may_propose = True
    organization.save()
    assert propose(guest).proposer == guest


def test_declined_with_a_reason_the_proposer_sees(live_meeting, lupe, facilitator):
    proposal = propose(lupe)
    with pytest.raises(ActionError, match="Say why"):
        actions.proposals.decline(
            meeting=live_meeting, proposal_id=proposal.pk, by=facilitator, reason=" "
        )
    actions.proposals.decline(
        meeting=live_meeting, proposal_id=proposal.pk, by=facilitator, reason="Out of order"
    )
    lupe.refresh_from_db()
    assert "The facilitator's reason: Out of order" in render_personal(lupe, "en")
    assert AuditEntry.objects.filter(action="proposal.declined").exists()


def test_one_proposal_on_the_floor_at_a_time(live_meeting, lupe, facilitator, on_floor):
    second = propose(lupe, text="Another.")
    with pytest.raises(ActionError, match="is on the floor"):
        actions.proposals.bring_to_floor(
            meeting=live_meeting, proposal_id=second.pk, by=facilitator
        )


def test_the_proposer_accepts_a_friendly_amendment_and_the_history_keeps_both(
    live_meeting, on_floor, lupe, tomas
):
    amendment = amend(tomas, on_floor)
    actions.proposals.answer(
        meeting=live_meeting, amendment_id=amendment.pk, accept=True, attendee=lupe
    )
    on_floor.refresh_from_db()
    assert (on_floor.version, on_floor.text) == (2, CAPPED)
    first, second = on_floor.versions.all()
    assert (first.text, second.text) == (FUND, CAPPED)
    assert (second.shown_proposed_by, second.shown_accepted_by) == ("Tomas", "the proposer")
    projector = render_parts(live_meeting, "projector", ["proposal"], "en")
    assert "cap each grant at $500" in projector
    assert '<ins><span class="visually-hidden">inserted: </span>, and cap each grant at $500' in (
        projector
    )


def test_only_the_proposer_or_the_facilitator_answers(live_meeting, on_floor, tomas, facilitator):
    amendment = amend(tomas, on_floor)
    with pytest.raises(ActionError, match="Only the proposer or the facilitator"):
        actions.proposals.answer(
            meeting=live_meeting, amendment_id=amendment.pk, accept=True, attendee=tomas
        )
    actions.proposals.answer(
        meeting=live_meeting, amendment_id=amendment.pk, accept=False, by=facilitator
    )
    amendment.refresh_from_db()
    assert amendment.status == Amendment.Status.DECLINED
    assert Proposal.objects.get(pk=on_floor.pk).text == FUND


def test_an_amendment_on_an_outdated_version_is_refused_never_applied(
    live_meeting, on_floor, lupe, tomas
):
    first = amend(tomas, on_floor)
    second = amend(tomas, on_floor, text=FUND + " Within thirty days.")
    actions.proposals.answer(
        meeting=live_meeting, amendment_id=first.pk, accept=True, attendee=lupe
    )
    with pytest.raises(ActionError, match="written on version 1 .* now at version 2"):
        actions.proposals.answer(
            meeting=live_meeting, amendment_id=second.pk, accept=True, attendee=lupe
        )
    assert Proposal.objects.get(pk=on_floor.pk).text == CAPPED
    assert Amendment.objects.get(pk=second.pk).is_pending
    # Written now against version 1, it is refused at once.
    with pytest.raises(ActionError, match="The text changed while you were writing"):
        amend(tomas, on_floor, text="Anything.", against=1)


def test_an_amendment_to_a_proposal_just_withdrawn_is_refused(live_meeting, on_floor, lupe, tomas):
    actions.proposals.withdraw(meeting=live_meeting, proposal_id=on_floor.pk, attendee=lupe)
    with pytest.raises(ActionError, match="just been withdrawn"):
        amend(tomas, on_floor)
    assert not Amendment.objects.exists()


def test_only_the_proposer_withdraws(live_meeting, on_floor, tomas):
    with pytest.raises(ActionError, match="Only the proposer"):
        actions.proposals.withdraw(meeting=live_meeting, proposal_id=on_floor.pk, attendee=tomas)


@pytest.fixture
def hall(live_meeting, organization):
    return [
        present(live_meeting, make_person(organization, f"v{n}@example.org", "member"))
        for n in range(6)
    ]


def vote_on(meeting, decision, facilitator, voters, choices, key="vote"):
    actions.decisions.open_round(meeting=meeting, decision_id=decision.pk, by=facilitator)
    for attendee, choice in zip(voters, choices, strict=True):
        actions.decisions.cast(decision_id=decision.pk, attendee=attendee, choice={key: choice})
    return actions.decisions.close(meeting=meeting, decision_id=decision.pk, by=facilitator)


def test_formal_amendments_lost_and_carried_then_consensus_on_the_final_version(
    live_meeting, on_floor, lupe, tomas, hall, facilitator
):
    lost = amend(tomas, on_floor, text=FUND + " Only for tenants of Boyle Heights.")
    carried = amend(tomas, on_floor, text=FUND + " Reviewed every three months.")
    vote = actions.proposals.put_to_vote(meeting=live_meeting, amendment_id=lost.pk, by=facilitator)
    assert vote.amendment == lost and vote.method == Decision.Method.MOTION
    vote_on(live_meeting, vote, facilitator, hall, ["no"] * 4 + ["yes"] * 2)
    assert Amendment.objects.get(pk=lost.pk).status == Amendment.Status.LOST
    assert Proposal.objects.get(pk=on_floor.pk).version == 1
    vote = actions.proposals.put_to_vote(
        meeting=live_meeting, amendment_id=carried.pk, by=facilitator
    )
    vote_on(live_meeting, vote, facilitator, hall, ["yes"] * 5 + ["no"])
    proposal = Proposal.objects.get(pk=on_floor.pk)
    assert Amendment.objects.get(pk=carried.pk).status == Amendment.Status.CARRIED
    assert (proposal.version, proposal.text) == (2, FUND + " Reviewed every three months.")
    assert proposal.versions.last().shown_accepted_by == "the meeting, by vote"
    decision = actions.proposals.call_for_consensus(
        meeting=live_meeting, proposal_id=proposal.pk, by=facilitator
    )
    assert decision.proposal_version.number == 2
    assert "(version 2)" in decision.question
    vote_on(live_meeting, decision, facilitator, hall, ["agree"] * 6, key="response")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.stage) == ("decided", "outcome")


def test_the_text_cannot_change_while_the_meeting_votes_on_it(
    live_meeting, on_floor, lupe, tomas, facilitator
):
    amendment = amend(tomas, on_floor)
    actions.proposals.call_for_consensus(
        meeting=live_meeting, proposal_id=on_floor.pk, by=facilitator
    )
    with pytest.raises(ActionError, match="voting on this text"):
        actions.proposals.answer(
            meeting=live_meeting, amendment_id=amendment.pk, accept=True, attendee=lupe
        )


def test_a_carried_amendment_that_no_longer_applies_is_not_applied(
    live_meeting, on_floor, lupe, tomas, hall, facilitator
):
    formal = amend(tomas, on_floor, text="Something else entirely.")
    vote = actions.proposals.put_to_vote(
        meeting=live_meeting, amendment_id=formal.pk, by=facilitator
    )
    actions.decisions.open_round(meeting=live_meeting, decision_id=vote.pk, by=facilitator)
    for attendee in hall:
        actions.decisions.cast(decision_id=vote.pk, attendee=attendee, choice={"vote": "yes"})
    # The text moves on while the vote is open (say, by hand in the database).
    Proposal.objects.filter(pk=on_floor.pk).update(version=5)
    actions.decisions.close(meeting=live_meeting, decision_id=vote.pk, by=facilitator)
    formal.refresh_from_db()
    assert formal.status == Amendment.Status.OUTDATED
    assert "not applied" in formal.reason
    assert Proposal.objects.get(pk=on_floor.pk).text == FUND


def test_tabled_to_the_next_meeting_with_its_history(
    live_meeting, on_floor, lupe, tomas, facilitator, organization
):
    amendment = amend(tomas, on_floor)
    actions.proposals.answer(
        meeting=live_meeting, amendment_id=amendment.pk, accept=True, attendee=lupe
    )
    later = Meeting.objects.create(organization=organization, title="Next month")
    actions.proposals.table(
        meeting=live_meeting, proposal_id=on_floor.pk, by=facilitator, to_meeting_id=later.pk
    )
    on_floor.refresh_from_db()
    assert on_floor.status == Proposal.Status.TABLED and on_floor.tabled_to == later
    parked = later.items.get(parked=True)
    assert parked.title == "Hardship fund" and parked.description == CAPPED
    carried = later.proposals.get()
    assert [v.text for v in carried.versions.all()] == [FUND, CAPPED]
    assert carried.status == Proposal.Status.SUBMITTED and carried.item == parked


def test_referred_to_a_committee_names_it(live_meeting, on_floor, facilitator):
    with pytest.raises(ActionError, match="Name the committee"):
        actions.proposals.refer(
            meeting=live_meeting, proposal_id=on_floor.pk, by=facilitator, committee=""
        )
    actions.proposals.refer(
        meeting=live_meeting, proposal_id=on_floor.pk, by=facilitator, committee="Finance"
    )
    on_floor.refresh_from_db()
    assert (on_floor.status, on_floor.reason) == ("referred", "Finance")


def test_markup_in_a_proposal_is_shown_as_text_on_the_projector(live_meeting, lupe, facilitator):
    proposal = propose(lupe, text='<script>alert(1)</script> <img src=x onerror="x()"> *fund*')
    actions.proposals.bring_to_floor(meeting=live_meeting, proposal_id=proposal.pk, by=facilitator)
    projector = render_parts(live_meeting, "projector", ["proposal"], "en")
    assert "<script>" not in projector and "<img" not in projector
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in projector
    assert "<em>fund</em>" in projector


def test_each_change_is_published_once_after_commit(
    live_meeting, lupe, tomas, facilitator, django_capture_on_commit_callbacks
):
    with mock.patch("assembly.live.publish.coalesce.submit") as submit:
        with django_capture_on_commit_callbacks(execute=True):
            proposal = propose(lupe)
        assert submit.call_count == 1
        with django_capture_on_commit_callbacks(execute=True):
            actions.proposals.bring_to_floor(
                meeting=live_meeting, proposal_id=proposal.pk, by=facilitator
            )
        assert submit.call_count == 2
        with pytest.raises(ActionError), django_capture_on_commit_callbacks(execute=True):
            amend(tomas, proposal, text="")
        assert submit.call_count == 2


def test_the_minutes_keep_the_final_text_the_amendments_and_the_outcome_in_spanish(
    live_meeting, on_floor, lupe, tomas, hall, facilitator, member, organization
):
    from django.test import Client

    friendly = amend(tomas, on_floor)
    actions.proposals.answer(
        meeting=live_meeting, amendment_id=friendly.pk, accept=True, attendee=lupe
    )
    secret = actions.proposals.amend(
        attendee=tomas, proposal_id=on_floor.pk, text=CAPPED + " Anonymous.", against=2, named=False
    )
    actions.proposals.answer(
        meeting=live_meeting, amendment_id=secret.pk, accept=False, by=facilitator
    )
    formal = amend(tomas, on_floor, text=CAPPED + " Reviewed monthly.")
    vote = actions.proposals.put_to_vote(
        meeting=live_meeting, amendment_id=formal.pk, by=facilitator
    )
    vote_on(live_meeting, vote, facilitator, hall, ["no"] * 6)
    decision = actions.proposals.call_for_consensus(
        meeting=live_meeting, proposal_id=on_floor.pk, by=facilitator
    )
    vote_on(live_meeting, decision, facilitator, hall, ["agree"] * 6, key="response")
    actions.meetings.adjourn(meeting=live_meeting, by=facilitator)
    actions.minutes.publish(meeting=live_meeting, by=facilitator)
    client = Client()
    client.force_login(member)
    url = f"/m/{live_meeting.pk}/minutes.md"
    text = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "### Propuesta: Hardship fund" in text
    assert "Decidida · Propuesta de Lupe · versión 2 · decidida sobre la versión 2" in text
    assert CAPPED in text
    assert "- **Aceptada** (amistosa) · de Tomas, sobre la versión 1" in text
    assert "- **Rechazada** (amistosa) · de una persona participante, sobre la versión 2" in text
    assert "- **Rechazada en votación** (formal) · de Tomas, sobre la versión 2" in text
    page = client.get(f"/m/{live_meeting.pk}/minutes/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Texto final" in page and "cap each grant at $500" in page


def test_a_vote_on_an_amendment_is_asked_in_the_meetings_languages(
    live_meeting, on_floor, tomas, facilitator
):
    from django.utils import translation

    Meeting.objects.filter(pk=live_meeting.pk).update(bilingual=True)
    live_meeting.refresh_from_db()
    Proposal.objects.filter(pk=on_floor.pk).update(title_translation="Fondo de ayuda")
    amendment = amend(tomas, on_floor)
    with translation.override("es"):  # the facilitator's console is in Spanish
        vote = actions.proposals.put_to_vote(
            meeting=live_meeting, amendment_id=amendment.pk, by=facilitator
        )
    assert vote.question.startswith("Adopt the amendment to “Hardship fund” proposed by Tomas")
    assert vote.question_translation.startswith("¿Se adopta la enmienda a «Fondo de ayuda»")


def test_a_call_for_consensus_checks_its_fallback_threshold(live_meeting, on_floor, facilitator):
    with pytest.raises(ActionError, match="threshold must be majority"):
        actions.proposals.call_for_consensus(
            meeting=live_meeting, proposal_id=on_floor.pk, by=facilitator, fallback_threshold="most"
        )
    assert not live_meeting.decisions.exists()
    assert Proposal.objects.get(pk=on_floor.pk).stage != Proposal.Stage.TESTING
    decision = actions.proposals.call_for_consensus(
        meeting=live_meeting, proposal_id=on_floor.pk, by=facilitator, fallback_threshold=" 3/5 "
    )
    assert (decision.method, decision.fallback_threshold) == (Decision.Method.CONSENSUS, "3/5")
    assert Proposal.objects.get(pk=on_floor.pk).stage == Proposal.Stage.TESTING


FONDO = "Destinar el fondo de ayuda a la respuesta rápida para miembros atrapados en redadas."
TOPE = FONDO.replace("redadas.", "redadas, con un tope de $500 por ayuda.")


@pytest.fixture
def bilingual_floor(live_meeting, lupe, facilitator):
    Meeting.objects.filter(pk=live_meeting.pk).update(bilingual=True)
    live_meeting.refresh_from_db()
    proposal = propose(lupe, text_translation=FONDO)
    return actions.proposals.bring_to_floor(
        meeting=live_meeting, proposal_id=proposal.pk, by=facilitator
    )


def accept(meeting, amendment, lupe):
    actions.proposals.answer(meeting=meeting, amendment_id=amendment.pk, accept=True, attendee=lupe)
    return Proposal.objects.get(pk=amendment.proposal_id)


def test_an_amendment_with_its_translation_changes_both_texts(
    live_meeting, bilingual_floor, lupe, tomas
):
    amendment = actions.proposals.amend(
        attendee=tomas,
        proposal_id=bilingual_floor.pk,
        text=CAPPED,
        against=1,
        text_translation=TOPE,
    )
    proposal = accept(live_meeting, amendment, lupe)
    assert (proposal.text, proposal.text_translation) == (CAPPED, TOPE)
    assert not proposal.translation_outdated
    assert [(v.text, v.text_translation) for v in proposal.versions.all()] == [
        (FUND, FONDO),
        (CAPPED, TOPE),
    ]
    projector = render_parts(live_meeting, "projector", ["proposal"], "es")
    assert "con un tope de $500" in projector and "versión anterior" not in projector


def test_an_amendment_without_a_translation_keeps_the_old_one_marked_on_every_screen(
    live_meeting, bilingual_floor, lupe, tomas
):
    # The form offers the current translation to edit: sent back unchanged, it is none.
    amendment = actions.proposals.amend(
        attendee=tomas,
        proposal_id=bilingual_floor.pk,
        text=CAPPED,
        against=1,
        text_translation=FONDO,
    )
    assert amendment.text_translation == ""
    proposal = accept(live_meeting, amendment, lupe)
    assert (proposal.text_translation, proposal.translation_outdated) == (FONDO, True)
    second = proposal.versions.get(number=2)
    assert (second.text_translation, second.translation_outdated) == (FONDO, True)
    for audience in ("participant", "projector", "facilitator"):
        html = render_parts(live_meeting, audience, ["proposal"], "en")
        assert "Translation of an earlier version:" in html and "rápida para miembros" in html
    assert "Traducción de una versión anterior:" in render_parts(
        live_meeting, "participant", ["proposal"], "es"
    )
    # A later amendment that brings a translation makes it current again.
    again = actions.proposals.amend(
        attendee=tomas,
        proposal_id=proposal.pk,
        text=CAPPED + " Reported monthly.",
        against=2,
        text_translation=TOPE + " Con informe mensual.",
    )
    proposal = accept(live_meeting, again, lupe)
    assert not proposal.translation_outdated
    assert "earlier version" not in render_parts(live_meeting, "projector", ["proposal"], "en")


def test_a_tabled_proposal_keeps_its_translations_and_their_marks(
    live_meeting, bilingual_floor, lupe, tomas, facilitator, organization
):
    proposal = accept(live_meeting, amend(tomas, bilingual_floor), lupe)
    later = organization.meetings.create(title="December assembly")
    actions.proposals.table(
        meeting=live_meeting, proposal_id=proposal.pk, by=facilitator, to_meeting_id=later.pk
    )
    carried = later.proposals.get()
    assert (carried.text_translation, carried.translation_outdated) == (FONDO, True)
    assert [v.translation_outdated for v in carried.versions.all()] == [False, True]


def test_at_adjournment_a_proposal_left_open_is_tabled_to_the_next_meeting(
    live_meeting, on_floor, lupe, tomas, facilitator, organization, member
):
    from django.test import Client

    accept(live_meeting, amend(tomas, on_floor), lupe)
    waiting = propose(lupe, text="Paint the hall.")  # still in the facilitator's queue
    later = Meeting.objects.create(organization=organization, title="December assembly")
    Meeting.objects.create(organization=organization, title="Past", status="published")
    actions.meetings.adjourn(meeting=live_meeting, by=facilitator)
    for proposal in (on_floor, waiting):
        proposal.refresh_from_db()
        assert (proposal.status, proposal.left_open, proposal.tabled_to) == (
            "tabled",
            True,
            later,
        )
    carried = later.proposals.get(text=CAPPED)
    assert [v.text for v in carried.versions.all()] == [FUND, CAPPED]
    assert carried.status == "submitted" and carried.item.parked
    assert later.items.filter(parked=True).count() == 2
    projector = render_parts(live_meeting, "projector", ["proposal"], "en")
    assert "Left open at adjournment, tabled" in projector
    assert "Tabled to: December assembly" in projector
    actions.minutes.publish(meeting=live_meeting, by=facilitator)
    client = Client()
    client.force_login(member)
    text = client.get(f"/m/{live_meeting.pk}/minutes.md", HTTP_ACCEPT_LANGUAGE="es")
    assert "Quedó abierta al levantar la sesión: aplazada" in text.content.decode()


def test_with_no_later_meeting_it_waits_tabled_for_the_next_one_scheduled(
    live_meeting, on_floor, lupe, tomas, facilitator, organization
):
    accept(live_meeting, amend(tomas, on_floor), lupe)
    actions.meetings.adjourn(meeting=live_meeting, by=facilitator)
    on_floor.refresh_from_db()
    assert (on_floor.status, on_floor.tabled_to, on_floor.reason) == ("tabled", None, "")
    html = render_parts(live_meeting, "participant", ["proposal"], "es")
    assert "Quedó abierta al levantar la sesión: aplazada" in html
    assert "Aplazada a:" not in html  # to no meeting yet: nothing to name
    later = actions.agenda.create_meeting(
        organization=organization,
        by=facilitator,
        settings={"title": "December assembly"},
        copy_agenda_from=live_meeting,
    )
    on_floor.refresh_from_db()
    assert (on_floor.tabled_to, on_floor.reason) == (later, "December assembly")
    carried = later.proposals.get()
    assert [v.text for v in carried.versions.all()] == [FUND, CAPPED]
    assert carried.item == later.items.get(parked=True)
    console = render_parts(later, "facilitator", ["proposal"], "en")
    assert "by Lupe · in the parking lot" in console  # not "item 1", which the agenda lacks
    # Only once: the meeting after that one does not get it again.
    actions.agenda.create_meeting(
        organization=organization, by=facilitator, settings={"title": "January assembly"}
    )
    assert Proposal.objects.filter(text=CAPPED).count() == 2


def test_the_minutes_give_a_spanish_reader_the_final_text_in_spanish_first(
    live_meeting, lupe, facilitator, member
):
    from django.test import Client

    Meeting.objects.filter(pk=live_meeting.pk).update(bilingual=True)
    live_meeting.refresh_from_db()
    proposal = actions.proposals.submit(
        attendee=lupe,
        title="Hardship fund",
        text="Commit the fund.",
        text_translation="Destinar el fondo.",
    )
    actions.proposals.bring_to_floor(meeting=live_meeting, proposal_id=proposal.pk, by=facilitator)
    actions.proposals.withdraw(meeting=live_meeting, proposal_id=proposal.pk, attendee=lupe)
    actions.meetings.adjourn(meeting=live_meeting, by=facilitator)
    actions.minutes.publish(meeting=live_meeting, by=facilitator)
    client = Client()
    client.force_login(member)
    for url in (f"/m/{live_meeting.pk}/minutes/", f"/m/{live_meeting.pk}/minutes.md"):
        spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert spanish.index("Destinar el fondo.") < spanish.index("Commit the fund.")
        assert english.index("Commit the fund.") < english.index("Destinar el fondo.")


@pytest.mark.django_db(transaction=True)  # told after commit
def test_a_meeting_scheduled_meanwhile_is_offered_to_table_to_at_once(
    live_meeting, on_floor, facilitator, organization
):
    """The console's page is built from the room its version showed: a meeting the secretary
    schedules during the assembly counts a new version of those in session, so the console
    offers it at the next load (not when something else happens in the room)."""
    console = client_for(facilitator)
    page = reverse("assembly:meeting-console", args=[live_meeting.pk])
    assert "Table it to" not in console.get(page).content.decode()
    actions.agenda.create_meeting(
        organization=organization, by=facilitator, settings={"title": "March assembly"}
    )
    html = console.get(page).content.decode()
    assert "Table it to" in html and "March assembly" in html
    actions.meetings.start(meeting=Meeting.objects.get(title="March assembly"), by=facilitator)
    assert "March assembly" not in console.get(page).content.decode()
