"""Proxies: a present member carries an absent member's vote, within the bylaws' limit, and it
counts once, whoever casts it first."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assembly import actions
from assembly.actions import ActionError
from assembly.models import AuditEntry, Membership
from tests.conftest import client_for

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def room(live_meeting, organization, member):
    """Proxies allowed (one each); the member is here, two roll members without accounts are not."""
    organization.proxies_allowed = True
    organization.proxy_limit = 1
    organization.save()
    here = actions.attendance.check_in_member(meeting=live_meeting, user=member)
    away = [
        Membership.objects.create(organization=organization, name=name)
        for name in ("Carmen Ruiz", "Bo Chen")
    ]
    return live_meeting, here, away


def assign(meeting, absent, holder, by):
    return actions.attendance.assign_proxy(
        meeting=meeting, membership_id=absent.pk, holder_id=holder.pk, by=by
    )


def motion(meeting, facilitator, **options):
    decision = actions.decisions.create(
        meeting=meeting, by=facilitator, question="Fund?", method="motion", **options
    )
    return actions.decisions.open_round(
        meeting=meeting, decision_id=decision.pk, by=facilitator, override_quorum=True
    )


def vote(decision, attendee, value, for_member=None):
    actions.decisions.cast(
        decision_id=decision.pk,
        attendee=attendee,
        choice={"vote": value},
        for_membership_id=for_member.pk if for_member else None,
    )


def test_a_proxy_is_recorded_and_audited(room, secretary):
    meeting, here, away = room
    proxy = assign(meeting, away[0], here, secretary)
    assert proxy.holder == here and proxy.absent_member == away[0]
    assert AuditEntry.objects.filter(action="attendance.proxy_assigned", actor=secretary).exists()


def test_proxies_need_the_organization_to_allow_them(room, secretary, organization):
    meeting, here, away = room
    organization.proxies_allowed = False
    organization.save()
    with pytest.raises(ActionError, match="does not allow"):
        assign(meeting, away[0], here, secretary)


def test_one_person_carries_no_more_than_the_limit(room, secretary, organization):
    meeting, here, away = room
    assign(meeting, away[0], here, secretary)
    with pytest.raises(ActionError, match="already carries 1 proxy"):
        assign(meeting, away[1], here, secretary)
    organization.proxy_limit = 2
    organization.save()
    assign(meeting, away[1], here, secretary)
    assert here.proxies_held.count() == 2


def test_a_vote_is_carried_by_one_person_only(room, secretary, facilitator):
    meeting, here, away = room
    other = actions.attendance.check_in_member(meeting=meeting, user=facilitator)
    assign(meeting, away[0], here, secretary)
    with pytest.raises(ActionError, match="already carries the vote of Carmen Ruiz"):
        assign(meeting, away[0], other, secretary)


def test_a_guest_or_someone_without_a_vote_cannot_carry_a_proxy(room, secretary, guest):
    meeting, _here, away = room
    with pytest.raises(ActionError, match="Only a member who is here and votes"):
        assign(meeting, away[0], guest, secretary)
    actions.attendance.set_vote(meeting=meeting, attendee_id=guest.pk, may_vote=True, by=secretary)
    with pytest.raises(ActionError, match="Only a member who is here and votes"):
        assign(meeting, away[0], guest, secretary)


def test_someone_present_votes_in_person_and_gives_no_proxy(room, secretary, facilitator):
    meeting, here, _away = room
    there = actions.attendance.check_in_member(meeting=meeting, user=facilitator)
    with pytest.raises(ActionError, match="is here and votes in person"):
        assign(meeting, there.membership, here, secretary)


def test_a_member_from_another_organization_cannot_be_named(room, secretary, other_organization):
    meeting, here, _away = room
    foreign = Membership.objects.create(organization=other_organization, name="Elsewhere")
    with pytest.raises(ActionError, match="not on this organization's roll"):
        assign(meeting, foreign, here, secretary)


def test_the_proxy_ends_when_the_member_arrives(room, secretary):
    meeting, here, away = room
    assign(meeting, away[0], here, secretary)
    actions.attendance.check_in_by_hand(meeting=meeting, membership_id=away[0].pk, by=secretary)
    assert not meeting.proxies.exists()
    assert AuditEntry.objects.filter(action="attendance.proxy_ended_on_arrival").exists()


def test_a_proxy_vote_counts_once_even_if_the_member_arrives(room, secretary, facilitator):
    meeting, here, away = room
    assign(meeting, away[0], here, secretary)
    decision = motion(meeting, facilitator)
    for member in (None, away[0]):
        vote(decision, here, "yes", member)
    arrived = actions.attendance.check_in_by_hand(
        meeting=meeting, membership_id=away[0].pk, by=secretary
    )
    with pytest.raises(ActionError, match="already cast your vote"):
        vote(decision, arrived, "no")
    result = actions.decisions.close(meeting=meeting, decision_id=decision.pk, by=facilitator)
    assert (result.result["yes"], result.result["no"], result.result["proxies"]) == ("2", "0", 1)


def test_a_withdrawn_proxy_can_no_longer_vote_but_its_vote_stands(room, secretary, facilitator):
    meeting, here, away = room
    proxy = assign(meeting, away[0], here, secretary)
    decision = motion(meeting, facilitator)
    vote(decision, here, "no", away[0])
    actions.attendance.withdraw_proxy(meeting=meeting, proxy_id=proxy.pk, by=secretary)
    with pytest.raises(ActionError, match="don't hold that member's proxy"):
        vote(decision, here, "yes", away[0])
    result = actions.decisions.close(meeting=meeting, decision_id=decision.pk, by=facilitator)
    assert result.result["no"] == "1"


def test_turnout_counts_proxies_whose_holder_is_here(room, secretary, facilitator):

    meeting, here, away = room
    assign(meeting, away[0], here, secretary)
    assert meeting.attendance_summary()["proxies"] == 1
    actions.attendance.leave(attendee=here)
    assert meeting.attendance_summary()["proxies"] == 0


# Through the pages


def test_the_secretary_records_a_proxy_on_the_attendance_page(room, secretary):
    meeting, here, away = room
    client = client_for(secretary)
    page = client.get(reverse("assembly:meeting-attendance", args=[meeting.pk])).content.decode()
    assert "Carmen Ruiz" in page and 'name="holder"' in page
    response = client.post(
        reverse("assembly:proxy-assign", args=[meeting.pk]),
        {"absent_member": away[0].pk, "holder": here.pk},
        follow=True,
    )
    assert f"{here.display_name} carries the vote of Carmen Ruiz" in response.content.decode()


@pytest.mark.parametrize("hostile", ["", "abc", "-1", "9" * 40, "1e3", "١٢"])
def test_a_hostile_proxy_form_gets_a_clear_refusal(room, secretary, hostile):
    meeting, here, _away = room
    response = client_for(secretary).post(
        reverse("assembly:proxy-assign", args=[meeting.pk]),
        {"absent_member": hostile, "holder": here.pk},
        follow=True,
    )
    assert response.status_code == 200
    assert "not on this organization&#x27;s roll" in response.content.decode()
    assert not meeting.proxies.exists()


def test_the_holder_sees_and_casts_the_proxy_ballot(room, secretary, facilitator, member):
    meeting, here, away = room
    assign(meeting, away[0], here, secretary)
    decision = motion(meeting, facilitator)
    client = client_for(member)
    page = client.get(reverse("assembly:meeting-room", args=[meeting.pk])).content.decode()
    assert "Vote of Carmen Ruiz, whose proxy you carry" in page
    url = reverse("assembly:decision-vote", args=[meeting.pk, decision.pk])
    response = client.post(
        url, {"vote": "yes", "for_membership": away[0].pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "The vote of Carmen Ruiz is recorded." in response.content.decode()
    assert decision.participations.get().for_membership == away[0]


def test_a_proxy_one_does_not_carry_is_refused(room, secretary, facilitator, member):
    meeting, _here, away = room
    decision = motion(meeting, facilitator)
    url = reverse("assembly:decision-vote", args=[meeting.pk, decision.pk])
    response = client_for(member).post(
        url, {"vote": "yes", "for_membership": away[0].pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422  # the ballot form refuses it: nothing is cast
    assert "You don&#x27;t hold that member&#x27;s proxy." in response.content.decode()
    assert not decision.participations.exists()


def test_a_secret_proxy_ballot_is_reviewed_for_the_right_person(
    room, secretary, facilitator, member
):
    meeting, here, away = room
    assign(meeting, away[0], here, secretary)
    decision = motion(meeting, facilitator, secret=True)
    url = reverse("assembly:decision-vote", args=[meeting.pk, decision.pk])
    client = client_for(member)
    review = client.post(url, {"vote": "no", "for_membership": away[0].pk}, HTTP_HX_REQUEST="true")
    html = review.content.decode()
    assert "Check the vote of Carmen Ruiz" in html
    assert f'name="for_membership" value="{away[0].pk}"' in html
    assert not decision.participations.exists()
    client.post(
        url,
        {"vote": "no", "for_membership": away[0].pk, "confirm": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert decision.participations.get().for_membership == away[0]


def test_a_proxy_vote_cast_by_its_earlier_holder_stands(room, secretary, facilitator):
    meeting, here, away = room
    other = actions.attendance.check_in_member(meeting=meeting, user=facilitator)
    proxy = assign(meeting, away[0], here, secretary)
    decision = motion(meeting, facilitator)
    vote(decision, here, "yes", away[0])
    actions.attendance.withdraw_proxy(meeting=meeting, proxy_id=proxy.pk, by=secretary)
    assign(meeting, away[0], other, secretary)
    with pytest.raises(ActionError, match="already cast by whoever carried the proxy before"):
        vote(decision, other, "no", away[0])
    result = actions.decisions.close(meeting=meeting, decision_id=decision.pk, by=facilitator)
    assert (result.result["yes"], result.result["no"]) == ("1", "0")


def test_a_holder_whose_vote_is_taken_cannot_use_the_proxy(room, secretary, facilitator):

    meeting, here, away = room
    assign(meeting, away[0], here, secretary)
    actions.attendance.set_vote(meeting=meeting, attendee_id=here.pk, may_vote=False, by=secretary)
    assert meeting.attendance_summary()["proxies"] == 0
    decision = motion(meeting, facilitator)
    with pytest.raises(ActionError, match="carries no vote"):
        vote(decision, here, "yes", away[0])


def test_turnout_never_shows_more_votes_than_voters(room, secretary, facilitator):
    from assembly.live.render import decision_context

    meeting, here, away = room
    proxy = assign(meeting, away[0], here, secretary)
    decision = motion(meeting, facilitator)
    for member in (None, away[0]):
        vote(decision, here, "yes", member)
    actions.attendance.withdraw_proxy(meeting=meeting, proxy_id=proxy.pk, by=secretary)
    shown = decision_context(meeting, meeting.attendance_summary())
    assert (shown["voted"], shown["eligible"]) == (2, 2)


def test_a_burst_records_only_what_cast_would_and_leaves_the_rest_to_it(
    room, secretary, facilitator, guest
):
    """actions.decisions.cast_many, the ballot box's batch: each rule of `cast` holds, and a
    ballot it does not record is left for `cast` to answer with its reason."""
    meeting, here, away = room
    assign(meeting, away[0], here, secretary)
    decision = motion(meeting, facilitator)
    vote(decision, here, "yes", away[0])  # the holder casts the absent member's vote
    arrived = actions.attendance.check_in_by_hand(
        meeting=meeting, membership_id=away[0].pk, by=secretary
    )
    voter = actions.attendance.check_in_member(meeting=meeting, user=facilitator)
    no_vote = guest  # waiting at the door, and no vote
    recorded = actions.decisions.cast_many(
        meeting_id=meeting.pk,
        decision_id=decision.pk,
        ballots=[
            (arrived.pk, {"vote": "no"}),  # their holder voted for them already
            (voter.pk, {"vote": "abstain"}),
            (voter.pk, {"vote": "no"}),  # a double tap: the first stands
            (here.pk, {"vote": "maybe"}),  # no such answer
            (no_vote.pk, {"vote": "yes"}),
        ],
    )
    assert recorded == [voter.pk]
    assert decision.ballots.get(attendee=voter).choice == {"vote": "abstain"}
    again = actions.decisions.cast_many(
        meeting_id=meeting.pk, decision_id=decision.pk, ballots=[(voter.pk, {"vote": "yes"})]
    )
    assert again == []  # a second ballot is `cast`'s to change
    actions.decisions.close(meeting=meeting, decision_id=decision.pk, by=facilitator)
    closed = actions.decisions.cast_many(
        meeting_id=meeting.pk, decision_id=decision.pk, ballots=[(here.pk, {"vote": "no"})]
    )
    assert closed == []
