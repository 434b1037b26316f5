"""SCENARIO.md step 12 as a picture: a secret STV election for three seats is counted, and Rosa
steps the room through its rounds from the console; the projector and both phones (Spanish and
English, 390 and 360 px wide) follow each step."""

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

SMALL_PHONE = {**PHONE, "viewport": {"width": 360, "height": 740}}
# Who Marcus records a vote for (members of the roll without a phone), and their rankings.
BY_HAND = {
    "Carmen Ruiz": ["Bo Chen", "Chayo Hernández"],
    "Ernesto Díaz": ["Bo Chen", "Ana Morales"],
    "Ana Morales": ["Ana Morales", "Chayo Hernández"],
    "Bo Chen": ["Dee Park", "Ana Morales"],
    "Chayo Hernández": ["Chayo Hernández"],
}


def rank(form, names: list[str]) -> None:
    for number, name in enumerate(names):
        form.locator("select[name=rank]").nth(number).select_option(label=name)


def test_the_facilitator_steps_the_room_through_an_stv_count(browser, app_server):
    server = app_server.url
    meeting = new_meeting(app_server, "Assembly that elects")
    rosa_context, console = signed_in(browser, server, "rosa@example.org", **LAPTOP)
    marcus_context, desk = signed_in(browser, server, "marcus@example.org", **LAPTOP)
    lupe_context, lupe = signed_in(browser, server, "lupe@example.org", locale="es-ES", **PHONE)
    tomas_context, tomas = signed_in(browser, server, "tomas@example.org", **SMALL_PHONE)
    projector = another_screen(browser, rosa_context, **PROJECTOR)
    console.goto(f"{server}/m/{meeting}/console/")
    projector.goto(f"{server}/m/{meeting}/projector/")
    for phone in (lupe, tomas):
        phone.goto(f"{server}/m/{meeting}/")
        phone.locator("form[action$='/check-in/'] button").click()
        expect(phone.locator("#me")).to_contain_text(re.compile("You are in as|Estás dentro como"))
    desk.goto(f"{server}/m/{meeting}/attendance/")
    for name in BY_HAND:
        desk.get_by_role("button", name=f"Check in {name}").click()
    console.get_by_role("button", name="Start meeting").click()

    prepare(
        console,
        "Delegates to the tenants' council",
        "ranked",
        options="Ana Morales\nBo Chen\nChayo Hernández\nDee Park",
        seats="3",
        secret=True,
    )
    open_round(console)
    ballot = tomas.locator("#decision form.ballot")
    rank(ballot, ["Bo Chen", "Ana Morales"])
    ballot.get_by_role("button", name="Review my vote").click()
    tomas.locator("#ballot-review").get_by_role("button", name="Cast my vote").click()
    expect(tomas.locator("#decision .voted-note")).to_be_visible()
    ballot = lupe.locator("#decision form.ballot")
    rank(ballot, ["Chayo Hernández", "Bo Chen"])
    ballot.get_by_role("button", name="Revisar mi voto").click()
    lupe.locator("#ballot-review").get_by_role("button", name="Emitir mi voto").click()
    expect(lupe.locator("#decision .voted-note")).to_be_visible()
    desk.goto(f"{server}/m/{meeting}/attendance/")
    for name, ranking in BY_HAND.items():
        form = desk.locator("#assisted-votes").get_by_role(
            "group", name=f"Vote of {name}", exact=True
        )
        rank(form, ranking)
        form.get_by_role("button", name="Review my vote").click()
        expect(desk.locator("body")).to_contain_text(f"The vote of {name} is recorded.")
    expect(projector.locator("#turnout")).to_have_text("7 of 7 have voted")
    close_round(console)

    # The whole count first: the last round, the three elected marked, the quota drawn.
    chart = projector.locator("#decision figure.chart")
    expect(chart).to_have_attribute("data-round", "4")
    expect(chart.locator("svg")).to_contain_text("Quota: 2")
    expect(chart.locator("svg g.bar[data-style=solid]")).to_have_count(3)
    expect(console.locator(".round-steps")).to_contain_text("The room sees the whole count.")
    screenshot(projector, "charts-whole-projector")

    steps = console.locator(".round-steps")
    screens = [(projector, "Round"), (tomas, "Round"), (lupe, "Ronda")]
    for number in (1, 2, 3):
        steps.get_by_role("button", name="Next round").click()
        for screen, word in screens:
            figure = screen.locator("#decision figure.chart")
            expect(figure).to_have_attribute("data-round", str(number))
            expect(figure.locator("svg")).to_contain_text(f"{word} {number} ")
        expect(steps).to_contain_text(f"The room sees round {number} of 4.")
        screenshot(projector, f"charts-round{number}-projector")
        screenshot(lupe, f"charts-round{number}-phone-es")
        screenshot(tomas, f"charts-round{number}-phone-360")

    # Round 1: Bo and Chayo reach the quota; round 2: Ana has received part of Bo's surplus and
    # Dee is eliminated; the picture says so in words, not colour alone.
    steps.get_by_role("button", name="Previous round").click()
    figure = projector.locator("#decision figure.chart")
    expect(figure).to_have_attribute("data-round", "2")
    ana = figure.locator("g.bar[data-label='Ana Morales']")
    expect(ana).to_have_attribute("data-votes", "1.6666")
    expect(ana.locator("rect.gain")).to_have_attribute("data-votes", "0.6666")
    expect(figure.locator("g.bar[data-label='Dee Park']")).to_contain_text("✗ eliminated")
    expect(figure.locator(".round-events")).to_have_text("Round 2: eliminated: Dee Park")
    expect(lupe.locator("#decision figure.chart g.bar[data-label='Dee Park']")).to_contain_text(
        "eliminado"
    )
    # The same numbers are there for a screen reader, in a table the chart hides nothing from.
    expect(tomas.locator("#decision figure.chart table")).to_contain_text("Ana Morales")

    steps.get_by_role("button", name="Whole count").click()
    for screen, _word in screens:
        expect(screen.locator("#decision figure.chart")).to_have_attribute("data-round", "4")
    expect(steps.get_by_role("button", name="Whole count")).to_be_disabled()

    for context in (rosa_context, marcus_context, lupe_context, tomas_context):
        context.close()
