"""Action items: the secretary writes them from the notes view, the assignee sees theirs, the
next meeting reviews them live, and the minutes list them with names withheld where asked."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from assembly import actions
from assembly.actions import ActionError
from assembly.models import ActionItem, Membership
from tests.conftest import client_for, present

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def first(live_meeting, facilitator, secretary, member):
    """A meeting that gave two action items, then adjourned."""
    item = live_meeting.current_item
    lupe = Membership.objects.get(user=member)
    actions.minutes.add_action_item(
        meeting=live_meeting,
        by=secretary,
        what="Call the landlord",
        item_id=item.pk,
        assignee_id=lupe.pk,
        due=date(2027, 1, 15),
    )
    actions.minutes.add_action_item(
        meeting=live_meeting, by=secretary, what="Print flyers", assignee_name="Tomás"
    )
    actions.meetings.adjourn(meeting=live_meeting, by=facilitator)
    return live_meeting


@pytest.fixture
def second(first, organization, facilitator):
    meeting = organization.meetings.create(title="Next assembly")
    meeting.items.create(position=1, title="Action items", kind="review")
    return actions.meetings.start(meeting=meeting, by=facilitator)


def test_the_secretary_adds_an_action_item_from_the_notes_view(live_meeting, secretary, member):
    lupe = Membership.objects.get(user=member)
    item = live_meeting.current_item
    response = client_for(secretary).post(
        reverse("assembly:minutes-action-add", args=[live_meeting.pk]),
        {"what": "Book the hall", "assignee": lupe.pk, "due": "2027-02-01", "item": item.pk},
    )
    assert response.status_code == 302
    (added,) = ActionItem.objects.all()
    assert (added.what, added.assignee, added.item, added.due) == (
        "Book the hall",
        lupe,
        item,
        date(2027, 2, 1),
    )
    html = client_for(secretary).get(reverse("assembly:minutes", args=[live_meeting.pk]))
    assert "Book the hall" in html.content.decode()


def test_an_action_item_needs_someone(live_meeting, secretary):
    client_for(secretary).post(
        reverse("assembly:minutes-action-add", args=[live_meeting.pk]), {"what": "Something"}
    )
    assert not ActionItem.objects.exists()


def test_a_member_of_another_roll_cannot_be_given_one(live_meeting, secretary, outsider):
    stranger = Membership.objects.get(user=outsider)
    with pytest.raises(ActionError, match="not on this body's roll"):
        actions.minutes.add_action_item(
            meeting=live_meeting, by=secretary, what="x", assignee_id=stranger.pk
        )


def test_the_assignee_sees_theirs_on_the_phone_and_own_page(first, second, member):
    present(second, member)
    room = client_for(member).get(reverse("assembly:meeting-room", args=[second.pk]))
    assert "Call the landlord" in room.content.decode()
    page = client_for(member).get(reverse("assembly:my-action-items", args=["inquilinos"]))
    assert "Call the landlord" in page.content.decode()
    assert "Print flyers" not in page.content.decode()


def test_my_action_items_is_404_for_outsiders(first, outsider):
    response = client_for(outsider).get(reverse("assembly:my-action-items", args=["inquilinos"]))
    assert response.status_code == 404


def test_the_next_meeting_reviews_them_live(first, second, facilitator, member):
    room = client_for(member).get(reverse("assembly:meeting-room", args=[second.pk]))
    assert "Action items from earlier meetings" in room.content.decode()
    landlord, flyers = ActionItem.objects.order_by("id")
    console = client_for(facilitator)
    url = reverse("assembly:action-item-review", args=[second.pk, landlord.pk])
    response = console.post(url, {"outcome": "done"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="action-review"' in response.content.decode()
    actions.minutes.review_action_item(
        meeting=second, action_item_id=flyers.pk, outcome="moved", by=facilitator
    )
    landlord.refresh_from_db()
    flyers.refresh_from_db()
    assert (landlord.status, flyers.status) == ("done", "moved")
    assert list(ActionItem.objects.still_open()) == [flyers]
    actions.meetings.adjourn(meeting=second, by=facilitator)
    text = client_for(facilitator).get(reverse("assembly:minutes-markdown", args=[second.pk]))
    body = text.content.decode()
    assert "Call the landlord" in body and "Done" in body
    assert "Print flyers" in body and "Moved to the next meeting" in body


def test_a_bad_mark_is_refused(first, second, facilitator):
    landlord = ActionItem.objects.first()
    with pytest.raises(ActionError, match="done, moved or dropped"):
        actions.minutes.review_action_item(
            meeting=second, action_item_id=landlord.pk, outcome="open", by=facilitator
        )


def test_review_publishes_once_after_commit(
    first, second, facilitator, django_capture_on_commit_callbacks
):
    from unittest import mock

    landlord = ActionItem.objects.first()
    with (
        mock.patch("assembly.live.publish.broadcast") as broadcast,
        django_capture_on_commit_callbacks(execute=True),
    ):
        actions.minutes.review_action_item(
            meeting=second, action_item_id=landlord.pk, outcome="dropped", by=facilitator
        )
    broadcast.assert_called_once()
    assert "action-review" in broadcast.call_args.args[1]


def test_the_minutes_list_them_and_withhold_a_name_when_asked(first, secretary, member):
    Membership.objects.filter(user=member).update(withhold_name=True)
    text = client_for(secretary).get(reverse("assembly:minutes-markdown", args=[first.pk]))
    body = text.content.decode()
    assert "Call the landlord · a member" in body
    assert "Lupe" not in body
    assert "Print flyers · Tomás" in body


def test_a_done_item_leaves_the_assignees_phone_at_once(
    first, second, facilitator, member, django_capture_on_commit_callbacks
):
    from unittest import mock

    lupe = present(second, member)
    landlord = ActionItem.objects.get(what="Call the landlord")
    with (
        mock.patch("assembly.live.publish.send_personal") as told,
        django_capture_on_commit_callbacks(execute=True),
    ):
        actions.minutes.review_action_item(
            meeting=second, action_item_id=landlord.pk, outcome="done", by=facilitator
        )
    told.assert_called_once_with(lupe.pk, admitted=False)
    phone = client_for(member).get(reverse("assembly:meeting-room", args=[second.pk]))
    assert 'class="my-action-items"' not in phone.content.decode()  # none of hers is open


def _review_on(page) -> str:
    html = page.content.decode()
    return html[html.index('<section id="action-review"') :].split("</section>", 1)[0]


@pytest.mark.django_db(transaction=True)  # told after commit
def test_a_name_withheld_leaves_the_review_at_once(first, second, member):
    """A member who asks for their name to be withheld: the meeting reviewing their action
    item shows it withheld at the next load, not the room as its version showed it before."""
    phone = client_for(member)
    page = reverse("assembly:meeting-room", args=[second.pk])
    assert "Lupe" in _review_on(phone.get(page))
    lupe = Membership.objects.get(user=member)
    actions.organizations.set_name_withheld(membership=lupe, withhold=True, by=member)
    review = _review_on(phone.get(page))
    assert "Call the landlord" in review and "Lupe" not in review


def test_a_withheld_name_reads_in_each_phones_language(first, second, member, secretary):
    """The review is built once for a version, but its words per language: a Spanish phone
    opening the page after an English one reads "un miembro", not "a member"."""
    Membership.objects.filter(user=member).update(withhold_name=True)
    page = reverse("assembly:meeting-room", args=[second.pk])
    english = _review_on(client_for(secretary).get(page))
    spanish = _review_on(client_for(member).get(page, HTTP_ACCEPT_LANGUAGE="es"))
    assert "Call the landlord</strong> · a member" in english
    assert "Call the landlord</strong> · un miembro" in spanish and "a member" not in spanish


@pytest.mark.django_db(transaction=True)
def test_a_member_withholds_their_name_even_if_a_meeting_cannot_be_told(first, second, member):
    from unittest import mock

    lupe = Membership.objects.get(user=member)
    with mock.patch("assembly.live.publish.changed", side_effect=RuntimeError("Redis away")):
        actions.organizations.set_name_withheld(membership=lupe, withhold=True, by=member)
    lupe.refresh_from_db()
    assert lupe.withhold_name
