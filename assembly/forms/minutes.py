"""What the secretary types for the record: an action item (what, who, by when)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assembly.models import Decision, Meeting, Membership


class RollChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return obj.display_name


class ActionItemForm(forms.Form):
    what = forms.CharField(label=gettext_lazy("What"), max_length=300)
    assignee = RollChoice(
        label=gettext_lazy("Who"),
        queryset=Membership.objects.none(),
        required=False,
        empty_label=gettext_lazy("Someone not on the roll (type the name)"),
    )
    assignee_name = forms.CharField(
        label=gettext_lazy("Name, if not on the roll"), max_length=80, required=False
    )
    due = forms.DateField(
        label=gettext_lazy("By when"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    item = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this body's roll: an id from elsewhere is simply not a valid choice.
        roll = cast(forms.ModelChoiceField, self.fields["assignee"])
        roll.queryset = meeting.organization.memberships.all()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("assignee") and not (data.get("assignee_name") or "").strip():
            self.add_error("assignee_name", _("Choose someone from the roll or type a name."))
        return data


class DecisionLogForm(forms.Form):
    """The decision log's search: words, outcome, method, dates (all optional)."""

    OUTCOMES = [
        ("", gettext_lazy("Any outcome")),
        ("carried", gettext_lazy("Carried")),
        ("not_carried", gettext_lazy("Did not carry")),
    ]

    q = forms.CharField(label=gettext_lazy("Words"), max_length=200, required=False)
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=OUTCOMES, required=False)
    method = forms.ChoiceField(label=gettext_lazy("Method"), required=False)
    since = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["method"]).choices = [
            ("", gettext_lazy("Any method")),
            *Decision.Method.choices,
        ]

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].replace("\x00", "").split())
