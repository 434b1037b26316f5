"""The domain: who belongs to which assembly body, and the meetings they hold."""

from assembly.models.meetings import AgendaItem, Meeting
from assembly.models.organizations import Membership, Organization, User

__all__ = ["AgendaItem", "Meeting", "Membership", "Organization", "User"]
