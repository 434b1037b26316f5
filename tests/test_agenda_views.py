"""Creating a meeting and editing its agenda, per person; the console's quick add."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse

from assembly import actions
from assembly.actions import agenda as agenda_actions
from assembly.models import AgendaItem, Meeting
from tests.conftest import client_for


@pytest.fixture(autouse=True)
def published():
    with mock.patch("assembly.live.publish.broadcast") as broadcast:
        yield broadcast


def url(name: str, meeting: Meeting, item: AgendaItem | None = None) -> str:
    kwargs = {"meeting_id": meeting.pk}
    if item is not None:
        kwargs["item_id"] = item.pk
    return reverse(f"assembly:{name}", kwargs=kwargs)


def new_url(slug: str = "inquilinos") -> str:
    return reverse("assembly:meeting-new", kwargs={"slug": slug})


def titles(meeting: Meeting) -> list[str]:
    return [i.title for i in meeting.items.filter(parked=False).order_by("position")]


def item(meeting: Meeting, title: str) -> AgendaItem:
    return meeting.items.get(title=title)


ITEM = {"title": "Announcements", "kind": "report", "timebox_minutes": "5", "presenter": ""}
SETTINGS = {
    "title": "General assembly",
    "starts_at": "2026-12-12T18:30",
    "place": "Community hall",
    "progressive_stack": "item",
    "projector_shows_names": "on",
    "speaking_limit_seconds": "90",
    "bilingual": "on",
    "quorum_rule": "",
}


# Who may come in.


@pytest.mark.parametrize(
    ("person", "status"),
    [("facilitator", 200), ("secretary", 200), ("member", 403), ("outsider", 404)],
)
def test_agenda_editor_is_for_the_organizations_staff(request, meeting, person, status):
    response = client_for(request.getfixturevalue(person)).get(url("agenda", meeting))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("person", "status"),
    [("facilitator", 200), ("secretary", 200), ("member", 403), ("outsider", 404)],
)
def test_new_meeting_page_is_for_the_organizations_staff(request, organization, person, status):
    response = client_for(request.getfixturevalue(person)).get(new_url())
    assert response.status_code == status


def test_agenda_editor_sends_anonymous_visitors_to_sign_in(client, meeting):
    response = client.get(url("agenda", meeting))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    "name", ["agenda-item-move", "agenda-item-park", "agenda-item-restore", "agenda-item-delete"]
)
def test_item_actions_refuse_get(meeting, facilitator, name):
    response = client_for(facilitator).get(url(name, meeting, item(meeting, "Report")))
    assert response.status_code == 405


@pytest.mark.parametrize("name", ["agenda-add", "agenda-quick-add", "meeting-settings"])
def test_agenda_posts_refuse_get(meeting, facilitator, name):
    assert client_for(facilitator).get(url(name, meeting)).status_code == 405


def test_agenda_editor_refuses_post(meeting, facilitator):
    assert client_for(facilitator).post(url("agenda", meeting)).status_code == 405


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("agenda-item-move", {"direction": "up"}),
        ("agenda-item-park", {}),
        ("agenda-item-delete", {}),
        ("agenda-item", ITEM),
    ],
)
def test_item_actions_are_refused_to_members_and_outsiders(meeting, member, outsider, name, data):
    target = url(name, meeting, item(meeting, "Report"))
    assert client_for(member).post(target, data).status_code == 403
    assert client_for(outsider).post(target, data).status_code == 404
    assert titles(meeting) == ["Welcome", "Report", "Proposal"]


def test_adding_is_refused_to_members_and_outsiders(meeting, member, outsider):
    assert client_for(member).post(url("agenda-add", meeting), ITEM).status_code == 403
    assert client_for(outsider).post(url("agenda-quick-add", meeting), ITEM).status_code == 404
    assert meeting.items.count() == 3


def test_an_item_of_another_meeting_is_404(meeting, organization, facilitator):
    other = Meeting.objects.create(organization=organization, title="Other")
    foreign = other.items.create(position=1, title="Not ours")
    client = client_for(facilitator)
    for name in ("agenda-item", "agenda-item-move", "agenda-item-park", "agenda-item-delete"):
        path = reverse(f"assembly:{name}", kwargs={"meeting_id": meeting.pk, "item_id": foreign.pk})
        assert client.post(path, {"direction": "up", **ITEM}).status_code == 404
    assert other.items.get().title == "Not ours"


# The editor page.


def test_agenda_editor_lists_items_in_order_with_labelled_move_buttons(meeting, secretary):
    html = client_for(secretary).get(url("agenda", meeting)).content.decode()
    assert html.index("Welcome") < html.index("Report") < html.index("Proposal")
    assert 'Move up<span class="visually-hidden">: Report</span>' in html
    assert 'Move down<span class="visually-hidden">: Report</span>' in html
    assert "3 items, 30 min planned" in html


def test_agenda_editor_shows_the_parking_lot(meeting, facilitator):
    agenda_actions.park_item(meeting=meeting, by=facilitator, item_id=item(meeting, "Report").pk)
    html = client_for(facilitator).get(url("agenda", meeting)).content.decode()
    lot = html[html.index('id="parking-lot"') :]
    assert "Report" in lot
    assert 'Restore<span class="visually-hidden">: Report</span>' in lot
    assert "2 items, 20 min planned" in html


# Items.


def test_add_item_appends_and_redirects_to_it(meeting, facilitator):
    response = client_for(facilitator).post(url("agenda-add", meeting), ITEM)
    added = item(meeting, "Announcements")
    assert response.status_code == 302
    assert response["Location"] == url("agenda", meeting) + f"#item-{added.pk}"
    assert titles(meeting)[-1] == "Announcements"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "   ", "Give the item a title."),
        ("title", "x" * 201, "at most 200 characters"),
        ("timebox_minutes", "0", "greater than or equal to 1"),
        ("timebox_minutes", "601", "less than or equal to 600"),
        ("timebox_minutes", "soon", "Enter a whole number"),
        ("kind", "party", "Select a valid choice"),
    ],
)
def test_add_item_refuses_bad_input_and_keeps_it(meeting, facilitator, field, value, message):
    data = {**ITEM, "description": "Keep me", field: value}
    response = client_for(facilitator).post(url("agenda-add", meeting), data)
    html = response.content.decode()
    assert response.status_code == 422
    assert message in html
    assert "Keep me" in html
    assert meeting.items.count() == 3


def test_edit_item_page_and_save(meeting, facilitator):
    report = item(meeting, "Report")
    client = client_for(facilitator)
    page = client.get(url("agenda-item", meeting, report))
    assert page.status_code == 200
    assert 'value="Report"' in page.content.decode()
    data = {**ITEM, "title": "Rent-strike report", "presenter": "Marcus", "timebox_minutes": 12}
    response = client.post(url("agenda-item", meeting, report), data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.title, report.presenter, report.timebox_minutes) == (
        "Rent-strike report",
        "Marcus",
        12,
    )


def test_edit_item_refuses_bad_input_and_keeps_it(meeting, facilitator):
    report = item(meeting, "Report")
    data = {**ITEM, "title": "New title", "timebox_minutes": "9999"}
    response = client_for(facilitator).post(url("agenda-item", meeting, report), data)
    assert response.status_code == 422
    assert 'value="New title"' in response.content.decode()
    report.refresh_from_db()
    assert report.title == "Report"


def test_move_buttons_reorder_and_past_the_end_say_so(meeting, facilitator):
    client = client_for(facilitator)
    proposal = item(meeting, "Proposal")
    response = client.post(url("agenda-item-move", meeting, proposal), {"direction": "up"})
    assert response["Location"].endswith(f"#item-{proposal.pk}")
    assert titles(meeting) == ["Welcome", "Proposal", "Report"]
    welcome = item(meeting, "Welcome")
    response = client.post(
        url("agenda-item-move", meeting, welcome), {"direction": "up"}, follow=True
    )
    assert "already first on the agenda" in response.content.decode()
    assert titles(meeting) == ["Welcome", "Proposal", "Report"]


def test_move_refuses_a_made_up_direction(meeting, facilitator):
    response = client_for(facilitator).post(
        url("agenda-item-move", meeting, item(meeting, "Report")),
        {"direction": "sideways"},
        follow=True,
    )
    assert "Move an item up or down." in response.content.decode()
    assert titles(meeting) == ["Welcome", "Report", "Proposal"]


def test_park_and_restore(meeting, facilitator):
    client = client_for(facilitator)
    welcome = item(meeting, "Welcome")
    client.post(url("agenda-item-park", meeting, welcome))
    assert titles(meeting) == ["Report", "Proposal"]
    client.post(url("agenda-item-restore", meeting, welcome))
    assert titles(meeting) == ["Report", "Proposal", "Welcome"]


def test_delete_removes_an_item_not_yet_taken_up(meeting, facilitator):
    response = client_for(facilitator).post(
        url("agenda-item-delete", meeting, item(meeting, "Report"))
    )
    assert response["Location"] == url("agenda", meeting)
    assert titles(meeting) == ["Welcome", "Proposal"]


def test_delete_refuses_the_open_item_with_a_message(meeting, facilitator):
    actions.meetings.start(meeting=meeting, by=facilitator)
    response = client_for(facilitator).post(
        url("agenda-item-delete", meeting, item(meeting, "Welcome")), follow=True
    )
    assert "This item is open now" in response.content.decode()
    assert meeting.items.count() == 3


# Settings and new meetings.


def test_settings_save(meeting, facilitator):
    data = {**SETTINGS, "quorum_rule": "count", "quorum_count": "25"}
    response = client_for(facilitator).post(url("meeting-settings", meeting), data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.progressive_stack == "item"
    assert meeting.speaking_limit_seconds == 90
    assert meeting.bilingual
    assert meeting.quorum_rule == "count"
    assert meeting.quorum_required(100) == 25
    assert meeting.starts_at.isoformat().startswith("2026-12-12T18:30")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"quorum_rule": "fraction", "quorum_numerator": "2"}, "Give the share"),
        (
            {"quorum_rule": "fraction", "quorum_numerator": "4", "quorum_denominator": "3"},
            "numerator must not be larger",
        ),
        ({"quorum_rule": "count", "quorum_count": "0"}, "at least 1 voting member"),
        ({"speaking_limit_seconds": "-5"}, "greater than or equal to 0"),
        ({"title": " "}, "Give the meeting a title."),
        ({"starts_at": "next tuesday"}, "Enter a valid date/time"),
        ({"progressive_stack": "always"}, "Select a valid choice"),
    ],
)
def test_settings_refuse_bad_input_and_keep_it(meeting, facilitator, extra, message):
    data = {**SETTINGS, "place": "Keep this hall", **extra}
    response = client_for(facilitator).post(url("meeting-settings", meeting), data)
    html = response.content.decode()
    assert response.status_code == 422
    assert message in html
    assert "Keep this hall" in html
    meeting.refresh_from_db()
    assert meeting.place == ""


def test_settings_clear_the_numbers_of_a_rule_not_chosen(meeting, facilitator):
    data = {**SETTINGS, "quorum_rule": "majority", "quorum_count": "25"}
    client_for(facilitator).post(url("meeting-settings", meeting), data)
    meeting.refresh_from_db()
    assert (meeting.quorum_rule, meeting.quorum_count) == ("majority", None)


def test_new_meeting_is_created_with_a_copy_of_an_earlier_agenda(meeting, organization, secretary):
    data = {**SETTINGS, "title": "December assembly", "copy_agenda_from": str(meeting.pk)}
    response = client_for(secretary).post(new_url(), data)
    created = organization.meetings.get(title="December assembly")
    assert response.status_code == 302
    assert response["Location"] == url("agenda", created)
    assert titles(created) == ["Welcome", "Report", "Proposal"]
    assert created.progressive_stack == "item"


def test_new_meeting_without_a_copy_starts_empty(organization, facilitator):
    client_for(facilitator).post(new_url(), {**SETTINGS, "title": "Special meeting"})
    assert organization.meetings.get(title="Special meeting").items.count() == 0


def test_new_meeting_refuses_to_copy_another_organizations_agenda(
    organization, other_organization, facilitator
):
    foreign = Meeting.objects.create(organization=other_organization, title="Theirs")
    foreign.items.create(position=1, title="Secret plans")
    data = {**SETTINGS, "title": "Ours", "copy_agenda_from": str(foreign.pk)}
    response = client_for(facilitator).post(new_url(), data)
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert not organization.meetings.filter(title="Ours").exists()


def test_new_meeting_offers_only_this_organizations_meetings(
    meeting, other_organization, facilitator
):
    Meeting.objects.create(organization=other_organization, title="Theirs")
    html = client_for(facilitator).get(new_url()).content.decode()
    assert f'<option value="{meeting.pk}">General assembly</option>' in html
    assert "Theirs" not in html


def test_new_meeting_for_another_organization_is_404(other_organization, facilitator):
    response = client_for(facilitator).post(new_url("local-99"), SETTINGS)
    assert response.status_code == 404
    assert not other_organization.meetings.exists()


def test_new_meeting_refuses_put(organization, facilitator):
    assert client_for(facilitator).put(new_url()).status_code == 405


# The console.


def test_console_links_to_the_agenda_and_offers_quick_add(meeting, facilitator):
    html = client_for(facilitator).get(url("meeting-console", meeting)).content.decode()
    assert f'href="{url("agenda", meeting)}"' in html
    assert 'id="agenda-quick-add"' in html


def test_quick_add_kinds_match_the_model(meeting, facilitator):
    html = client_for(facilitator).get(url("meeting-console", meeting)).content.decode()
    block = html[html.index('id="agenda-quick-add"') :]
    select = block[block.index('name="kind"') : block.index("</select>")]
    assert re.findall(r'value="(\w+)"', select) == AgendaItem.Kind.values


def test_quick_add_inserts_after_the_open_item_and_answers_htmx(meeting, facilitator, published):
    actions.meetings.start(meeting=meeting, by=facilitator)
    response = client_for(facilitator).post(
        url("agenda-quick-add", meeting),
        {"title": "Point of order", "kind": "discussion", "timebox_minutes": "5"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert titles(meeting) == ["Welcome", "Point of order", "Report", "Proposal"]
    assert 'id="agenda-quick-add"' in html
    assert 'id="agenda"' in html
    assert "Added “Point of order”." in html
    assert 'value="Point of order"' not in html  # a fresh form for the next one


def test_quick_add_refuses_bad_input_and_keeps_it(meeting, facilitator):
    actions.meetings.start(meeting=meeting, by=facilitator)
    response = client_for(facilitator).post(
        url("agenda-quick-add", meeting),
        {"title": "Keep me", "kind": "proposal", "timebox_minutes": "700"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert 'value="Keep me"' in html
    assert '<option value="proposal" selected>' in html
    assert "less than or equal to 600" in html
    assert meeting.items.count() == 3


def test_quick_add_without_htmx_redirects_to_the_console(meeting, facilitator):
    response = client_for(facilitator).post(
        url("agenda-quick-add", meeting),
        {"title": "Announcements", "kind": "report", "timebox_minutes": "5"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("meeting-console", meeting)
    assert titles(meeting)[-1] == "Announcements"


def test_quick_add_without_htmx_shows_the_form_again_on_bad_input(meeting, facilitator):
    response = client_for(facilitator).post(
        url("agenda-quick-add", meeting), {"title": "", "kind": "report", "timebox_minutes": "5"}
    )
    assert response.status_code == 422
    assert "Give the item a title." in response.content.decode()


def test_console_shows_how_far_behind_the_agenda_runs(meeting, facilitator):
    actions.meetings.start(meeting=meeting, by=facilitator)
    meeting.refresh_from_db()
    Meeting.objects.filter(pk=meeting.pk).update(
        started_at=meeting.started_at - timedelta(minutes=20)
    )
    AgendaItem.objects.filter(pk=meeting.current_item_id).update(
        started_at=meeting.started_at - timedelta(minutes=9)
    )
    html = client_for(facilitator).get(url("meeting-console", meeting)).content.decode()
    # 20 minutes in, the 5-minute welcome open for 9: 4 minutes over, and 11 lost before it.
    assert "Agenda: +15 min behind" in html


def test_rooms_do_not_show_parked_items(meeting, facilitator, member):
    agenda_actions.park_item(meeting=meeting, by=facilitator, item_id=item(meeting, "Report").pk)
    for person, page in ((member, "meeting-room"), (facilitator, "meeting-projector")):
        html = client_for(person).get(url(page, meeting)).content.decode()
        agenda = html[html.index('id="agenda"') :]
        assert "Proposal" in agenda
        assert "Report" not in agenda
