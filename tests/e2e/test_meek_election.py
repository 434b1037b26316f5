"""An election counted by Meek STV from the console: the form offers the rule, the projector and
the phones show it with the rounds and the quota."""

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
from tests.e2e.test_deciding import close_round, open_round, prepare

pytestmark = pytest.mark.e2e


def test_an_election_counted_by_meek_stv(browser, app_server):
    server = app_server.url
    meeting = new_meeting(app_server, "Assembly that elects by Meek")
    rosa_context, console = signed_in(browser, server, "rosa@example.org", **LAPTOP)
    marcus_context, desk = signed_in(browser, server, "marcus@example.org", **LAPTOP)
    tomas_context, tomas = signed_in(browser, server, "tomas@example.org", **PHONE)
    lupe_context, lupe = signed_in(browser, server, "lupe@example.org", locale="es-ES", **PHONE)
    projector = another_screen(browser, rosa_context, **PROJECTOR)
    console.goto(f"{server}/m/{meeting}/console/")
    projector.goto(f"{server}/m/{meeting}/projector/")
    for phone in (tomas, lupe):
        phone.goto(f"{server}/m/{meeting}/")
        phone.locator("form[action$='/check-in/'] button").click()
        expect(phone.locator("#me")).to_contain_text(re.compile("You are in as|Estás dentro como"))
    desk.goto(f"{server}/m/{meeting}/attendance/")
    desk.get_by_role("button", name="Check in Ernesto Díaz").click()
    expect(projector.locator("#attendance")).to_contain_text("Quorum held")
    console.get_by_role("button", name="Start meeting").click()

    console.locator(".new-decision summary").click()
    expect(console.locator("#decision-count-rule")).to_contain_text("Meek STV")
    screenshot(console, "meek-console-form")
    console.locator(".new-decision summary").click()
    prepare(
        console,
        "Treasurer",
        "ranked",
        options="Ana Morales\nBo Chen\nChayo Hernández",
        secret=True,
        **{"count-rule": "meek"},
    )
    expect(console.locator("#decision")).to_contain_text("Meek STV (PR Foundation reference rule)")
    open_round(console)
    expect(projector.locator("#decision")).to_contain_text("Meek STV")
    for phone, first, second, words in (
        (tomas, "Bo Chen", "Ana Morales", ("Choice", "Review my vote", "Cast my vote")),
        (lupe, "Bo Chen", "Chayo Hernández", ("Preferencia", "Revisar mi voto", "Emitir mi voto")),
    ):
        ballot = phone.locator("#decision form.ballot")
        ballot.get_by_label(f"{words[0]} 1").select_option(label=first)
        ballot.get_by_label(f"{words[0]} 2").select_option(label=second)
        ballot.get_by_role("button", name=words[1]).click()
        phone.locator("#ballot-review").get_by_role("button", name=words[2]).click()
        expect(phone.locator("#decision .voted-note")).to_be_visible()
    close_round(console)
    expect(projector.locator("#decision .outcome")).to_contain_text("Bo Chen")
    # The chart rounds the quota for the hall; its table keeps every decimal: 2 ballots / 2 + 10^-9.
    expect(projector.locator("#decision")).to_contain_text("1.000000001")
    expect(lupe.locator("#decision")).to_contain_text("VUT de Meek")
    screenshot(projector, "meek-election-projector")
    screenshot(lupe, "meek-election-phone-es")
    screenshot(console, "meek-election-console")
    for context in (rosa_context, marcus_context, tomas_context, lupe_context):
        context.close()
