"""A tie drawn by lot in the room: the organization breaks ties by lot, two phones rank two
candidates each way, the count pauses on the projector, the facilitator draws on the console,
and the projector and the phones show the seed and who the lot elected."""

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

SEED = re.compile(r"Lot drawn with seed (\d{6}): (Ana Morales|Bo Chen) is elected")


def test_a_tie_paused_then_drawn_by_lot_in_the_room(browser, app_server):
    server = app_server.url
    app_server.manage(
        "shell",
        "-c",
        "from assembly.models import Organization; "
        "Organization.objects.filter(slug='inquilinos-unidos').update(election_ties='room_lot')",
    )
    meeting = new_meeting(app_server, "Assembly that draws lots")
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

    prepare(
        console, "Delegate", "ranked", options="Ana Morales\nBo Chen\nChayo Hernández", secret=True
    )
    open_round(console)
    # Each ranks the two the other way round: Chayo goes out, then Ana and Bo are level.
    for phone, first, second, words in (
        (tomas, "Ana Morales", "Bo Chen", ("Choice", "Review my vote", "Cast my vote")),
        (lupe, "Bo Chen", "Ana Morales", ("Preferencia", "Revisar mi voto", "Emitir mi voto")),
    ):
        ballot = phone.locator("#decision form.ballot")
        ballot.get_by_label(f"{words[0]} 1").select_option(label=first)
        ballot.get_by_label(f"{words[0]} 2").select_option(label=second)
        ballot.get_by_role("button", name=words[1]).click()
        phone.locator("#ballot-review").get_by_role("button", name=words[2]).click()
        expect(phone.locator("#decision .voted-note")).to_be_visible()
    close_round(console)

    paused = (
        "The count is paused: a tie between Ana Morales and Bo Chen for a seat in round 2. "
        "The facilitator draws a lot."
    )
    expect(projector.locator("#decision .tie-pause")).to_contain_text(paused)
    expect(tomas.locator("#decision .tie-pause")).to_contain_text(paused)
    expect(lupe.locator("#decision .tie-pause")).to_contain_text("El conteo está en pausa")
    expect(projector.locator("#decision .winners")).to_have_count(0)
    draw = console.locator("#decision").get_by_role("button", name="Draw the lot")
    expect(draw).to_be_visible()
    screenshot(console, "tie-lot-console-paused")
    screenshot(projector, "tie-lot-projector-paused")
    screenshot(lupe, "tie-lot-phone-paused-es")

    draw.click()
    drawn = projector.locator("#decision .lot-drawn")
    expect(drawn).to_contain_text(SEED)
    found = SEED.search(drawn.inner_text())
    assert found is not None
    seed, name = found.groups()
    expect(projector.locator("#decision .winners")).to_have_text(name)
    expect(projector.locator("#decision .tie-pause")).to_have_count(0)
    expect(tomas.locator("#decision .lot-drawn")).to_contain_text(f"seed {seed}: {name}")
    expect(lupe.locator("#decision .lot-drawn")).to_contain_text(
        f"Sorteo con la semilla {seed}: {name} obtiene el puesto"
    )
    expect(console.locator("#decision .lot-drawn")).to_contain_text(seed)
    expect(draw).to_have_count(0)
    screenshot(console, "tie-lot-console-drawn")
    screenshot(projector, "tie-lot-projector-drawn")
    screenshot(tomas, "tie-lot-phone-drawn")
    screenshot(lupe, "tie-lot-phone-drawn-es")

    # The secretary's minutes keep the lot: its seed and what it decided.
    desk.goto(f"{server}/m/{meeting}/minutes/")
    expect(desk.locator("main")).to_contain_text(f"seed {seed}: {name}")
    for context in (rosa_context, marcus_context, tomas_context, lupe_context):
        context.close()
