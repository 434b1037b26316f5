"""The front page: a visitor's way in, a member's organizations and meetings."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from assembly.models import Membership
from assembly.permissions import Action, may


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    memberships = []
    if request.user.is_authenticated:
        memberships = list(
            Membership.objects.filter(user=request.user)
            .select_related("organization")
            .prefetch_related("organization__meetings")
        )
    for membership in memberships:
        membership.may_run = may(membership, Action.RUN_MEETING)
        membership.may_project = may(membership, Action.VIEW_PROJECTOR)
    return render(request, "assembly/home.html", {"memberships": memberships})
