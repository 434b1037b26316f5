"""Forms for a meeting's settings and its agenda: what the agenda editor and the console accept."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assembly.models import AgendaItem, Meeting, Organization, QuorumRule
from assembly.models.meetings import (
    ITEM_FIELDS,
    ITEM_TRANSLATIONS,
    SETTINGS_FIELDS,
    TIMEBOX_MAX,
    TIMEBOX_MIN,
)

SPEAKING_LIMIT_MAX = 3600
INHERIT = ""


def _one_line(value: str) -> str:
    return " ".join(value.split())


class MeetingForm(forms.ModelForm):
    """A meeting's title, time and place, and the settings the room runs by."""

    starts_at = forms.DateTimeField(
        label=capfirst(Meeting._meta.get_field("starts_at").verbose_name),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    speaking_limit_seconds = forms.IntegerField(
        label=capfirst(Meeting._meta.get_field("speaking_limit_seconds").verbose_name),
        min_value=0,
        max_value=SPEAKING_LIMIT_MAX,
        initial=120,
    )
    quorum_rule = forms.ChoiceField(
        label=gettext_lazy("Quorum for this meeting"),
        choices=[(INHERIT, gettext_lazy("The organization's usual rule")), *QuorumRule.choices],
        required=False,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Meeting
        fields = SETTINGS_FIELDS
        widgets = {"progressive_stack": forms.RadioSelect}
        error_messages = {"title": {"required": gettext_lazy("Give the meeting a title.")}}
        help_texts = {
            "title_translation": gettext_lazy(
                "For a bilingual meeting: the title in the other language, for the room and the "
                "minutes."
            )
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.label_suffix = ""  # the label follows its box
        self.fields["language"].required = False
        if not self.instance.bilingual:
            self.fields.pop("title_translation")  # asked for once the meeting is bilingual

    def clean_title(self) -> str:
        title = _one_line(self.cleaned_data["title"])
        if not title:
            raise ValidationError(_("Give the meeting a title."))
        return title

    def clean_title_translation(self) -> str:
        return _one_line(self.cleaned_data["title_translation"])

    def clean_place(self) -> str:
        return _one_line(self.cleaned_data["place"])

    def clean_language(self) -> str:
        # Left out (an older form, a script): the meeting keeps the language it had.
        return self.cleaned_data["language"] or self.instance.language

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        rule = data.get("quorum_rule")
        numerator = data.get("quorum_numerator")
        denominator = data.get("quorum_denominator")
        count = data.get("quorum_count")
        if rule == QuorumRule.FRACTION:
            if not numerator:
                self.add_error("quorum_numerator", _("Give the share: 1 of 3 is 1 and 3."))
            if not denominator:
                self.add_error("quorum_denominator", _("Give the share: 1 of 3 is 1 and 3."))
            if numerator and denominator and numerator > denominator:
                self.add_error(
                    "quorum_numerator",
                    _(
                        "The share can't be more than everyone: the numerator must not be "
                        "larger than the denominator."
                    ),
                )
        else:
            data["quorum_numerator"] = data["quorum_denominator"] = None
        if rule == QuorumRule.COUNT:
            if not count:
                self.add_error(
                    "quorum_count", _("A fixed quorum must be at least 1 voting member.")
                )
        else:
            data["quorum_count"] = None
        return data

    def settings(self) -> dict[str, Any]:
        """The cleaned values, by field name, for the action to write."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}


class EarlierMeetingChoice(forms.ModelChoiceField):
    """One of the body's earlier meetings, named with its day; the form sets which are offered."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Meeting.objects.none(), required=False, **kwargs)

    def label_from_instance(self, obj: Meeting) -> str:
        return obj.dated_title


class NewMeetingForm(MeetingForm):
    """A new meeting, whose agenda may start as a copy of an earlier one's."""

    copy_agenda_from = EarlierMeetingChoice(
        label=gettext_lazy("Copy the agenda of an earlier meeting"),
        empty_label=gettext_lazy("No, start with an empty agenda"),
        help_text=gettext_lazy(
            "Copies each item's title, kind, description, timebox and presenter; nothing of "
            "how that meeting went."
        ),
    )

    field_order = ["title", "starts_at", "place", "copy_agenda_from"]

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this body's meetings: an id from elsewhere is simply not a valid choice.
        earlier = cast(forms.ModelChoiceField, self.fields["copy_agenda_from"])
        earlier.queryset = organization.meetings.order_by("-starts_at", "-id")


class AgendaItemForm(forms.ModelForm):
    """One item: what it is, how long it may take, who presents it; for "approve the minutes",
    whose minutes, picked from the body's minutes no meeting has approved yet."""

    timebox_minutes = forms.IntegerField(
        label=capfirst(AgendaItem._meta.get_field("timebox_minutes").verbose_name),
        min_value=TIMEBOX_MIN,
        max_value=TIMEBOX_MAX,
        initial=10,
    )
    minutes_of = EarlierMeetingChoice(
        label=gettext_lazy("Approves the minutes of"),
        empty_label=gettext_lazy("Choose a meeting"),
        help_text=gettext_lazy(
            "Only for an “Approve the minutes” item: the earlier meeting whose minutes a "
            "carried vote on it approves."
        ),
    )

    class Meta:
        model = AgendaItem
        fields: tuple[str, ...] = (*ITEM_FIELDS, "minutes_of")
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "description_translation": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {"title": {"required": gettext_lazy("Give the item a title.")}}
        help_texts = {
            "description": gettext_lazy("Plain text; a blank line starts a new paragraph."),
            "title_translation": gettext_lazy(
                "Optional. On this bilingual meeting everyone sees their own language first."
            ),
        }

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not meeting.bilingual:  # translations only where the meeting is bilingual
            for name in ITEM_TRANSLATIONS:
                self.fields.pop(name, None)
        if "minutes_of" in self.fields:
            # This body's other meetings whose minutes wait for approval (and the one this item
            # already names, approved since): another body's meeting is not a valid choice.
            waiting = Q(pk__in=meeting.organization.meetings.awaiting_approval()) | Q(
                pk=self.instance.minutes_of_id or 0
            )
            self.minutes_field().queryset = (
                Meeting.objects.filter(waiting)
                .exclude(pk=meeting.pk)
                .order_by(Coalesce("starts_at", "adjourned_at").desc(nulls_last=True), "-id")
            )

    def clean_title(self) -> str:
        title = _one_line(self.cleaned_data["title"])
        if not title:
            raise ValidationError(_("Give the item a title."))
        return title

    def clean_presenter(self) -> str:
        return _one_line(self.cleaned_data["presenter"])

    def clean_description(self) -> str:
        return self.cleaned_data["description"].strip()

    def clean_title_translation(self) -> str:
        return _one_line(self.cleaned_data["title_translation"])

    def clean_description_translation(self) -> str:
        return self.cleaned_data["description_translation"].strip()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if "minutes_of" not in self.fields:
            return data
        if data.get("kind") != AgendaItem.Kind.APPROVE_MINUTES:
            data["minutes_of"] = None  # only that kind of item approves anything
        elif data.get("minutes_of") is None and "minutes_of" not in self.errors:
            data["minutes_of"] = self.default_minutes()
            if data["minutes_of"] is None:
                self.add_error("minutes_of", self.missing_minutes_error())
        return data

    def minutes_field(self) -> forms.ModelChoiceField:
        return cast(forms.ModelChoiceField, self.fields["minutes_of"])

    def minutes_choices(self) -> QuerySet[Meeting]:
        choices = self.minutes_field().queryset
        assert choices is not None  # a foreign key's field always has one; __init__ narrows it
        return choices

    def default_minutes(self) -> Meeting | None:
        return None  # the editor asks; the console's short form takes the latest

    def missing_minutes_error(self) -> str:
        if not self.minutes_choices().exists():
            return _("No earlier meeting's minutes are waiting for approval.")
        return _("Choose the meeting whose minutes this item approves.")

    def values(self) -> dict[str, Any]:
        """The cleaned values, by field name, for the action to write."""
        return {name: self.cleaned_data[name] for name in self.fields}


class QuickItemForm(AgendaItemForm):
    """The console's short form: an item added while the meeting runs."""

    class Meta(AgendaItemForm.Meta):
        fields = ("title", "kind", "timebox_minutes", "minutes_of")

    def default_minutes(self) -> Meeting | None:
        # Added mid-meeting, "approve the minutes" nearly always means the last meeting's; the
        # agenda editor shows which and can change it.
        return self.minutes_choices().first()


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])
