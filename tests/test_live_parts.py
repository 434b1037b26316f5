"""What a change repaints on each screen: little enough that a button someone is about to tap is
not replaced under their thumb, enough that every screen shows the change."""

from __future__ import annotations

from unittest import mock

import pytest

from assembly import actions
from assembly.live.publish import broadcast
from assembly.live.render import parts_for
from tests.conftest import present, unheard


@pytest.mark.parametrize(
    ("audience", "changed", "repainted"),
    [
        ("participant", ["queue"], ["queue"]),
        ("projector", ["queue"], ["queue"]),
        ("facilitator", ["queue"], ["stack"]),  # its stack has controls that change too
        ("facilitator", ["queue", "stack"], ["stack"]),
        ("participant", ["temperature-counts"], ["temperature-counts"]),
        ("participant", ["attendance", "turnout"], ["turnout"]),  # phones show no attendance
        ("projector", ["attendance", "turnout"], ["attendance", "turnout"]),
    ],
)
def test_each_screen_repaints_only_what_it_has(audience, changed, repainted):
    assert parts_for(audience, changed) == repainted


def sent(meeting, parts) -> dict[str, str]:
    """What each group received for a change, by group name."""
    calls = {}
    with mock.patch("assembly.live.fanout.send", side_effect=calls.__setitem__):
        broadcast(meeting.pk, parts)
    return calls


def test_a_raised_hand_leaves_the_phones_buttons_alone(live_meeting, member, facilitator):
    with unheard():
        lupe = present(live_meeting, member)
        actions.stack.raise_hand(attendee=lupe, kind="speak")
    groups = sent(live_meeting, ("queue",))
    phone = groups[f"m{live_meeting.pk}.participant.en"]
    console = groups[f"m{live_meeting.pk}.facilitator.en"]
    assert 'id="queue"' in phone and "Lupe" in phone
    assert "Raise your hand" not in phone and "<form" not in phone
    assert "Next speaker" in console


def test_a_twinkle_updates_the_counts_not_the_buttons(live_meeting, member, facilitator):
    with unheard():
        lupe = present(live_meeting, member)
        actions.stack.open_temperature(meeting=live_meeting, question="Cap?", by=facilitator)
        actions.stack.respond(attendee=lupe, value="agree")
    phone = sent(live_meeting, ("temperature-counts",))[f"m{live_meeting.pk}.participant.es"]
    assert 'id="temperature-counts"' in phone and "1 respuesta" in phone
    assert "<button" not in phone
