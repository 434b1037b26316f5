"""The domain: who belongs to which assembly body, the meetings they hold, who is in the room."""

from assembly.models.attendance import Attendee, Proxy
from assembly.models.audit import AuditEntry
from assembly.models.decisions import Ballot, Decision, Option, Participation, SealedBallot
from assembly.models.meetings import AgendaItem, Meeting, ProgressiveStack
from assembly.models.minutes import ActionItem, ActionItemReview, NotesCorrection
from assembly.models.organizations import (
    Invitation,
    Membership,
    Organization,
    QuorumRule,
    Role,
    TieRule,
    User,
)
from assembly.models.proposals import Amendment, Proposal, ProposalVersion
from assembly.models.stack import SpeakerRequest, TemperatureCheck, TemperatureResponse

__all__ = [
    "ActionItem",
    "ActionItemReview",
    "Amendment",
    "NotesCorrection",
    "AgendaItem",
    "Attendee",
    "AuditEntry",
    "Ballot",
    "Decision",
    "Invitation",
    "Meeting",
    "Option",
    "Participation",
    "Membership",
    "Organization",
    "ProgressiveStack",
    "Proposal",
    "ProposalVersion",
    "Proxy",
    "QuorumRule",
    "Role",
    "SealedBallot",
    "SpeakerRequest",
    "TemperatureCheck",
    "TemperatureResponse",
    "TieRule",
    "User",
]
