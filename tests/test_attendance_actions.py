"""Arrivals, guests at the door, roll call and quorum."""

from __future__ import annotations

from unittest import mock

import pytest

from assembly import actions
from assembly.actions import ActionError
from assembly.actions.errors import Crowded
from assembly.models import Attendee, AuditEntry, Membership, Role
from assembly.models.attendance import WAITING_GUESTS_MAX
from tests.conftest import make_person, present


@pytest.fixture
def published():
    with (
        mock.patch("assembly.live.publish.broadcast") as room,
        mock.patch("assembly.live.publish.send_personal") as personal,
    ):
        yield room, personal


def test_a_member_checks_in_with_the_vote_their_membership_gives(meeting, member, published):
    attendee = present(meeting, member)
    assert attendee.is_present
    assert attendee.may_vote
    assert attendee.kind == Attendee.Kind.MEMBER
    assert attendee.display_name == "Lupe"


def test_checking_in_twice_keeps_one_attendance(meeting, member, published):
    present(meeting, member)
    present(meeting, member)
    assert meeting.attendees.count() == 1


def test_an_observer_checks_in_without_a_vote(meeting, organization, published):
    observer = make_person(organization, "obs@example.org", Role.OBSERVER)
    assert not present(meeting, observer).may_vote


def test_check_in_publishes_attendance_once_after_commit(
    meeting, member, published, django_capture_on_commit_callbacks
):
    room, personal = published
    with django_capture_on_commit_callbacks(execute=True):
        attendee = present(meeting, member)
    room.assert_called_once_with(meeting.pk, ("attendance", "turnout"))
    personal.assert_called_once_with(attendee.pk, admitted=False)


def test_a_guest_waits_at_the_door_without_a_vote(meeting, published):
    guest = actions.attendance.join_as_guest(meeting=meeting, display_name="  Jin  ")
    assert guest.display_name == "Jin"
    assert guest.status == Attendee.Status.WAITING
    assert not guest.may_vote
    assert guest.user is None and guest.membership is None


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "type the name"),
        ("   ", "type the name"),
        ("x" * 41, "shorter name"),
        ("Jin\x00", "letters"),
    ],
)
def test_a_guest_name_is_checked(meeting, published, name, message):
    with pytest.raises(ActionError, match=message):
        actions.attendance.join_as_guest(meeting=meeting, display_name=name)
    assert not meeting.attendees.exists()


def test_nobody_joins_an_adjourned_meeting(meeting, facilitator, published):
    actions.meetings.start(meeting=meeting, by=facilitator)
    actions.meetings.adjourn(meeting=meeting, by=facilitator)
    with pytest.raises(ActionError, match="ended"):
        actions.attendance.join_as_guest(meeting=meeting, display_name="Late")


def test_the_facilitator_admits_a_guest(meeting, facilitator, published):
    guest = actions.attendance.join_as_guest(meeting=meeting, display_name="Jin")
    admitted = actions.attendance.admit(meeting=meeting, attendee_id=guest.pk, by=facilitator)
    assert admitted.is_present
    assert not admitted.may_vote
    with pytest.raises(ActionError, match="not waiting"):
        actions.attendance.admit(meeting=meeting, attendee_id=guest.pk, by=facilitator)


def test_giving_and_taking_the_vote_is_audited(meeting, facilitator, guest, published):
    actions.attendance.set_vote(
        meeting=meeting, attendee_id=guest.pk, may_vote=True, by=facilitator
    )
    guest.refresh_from_db()
    assert guest.may_vote
    actions.attendance.set_vote(
        meeting=meeting, attendee_id=guest.pk, may_vote=False, by=facilitator
    )
    assert list(AuditEntry.objects.values_list("action", flat=True)) == [
        "attendance.vote_given",
        "attendance.vote_taken",
    ]


def test_removing_someone_takes_their_vote_and_hands(live_meeting, facilitator, guest, published):
    actions.stack.raise_hand(attendee=guest, kind="speak")
    actions.attendance.remove(meeting=live_meeting, attendee_id=guest.pk, by=facilitator)
    guest.refresh_from_db()
    assert guest.status == Attendee.Status.REMOVED
    assert not guest.speaker_requests.filter(status="waiting").exists()


def test_an_attendee_of_another_meeting_cannot_be_touched(
    meeting, organization, facilitator, published
):
    other = organization.meetings.create(title="Other")
    stranger = other.attendees.create(display_name="X", kind="guest")
    with pytest.raises(ActionError, match="not in this meeting"):
        actions.attendance.admit(meeting=meeting, attendee_id=stranger.pk, by=facilitator)


def test_the_secretary_checks_in_a_member_without_a_phone(
    meeting, organization, secretary, published
):
    no_phone = Membership.objects.create(organization=organization, name="Doña Carmen")
    attendee = actions.attendance.check_in_by_hand(
        meeting=meeting, membership_id=no_phone.pk, by=secretary
    )
    assert attendee.is_present and attendee.may_vote
    assert attendee.checked_in_by_hand and not attendee.has_device
    assert AuditEntry.objects.get().action == "attendance.checked_in_by_hand"
    with pytest.raises(ActionError, match="already checked in"):
        actions.attendance.check_in_by_hand(
            meeting=meeting, membership_id=no_phone.pk, by=secretary
        )


def test_roll_call_refuses_someone_from_another_organization(
    meeting, other_organization, secretary, published
):
    foreign = Membership.objects.create(organization=other_organization, name="Spy")
    with pytest.raises(ActionError, match="not on this organization's roll"):
        actions.attendance.check_in_by_hand(meeting=meeting, membership_id=foreign.pk, by=secretary)


def test_quorum_is_a_majority_of_voting_members_by_default(
    meeting, organization, member, facilitator, secretary, published
):
    # Three voting members: two must be present.
    present(meeting, member)
    summary = meeting.attendance_summary()
    assert (summary["voting"], summary["quorum_required"], summary["quorum_held"]) == (1, 2, False)
    present(meeting, secretary)
    assert meeting.attendance_summary()["quorum_held"]


def test_guests_without_the_vote_do_not_make_quorum(meeting, member, guest, published):
    summary = meeting.attendance_summary()
    assert summary["present"] == 1 and summary["guests"] == 1 and summary["voting"] == 0


def test_the_room_counts_each_kind_of_person_here_once(meeting, member, secretary, published):
    present(meeting, member)
    present(meeting, secretary)
    people = [
        ("Ana", Attendee.Kind.GUEST, Attendee.Status.PRESENT, True),
        ("Bo", Attendee.Kind.GUEST, Attendee.Status.PRESENT, False),
        ("Cy", Attendee.Kind.GUEST, Attendee.Status.PRESENT, False),
        ("Di", Attendee.Kind.GUEST, Attendee.Status.WAITING, False),
        ("Ed", Attendee.Kind.GUEST, Attendee.Status.LEFT, True),
    ]
    for name, kind, status, may_vote in people:
        meeting.attendees.create(display_name=name, kind=kind, status=status, may_vote=may_vote)

    summary = meeting.attendance_summary()

    assert (summary["present"], summary["voting"], summary["guests"], summary["waiting"]) == (
        5,
        3,
        3,
        1,
    )


def test_the_meeting_can_override_the_quorum_rule(meeting, organization, member, published):
    for n in range(9):
        Membership.objects.create(organization=organization, name=f"M{n}")
    # Twelve voting members; a third of them is four.
    meeting.quorum_rule, meeting.quorum_numerator, meeting.quorum_denominator = "fraction", 1, 3
    meeting.save()
    assert meeting.attendance_summary()["quorum_required"] == 4
    meeting.quorum_rule, meeting.quorum_count = "count", 1
    meeting.save()
    present(meeting, member)
    assert meeting.attendance_summary()["quorum_held"]


def test_losing_quorum_when_people_leave(meeting, member, secretary, published):
    lupe = present(meeting, member)
    present(meeting, secretary)
    assert meeting.attendance_summary()["quorum_held"]
    actions.attendance.leave(attendee=lupe)
    assert not meeting.attendance_summary()["quorum_held"]


def test_a_full_waiting_room_turns_further_guests_away_until_someone_is_let_in(
    meeting, facilitator, published
):
    Attendee.objects.bulk_create(
        Attendee(meeting=meeting, display_name=f"Bot {n}", kind=Attendee.Kind.GUEST)
        for n in range(WAITING_GUESTS_MAX)
    )
    with pytest.raises(Crowded, match="Many people are waiting"):
        actions.attendance.join_as_guest(meeting=meeting, display_name="Jin")
    assert meeting.attendees.count() == WAITING_GUESTS_MAX
    first = meeting.attendees.waiting().first()
    actions.attendance.admit(meeting=meeting, attendee_id=first.pk, by=facilitator)
    assert actions.attendance.join_as_guest(meeting=meeting, display_name="Jin").pk


def test_the_facilitator_turns_away_everyone_waiting_at_once(
    meeting, facilitator, guest, published, django_capture_on_commit_callbacks
):
    room, personal = published
    bots = [
        actions.attendance.join_as_guest(meeting=meeting, display_name=f"Bot {n}") for n in range(3)
    ]
    room.reset_mock()
    personal.reset_mock()
    with django_capture_on_commit_callbacks(execute=True):
        count = actions.attendance.turn_away_waiting(meeting=meeting, by=facilitator)
    assert count == 3
    assert not meeting.attendees.waiting().exists()
    assert set(meeting.attendees.values_list("status", flat=True)) == {"present", "removed"}
    guest.refresh_from_db()
    assert guest.is_present  # those already in stay in
    room.assert_called_once_with(meeting.pk, ("attendance", "turnout"))
    assert sorted(call.args[0] for call in personal.call_args_list) == [b.pk for b in bots]
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.details, entry.actor) == (
        "attendance.waiting_turned_away",
        {"count": 3},
        facilitator,
    )


def test_turning_away_an_empty_door_is_refused_and_publishes_nothing(
    meeting, facilitator, published, django_capture_on_commit_callbacks
):
    room, _personal = published
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ActionError):
        actions.attendance.turn_away_waiting(meeting=meeting, by=facilitator)
    room.assert_not_called()
    assert not AuditEntry.objects.exists()
