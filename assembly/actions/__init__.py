"""State changes: each is one transaction that ends by telling the room (live.publish)."""

from assembly.actions import (
    agenda,
    attendance,
    decisions,
    meetings,
    minutes,
    organizations,
    proposals,
    stack,
)
from assembly.actions.errors import ActionError

__all__ = [
    "ActionError",
    "agenda",
    "attendance",
    "decisions",
    "meetings",
    "minutes",
    "organizations",
    "proposals",
    "stack",
]
