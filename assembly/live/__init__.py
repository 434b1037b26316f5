"""The live layer: after an action commits, the room is told once.

Actions call `changed(meeting, parts=[Part.STACK, ...])`: it counts a new version of the meeting
and schedules one broadcast after commit. The broadcast renders each changed part once per
audience and language and sends the finished HTML to the group `m<id>.<audience>.<lang>`;
consumers only forward it. Every push carries the meeting's version. Part names and the tables of
which screen shows which live in `live.parts`.
"""

from assembly.live.parts import Part
from assembly.live.publish import (
    changed,
    changed_in_body,
    mark_personal,
    noting,
    publish,
    publish_personal,
    publish_personal_id,
    publish_personal_ids,
)

__all__ = [
    "Part",
    "changed",
    "changed_in_body",
    "mark_personal",
    "noting",
    "publish",
    "publish_personal",
    "publish_personal_id",
    "publish_personal_ids",
]
