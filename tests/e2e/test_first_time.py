"""The first-time path: a visitor joins by code from the home page, a newcomer signs up under a
name of their choosing, and a facilitator finds how to schedule a meeting."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, screenshot, signed_in

pytestmark = pytest.mark.e2e


def test_a_visitor_joins_by_the_code_on_the_home_page(browser, server):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(server + "/")
    screenshot(page, "home-signed-out-phone")
    page.get_by_label("Meeting code (shown on the projector)").fill("boyleh")
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page).to_have_url(re.compile(r"/join/BOYLEH/"))
    context.close()


def test_a_newcomer_signs_up_under_a_chosen_name(browser, server):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(server + "/accounts/signup/")
    expect(page.get_by_text("A chosen name or nickname is fine")).to_be_visible()
    screenshot(page, "signup-phone")
    page.fill("input[name=email]", "maria.lopez@example.org")
    page.get_by_label("Your name in meetings").fill("La Flaca")
    page.fill("input[name=password1]", "a-long-pass-phrase")
    page.fill("input[name=password2]", "a-long-pass-phrase")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".site-header .who")).to_have_text("La Flaca")
    expect(page.locator(".site-header")).not_to_contain_text("maria")
    context.close()


def test_a_facilitator_finds_how_to_schedule_a_meeting(browser, server):
    context, page = signed_in(browser, server, "rosa@example.org", **LAPTOP)
    page.goto(server + "/o/inquilinos-unidos/")
    page.set_viewport_size({"width": 1366, "height": 768})
    screenshot(page, "organization-console-size")
    page.get_by_role("link", name="Schedule a meeting").click()
    expect(page).to_have_url(re.compile(r"/meetings/new/$"))
    context.close()
