"""Recording a use of power (an override, a removal, an assisted vote) for the minutes."""

from __future__ import annotations

from typing import Any

from assembly.models import AuditEntry, Meeting, Organization, User


def record(
    *,
    by: User | None,
    action: str,
    details: dict[str, Any],
    meeting: Meeting | None = None,
    organization: Organization | None = None,
) -> None:
    """One audit row, in a meeting (its organization's) or in an organization's own affairs."""
    if meeting is not None:
        organization_id = meeting.organization_id
    else:
        assert organization is not None, "an audit entry belongs to a meeting or organization"
        organization_id = organization.pk
    AuditEntry.objects.create(
        organization_id=organization_id,
        meeting=meeting,
        actor=by if by is not None and by.is_authenticated else None,
        action=action,
        details=details,
    )
