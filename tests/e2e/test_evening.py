"""SCENARIO.md's evening, as far as the product goes today: arrival, the stack, a temperature
check, moving through the agenda, on a facilitator's laptop, three phones and the projector."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, PROJECTOR, another_screen, screenshot, signed_in

pytestmark = pytest.mark.e2e


def test_an_evening_with_the_stack(browser, app_server):
    server = app_server.url
    app_server.manage(
        "shell",
        "-c",
        "from assembly.models import *; "
        "Meeting.objects.filter(pk=1).update(progressive_stack='item')",
    )
    rosa_context, console = signed_in(browser, server, "rosa@example.org", **LAPTOP)
    lupe_context, lupe = signed_in(browser, server, "lupe@example.org", locale="es-ES", **PHONE)
    tomas_context, tomas = signed_in(browser, server, "tomas@example.org", **PHONE)
    jin_context = browser.new_context(locale="en-US", **PHONE)
    jin = jin_context.new_page()
    projector = another_screen(browser, rosa_context, **PROJECTOR)

    console.goto(server + "/m/1/console/")
    projector.goto(server + "/m/1/projector/")
    code = projector.locator(".join-code").text_content().strip()

    # Arrival: members check in from their phones; Jin types the code and his first name.
    for phone in (lupe, tomas):
        phone.goto(server + "/m/1/")
        phone.locator("form[action$='/check-in/'] button").click()
        expect(phone.locator("#me")).to_contain_text(re.compile("You are in as|Estás dentro como"))
    jin.goto(server + "/join/")
    jin.fill("input[name=code]", code.lower())
    jin.get_by_role("button", name="Continue").click()
    jin.fill("input[name=display_name]", "Jin")
    jin.get_by_role("button", name="Ask to join").click()
    expect(jin.locator("#me")).to_contain_text("will let you in shortly")
    expect(console.locator("#attendance")).to_contain_text("Jin", timeout=3000)
    console.get_by_role("button", name="Admit Jin").click()
    expect(jin.locator("#me")).to_contain_text("You can speak but not vote", timeout=5000)
    # Two members without a phone are checked in by hand (a roll call); now quorum holds.
    expect(projector.locator("#attendance")).to_contain_text("No quorum yet")
    attendance = another_screen(browser, rosa_context, **LAPTOP)
    attendance.goto(server + "/m/1/attendance/")
    attendance.get_by_role("button", name="Check in Carmen Ruiz").click()
    attendance.get_by_role("button", name="Check in Ernesto Díaz").click()
    expect(attendance.locator("#present-people")).to_contain_text("checked in by hand")
    expect(projector.locator("#attendance")).to_contain_text("Quorum held")
    expect(console.locator("#attendance dd").nth(1)).to_have_text("4")

    # The meeting starts; the report's stack: Tomás to speak, Lupe a clarifying question,
    # Jin a point of process. Everyone sees the order and their own place.
    # The agenda carries a Spanish translation: each phone reads its own language first.
    console.get_by_role("button", name="Start meeting").click()
    for page in (tomas, jin, projector):
        expect(page.locator("#current-item h2 [lang]").first).to_have_text("Welcome and check-in")
    expect(lupe.locator("#current-item h2 [lang]").first).to_have_text("Bienvenida y registro")
    expect(lupe.locator("#current-item h2 .other-lang")).to_have_text("Welcome and check-in")
    console.get_by_role("button", name=re.compile("^Next item")).click()
    for page in (tomas, jin, projector):
        expect(page.locator("#current-item h2 [lang]").first).to_have_text(
            "Report: rent-strike committee"
        )
    expect(lupe.locator("#current-item h2 [lang]").first).to_have_text(
        "Informe: comité de la huelga de alquileres"
    )

    tomas.get_by_role("button", name="Speak", exact=True).click()
    expect(tomas.locator("#my-place")).to_have_text("You are number 1 in the queue.")
    lupe.get_by_role("button", name="Pregunta aclaratoria").click()
    jin.get_by_role("button", name="Point of process").click()
    expect(projector.locator("#stack .queue li")).to_have_text(
        [re.compile(r"^\s*Jin"), re.compile(r"^\s*Lupe"), re.compile(r"^\s*Tomás")]
    )
    expect(tomas.locator("#my-place")).to_have_text("You are number 3 in the queue.")
    expect(lupe.locator("#my-place")).to_have_text("Eres el número 2 en la lista.")
    screenshot(lupe, "evening-phone-es")
    screenshot(projector, "evening-projector")
    screenshot(console, "evening-console")

    # The facilitator gives Jin the floor; his phone says so; the projector times him.
    console.get_by_role("button", name="Next speaker").click()
    expect(jin.locator("#me .floor")).to_be_visible()
    expect(projector.locator(".speaking-now")).to_contain_text("Jin")
    expect(projector.locator(".speaking-now .timer")).to_be_visible()
    expect(tomas.locator("#my-place")).to_have_text("You are number 2 in the queue.")

    # Lupe lowers her hand; Tomás is next.
    lupe.get_by_role("button", name="Bajar la mano").click()
    expect(tomas.locator("#my-place")).to_have_text("You are number 1 in the queue.")

    # A temperature check: twinkles from the phones, counts everywhere.
    console.fill("#temperature-question", "Cap each grant at $500?")
    console.get_by_role("button", name="Start a temperature check").click()
    lupe.get_by_role("button", name="De acuerdo", exact=True).click()
    tomas.get_by_role("button", name="Agree", exact=True).click()
    jin.get_by_role("button", name="Unsure").click()
    expect(projector.locator("#temperature .count-agree .count")).to_have_text("2")
    expect(projector.locator("#temperature .count-unsure .count")).to_have_text("1")
    screenshot(jin, "evening-phone-guest")
    # Each phone recalls its own answer while the check is open, and not once it is closed.
    answer = tomas.locator(".my-answer")
    expect(answer).to_have_text("Your answer to the temperature check: Agree")
    console.get_by_role("button", name="Close the temperature check").click()
    expect(tomas.locator("#temperature")).to_contain_text("closed")
    expect(answer).to_be_hidden()

    for context in (rosa_context, lupe_context, tomas_context, jin_context):
        context.close()
