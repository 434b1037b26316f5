"""State changes: each is one transaction that ends by telling the room (live.publish)."""

from assembly.actions import meetings
from assembly.actions.errors import ActionError

__all__ = ["ActionError", "meetings"]
