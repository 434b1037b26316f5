"""The speakers' stack: who speaks when, and what the facilitator can do about it."""

from __future__ import annotations

import pytest

from assembly import actions
from assembly.actions import ActionError
from assembly.models import Attendee, SpeakerRequest, TemperatureResponse
from assembly.models.stack import queue_for
from tests.conftest import present

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def room(live_meeting):
    """Four people present: Tomás, Lupe, Ana and Bo."""
    people = {
        name: live_meeting.attendees.create(
            display_name=name, kind=Attendee.Kind.GUEST, status=Attendee.Status.PRESENT
        )
        for name in ("Tomás", "Lupe", "Ana", "Bo")
    }
    return live_meeting, people


def names(meeting) -> list[str]:
    meeting.refresh_from_db()
    return [r.attendee.display_name for r in queue_for(meeting.current_item)]


def hand(person, kind="speak"):
    return actions.stack.raise_hand(attendee=person, kind=kind)


def test_kinds_order_the_queue_and_first_come_first_served_within_a_kind(room):
    meeting, p = room
    hand(p["Tomás"], "speak")
    hand(p["Lupe"], "clarifying")
    hand(p["Ana"], "process")
    hand(p["Bo"], "speak")
    assert names(meeting) == ["Ana", "Lupe", "Tomás", "Bo"]


def test_the_full_order_of_kinds(room):
    meeting, p = room
    for person, kind in [
        ("Tomás", "speak"),
        ("Lupe", "response"),
        ("Ana", "clarifying"),
        ("Bo", "information"),
    ]:
        hand(p[person], kind)
    hand(p["Tomás"], "process")
    assert names(meeting) == ["Tomás", "Bo", "Ana", "Lupe", "Tomás"]


def test_progressive_stack_puts_first_time_speakers_first(room, facilitator):
    meeting, p = room
    meeting.progressive_stack = "item"
    meeting.save()
    hand(p["Tomás"])
    actions.stack.call_next(meeting=meeting, by=facilitator)  # Tomás has now spoken
    hand(p["Tomás"])
    hand(p["Lupe"])
    assert names(meeting) == ["Lupe", "Tomás"]


def test_without_progressive_stack_it_is_first_come_first_served(room, facilitator):
    meeting, p = room
    hand(p["Tomás"])
    actions.stack.call_next(meeting=meeting, by=facilitator)
    hand(p["Tomás"])
    hand(p["Lupe"])
    assert names(meeting) == ["Tomás", "Lupe"]


def test_progressive_stack_per_meeting_remembers_earlier_items(room, facilitator):
    meeting, p = room
    meeting.progressive_stack = "meeting"
    meeting.save()
    hand(p["Tomás"])
    actions.stack.call_next(meeting=meeting, by=facilitator)
    actions.meetings.next_item(meeting=meeting, by=facilitator)
    hand(p["Tomás"])
    hand(p["Lupe"])
    assert names(meeting) == ["Lupe", "Tomás"]
    meeting.progressive_stack = "item"
    meeting.save()
    assert names(meeting) == ["Tomás", "Lupe"]


def test_one_waiting_hand_per_kind(room):
    meeting, p = room
    hand(p["Lupe"])
    with pytest.raises(ActionError, match="already up"):
        hand(p["Lupe"])
    hand(p["Lupe"], "clarifying")
    assert names(meeting) == ["Lupe", "Lupe"]


def test_lowering_a_hand(room):
    meeting, p = room
    request = hand(p["Lupe"])
    actions.stack.lower_hand(attendee=p["Lupe"], request_id=request.pk)
    assert names(meeting) == []
    hand(p["Lupe"])  # and raising it again is fine
    assert names(meeting) == ["Lupe"]


def test_nobody_lowers_someone_elses_hand(room):
    meeting, p = room
    request = hand(p["Lupe"])
    with pytest.raises(ActionError, match="your own hand"):
        actions.stack.lower_hand(attendee=p["Tomás"], request_id=request.pk)
    assert names(meeting) == ["Lupe"]


def test_a_waiting_guest_cannot_raise_a_hand(live_meeting):
    waiting = live_meeting.attendees.create(display_name="Knock", kind="guest", status="waiting")
    with pytest.raises(ActionError, match="admitted"):
        hand(waiting)


def test_no_hands_before_the_meeting_starts(meeting, member):
    lupe = present(meeting, member)
    with pytest.raises(ActionError, match="no item"):
        hand(lupe)


def test_an_unknown_kind_is_refused(room):
    _, p = room
    with pytest.raises(ActionError, match="kind of request"):
        hand(p["Lupe"], "shout")


def test_a_closed_list_still_takes_a_point_of_process(room, facilitator):
    meeting, p = room
    actions.stack.set_stack_closed(meeting=meeting, closed=True, by=facilitator)
    with pytest.raises(ActionError, match="closed"):
        hand(p["Lupe"])
    hand(p["Lupe"], "process")
    assert names(meeting) == ["Lupe"]


def test_calling_the_next_speaker_times_each_turn(room, facilitator):
    meeting, p = room
    hand(p["Lupe"])
    hand(p["Tomás"])
    first = actions.stack.call_next(meeting=meeting, by=facilitator)
    assert first.attendee == p["Lupe"] and first.started_at is not None
    second = actions.stack.call_next(meeting=meeting, by=facilitator)
    first.refresh_from_db()
    assert first.status == SpeakerRequest.Status.DONE and first.ended_at is not None
    assert second.attendee == p["Tomás"]
    assert actions.stack.call_next(meeting=meeting, by=facilitator) is None  # Tomás finishes
    with pytest.raises(ActionError, match="Nobody is waiting"):
        actions.stack.call_next(meeting=meeting, by=facilitator)


def test_the_facilitator_moves_someone_up_within_their_kind(room, facilitator):
    meeting, p = room
    for name in ("Tomás", "Lupe", "Ana"):
        hand(p[name])
    ana = SpeakerRequest.objects.get(attendee=p["Ana"])
    actions.stack.move(meeting=meeting, request_id=ana.pk, up=True, by=facilitator)
    assert names(meeting) == ["Tomás", "Ana", "Lupe"]
    hand(p["Bo"])  # a newcomer still joins at the end of the kind
    assert names(meeting) == ["Tomás", "Ana", "Lupe", "Bo"]
    tomas = SpeakerRequest.objects.get(attendee=p["Tomás"])
    actions.stack.move(meeting=meeting, request_id=tomas.pk, up=False, by=facilitator)
    assert names(meeting) == ["Ana", "Tomás", "Lupe", "Bo"]


def test_moving_past_another_kind_is_refused(room, facilitator):
    meeting, p = room
    hand(p["Ana"], "process")
    lupe = hand(p["Lupe"])
    with pytest.raises(ActionError, match="order of kinds"):
        actions.stack.move(meeting=meeting, request_id=lupe.pk, up=True, by=facilitator)
    assert names(meeting) == ["Ana", "Lupe"]


def test_the_facilitator_removes_a_request(room, facilitator):
    meeting, p = room
    lupe = hand(p["Lupe"])
    actions.stack.remove_request(meeting=meeting, request_id=lupe.pk, by=facilitator)
    assert names(meeting) == []
    lupe.refresh_from_db()
    assert lupe.status == SpeakerRequest.Status.REMOVED


def test_a_request_of_another_meeting_is_not_found(room, organization, facilitator):
    meeting, p = room
    lupe = hand(p["Lupe"])
    other = organization.meetings.create(title="Other", status="live")
    with pytest.raises(ActionError, match="not in this meeting"):
        actions.stack.remove_request(meeting=other, request_id=lupe.pk, by=facilitator)


def test_the_stack_belongs_to_the_item(room, facilitator):
    meeting, p = room
    hand(p["Lupe"])
    actions.meetings.next_item(meeting=meeting, by=facilitator)
    assert names(meeting) == []


def test_a_temperature_check_counts_one_answer_per_person(room, facilitator):
    meeting, p = room
    actions.stack.open_temperature(meeting=meeting, question="Cap at $500?", by=facilitator)
    actions.stack.respond(attendee=p["Lupe"], value="agree")
    actions.stack.respond(attendee=p["Lupe"], value="unsure")  # changes her mind
    actions.stack.respond(attendee=p["Tomás"], value="agree")
    values = sorted(TemperatureResponse.objects.values_list("value", flat=True))
    assert values == ["agree", "unsure"]
    with pytest.raises(ActionError, match="agree, unsure or disagree"):
        actions.stack.respond(attendee=p["Ana"], value="maybe")
    actions.stack.close_temperature(meeting=meeting, by=facilitator)
    with pytest.raises(ActionError, match="No temperature check is open"):
        actions.stack.respond(attendee=p["Ana"], value="agree")


def test_moving_on_ends_the_turn_and_lowers_the_hands(room, facilitator):
    meeting, p = room
    hand(p["Lupe"])
    hand(p["Tomás"])
    speaking = actions.stack.call_next(meeting=meeting, by=facilitator)
    actions.meetings.next_item(meeting=meeting, by=facilitator)
    speaking.refresh_from_db()
    assert speaking.status == SpeakerRequest.Status.DONE and speaking.ended_at
    assert SpeakerRequest.objects.get(attendee=p["Tomás"]).status == "withdrawn"


def test_marking_an_item_done_without_opening_another(room, facilitator):
    meeting, p = room
    hand(p["Lupe"])
    actions.meetings.close_item(meeting=meeting, by=facilitator)
    meeting.refresh_from_db()
    assert meeting.current_item is None
    assert meeting.items.get(position=1).is_done
    with pytest.raises(ActionError, match="No item is open"):
        actions.meetings.close_item(meeting=meeting, by=facilitator)
    actions.meetings.next_item(meeting=meeting, by=facilitator)  # Next goes on from the start
    meeting.refresh_from_db()
    assert meeting.current_item.position == 1


def test_speaking_statistics_count_without_naming(room, facilitator):
    meeting, p = room
    for name in ("Lupe", "Tomás", "Lupe"):
        hand(p[name])
        actions.stack.call_next(meeting=meeting, by=facilitator)  # the previous turn ends
    actions.stack.call_next(meeting=meeting, by=facilitator)
    actions.meetings.adjourn(meeting=meeting, by=facilitator)
    meeting.refresh_from_db()
    stats = meeting.speaking_stats
    assert stats["speakers"] == 2
    assert stats["turns"] == 3
    assert stats["first_time_speakers"] == 2  # guests, and nobody spoke at an earlier meeting
    assert set(stats) == {
        "speakers",
        "first_time_speakers",
        "turns",
        "speaking_seconds",
        "top3_share_percent",
    }
