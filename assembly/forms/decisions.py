"""Forms for a decision and a ballot: what the console's "Prepare a decision" and a phone's
ballot accept, cleaned into the arguments of `actions.decisions.create` and `cast`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from assembly import tally
from assembly.models import Attendee, Decision, Membership
from assembly.models.validators import no_nul

QUESTION_MAX = 300
LABEL_MAX = 120  # Option.label
MAX_OPTIONS = 30
CHOICE_METHODS = (Decision.Method.APPROVAL, Decision.Method.RANKED)

# A pasted NUL gets the words the rest of the app uses, not Django's terser default.
NUL_MESSAGE = {"null_characters_not_allowed": no_nul.message}
THRESHOLD_MESSAGE = _(
    "The threshold must be majority, two_thirds, three_quarters, four_fifths, nine_tenths, "
    "unanimity or a fraction such as 3/5."
)
# The phone's random key for one tap on a ballot, sent again with a retry (see views.decisions).
OPERATION = re.compile(r"[A-Za-z0-9-]{8,64}")


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _text(**kwargs: Any) -> forms.CharField:
    return forms.CharField(required=False, error_messages=NUL_MESSAGE, **kwargs)


class DecisionForm(forms.Form):
    """The question, how the meeting decides, and (for approval and ranked) the options."""

    question = forms.CharField(
        error_messages={"required": _("Write the question the meeting is deciding."), **NUL_MESSAGE}
    )
    question_translation = _text()
    method = forms.ChoiceField(
        choices=Decision.Method.choices,
        error_messages={
            "required": _("Choose how the meeting decides."),
            "invalid_choice": _("Choose how the meeting decides."),
        },
    )
    options = _text(widget=forms.Textarea)
    secret = forms.BooleanField(required=False)
    # Read as text: seats only count for approval and ranked, and a motion with a stray value
    # there is no error.
    seats = _text()
    threshold = _text()
    base = forms.ChoiceField(
        choices=Decision.Base.choices,
        required=False,
        error_messages={"invalid_choice": _("Choose what the threshold is counted over.")},
    )
    fallback_threshold = _text()
    count_rule = forms.ChoiceField(
        choices=Decision.CountRule.choices,
        required=False,
        error_messages={"invalid_choice": _("Choose how the ranked ballots are counted.")},
    )

    def clean_question(self) -> str:
        question = _one_line(self.cleaned_data["question"])
        if not question:
            raise ValidationError(_("Write the question the meeting is deciding."))
        return question

    def clean_question_translation(self) -> str:
        return _one_line(self.cleaned_data["question_translation"])

    def clean_options(self) -> list[str]:
        """One option per line, spaces tidied, repeats dropped, each cut to what a label holds."""
        labels: list[str] = []
        for line in self.cleaned_data["options"].splitlines():
            label = _one_line(line)[:LABEL_MAX]
            if label and label not in labels:
                labels.append(label)
        return labels

    def clean_base(self) -> str:
        return self.cleaned_data["base"] or Decision.Base.CAST

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if (
            len(data.get("question", "")) > QUESTION_MAX
            or len(data.get("question_translation", "")) > QUESTION_MAX
        ):
            self.add_error("question", _("Please keep the question under 300 characters."))
        method = data.get("method")
        labels = data.get("options", [])
        if method in CHOICE_METHODS:
            if len(labels) < 2:
                self.add_error(
                    "options", _("List at least two options or candidates, one per line.")
                )
            elif len(labels) > MAX_OPTIONS:
                self.add_error(
                    "options", _("At most %(count)d options, please.") % {"count": MAX_OPTIONS}
                )
            else:
                seats = data.get("seats") or "1"
                if not (seats.isascii() and seats.isdigit() and 1 <= int(seats) < len(labels)):
                    self.add_error("seats", _("There must be fewer seats than candidates."))
                else:
                    data["seats"] = int(seats)
        else:
            data["options"], data["seats"] = [], 1
        data["threshold"] = (
            self._threshold("threshold", data.get("threshold") or "majority")
            if method == Decision.Method.MOTION
            else "majority"
        )
        # Only a ranked election has a counting rule to choose; the rest keep the default.
        if method != Decision.Method.RANKED or not data.get("count_rule"):
            data["count_rule"] = Decision.CountRule.RCTAB
        fallback = data.get("fallback_threshold", "")
        data["fallback_threshold"] = (
            self._threshold("fallback_threshold", fallback)
            if method == Decision.Method.CONSENSUS and fallback
            else ""
        )
        return data

    def _threshold(self, field: str, text: str) -> str:
        text = text.strip()
        try:
            tally.parse_threshold(text)
        except ValueError:
            self.add_error(field, THRESHOLD_MESSAGE)
        return text


class OpenRoundForm(forms.Form):
    """Opening a round; without quorum only when the facilitator says so (the minutes will)."""

    override_quorum = forms.BooleanField(required=False)


class _Picks(forms.Field):
    """The values of a field sent several times (ticked options, ranks), blanks dropped."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        return [str(v) for v in value or () if v]


class BallotForm(forms.Form):
    """One ballot for `decision`: the answer its method asks for and, when the voter carries an
    absent member's proxy, whose vote it is. A secret ballot is cast only once confirmed."""

    vote = _text()
    response = _text()
    option = _Picks(required=False)
    rank = _Picks(required=False)
    for_membership = _text()
    confirm = forms.BooleanField(required=False)
    op = _text()

    def __init__(
        self, data: Any, *, decision: Decision, voter: Attendee | None, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self.decision = decision
        self.voter = voter

    def clean_for_membership(self) -> Membership | None:
        """The absent member whose proxy the voter carries: only one they carry here."""
        sent = self.cleaned_data["for_membership"]
        if not sent:
            return None
        proxy = None
        if self.voter is not None and sent.isascii() and sent.isdigit() and len(sent) < 12:
            proxy = (
                self.voter.proxies_held.filter(absent_member_id=int(sent))
                .select_related("absent_member")
                .first()
            )
        if proxy is None:
            raise ValidationError(_("You don't hold that member's proxy."))
        return proxy.absent_member

    def clean_op(self) -> str:
        """A hostile or missing key is no error: the ballot is then simply not remembered."""
        op = self.cleaned_data["op"]
        return op if OPERATION.fullmatch(op) else ""

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        try:
            self.decision.stored_choice(self.choice)
        except ValidationError as refused:
            self.add_error(None, refused)
        return data

    @property
    def choice(self) -> dict[str, Any]:
        """The ballot as `actions.decisions.cast` takes it (and the review form sends it back)."""
        data = self.cleaned_data
        return {
            "vote": data.get("vote", ""),
            "response": data.get("response", ""),
            "options": data.get("rank") or data.get("option", []),
        }

    def picked(self) -> list[str]:
        """The ballot in words, for the review of a secret ballot: the answer, or the options
        ticked or ranked, in order."""
        choice = self.decision.stored_choice(self.choice)
        if "vote" in choice:
            return [str(Decision.Vote(choice["vote"]).label)]
        if "response" in choice:
            return [str(Decision.Response(choice["response"]).label)]
        labels = dict(self.decision.options.values_list("pk", "label"))
        if "ranking" in choice:
            return [labels[pk] for pk in choice["ranking"]]
        return [label for pk, label in labels.items() if pk in choice["approve"]]


@dataclass(frozen=True)
class QuickBallot:
    choice: dict[str, Any]
    confirm: bool
    op: str


def read_quickly(data: Any) -> QuickBallot | None:
    """A ballot read as `BallotForm` reads it, without building the form: the ballot box reads a
    burst of them, and a Form deep-copies its fields for each one (about 0.3 ms; py-spy, make
    bench). None for anything the form might read otherwise (a proxy's vote, a NUL, a value
    sent twice), which then goes to the view and its form; the choice itself is checked by
    `Decision.stored_choice` when it is cast. A test holds it to the form's reading."""
    fields = ("vote", "response", "confirm", "op", "for_membership")
    if any(len(data.getlist(name)) > 1 for name in fields) or data.get("for_membership"):
        return None
    values = [data.get(name, "") for name in fields] + data.getlist("option") + data.getlist("rank")
    if any("\x00" in value for value in values):
        return None
    confirm = data.get("confirm", "")
    op = data.get("op", "").strip()
    picked = [v for v in data.getlist("rank") if v] or [v for v in data.getlist("option") if v]
    return QuickBallot(
        choice={
            "vote": data.get("vote", "").strip(),
            "response": data.get("response", "").strip(),
            "options": picked,
        },
        confirm=bool(confirm) and confirm.lower() != "false",  # as its CheckboxInput reads it
        op=op if OPERATION.fullmatch(op) else "",
    )


class AssistedBallotForm(BallotForm):
    """The secretary's ballot for a present member without a device."""

    attendee = forms.ModelChoiceField(
        queryset=Attendee.objects.none(),
        error_messages={
            "required": _("That person is not in this meeting."),
            "invalid_choice": _("That person is not in this meeting."),
        },
    )
    asked_in_person = forms.BooleanField(required=False)

    def __init__(self, data: Any, *, decision: Decision, **kwargs: Any) -> None:
        super().__init__(data, decision=decision, voter=None, **kwargs)
        present = cast(forms.ModelChoiceField, self.fields["attendee"])
        present.queryset = Attendee.objects.filter(meeting_id=decision.meeting_id)
