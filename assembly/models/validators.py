"""Rules on stored text that forms and actions share (so neither imports the other)."""

from __future__ import annotations

from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy

# PostgreSQL cannot store a NUL character: a text holding one (pasted, or sent on purpose) would
# fail the write with a server error. Forms' CharFields refuse it already; text read by hand goes
# through `actions.common.refuse_nul`, and the roll import through this same validator.
no_nul = ProhibitNullCharactersValidator(
    message=gettext_lazy(
        "The text holds a null character, which cannot be saved (it can come with pasted "
        "text). Remove it and try again."
    )
)
