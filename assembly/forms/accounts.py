"""Sign-up's one question of our own: the name to show in meetings, so nobody appears as their
email address (which would expose the very members who most need cover)."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from assembly.models import User


class SignupForm(forms.Form):
    """allauth's sign-up form is built on this one (ACCOUNT_SIGNUP_FORM_CLASS)."""

    display_name = forms.CharField(
        label=_("Your name in meetings"),
        max_length=User._meta.get_field("display_name").max_length,
        help_text=_(
            "What others see when you speak or check in. A chosen name or nickname is fine; "
            "nobody else sees your email address."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )

    def clean_display_name(self) -> str:
        name = " ".join(self.cleaned_data["display_name"].split())
        if not name:
            raise forms.ValidationError(_("Please type the name to show in meetings."))
        return name

    def signup(self, request: HttpRequest, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])
