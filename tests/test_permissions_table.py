"""Every kind of person against every action in a meeting: allowed, or refused the right way.

Refused means 403 for someone of this organization without the role, 404 for anyone from
outside (an id from elsewhere reveals nothing), and a sign-in redirect for pages that need an
account. Allowed means the request got through to the action (which may still say no for the
meeting's state, with 409).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from assembly import actions
from assembly.models import Attendee, Membership, Proxy, Role
from tests.conftest import client_for, guest_client, make_person, unheard

MEMBERS = ("admin", "facilitator", "secretary", "member", "observer")
EVERYONE = (*MEMBERS, "guest", "waiting_guest", "outsider", "anonymous")
STAFF = {"admin", "facilitator", "secretary"}
RUNNERS = {"admin", "facilitator"}
TAKERS_OF_PART = {"admin", "facilitator", "secretary", "member", "guest"}
PROPOSERS = {"admin", "facilitator", "secretary", "member"}  # guests where the body allows
THE_PROPOSER_OR_RUNNERS = {*RUNNERS, "member"}  # the world's proposal is the member's


@dataclass
class World:
    meeting: object
    people: dict
    hand_id: int
    decision_id: int
    target_attendee_id: int
    roll_id: int
    item_id: int
    proxy_id: int
    proposal_id: int
    amendment_id: int

    def client(self, who: str) -> Client:
        person = self.people[who]
        if isinstance(person, Attendee):
            return guest_client(person)
        if isinstance(person, AnonymousUser):
            return Client()
        return client_for(person)


@pytest.fixture
def world(organization, other_organization, meeting) -> World:
    people = {
        role: make_person(organization, f"{role}@example.org", getattr(Role, role.upper()))
        for role in MEMBERS
    }
    people["outsider"] = make_person(other_organization, "spy@example.org", Role.ADMIN)
    people["anonymous"] = AnonymousUser()
    with unheard():
        actions.meetings.start(meeting=meeting, by=people["facilitator"])
        for role in MEMBERS:
            actions.attendance.check_in_member(meeting=meeting, user=people[role])
        people["guest"] = meeting.attendees.create(display_name="G", kind="guest", status="present")
        people["waiting_guest"] = meeting.attendees.create(display_name="W", kind="guest")
        somebody = meeting.attendees.create(display_name="S", kind="guest", status="present")
        hand = actions.stack.raise_hand(attendee=somebody, kind="speak")
        actions.stack.raise_hand(
            attendee=meeting.attendees.create(display_name="T", kind="guest", status="present"),
            kind="speak",
        )
        decision = actions.decisions.create(
            meeting=meeting, by=people["facilitator"], question="Q?", method="motion"
        )
        actions.decisions.open_round(
            meeting=meeting, decision_id=decision.pk, by=people["facilitator"]
        )
        # The member's proposal on the floor, and somebody's amendment to it.
        proposal = actions.proposals.submit(
            attendee=meeting.attendees.get(user=people["member"]), title="Fund", text="Commit it."
        )
        actions.proposals.bring_to_floor(
            meeting=meeting, proposal_id=proposal.pk, by=people["facilitator"]
        )
        amendment = actions.proposals.amend(
            attendee=somebody, proposal_id=proposal.pk, text="Commit it all.", against=1
        )
    roll = Membership.objects.create(organization=organization, name="No phone")
    away = Membership.objects.create(organization=organization, name="Away")
    proxy = Proxy.objects.create(
        meeting=meeting, holder=meeting.attendees.get(user=people["member"]), absent_member=away
    )
    return World(
        meeting,
        people,
        hand.pk,
        decision.pk,
        somebody.pk,
        roll.pk,
        meeting.items.last().pk,
        proxy.pk,
        proposal.pk,
        amendment.pk,
    )


# (url name, method, extra kwargs from the world, who may)
ACTIONS = [
    ("meeting-room", "get", {}, {*MEMBERS, "guest", "waiting_guest"}),
    ("meeting-console", "get", {}, RUNNERS),
    ("meeting-projector", "get", {}, STAFF),
    ("meeting-attendance", "get", {}, STAFF),
    ("meeting-start", "post", {}, RUNNERS),
    ("meeting-next", "post", {}, RUNNERS),
    ("meeting-go-to", "post", {"item_id": "item_id"}, RUNNERS),
    ("meeting-adjourn", "post", {}, RUNNERS),
    ("stack-next", "post", {}, RUNNERS),
    ("stack-finish", "post", {}, RUNNERS),
    ("stack-close", "post", {}, RUNNERS),
    ("stack-move", "post", {"request_id": "hand_id", "direction": "down"}, RUNNERS),
    ("stack-remove", "post", {"request_id": "hand_id"}, RUNNERS),
    ("temperature-open", "post", {}, RUNNERS),
    ("temperature-close", "post", {}, RUNNERS),
    ("attendee-admit", "post", {"attendee_id": "target_attendee_id"}, STAFF),
    ("attendee-remove", "post", {"attendee_id": "target_attendee_id"}, STAFF),
    ("attendance-turn-away-waiting", "post", {}, STAFF),
    ("attendee-vote", "post", {"attendee_id": "target_attendee_id"}, STAFF),
    ("attendee-check-in-by-hand", "post", {"membership_id": "roll_id"}, STAFF),
    ("minutes", "get", {}, STAFF),  # members too, once published
    ("minutes-markdown", "get", {}, STAFF),
    ("minutes-pdf", "get", {}, STAFF),
    ("minutes-history", "get", {}, STAFF),  # members too, once published
    ("minutes-notes", "post", {"item_id": "item_id"}, STAFF),
    ("minutes-publish", "post", {}, STAFF),
    ("minutes-action-add", "post", {}, STAFF),
    ("action-item-review", "post", {"action_item_id": 999999}, RUNNERS),
    ("proxy-assign", "post", {}, STAFF),
    ("proxy-withdraw", "post", {"proxy_id": "proxy_id"}, STAFF),
    ("decision-create", "post", {}, RUNNERS),
    ("decision-open", "post", {"decision_id": "decision_id"}, RUNNERS),
    ("decision-close", "post", {"decision_id": "decision_id"}, RUNNERS),
    ("decision-fallback", "post", {"decision_id": "decision_id"}, RUNNERS),
    ("decision-again", "post", {"decision_id": "decision_id"}, RUNNERS),
    ("decision-lot", "post", {"decision_id": "decision_id"}, RUNNERS),
    ("decision-round", "post", {"decision_id": "decision_id"}, RUNNERS),
    ("decision-assisted", "post", {"decision_id": "decision_id"}, STAFF),
    ("decision-vote", "post", {"decision_id": "decision_id"}, TAKERS_OF_PART),
    ("decision-contest", "post", {"decision_id": "decision_id"}, TAKERS_OF_PART),
    ("stack-raise", "post", {}, TAKERS_OF_PART),
    ("temperature-respond", "post", {}, TAKERS_OF_PART),
    ("meeting-leave", "post", {}, TAKERS_OF_PART),
    ("proposal-submit", "post", {}, PROPOSERS),
    ("proposal-submit-for", "post", {}, STAFF),
    ("proposal-amend", "post", {"proposal_id": "proposal_id"}, TAKERS_OF_PART),
    ("amendment-answer", "post", {"amendment_id": "amendment_id"}, THE_PROPOSER_OR_RUNNERS),
    ("proposal-withdraw", "post", {"proposal_id": "proposal_id"}, THE_PROPOSER_OR_RUNNERS),
    ("amendment-vote", "post", {"amendment_id": "amendment_id"}, RUNNERS),
    *(
        (name, "post", {"proposal_id": "proposal_id"}, RUNNERS)
        for name in (
            "proposal-floor",
            "proposal-attach",
            "proposal-decline",
            "proposal-stage",
            "proposal-consensus",
            "proposal-refer",
            "proposal-table",
        )
    ),
]


def allowed(response) -> bool:
    # 409: let in, and the action refused as the room stands; 422: let in, and the form
    # (here, empty) refused with what to fix.
    if response.status_code in (200, 409, 422):
        return True
    if response.status_code == 302:
        return "/accounts/login/" not in response["Location"]
    return False


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize(("name", "method", "extra", "may"), ACTIONS, ids=[a[0] for a in ACTIONS])
def test_who_may_do_what_in_a_meeting(world, who, name, method, extra, may):
    kwargs = {"meeting_id": world.meeting.pk}
    kwargs.update(
        {
            key: getattr(world, value)
            if isinstance(value, str) and hasattr(world, value)
            else value
            for key, value in extra.items()
        }
    )
    url = reverse(f"assembly:{name}", kwargs=kwargs)
    with unheard():
        response = getattr(world.client(who), method)(url, {"kind": "speak", "value": "agree"})
    assert allowed(response) == (who in may), (who, name, response.status_code)
    if who == "outsider":
        assert response.status_code == 404  # never 403: nothing about this meeting leaks
    elif who in MEMBERS and who not in may:
        assert response.status_code == 403


@pytest.mark.parametrize("allowed_here", [False, True])
def test_a_guest_proposes_only_where_the_organization_allows(world, organization, allowed_here):
    organization.guests_may_propose = allowed_here
    organization.save()
    url = reverse("assembly:proposal-submit", args=[world.meeting.pk])
    with unheard():
        response = world.client("guest").post(url, {"title": "Mine", "text": "Let guests vote."})
    assert response.status_code == (302 if allowed_here else 403)
    assert world.meeting.proposals.filter(title="Mine").exists() == allowed_here


@pytest.mark.parametrize("who", ["admin", "member"])
def test_a_meeting_of_another_organization_is_404_for_its_non_members(
    world, other_organization, who
):
    foreign = other_organization.meetings.create(title="Their meeting")
    for name in ("meeting-room", "meeting-console", "meeting-projector", "meeting-attendance"):
        url = reverse(f"assembly:{name}", args=[foreign.pk])
        assert world.client(who).get(url).status_code == 404


def test_a_control_for_a_meeting_not_theirs_is_404_and_changes_nothing(world, other_organization):
    """A facilitator's control reads their role and the meeting in one query: one of another
    body, or none at all, is still missing to them, and left as it was."""
    foreign = other_organization.meetings.create(title="Their meeting")
    before = foreign.version
    client = world.client("facilitator")
    for meeting_id in (foreign.pk, foreign.pk + 1000):
        url = reverse("assembly:stack-close", args=[meeting_id])
        assert client.post(url, {"closed": "1"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.version == before


# The organization's record, outside any one meeting: its members only, everyone else 404.
ORGANIZATION_PAGES = ["decision-log", "my-action-items"]


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize("name", ORGANIZATION_PAGES)
def test_who_may_read_the_organizations_record(world, organization, who, name):
    if who in ("guest", "waiting_guest"):
        return  # a guest's session names no account: nothing of the body's record
    url = reverse(f"assembly:{name}", args=[organization.slug])
    response = world.client(who).get(url)
    if who in MEMBERS:
        assert response.status_code == 200
    elif who == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 404


def test_a_visitor_without_an_account_is_never_taken_for_a_roll_entry(organization):
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404

    from assembly.permissions import Action, get_organization

    organization.memberships.create(name="Typed in by hand")  # on the roll, no account
    with pytest.raises(Http404):
        get_organization(AnonymousUser(), organization.slug, Action.VIEW_ORGANIZATION)
