"""Recording a use of power (an override, a removal, an assisted vote) for the minutes."""

from __future__ import annotations

from typing import Any

from assembly.models import AuditEntry, Meeting, User


def record(*, meeting: Meeting, by: User | None, action: str, details: dict[str, Any]) -> None:
    AuditEntry.objects.create(
        organization_id=meeting.organization_id,
        meeting=meeting,
        actor=by if by is not None and by.is_authenticated else None,
        action=action,
        details=details,
    )
