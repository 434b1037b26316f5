"""SCENARIO.md steps 10, 12 and 13 in the browser: consensus is blocked, the fallback vote passes,
a secret ranked election fills two seats; phones in two languages, a member without a phone
voting through the secretary, and the projector showing the count and then the result."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    LAPTOP,
    PHONE,
    PROJECTOR,
    another_screen,
    check_in,
    new_meeting,
    screenshot,
    signed_in,
)

pytestmark = pytest.mark.e2e


def prepare(console, question: str, method: str, **fields) -> None:
    # Open the form if it is not: a click on its summary while a push shifts the console can
    # land elsewhere, as a person's tap would, who then taps again.
    form = console.locator(".new-decision")
    for _ in range(3):
        if form.evaluate("details => details.open"):
            break
        form.locator("summary").click()
        console.wait_for_timeout(200)
    console.fill("#decision-question", question)
    console.select_option("#decision-method", method)
    for field, value in fields.items():
        selector = f"#decision-{field}"
        if field in ("options", "seats"):
            console.fill(selector, value)
        elif field == "secret":
            console.check("input[name=secret]")
        else:
            console.select_option(selector, value)
    console.get_by_role("button", name="Prepare it").click()
    expect(console.locator("#decision")).to_contain_text(question)


def open_round(console) -> None:
    console.locator("#decision").get_by_role("button", name="Open voting").click()
    expect(console.locator("#decision")).to_contain_text("Close voting and count")


def close_round(console) -> None:
    console.once("dialog", lambda dialog: dialog.accept())
    console.locator("#decision").get_by_role("button", name="Close voting and count").click()


def test_consensus_then_fallback_then_a_secret_election(browser, app_server):
    server = app_server.url
    meeting = new_meeting(app_server, "Assembly that decides")
    rosa_context, console = signed_in(browser, server, "rosa@example.org", **LAPTOP)
    marcus_context, desk = signed_in(browser, server, "marcus@example.org", **LAPTOP)
    lupe_context, lupe = signed_in(browser, server, "lupe@example.org", locale="es-ES", **PHONE)
    tomas_context, tomas = signed_in(browser, server, "tomas@example.org", **PHONE)
    projector = another_screen(browser, rosa_context, **PROJECTOR)
    console.goto(f"{server}/m/{meeting}/console/")
    projector.goto(f"{server}/m/{meeting}/projector/")

    # Lupe and Tomás check in; Marcus checks in Ernesto, who has no phone: quorum (3 of 9).
    check_in(server, meeting, (lupe, tomas), desk)
    expect(projector.locator("#attendance")).to_contain_text("Quorum held")
    console.get_by_role("button", name="Start meeting").click()
    for item in ("Report", "Proposal"):  # htmx drops a click while one is on its way
        console.get_by_role("button", name=re.compile("^Next item")).click()
        expect(console.locator("#current-item h2")).to_contain_text(item)
    expect(lupe.locator("#current-item h2")).to_contain_text("Proposal")

    # Consensus, with a fallback vote at three quarters. Lupe blocks.
    prepare(
        console,
        "Commit the hardship fund to rapid response?",
        "consensus",
        fallback="three_quarters",
    )
    open_round(console)
    expect(projector.locator("#turnout")).to_have_text("0 of 3 have voted")
    tomas.locator("#decision").get_by_role("button", name="Agree", exact=True).click()
    lupe.locator("#decision").get_by_role("button", name="Bloqueo").click()
    expect(lupe.locator("#decision .voted-note")).to_contain_text("Tu voto quedó registrado.")
    expect(lupe.locator("#decision form.ballot")).to_be_visible()  # open: she may still change it
    # Her phone shows what she answered, and still does once she reloads the page.
    block = lupe.locator("#decision").get_by_role("button", name="Bloqueo")
    expect(block).to_have_attribute("aria-pressed", "true")
    lupe.reload()
    expect(block).to_have_attribute("aria-pressed", "true")
    expect(lupe.locator("#decision button[aria-pressed=true]")).to_have_count(1)
    expect(tomas.locator("#decision button[aria-pressed=true]")).to_have_text("Agree")
    desk.goto(f"{server}/m/{meeting}/attendance/")
    ernesto = desk.locator("#assisted-votes form", has_text="Vote of Ernesto Díaz")
    ernesto.get_by_role("button", name="Agree", exact=True).click()
    expect(desk.locator("body")).to_contain_text("The vote of Ernesto Díaz is recorded.")
    expect(projector.locator("#turnout")).to_have_text("3 of 3 have voted")
    close_round(console)
    expect(projector.locator("#decision .outcome")).to_have_text("Blocked: no consensus")
    expect(lupe.locator("#decision .outcome")).to_have_text("Se bloquea: no hay consenso")
    expect(projector.locator("#decision")).to_contain_text("recorded by the secretary")

    # The fallback vote: three yes of three cast passes three quarters.
    console.locator("#decision").get_by_role("button", name=re.compile("fallback vote")).click()
    open_round(console)
    expect(tomas.locator("#decision .eyebrow")).to_contain_text("fallback vote")
    expect(tomas.locator("#decision button[aria-pressed]")).to_have_count(0)  # a new round
    tomas.locator("#decision").get_by_role("button", name="Yes", exact=True).click()
    expect(tomas.locator("#decision button[aria-pressed=true]")).to_have_text("Yes")
    lupe.locator("#decision").get_by_role("button", name="Sí", exact=True).click()
    desk.goto(f"{server}/m/{meeting}/attendance/")
    desk.locator("#assisted-votes form").get_by_role("button", name="Yes", exact=True).click()
    expect(projector.locator("#turnout")).to_have_text("3 of 3 have voted")
    close_round(console)
    expect(projector.locator("#decision .outcome")).to_have_text("Passed")
    expect(tomas.locator("#decision .outcome")).to_have_text("Passed")
    screenshot(projector, "deciding-fallback-projector")

    # The election: a secret ranked ballot for two seats. Phones review before casting.
    console.get_by_role("button", name=re.compile("^Next item")).click()
    expect(tomas.locator("#current-item h2")).to_contain_text("Election")
    prepare(
        console,
        "Delegates to the tenants' council",
        "ranked",
        options="Ana Morales\nBo Chen\nChayo Hernández",
        seats="2",
        secret=True,
    )
    open_round(console)
    expect(tomas.locator("#decision .voted-note")).to_be_hidden()  # a new round, a new vote
    ballot = tomas.locator("#decision form.ballot")
    ballot.get_by_label("Choice 1").select_option(label="Bo Chen")
    ballot.get_by_label("Choice 2").select_option(label="Ana Morales")
    ballot.get_by_role("button", name="Review my vote").click()
    review = tomas.locator("#ballot-review")
    expect(review.locator("ol li")).to_have_text(["Bo Chen", "Ana Morales"])
    screenshot(tomas, "deciding-secret-review-phone")
    review.get_by_role("button", name="Cast my vote").click()
    expect(tomas.locator("#decision form.ballot")).to_be_hidden()
    expect(tomas.locator("#decision .voted-note")).to_be_visible()

    ballot = lupe.locator("#decision form.ballot")
    ballot.get_by_label("Preferencia 1").select_option(label="Chayo Hernández")
    ballot.get_by_label("Preferencia 2").select_option(label="Bo Chen")
    ballot.get_by_role("button", name="Revisar mi voto").click()
    lupe.locator("#ballot-review").get_by_role("button", name="Emitir mi voto").click()
    expect(lupe.locator("#decision .voted-note")).to_contain_text("Tu voto quedó registrado.")
    expect(lupe.locator("#decision form.ballot")).to_be_hidden()
    expect(projector.locator("#turnout")).to_have_text("2 of 3 have voted")
    expect(projector.locator("#decision")).not_to_contain_text("Bo Chen")  # no results while open
    close_round(console)
    winners = projector.locator("#decision .outcome")
    expect(winners).to_contain_text("Bo Chen")
    expect(projector.locator("#decision figure.chart")).to_be_visible()
    expect(lupe.locator("#decision .outcome")).to_contain_text("Bo Chen")
    screenshot(projector, "deciding-election-projector")
    screenshot(lupe, "deciding-election-phone-es")

    # The minutes (SCENARIO 16-17): Marcus's notes under the proposal, saved as he types; Rosa
    # adjourns; the draft holds the counts and every result; he publishes; Lupe reads them.
    desk.goto(f"{server}/m/{meeting}/minutes/")
    notes = desk.locator("section.minutes-item", has_text="Proposal").locator("textarea")
    notes.fill("Lupe blocked: the fund needs a cap. The fallback vote passed.")
    expect(desk.locator("section.minutes-item", has_text="Proposal")).to_contain_text("Saved at")
    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="Adjourn").click()
    expect(lupe.locator("#current-item")).to_contain_text("Gracias por venir")
    desk.reload()
    expect(desk.locator("#minutes-attendance + ul")).to_contain_text("3 people took part")
    expect(desk.locator("body")).to_contain_text("Blocked: no consensus")
    with desk.expect_download() as download:
        desk.get_by_role("link", name="Download as Markdown").click()
    markdown = download.value.path().read_text()
    assert markdown.startswith("# Assembly that decides")
    assert "The fallback vote passed." in markdown and "Bo Chen" in markdown
    desk.get_by_role("button", name="Publish the minutes").click()
    expect(desk.locator("#flash")).to_contain_text("The minutes are published")
    lupe.get_by_role("link", name="Leer el acta").click()
    expect(lupe.locator("h1")).to_have_text("Assembly that decides")
    expect(lupe.locator("main")).to_contain_text("The fallback vote passed.")
    expect(lupe.locator("main")).to_contain_text("Se bloquea: no hay consenso")
    expect(lupe.locator("main")).not_to_contain_text("Tomás")  # counts, never who was there
    screenshot(lupe, "minutes-phone-es")
    screenshot(desk, "minutes-laptop")

    for context in (rosa_context, marcus_context, lupe_context, tomas_context):
        context.close()


def test_a_decision_prepared_wrong_comes_back_with_what_was_typed(browser, app_server):
    server = app_server.url
    meeting = new_meeting(app_server, "Assembly that mistypes")
    context, console = signed_in(browser, server, "rosa@example.org", **LAPTOP)
    console.goto(f"{server}/m/{meeting}/console/")
    console.get_by_role("button", name="Start meeting").click()
    console.locator(".new-decision summary").click()
    console.fill("#decision-question", "Who goes to the city council?")
    console.select_option("#decision-method", "ranked")
    console.fill("#decision-options", "Lupe Hernández")  # one candidate: not an election
    console.get_by_role("button", name="Prepare it").click()
    form = console.locator(".new-decision")
    expect(form).to_have_attribute("open", "")
    expect(form.get_by_role("alert")).to_contain_text("List at least two options or candidates")
    expect(console.locator("#decision-question")).to_have_value("Who goes to the city council?")
    expect(console.locator("#decision-method")).to_have_value("ranked")
    expect(console.locator("#decision-options")).to_have_value("Lupe Hernández")
    screenshot(console, "console-decision-form-refused")
    console.fill("#decision-options", "Lupe Hernández\nTomás Reyes")
    console.get_by_role("button", name="Prepare it").click()
    expect(console.locator("#decision")).to_contain_text("Who goes to the city council?")
    context.close()


def test_an_open_approval_ballot_shows_the_phone_what_it_voted(browser, app_server):
    """Ticked as cast after a reload, to change one's mind from; ticks being changed are kept
    while the room's pushes arrive."""
    server = app_server.url
    meeting = new_meeting(app_server, "Assembly that approves")
    rosa_context, console = signed_in(browser, server, "rosa@example.org", **LAPTOP)
    marcus_context, desk = signed_in(browser, server, "marcus@example.org", **LAPTOP)
    tomas_context, tomas = signed_in(browser, server, "tomas@example.org", **PHONE)
    lupe_context, lupe = signed_in(browser, server, "lupe@example.org", **PHONE)
    console.goto(f"{server}/m/{meeting}/console/")
    check_in(server, meeting, (tomas, lupe), desk)
    console.get_by_role("button", name="Start meeting").click()
    days = "Monday\nWednesday\nFriday"
    prepare(console, "Which days for the food bank?", "approval", options=days)
    open_round(console)
    ballot = tomas.locator("#decision form.ballot")
    ballot.get_by_label("Monday").check()
    ballot.get_by_label("Friday").check()
    ballot.get_by_role("button", name="Vote").click()
    expect(tomas.locator("#decision .voted-note")).to_be_visible()
    tomas.reload()
    for day, ticked in (("Monday", True), ("Wednesday", False), ("Friday", True)):
        expect(ballot.get_by_label(day)).to_be_checked(checked=ticked)
    ballot.get_by_label("Wednesday").check()  # changing his mind, not yet sent
    lupe.locator("#decision form.ballot").get_by_label("Friday").check()
    lupe.locator("#decision form.ballot").get_by_role("button", name="Vote").click()
    expect(tomas.locator("#turnout")).to_have_text("2 of 3 have voted")
    expect(ballot.get_by_label("Wednesday")).to_be_checked()
    for context in (rosa_context, marcus_context, tomas_context, lupe_context):
        context.close()


def test_a_new_tap_after_a_lost_answer_is_cast_not_taken_for_the_lost_one(browser, app_server):
    """Tomás votes yes; the server records it, but the answer never reaches his phone (the
    Wi-Fi drops). He taps no at once: that is a new ballot, cast, and his phone says so, not the
    lost yes answered again under its operation key."""
    server = app_server.url
    meeting = new_meeting(app_server, "Assembly on a bad Wi-Fi")
    rosa_context, console = signed_in(browser, server, "rosa@example.org", **LAPTOP)
    marcus_context, desk = signed_in(browser, server, "marcus@example.org", **LAPTOP)
    tomas_context, tomas = signed_in(browser, server, "tomas@example.org", **PHONE)
    console.goto(f"{server}/m/{meeting}/console/")
    check_in(server, meeting, (tomas,), desk)
    console.get_by_role("button", name="Start meeting").click()
    prepare(console, "Hold the march on Saturday?", "motion")
    console.locator("#decision input[name=override_quorum]").check()
    open_round(console)
    lost = []

    def record_then_drop(route):
        route.fetch()  # the server records the ballot...
        lost.append(route.request.post_data)
        route.abort()  # ...and the phone never hears the answer

    tomas.route("**/vote/", record_then_drop, times=1)
    ballot = tomas.locator("#decision form.ballot")
    ballot.get_by_role("button", name="Yes", exact=True).click()
    for _ in range(50):  # until the yes reached the server and its answer was dropped
        if lost:
            break
        tomas.wait_for_timeout(50)
    assert lost and "vote=yes" in lost[0]
    ballot.get_by_role("button", name="No", exact=True).click()
    expect(ballot.get_by_role("button", name="No", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    tomas.wait_for_timeout(2500)  # the lost yes's retry, had it been left pending
    tomas.reload()
    expect(ballot.get_by_role("button", name="No", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    for context in (rosa_context, marcus_context, tomas_context):
        context.close()
