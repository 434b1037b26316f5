"""The live layer: after an action commits, the room is told once.

`publish(meeting, parts=[...])` schedules one broadcast after commit. The broadcast renders each
changed part once per audience and language and sends the finished HTML to the group
`m<id>.<audience>.<lang>`; consumers only forward it. Every push carries the meeting's version.
"""

from assembly.live.publish import publish, publish_personal, publish_personal_id

__all__ = ["publish", "publish_personal", "publish_personal_id"]
