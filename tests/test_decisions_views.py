"""Decisions through the pages and the live layer: prepared on the console, shown to every
screen when opened, voted from a phone, counted for all at the close."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from assembly import actions
from assembly.live.parts import Audience, Part
from assembly.live.render import render_parts, render_personal
from assembly.models import Decision
from tests.conftest import client_for, guest_client, present, unheard

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def room(live_meeting, member, secretary, facilitator):
    """Three voting members present (quorum of the three on the roll holds)."""
    with unheard():
        for user in (member, secretary, facilitator):
            present(live_meeting, user)
    return live_meeting


def url(name, meeting, decision=None):
    args = [meeting.pk] if decision is None else [meeting.pk, decision.pk]
    return reverse(f"assembly:{name}", args=args)


def prepare(meeting, facilitator, **fields):
    data = {"question": "Commit the hardship fund?", "method": "motion", **fields}
    response = client_for(facilitator).post(url("decision-create", meeting), data, **HTMX)
    return response, meeting.decisions.order_by("-id").first()


def opened(meeting, facilitator, **fields):
    _, decision = prepare(meeting, facilitator, **fields)
    client_for(facilitator).post(url("decision-open", meeting, decision), **HTMX)
    decision.refresh_from_db()
    assert decision.is_open
    return decision


def test_the_facilitator_prepares_a_decision_from_the_console(room, facilitator):
    response, decision = prepare(room, facilitator, method="ranked", options="Ana\nBo\nChayo\n")
    assert response.status_code == 200
    assert decision.status == Decision.Status.DRAFT
    assert [o.label for o in decision.options.all()] == ["Ana", "Bo", "Chayo"]
    assert "Open voting" in response.content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"question": "  "}, "Write the question"),
        ({"method": "lottery"}, "Choose how the meeting decides"),
        ({"method": "ranked", "options": "Only one"}, "at least two options"),
        ({"method": "ranked", "options": "A\nB", "seats": "2"}, "fewer seats than candidates"),
        ({"method": "ranked", "options": "A\nB\nC", "seats": "two"}, "fewer seats"),
        ({"threshold": "most"}, "The threshold must be"),
        ({"question": "x" * 301}, "under 300 characters"),
    ],
)
def test_a_bad_decision_is_refused_with_a_reason(room, facilitator, fields, message):
    response, decision = prepare(room, facilitator, **fields)
    assert response.status_code == 422  # the form's message, nothing prepared
    assert message in response.content.decode().replace("&#x27;", "'")
    assert decision is None


def test_opening_a_round_puts_the_ballot_on_every_phone_and_the_question_on_the_projector(
    room, facilitator
):
    decision = opened(room, facilitator)
    phone = render_parts(room, Audience.PARTICIPANT, [Part.DECISION], "en")
    projector = render_parts(room, Audience.PROJECTOR, [Part.DECISION], "en")
    assert 'name="vote" value="yes"' in phone and "0 of 3 have voted" in phone
    assert decision.question in projector and "<form" not in projector


def test_a_vote_from_a_phone_is_acknowledged_and_counted_once(room, facilitator, member):
    decision = opened(room, facilitator)
    phone = client_for(member)
    for _ in range(5):  # a phone resending the same ballot
        response = phone.post(url("decision-vote", room, decision), {"vote": "yes"}, **HTMX)
        assert response.status_code == 200
    assert f'data-voted="{decision.pk}"' in response.content.decode()  # "your vote is recorded"
    assert "1 of 3 have voted" in response.content.decode()
    page = phone.get(url("meeting-room", room)).content.decode()
    assert '<p class="voted voted-note" role="status">' in page  # shown, even without script
    assert decision.participations.count() == 1 == decision.ballots.count()


def test_another_vote_updates_only_the_count_so_a_ballot_being_filled_is_kept(
    room, facilitator, member, django_capture_on_commit_callbacks
):
    from unittest import mock

    decision = opened(room, facilitator)
    with (
        mock.patch("assembly.live.publish.broadcast") as broadcast,
        mock.patch("assembly.live.publish.send_personal"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client_for(member).post(url("decision-vote", room, decision), {"vote": "no"}, **HTMX)
    broadcast.assert_called_once_with(room.pk, (Part.TURNOUT,))
    pushed = render_parts(room, Audience.PARTICIPANT, [Part.TURNOUT], "en")
    assert "1 of 3 have voted" in pushed and "<form" not in pushed


@pytest.mark.parametrize(
    "ballot",
    [{"vote": "maybe"}, {"vote": ""}, {"response": "agree"}, {"vote": "yes" * 1000}],
)
def test_a_hostile_ballot_is_refused_and_nothing_is_recorded(room, facilitator, member, ballot):
    decision = opened(room, facilitator)
    response = client_for(member).post(url("decision-vote", room, decision), ballot, **HTMX)
    assert response.status_code == 422
    assert "Choose yes, no or abstain." in response.content.decode()
    assert not decision.participations.exists()


def test_a_guest_without_a_vote_sees_no_ballot_and_is_refused(room, facilitator, guest):
    decision = opened(room, facilitator)
    client = guest_client(guest)
    page = client.get(url("meeting-room", room)).content.decode()
    assert 'data-vote="no"' in page and "You can speak but not vote." in page
    response = client.post(url("decision-vote", room, decision), {"vote": "yes"}, **HTMX)
    assert response.status_code == 409
    assert "don&#x27;t have a vote" in response.content.decode()
    assert not decision.participations.exists()


def test_a_secret_ballot_is_shown_back_in_words_before_it_is_cast(room, facilitator, member):
    decision = opened(room, facilitator, method="consensus", secret="1")
    phone = client_for(member)
    review = phone.post(
        url("decision-vote", room, decision), {"response": "stand_aside"}, **HTMX
    ).content.decode()
    assert "Check your vote" in review and "Stand aside" in review and "stand_aside</" not in review
    assert not decision.participations.exists()
    phone.post(
        url("decision-vote", room, decision), {"response": "stand_aside", "confirm": "1"}, **HTMX
    )
    assert decision.participations.count() == 1
    again = phone.post(
        url("decision-vote", room, decision), {"response": "block", "confirm": "1"}, **HTMX
    )
    assert again.status_code == 409 and "can&#x27;t be changed" in again.content.decode()


def test_a_ballot_sent_again_after_a_lost_answer_is_answered_not_recast(room, facilitator, member):
    decision = opened(room, facilitator, method="consensus", secret="1")
    phone = client_for(member)
    ballot = {"response": "agree", "confirm": "1", "op": "2f6e0c1a-retry-key"}
    first = phone.post(url("decision-vote", room, decision), ballot, **HTMX)
    again = phone.post(url("decision-vote", room, decision), ballot, **HTMX)
    # The repeat hears what the lost answer said: recorded, not "can't be changed".
    assert (first.status_code, again.status_code) == (200, 200)
    assert "can&#x27;t be changed" not in again.content.decode()
    assert decision.participations.count() == 1
    # A new tap (a new operation) on a cast secret ballot is still refused.
    other = phone.post(
        url("decision-vote", room, decision), {**ballot, "op": "another-op-1"}, **HTMX
    )
    assert other.status_code == 409 and "can&#x27;t be changed" in other.content.decode()
    with unheard():
        result = actions.decisions.close(meeting=room, decision_id=decision.pk, by=facilitator)
    assert result.result["counts"]["agree"] == "1"


def test_a_secret_ballot_is_reviewed_in_spanish_for_a_spanish_phone(room, facilitator, member):
    decision = opened(room, facilitator, method="consensus", secret="1")
    phone = client_for(member)
    phone.cookies["django_language"] = "es"
    review = phone.post(url("decision-vote", room, decision), {"response": "stand_aside"}, **HTMX)
    html = review.content.decode()
    assert "Revisa tu voto" in html and "Hacerse a un lado" in html


def test_closing_shows_everyone_the_result_and_why(room, facilitator, member, secretary):
    decision = opened(room, facilitator, threshold="two_thirds")
    for person, choice in ((member, "yes"), (secretary, "yes"), (facilitator, "no")):
        client_for(person).post(url("decision-vote", room, decision), {"vote": choice}, **HTMX)
    client_for(facilitator).post(url("decision-close", room, decision), **HTMX)
    for audience in ("participant", "projector", "facilitator"):
        html = render_parts(room, audience, [Part.DECISION], "en")
        assert "Passed" in html, audience
        assert "<form" not in html or audience == "facilitator"


@pytest.mark.parametrize(
    ("votes", "language", "why"),
    [
        (("yes",), "en", "It needed 1 yes vote out of 1 "),
        (("yes",), "es", "Necesitaba 1 voto a favor sobre 1 "),
        (("yes", "yes", "no"), "en", "It needed 2 yes votes out of 3 "),
        (("yes", "yes", "no"), "es", "Necesitaba 2 votos a favor sobre 3 "),
    ],
)
def test_the_votes_a_motion_needed_are_counted_in_words_that_agree(
    room, facilitator, member, secretary, votes, language, why
):
    decision = opened(room, facilitator)
    for person, choice in zip((member, secretary, facilitator), votes, strict=False):
        client_for(person).post(url("decision-vote", room, decision), {"vote": choice}, **HTMX)
    client_for(facilitator).post(url("decision-close", room, decision), **HTMX)
    assert why in render_parts(room, "projector", [Part.DECISION], language)


def test_the_personal_part_says_a_phone_has_voted(room, facilitator, member):
    decision = opened(room, facilitator)
    client_for(member).post(url("decision-vote", room, decision), {"vote": "yes"}, **HTMX)
    attendee = room.attendees.get(user=member)
    assert f'data-voted="{decision.pk}"' in render_personal(attendee, "en")


@pytest.fixture
def ernesto(room, secretary):
    """A present member without a phone, checked in by hand."""
    with unheard():
        membership = room.organization.memberships.create(name="Ernesto Díaz")
        return actions.attendance.check_in_by_hand(
            meeting=room, membership_id=membership.pk, by=secretary
        )


def test_the_secretary_records_a_vote_for_a_member_without_a_phone(
    room, facilitator, secretary, ernesto
):
    attendee = ernesto
    decision = opened(room, facilitator)
    client = client_for(secretary)
    page = client.get(url("meeting-attendance", room)).content.decode()
    assert "Record a vote for someone without a device" in page and "Vote of Ernesto Díaz" in page
    response = client.post(
        url("decision-assisted", room, decision),
        {"attendee": attendee.pk, "vote": "yes"},
        follow=True,
    )
    assert "The vote of Ernesto Díaz is recorded." in response.content.decode()
    assert decision.participations.get().assisted


@pytest.mark.parametrize("hostile", ["", "abc", "99999", "-3"])
def test_an_assisted_vote_for_nobody_is_refused(room, facilitator, secretary, hostile):
    decision = opened(room, facilitator)
    response = client_for(secretary).post(
        url("decision-assisted", room, decision), {"attendee": hostile, "vote": "yes"}, follow=True
    )
    assert "That person is not in this meeting." in response.content.decode()
    assert not decision.participations.exists()


@pytest.mark.parametrize(
    ("language", "value", "shown"),
    [
        ("en", "33.3333", "33.3333"),
        ("es", "33.3333", "33,3333"),
        ("es", "12", "12"),
        ("es", "2.50000", "2,50000"),
        ("en", "not a number", "not a number"),
    ],
)
def test_counts_are_written_as_the_reader_writes_numbers(language, value, shown):
    from django.utils import translation

    from assembly.templatetags.figures import figure

    with translation.override(language):
        assert figure(value) == shown


NUL_REFUSED = "null character"


@pytest.mark.parametrize(
    "fields",
    [
        {"question": "Commit the\x00 fund?"},
        {"question_translation": "¿Comprometer\x00 el fondo?"},
        {"method": "approval", "options": "Ana\nBo\x00\nChayo"},
        {"threshold": "two_thirds\x00"},
    ],
)
def test_a_null_character_in_a_decision_is_refused_with_a_message(room, facilitator, fields):
    response, decision = prepare(room, facilitator, **fields)
    assert response.status_code == 422
    assert NUL_REFUSED in response.content.decode()
    assert decision is None


@pytest.mark.parametrize(
    ("method", "answers"),
    [("motion", Decision.Vote), ("consensus", Decision.Response)],
)
def test_the_ballot_offers_every_answer_in_the_reader_s_words(room, facilitator, method, answers):
    from django.utils import translation

    opened(room, facilitator, method=method)
    phone = render_parts(room, Audience.PARTICIPANT, [Part.DECISION], "es")
    for answer in answers:
        with translation.override("es"):
            label = str(answer.label)
        assert (
            f'value="{answer.value}" class="button choice choice-{answer.value}">{label}<' in phone
        )
    assert "Hacerse a un lado" in phone or method == "motion"


def test_a_secret_ballot_that_does_not_fit_is_refused_before_its_review(room, facilitator, member):
    decision = opened(room, facilitator, secret="1")
    response = client_for(member).post(
        url("decision-vote", room, decision), {"vote": "perhaps"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "Choose yes, no or abstain." in html and "Check your vote" not in html
    assert not decision.participations.exists() and not decision.sealed.exists()


def test_a_secret_election_is_reviewed_with_the_names_in_rank_order(room, facilitator, member):
    decision = opened(
        room, facilitator, method="ranked", options="Ana\nBo\nChayo", seats="1", secret="1"
    )
    ana, bo, chayo = decision.options.values_list("pk", flat=True)
    review = client_for(member).post(
        url("decision-vote", room, decision), {"rank": [chayo, "", ana]}, **HTMX
    )
    html = review.content.decode()
    assert review.status_code == 200
    assert html.index("<li>Chayo</li>") < html.index("<li>Ana</li>") and "<li>Bo</li>" not in html
    assert f'name="rank" value="{chayo}"' in html and not decision.participations.exists()


def test_without_quorum_a_round_opens_only_when_the_facilitator_says_so(live_meeting, facilitator):
    _, decision = prepare(live_meeting, facilitator)
    console = client_for(facilitator)
    refused = console.post(url("decision-open", live_meeting, decision), **HTMX)
    assert refused.status_code == 409 and "There is no quorum" in refused.content.decode()
    console.post(url("decision-open", live_meeting, decision), {"override_quorum": "1"}, **HTMX)
    decision.refresh_from_db()
    assert decision.is_open and decision.quorum_overridden


def test_the_secretary_s_ballot_that_does_not_fit_is_refused(room, facilitator, secretary, ernesto):
    attendee = ernesto
    decision = opened(room, facilitator)
    response = client_for(secretary).post(
        url("decision-assisted", room, decision),
        {"attendee": attendee.pk, "vote": "maybe"},
        follow=True,
    )
    assert "Choose yes, no or abstain." in response.content.decode()
    assert not decision.participations.exists()


@pytest.mark.parametrize(
    ("rule", "label", "quota", "method"),
    [
        ("meek", "Meek STV (PR Foundation reference rule)", "1.500000001", "stv_meek_prf"),
        ("wigm", "Weighted inclusive Gregory STV (WIGM)", "1.5", "stv_wigm"),
    ],
)
def test_an_election_counted_by_meek_or_wigm_shows_its_rule_and_rounds(
    room, facilitator, member, secretary, rule, label, quota, method
):
    form = client_for(facilitator).get(url("meeting-console", room)).content.decode()
    assert f'<option value="{rule}">{label}</option>' in form
    decision = opened(
        room, facilitator, method="ranked", options="Ana\nBo\nChayo", seats="1", count_rule=rule
    )
    assert decision.count_rule == rule
    ids = {o.label: o.pk for o in decision.options.all()}
    for person, ranking in ((member, "Ana"), (secretary, "Bo"), (facilitator, "Chayo")):
        ranking_ids = [ids[ranking], ids["Bo" if ranking != "Bo" else "Ana"]]
        client_for(person).post(url("decision-vote", room, decision), {"rank": ranking_ids}, **HTMX)
    client_for(facilitator).post(url("decision-close", room, decision), **HTMX)
    decision.refresh_from_db()
    assert decision.result["method"] == method
    assert decision.result["quota"] == quota  # 3 ballots / 2: Meek adds 10^-9, WIGM is exact
    assert "seed" in decision.result["rules"]  # ties would go to a lot whose seed is kept
    html = render_parts(room, "projector", ["decision"], "en")
    # The projector draws the count, at its last round until the console steps back.
    assert label in html and re.search(r"Round (\d+) of \1<", html)


def test_a_ranked_vote_with_no_ballot_elects_nobody_and_says_why(room, facilitator):
    decision = opened(room, facilitator, method="ranked", options="Ana\nBo")
    client_for(facilitator).post(url("decision-close", room, decision), **HTMX)
    decision.refresh_from_db()
    assert decision.result["winners"] == []
    html = render_parts(room, "projector", ["decision"], "en")
    assert "Nobody elected" in html and "nothing to count" in html
    assert "Nadie elegido" in render_parts(room, "projector", ["decision"], "es")


def test_an_approval_vote_with_no_option_ticked_chooses_nobody_and_says_why(
    room, facilitator, member, secretary
):
    decision = opened(room, facilitator, method="approval", options="Ana\nBo")
    for person in (member, secretary):
        client_for(person).post(url("decision-vote", room, decision), {}, **HTMX)
    client_for(facilitator).post(url("decision-close", room, decision), **HTMX)
    decision.refresh_from_db()
    assert decision.result["winners"] == [] and not decision.carried
    html = render_parts(room, "projector", ["decision"], "en")
    assert "Nobody elected" in html and "nothing to count" in html
    assert "Elected:" not in html and "chosen" not in html


def test_an_option_nobody_approved_takes_no_seat_and_the_room_is_told_why(
    room, facilitator, member, secretary
):
    decision = opened(room, facilitator, method="approval", options="Ana\nBo\nChayo", seats="2")
    ana = decision.options.get(label="Ana").pk
    for person in (member, secretary):
        client_for(person).post(url("decision-vote", room, decision), {"option": [ana]}, **HTMX)
    client_for(facilitator).post(url("decision-close", room, decision), **HTMX)
    decision.refresh_from_db()
    assert decision.result["winners"] == ["Ana"]  # not Bo or Chayo by lot, with no approval
    html = render_parts(room, "projector", ["decision"], "en")
    assert '<ul class="winners"><li>Ana</li></ul>' in html
    assert "1 seat was not filled: no ballot approved any other option." in html
    spanish = render_parts(room, "projector", ["decision"], "es")
    assert "1 puesto quedó sin cubrir: ninguna papeleta aprobó otra opción." in spanish


def test_a_bad_decision_from_the_console_page_comes_back_with_what_was_typed(room, facilitator):
    data = {"question": "Elect delegates", "method": "ranked", "options": "Ana", "secret": "1"}
    response = client_for(facilitator).post(url("decision-create", room), data)  # no htmx
    html = response.content.decode()
    assert response.status_code == 422 and not room.decisions.exists()
    assert "List at least two options or candidates, one per line." in html
    assert 'value="Elect delegates"' in html and ">Ana</textarea>" in html
    assert '<option value="ranked" selected>' in html
    assert 'name="secret" value="1" checked' in html
    assert '<details class="quick-add new-decision" open>' in html
