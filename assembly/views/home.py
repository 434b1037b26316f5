"""The front page: a visitor's way in, a member's organizations and meetings."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from assembly.models import Membership
from assembly.permissions import Action, may
from assembly.views.http import Request


@require_GET
def home(request: Request) -> HttpResponse:
    memberships: list[Membership] = []
    if request.user.is_authenticated:
        memberships = list(
            Membership.objects.filter(user=request.user)
            .select_related("organization")
            .prefetch_related("organization__meetings")
        )
    context = {
        "memberships": memberships,
        # The memberships whose meetings this person may run, or show on a projector.
        "runs": {m.pk for m in memberships if may(m, Action.RUN_MEETING)},
        "projects": {m.pk for m in memberships if may(m, Action.VIEW_PROJECTOR)},
    }
    return render(request, "assembly/home.html", context)
