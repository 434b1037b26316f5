"""An assembly body's own pages: its roll, its meetings, invitations, settings, roll files."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assembly.actions import ActionError
from assembly.actions import organizations as actions
from assembly.forms.organizations import (
    FORMULA_STARTS,
    AddPersonForm,
    InvitationForm,
    MemberForm,
    OrganizationForm,
    RollImportForm,
    SettingsForm,
)
from assembly.models import Invitation, Membership, Role
from assembly.permissions import Action, get_organization, may
from assembly.views.http import MemberRequest, Request
from assembly.views.replies import INVALID


def _roll_keeper(request: Request, slug: str) -> Membership:
    # Admins and secretaries keep the roll: the same people who may export it may add to it.
    # (permissions.py has no separate action for adding by hand yet.)
    return get_organization(request.user, slug, Action.EXPORT_ROLL)


def _page(request: Request, me: Membership, status: int = 200, **forms: Any) -> HttpResponse:
    organization = me.organization
    is_admin = may(me, Action.MANAGE_MEMBERS)
    roll = list(organization.memberships.select_related("user"))
    context = {
        "organization": organization,
        "me": me,
        "is_admin": is_admin,
        "sees_emails": may(me, Action.EXPORT_ROLL),
        "may_run": may(me, Action.RUN_MEETING),
        "may_project": may(me, Action.VIEW_PROJECTOR),
        "may_schedule": may(me, Action.CREATE_MEETING),
        "roll": roll,
        "voting": sum(1 for m in roll if m.may_vote and m.role != Role.OBSERVER),
        "meetings": organization.meetings.all(),
        "add_form": forms.get("add_form") or AddPersonForm(organization=organization),
    }
    if is_admin:
        context["invitation_form"] = forms.get("invitation_form") or InvitationForm()
        context["invitations"] = [
            (invitation, _invitation_link(request, invitation))
            for invitation in organization.invitations.filter(
                revoked=False, accepted_at__isnull=True, expires_at__gt=timezone.now()
            )
        ]
    return render(request, "assembly/organizations/page.html", context, status=status)


def _invitation_link(request: Request, invitation: Invitation) -> str:
    return request.build_absolute_uri(reverse("assembly:invitation", args=[invitation.token]))


def _to_page(me: Membership) -> HttpResponse:
    return redirect("assembly:organization", slug=me.organization.slug)


@require_http_methods(["GET", "POST"])
@login_required
def create(request: MemberRequest) -> HttpResponse:
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = actions.create(name=form.cleaned_data["name"], by=request.user)
        except ActionError as refused:
            form.add_error("name", str(refused))
        else:
            messages.success(
                request,
                _("%(name)s is ready. You are its admin: invite people or add them to the roll.")
                % {"name": organization.name},
            )
            return redirect("assembly:organization", slug=organization.slug)
    return render(request, "assembly/organizations/create.html", {"form": form})


@require_GET
@login_required
def page(request: MemberRequest, slug: str) -> HttpResponse:
    return _page(request, get_organization(request.user, slug, Action.VIEW_ORGANIZATION))


@require_POST
@login_required
def privacy(request: MemberRequest, slug: str) -> HttpResponse:
    """A member's own choice to keep their name out of the minutes."""
    me = get_organization(request.user, slug, Action.VIEW_ORGANIZATION)
    withhold = request.POST.get("withhold_name") == "1"
    actions.set_name_withheld(membership=me, withhold=withhold, by=request.user)
    if withhold:
        messages.success(request, _("Your name will be kept out of the minutes."))
    else:
        messages.success(request, _("The minutes may name you."))
    return _to_page(me)


@require_http_methods(["GET", "POST"])
@login_required
def settings(request: MemberRequest, slug: str) -> HttpResponse:
    me = get_organization(request.user, slug, Action.MANAGE_MEMBERS)
    form = SettingsForm(request.POST or None, instance=me.organization)
    if request.method == "POST" and form.is_valid():
        # The form validated a copy; the action writes and audits the change.
        me.organization.refresh_from_db()
        actions.update_settings(
            organization=me.organization, changes=form.cleaned_data, by=request.user
        )
        messages.success(request, _("Settings saved."))
        return _to_page(me)
    status = INVALID if form.errors else 200
    return render(
        request,
        "assembly/organizations/settings.html",
        {"organization": me.organization, "form": form},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def member(request: MemberRequest, slug: str, membership_id: int) -> HttpResponse:
    me = get_organization(request.user, slug, Action.MANAGE_MEMBERS)
    person = get_object_or_404(Membership, pk=membership_id, organization=me.organization)
    form = MemberForm(
        request.POST or None,
        initial={
            "role": person.role,
            "may_vote": person.may_vote,
            "withhold_name": person.withhold_name,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = actions.change_member(membership=person, by=request.user, **form.cleaned_data)
        except ActionError as refused:
            form.add_error(None, str(refused))
        else:
            if changed:
                messages.success(request, _("%(name)s: saved.") % {"name": person.display_name})
            return _to_page(me)
    return render(
        request,
        "assembly/organizations/member.html",
        {"organization": me.organization, "person": person, "form": form},
        status=INVALID if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def remove(request: MemberRequest, slug: str, membership_id: int) -> HttpResponse:
    me = get_organization(request.user, slug, Action.MANAGE_MEMBERS)
    person = get_object_or_404(Membership, pk=membership_id, organization=me.organization)
    if request.method == "POST":
        try:
            actions.remove_member(membership=person, by=request.user)
        except ActionError as refused:
            messages.error(request, str(refused))
            return redirect("assembly:organization-member", slug=slug, membership_id=person.pk)
        messages.success(
            request, _("%(name)s was removed from the roll.") % {"name": person.display_name}
        )
        if person.pk == me.pk:
            return redirect("assembly:home")
        return _to_page(me)
    return render(
        request,
        "assembly/organizations/remove.html",
        {"organization": me.organization, "person": person},
    )


@require_POST
@login_required
def add_person(request: MemberRequest, slug: str) -> HttpResponse:
    me = _roll_keeper(request, slug)
    form = AddPersonForm(request.POST, organization=me.organization)
    if form.is_valid():
        try:
            entry = actions.add_person(
                organization=me.organization, by=request.user, **form.cleaned_data
            )
        except ActionError as refused:
            form.add_error("email", str(refused))
        else:
            messages.success(request, _("%(name)s is on the roll.") % {"name": entry.display_name})
            return _to_page(me)
    return _page(request, me, status=INVALID, add_form=form)


@require_POST
@login_required
def invite(request: MemberRequest, slug: str) -> HttpResponse:
    me = get_organization(request.user, slug, Action.MANAGE_MEMBERS)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return _page(request, me, status=INVALID, invitation_form=form)
    invitation = actions.invite(organization=me.organization, by=request.user, **form.cleaned_data)
    if not invitation.email:
        messages.success(request, _("Invitation link created. Copy it from the list below."))
    elif actions.send_invitation(invitation=invitation, link=_invitation_link(request, invitation)):
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
    else:
        messages.error(
            request,
            _(
                "The invitation was created but the mail could not be sent. Copy the link "
                "from the list below and send it yourself."
            ),
        )
    return _to_page(me)


@require_POST
@login_required
def revoke(request: MemberRequest, slug: str, invitation_id: int) -> HttpResponse:
    me = get_organization(request.user, slug, Action.MANAGE_MEMBERS)
    invitation = get_object_or_404(Invitation, pk=invitation_id, organization=me.organization)
    try:
        actions.revoke_invitation(invitation=invitation, by=request.user)
    except ActionError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Invitation withdrawn: its link no longer works."))
    return _to_page(me)


@require_http_methods(["GET", "POST"])
@login_required
def import_roll(request: MemberRequest, slug: str) -> HttpResponse:
    me = get_organization(request.user, slug, Action.MANAGE_MEMBERS)
    form = RollImportForm(request.POST or None, request.FILES or None, organization=me.organization)
    if request.method == "POST" and form.is_valid():
        try:
            entries = actions.import_roll(
                organization=me.organization, rows=form.rows, by=request.user
            )
        except ActionError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d person added to the roll.",
                    "%(count)d people added to the roll.",
                    len(entries),
                )
                % {"count": len(entries)},
            )
            return _to_page(me)
    return render(
        request,
        "assembly/organizations/import.html",
        {"organization": me.organization, "form": form},
        status=INVALID if form.errors else 200,
    )


def _cell(value: str) -> str:
    # A name like "=SUM(...)" would run as a formula in a spreadsheet; the import undoes this.
    return "'" + value if value.startswith(FORMULA_STARTS) else value


@require_GET
@login_required
def export_roll(request: MemberRequest, slug: str) -> HttpResponse:
    me = get_organization(request.user, slug, Action.EXPORT_ROLL)
    actions.record_export(organization=me.organization, by=request.user)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "email", "may_vote", "role"])
    for person in me.organization.memberships.select_related("user"):
        email = person.email or (person.user.email if person.user else "")
        writer.writerow(
            [
                _cell(person.display_name),
                _cell(email),
                "yes" if person.may_vote else "no",
                person.role,
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"{me.organization.slug}-roll-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def invitation(request: Request, token: str) -> HttpResponse:
    """The page an invitation link opens: sign in first, then confirm joining."""
    found = Invitation.objects.select_related("organization").filter(token=token).first()
    if found is None:
        return render(
            request,
            "assembly/organizations/invitation.html",
            {"problem": _("This invitation link is not valid. Check that it was copied whole.")},
            status=404,
        )
    context: dict[str, Any] = {"invitation": found, "organization": found.organization}
    problem = actions.why_unusable(found)
    if problem:
        return render(
            request,
            "assembly/organizations/invitation.html",
            {**context, "problem": problem},
            status=410,
        )
    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
        context["next"] = urlencode({"next": request.path})
        return render(request, "assembly/organizations/invitation.html", context)
    if request.method == "POST":
        try:
            actions.accept_invitation(invitation=found, user=request.user)
        except actions.AlreadyMember as told:
            messages.info(request, str(told))
        except ActionError as refused:
            return render(
                request,
                "assembly/organizations/invitation.html",
                {**context, "problem": str(refused)},
                status=410,
            )
        else:
            messages.success(
                request,
                _("Welcome to %(organization)s.") % {"organization": found.organization.name},
            )
        return redirect("assembly:organization", slug=found.organization.slug)
    context["already_member"] = Membership.objects.filter(
        organization=found.organization, user=request.user
    ).exists()
    return render(request, "assembly/organizations/invitation.html", context)
