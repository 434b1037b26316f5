"""What every action needs: the meeting, fresh and locked for the length of the transaction, and
text that the database can store."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy

from assembly.actions.errors import ActionError
from assembly.models import Meeting

# PostgreSQL cannot store a NUL character: a text holding one (pasted, or sent on purpose) would
# fail the write with a server error. Forms' CharFields refuse it already; text read by hand goes
# through `refuse_nul`, and the roll import through this same validator.
no_nul = ProhibitNullCharactersValidator(
    message=gettext_lazy(
        "The text holds a null character, which cannot be saved (it can come with pasted "
        "text). Remove it and try again."
    )
)


def refuse_nul(*texts: str | None) -> None:
    """Refuse the action if any of `texts` holds a NUL character."""
    for text in texts:
        try:
            no_nul(text)
        except ValidationError as error:
            raise ActionError(error.messages[0]) from None


def locked(meeting: Meeting | int) -> Meeting:
    """The meeting as it is now, locked, so two clicks at once can't both act on stale state."""
    pk = meeting if isinstance(meeting, int) else meeting.pk
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("current_item", "organization")
        .get(pk=pk)
    )
