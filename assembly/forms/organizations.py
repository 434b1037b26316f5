"""Forms for an assembly body: creating it, its settings, its roll, its invitations.

The roll import is parsed here, line by line, so a secretary sees every problem in the file at
once and can fix them all before trying again; nothing is imported until the whole file is good.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assembly.models import Organization, QuorumRule, Role
from assembly.models.organizations import SETTINGS_FIELDS, RollRow
from assembly.models.validators import no_nul

IMPORT_MAX_BYTES = 1024 * 1024
IMPORT_MAX_ROWS = 5000
INVITATION_DAYS_DEFAULT = 14
INVITATION_DAYS_MAX = 90

YES = frozenset({"yes", "y", "true", "1", "sí", "si", "s", ""})
NO = frozenset({"no", "n", "false", "0"})
COLUMNS = ("name", "email", "may_vote", "role")
# A leading quote that our export adds so spreadsheets don't run a name as a formula.
FORMULA_STARTS = ("=", "+", "-", "@")


class _Form:
    """Labels without a trailing colon: they sit above their field, and read better so."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class OrganizationForm(_Form, forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name"]
        labels = {"name": gettext_lazy("Name of the assembly body")}
        help_texts = {
            "name": gettext_lazy("For example: Tenants' Union of Boyle Heights, or Local 99."),
        }

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("Write a name."))
        return name


class SettingsForm(_Form, forms.ModelForm):
    class Meta:
        model = Organization
        fields = SETTINGS_FIELDS
        widgets = {"quorum_rule": forms.RadioSelect, "election_ties": forms.RadioSelect}
        labels = {
            "quorum_numerator": gettext_lazy("Share"),
            "quorum_denominator": gettext_lazy("out of"),
            "quorum_count": gettext_lazy("Fixed number of voting members"),
            "election_ties": gettext_lazy("How a tie is broken"),
        }
        help_texts = {
            "quorum_count": gettext_lazy("Used when the quorum is a fixed number."),
            "proxy_limit": gettext_lazy("How many absent members' votes one person may carry."),
            "retention_days": gettext_lazy(
                "Who attended is deleted this many days after a meeting; counts stay in the "
                "minutes."
            ),
        }

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("Write a name."))
        return name

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        rule = data.get("quorum_rule")
        numerator = data.get("quorum_numerator")
        denominator = data.get("quorum_denominator")
        if rule == QuorumRule.FRACTION and numerator is not None and denominator is not None:
            if denominator == 0:
                self.add_error(
                    "quorum_denominator",
                    _("The share's denominator must be 1 or more: 2 of 3 is 2 and 3."),
                )
            elif numerator == 0:
                self.add_error("quorum_numerator", _("The share's numerator must be 1 or more."))
            elif numerator > denominator:
                self.add_error(
                    "quorum_numerator",
                    _(
                        "The share can't be more than everyone: the numerator must not be "
                        "larger than the denominator."
                    ),
                )
        if rule == QuorumRule.COUNT and data.get("quorum_count") == 0:
            self.add_error("quorum_count", _("A fixed quorum must be at least 1 voting member."))
        if data.get("proxies_allowed") and data.get("proxy_limit") == 0:
            self.add_error(
                "proxy_limit",
                _("With proxies allowed, one person must be able to carry at least 1."),
            )
        if data.get("retention_days") == 0:
            self.add_error(
                "retention_days",
                _("Keep attendance at least 1 day, so the minutes can be checked."),
            )
        return data


class MemberForm(_Form, forms.Form):
    """An admin's change to one person on the roll."""

    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
    may_vote = forms.BooleanField(label=gettext_lazy("May vote"), required=False)
    withhold_name = forms.BooleanField(
        label=gettext_lazy("Keep their name out of the minutes"),
        required=False,
        help_text=gettext_lazy(
            "For someone who asked not to be named (being identified can be a danger)."
        ),
    )


class AddPersonForm(_Form, forms.Form):
    """A person added to the roll by hand: someone without a phone, or not yet invited."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=80)
    email = forms.EmailField(
        label=gettext_lazy("Email (optional)"),
        required=False,
        help_text=gettext_lazy("Only admins and secretaries see it."),
    )
    may_vote = forms.BooleanField(label=gettext_lazy("May vote"), required=False, initial=True)

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("Write the person's name."))
        return name

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if email and self.organization.memberships.on_roll([email]):
            raise ValidationError(_("Someone with this email is already on the roll."))
        return email


class InvitationForm(_Form, forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices, initial=Role.MEMBER)
    may_vote = forms.BooleanField(label=gettext_lazy("May vote"), required=False, initial=True)
    email = forms.EmailField(
        label=gettext_lazy("Send it to (optional)"),
        required=False,
        help_text=gettext_lazy("Leave empty to copy the link and share it yourself."),
    )
    expires_in_days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"),
        min_value=1,
        max_value=INVITATION_DAYS_MAX,
        initial=INVITATION_DAYS_DEFAULT,
    )

    def __init__(self, *args, **kwargs) -> None:
        # It shares the organization page with "add a person", whose fields have the same names:
        # ids of its own, so that each <label for> reaches its own field.
        kwargs.setdefault("auto_id", "invite_%s")
        super().__init__(*args, **kwargs)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


@dataclass(frozen=True)
class LineError:
    line: int
    message: str


class RollImportForm(_Form, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("Columns: name, email, may_vote. The first line names them."),
    )

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.rows: list[RollRow] = []
        self.line_errors: list[LineError] = []

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise ValidationError(
                _("The file is larger than 1 MB. Split it into smaller files and import each.")
            )
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError(
                _(
                    "The file is not in UTF-8. In your spreadsheet, save it as "
                    "“CSV UTF-8” and try again."
                )
            ) from error
        rows, errors = parse_roll(text)
        errors = sorted(errors + roll_conflicts(self.organization, rows), key=lambda e: e.line)
        self.rows, self.line_errors = rows, errors
        if errors:
            raise ValidationError(
                _("Nothing was imported: fix the lines listed and upload the file again.")
            )
        if not rows:
            raise ValidationError(_("The file has a header line but no people in it."))
        return upload


def parse_roll(text: str) -> tuple[list[RollRow], list[LineError]]:
    """Rows and errors of a roll CSV; every bad line is reported, not just the first."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return [], [
            LineError(1, _("The file is empty. The first line must be: name,email,may_vote"))
        ]
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = [cell.strip().lower().replace(" ", "_") for cell in next(reader)]
    errors = _header_errors(header)
    if errors:
        return [], errors

    rows: list[RollRow] = []
    seen: dict[str, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) + len(errors) >= IMPORT_MAX_ROWS:
            return [], [
                LineError(
                    line,
                    _("The file has more than %(max)d people. Split it and import each part.")
                    % {"max": IMPORT_MAX_ROWS},
                )
            ]
        if len(cells) > len(header):
            errors.append(
                LineError(
                    line,
                    _(
                        "This line has more values than the header has columns. Put a name "
                        "with a comma in double quotes: “García, Ana”."
                    ),
                )
            )
            continue
        try:
            for cell in cells:
                no_nul(cell)
        except ValidationError as refused:
            errors.append(LineError(line, refused.messages[0]))
            continue
        values = dict(zip(header, (_unquote(cell.strip()) for cell in cells), strict=False))
        row, problems = _row(line, values, seen)
        errors.extend(LineError(line, problem) for problem in problems)
        if row is not None:
            rows.append(row)
    return rows, errors


def _header_errors(header: list[str]) -> list[LineError]:
    errors = []
    unknown = [column for column in header if column not in COLUMNS]
    for column in unknown:
        errors.append(
            LineError(
                1,
                _(
                    "Unknown column “%(column)s”. The columns are name, email and "
                    "may_vote (role is optional)."
                )
                % {"column": column},
            )
        )
    if "name" not in header:
        errors.append(
            LineError(
                1, _("The first line must name the columns, starting with: name,email,may_vote")
            )
        )
    elif len(set(header)) != len(header):
        errors.append(LineError(1, _("A column is named twice in the first line.")))
    return errors


def _unquote(value: str) -> str:
    if value.startswith("'") and value[1:2] in FORMULA_STARTS:
        return value[1:]
    return value


def _row(
    line: int, values: dict[str, str], seen: dict[str, int]
) -> tuple[RollRow | None, list[str]]:
    problems = []
    name = " ".join(values.get("name", "").split())
    if not name:
        problems.append(_("The name is empty. Write the person's name, or delete the line."))
    elif len(name) > 80:
        problems.append(_("The name is longer than 80 characters. Shorten it."))
    email = values.get("email", "").lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(
                _("“%(email)s” is not an email address. Correct it or leave it empty.")
                % {"email": email}
            )
        else:
            if email in seen:
                problems.append(
                    _("%(email)s is already on line %(line)d of this file. Keep one of them.")
                    % {"email": email, "line": seen[email]}
                )
            else:
                seen[email] = line
    vote = values.get("may_vote", "").lower()
    if vote not in YES and vote not in NO:
        problems.append(
            _("may_vote is “%(value)s”. Write yes or no (empty means yes).")
            % {"value": values.get("may_vote", "")}
        )
    role = values.get("role", "").lower() or Role.MEMBER
    if role not in Role.values:
        problems.append(
            _("Unknown role “%(value)s”. Use one of: %(roles)s.")
            % {"value": values.get("role", ""), "roles": ", ".join(Role.values)}
        )
    if problems:
        return None, problems
    return RollRow(line=line, name=name, email=email, may_vote=vote in YES, role=role), []


def roll_conflicts(organization: Organization, rows: list[RollRow]) -> list[LineError]:
    taken = organization.memberships.on_roll([row.email for row in rows if row.email])
    return [
        LineError(
            row.line,
            _(
                "%(email)s is already on the roll. Delete this line, or change that person "
                "on the roll instead."
            )
            % {"email": row.email},
        )
        for row in rows
        if row.email in taken
    ]
