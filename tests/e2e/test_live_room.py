"""The facilitator advances the agenda; phones and the projector follow without reloading."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    LAPTOP,
    PHONE,
    PROJECTOR,
    another_screen,
    new_meeting,
    screenshot,
    signed_in,
)

pytestmark = pytest.mark.e2e


def mark_loaded(page) -> None:
    # A value that only survives as long as the page is never reloaded.
    page.evaluate("window.__notReloaded = true")


def assert_not_reloaded(page) -> None:
    assert page.evaluate("window.__notReloaded === true")


def test_advancing_the_agenda_reaches_every_screen(browser, app_server):
    server = app_server.url
    m = f"/m/{new_meeting(app_server)}"
    rosa_context, console = signed_in(browser, server, "rosa@example.org", **LAPTOP)
    lupe_context, phone = signed_in(browser, server, "lupe@example.org", locale="es-ES", **PHONE)
    console.goto(server + m + "/console/")
    projector = another_screen(browser, rosa_context, **PROJECTOR)
    projector.goto(server + m + "/projector/")
    phone.goto(server + m + "/")

    for page in (console, projector, phone):
        expect(page.locator("#live-status")).not_to_have_class(re.compile("is-offline"))
        expect(page.locator("#live-status")).to_have_text(re.compile("Live|En directo"))
        mark_loaded(page)
    screenshot(phone, "participant-phone-before")
    screenshot(projector, "projector-before")

    console.get_by_role("button", name="Start meeting").click()
    for page in (phone, projector, console):
        expect(page.locator("#current-item h2")).to_have_text("Welcome and check-in", timeout=3000)
    expect(projector.locator(".timer")).to_be_visible()

    console.get_by_role("button", name=re.compile("^Next item")).click()
    for page in (phone, projector, console):
        expect(page.locator("#current-item h2")).to_have_text(
            "Report: rent-strike committee", timeout=3000
        )
    expect(phone.locator("#agenda li.is-done")).to_have_count(1)
    screenshot(console, "console-laptop")
    screenshot(phone, "participant-phone")
    screenshot(projector, "projector")

    for page in (console, projector, phone):
        assert_not_reloaded(page)
    rosa_context.close()
    lupe_context.close()


def test_a_phone_that_drops_off_catches_up_without_reloading(browser, app_server):
    server = app_server.url
    meeting_id = new_meeting(app_server)
    m = f"/m/{meeting_id}"
    tomas_context, phone = signed_in(browser, server, "tomas@example.org", **PHONE)
    phone.goto(server + m + "/")
    expect(phone.locator("#live-status")).to_have_text("Live")
    shown = phone.locator("#current-item h2").text_content()
    mark_loaded(phone)

    # The server goes away (as when the hall's Wi-Fi drops) and the meeting moves on meanwhile.
    app_server.stop()
    expect(phone.locator("#live-status")).to_have_class(re.compile("is-offline"))
    app_server.manage(
        "shell",
        "-c",
        "from assembly import actions; from assembly.models import Meeting, User; "
        f"m = Meeting.objects.get(pk={meeting_id}); "
        "rosa = User.objects.get(email='rosa@example.org'); "
        "m = actions.meetings.start(meeting=m, by=rosa); "
        "actions.meetings.next_item(meeting=m, by=rosa)",
    )
    app_server.start()

    expect(phone.locator("#live-status")).to_have_text("Live", timeout=15000)
    expect(phone.locator("#current-item h2")).not_to_have_text(shown or "", timeout=5000)
    assert_not_reloaded(phone)
    tomas_context.close()
