"""The organization's record across two meetings, in the browser: the secretary's notes and two
action items at the first; at the next, the action items reviewed (one done, one moved) and the
first meeting's minutes approved by a vote; the decision log finds the first decision by a
Spanish word; the minutes download as a PDF."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    LAPTOP,
    PHONE,
    PROJECTOR,
    check_in,
    new_meeting,
    screenshot,
    signed_in,
)

pytestmark = pytest.mark.e2e

ORGANIZATION = "/o/inquilinos-unidos"


def both_sizes(page, name: str) -> None:
    """A screenshot on a phone and on a projector-sized screen (with SCREENSHOTS set)."""
    size = page.viewport_size
    for label, viewport in (("phone", PHONE["viewport"]), ("wide", PROJECTOR["viewport"])):
        page.set_viewport_size(viewport)
        screenshot(page, f"{name}-{label}")
    page.set_viewport_size(size)


def vote_yes(console, question: str, lupe, tomas, translation: str = "") -> None:
    """A motion on the open item, carried by Lupe and Tomás."""
    console.locator(".new-decision summary").click()
    console.fill("#decision-question", question)
    if translation:
        console.fill("#decision-question-translation", translation)
    console.select_option("#decision-method", "motion")
    console.get_by_role("button", name="Prepare it").click()
    expect(console.locator("#decision")).to_contain_text(question)
    console.locator("#decision").get_by_role("button", name="Open voting").click()
    expect(console.locator("#decision")).to_contain_text("Close voting and count")
    lupe.locator("#decision").get_by_role("button", name="Sí", exact=True).click()
    tomas.locator("#decision").get_by_role("button", name="Yes", exact=True).click()
    expect(lupe.locator("#decision .voted-note")).to_contain_text("Tu voto quedó registrado.")
    expect(tomas.locator("#decision .voted-note")).to_be_visible()
    console.once("dialog", lambda dialog: dialog.accept())
    console.locator("#decision").get_by_role("button", name="Close voting and count").click()
    expect(tomas.locator("#decision .outcome")).to_have_text("Passed")


@pytest.mark.timeout(300)  # two whole meetings on a shared 2-core machine
def test_two_meetings_keep_the_record(browser, app_server):
    server = app_server.url
    march = new_meeting(app_server, "March assembly")
    app_server.manage(
        "shell",
        "-c",
        "from assembly.models import Meeting; "
        f"Meeting.objects.filter(pk={march}).update(bilingual=True)",
    )
    rosa_context, console = signed_in(browser, server, "rosa@example.org", **LAPTOP)
    marcus_context, desk = signed_in(browser, server, "marcus@example.org", **LAPTOP)
    lupe_context, lupe = signed_in(browser, server, "lupe@example.org", locale="es-ES", **PHONE)
    tomas_context, tomas = signed_in(browser, server, "tomas@example.org", **PHONE)

    # The March meeting: to the proposal, which carries.
    console.goto(f"{server}/m/{march}/console/")
    check_in(server, march, (lupe, tomas), desk)
    console.get_by_role("button", name="Start meeting").click()
    for title in ("Report", "Proposal"):
        console.get_by_role("button", name=re.compile("^Next item")).click()
        for screen in (console, tomas):  # the console's button now names the item after it
            expect(screen.locator("#current-item h2")).to_contain_text(title)
    vote_yes(
        console,
        "Fund the legal defense of the rent strike?",
        lupe,
        tomas,
        translation="¿Financiar la defensa legal de la huelga de alquileres?",
    )

    # Marcus's notes under the proposal, and two action items from it: one for Lupe, one for
    # Jin, who is not on the roll. Lupe's phone shows hers at once.
    desk.goto(f"{server}/m/{march}/minutes/")
    proposal = desk.locator("section.minutes-item", has_text="Proposal")
    proposal.locator("textarea").fill("Ten members spoke for the fund. The vote carried.")
    expect(proposal).to_contain_text("Saved at")
    for what, who, name, due in (
        ("Call the landlord's lawyer", "Lupe", "", "2027-04-01"),
        ("Print the strike flyers", "", "Jin", ""),
    ):
        proposal = desk.locator("section.minutes-item", has_text="Proposal")
        proposal.locator(".action-add summary").click()
        proposal.locator("input[name=what]").fill(what)
        if who:
            proposal.locator("select[name=assignee]").select_option(label=who)
        if name:
            proposal.locator("input[name=assignee_name]").fill(name)
        if due:
            proposal.locator("input[name=due]").fill(due)
        proposal.get_by_role("button", name="Add the action item").click()
        expect(desk.locator("section.minutes-item", has_text="Proposal")).to_contain_text(what)
    expect(lupe.locator(".my-action-items")).to_contain_text("Call the landlord's lawyer")
    expect(desk.locator("main")).to_contain_text("Jin")

    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="Adjourn").click()
    expect(lupe.locator("#current-item")).to_contain_text("Gracias por venir")

    # A correction after the meeting is kept: the history shows what changed, and by whom.
    desk.reload()
    proposal = desk.locator("section.minutes-item", has_text="Proposal")
    proposal.locator("textarea").fill("Twelve members spoke for the fund. The vote carried.")
    expect(proposal).to_contain_text("Saved at")
    desk.reload()
    desk.get_by_role("link", name="1 correction since the meeting").click()
    expect(desk.locator(".correction del")).to_contain_text("Ten")
    expect(desk.locator(".correction ins")).to_contain_text("Twelve")
    expect(desk.locator(".correction")).to_contain_text("Marcus (Secretary)")
    both_sizes(desk, "record-history")

    # The April meeting: Marcus plans it on his phone, in Spanish: a review of the action items,
    # then the approval of March's minutes, picked from the minutes waiting for approval.
    april = app_server.manage(
        "shell",
        "-c",
        "from assembly.models import Organization; "
        "org = Organization.objects.get(slug='inquilinos-unidos'); "
        "print(org.meetings.create(title='April assembly').pk)",
    ).stdout.split()[-1]
    phone_context, planner = signed_in(
        browser, server, "marcus@example.org", locale="es-ES", **PHONE
    )
    planner.goto(f"{server}/m/{april}/agenda/")
    add = planner.locator("#add-item")
    add.locator("#id_title").fill("Revisar las tareas")
    add.locator("#id_kind").select_option("review")
    add.get_by_role("button", name="Añadir al orden del día").click()
    add = planner.locator("#add-item")
    add.locator("#id_title").fill("Aprobar el acta de marzo")
    expect(add.get_by_label("Aprueba el acta de")).to_be_hidden()  # asked only for that kind
    add.locator("#id_kind").select_option("approve_minutes")
    expect(add.get_by_label("Aprueba el acta de")).to_contain_text("March assembly")
    add.get_by_label("Aprueba el acta de").select_option(str(march))
    screenshot(planner, "record-agenda-editor-phone-es")
    add.get_by_role("button", name="Añadir al orden del día").click()
    expect(planner.locator(".editor-items")).to_contain_text("aprueba el acta de March assembly")

    # The review, live: one done, one moved, on the console and on Lupe's phone.
    console.goto(f"{server}/m/{april}/console/")
    check_in(server, int(april), (lupe, tomas), desk)
    console.get_by_role("button", name="Start meeting").click()
    review = console.locator("#action-review")
    expect(review).to_contain_text("Call the landlord's lawyer")
    expect(lupe.locator("#action-review")).to_contain_text("Print the strike flyers")
    lawyer = review.locator("li", has_text="Call the landlord's lawyer")
    lawyer.get_by_role("button", name="Done").click()
    flyers = review.locator("li", has_text="Print the strike flyers")
    flyers.get_by_role("button", name="Move to the next meeting").click()
    phone_review = lupe.locator("#action-review")
    expect(phone_review.locator("li", has_text="Call the landlord's lawyer")).to_contain_text(
        "Terminado"
    )
    expect(phone_review.locator("li", has_text="Print the strike flyers")).to_contain_text(
        "Pasada a la próxima reunión"
    )
    expect(lupe.locator(".my-action-items")).to_have_count(0)  # hers is done: none open
    both_sizes(console, "record-review-console")
    both_sizes(lupe, "record-review-phone-es")

    # March's minutes approved by a vote on the next item: published, saying by which meeting.
    console.get_by_role("button", name=re.compile("^Next item")).click()
    expect(tomas.locator("#current-item h2")).to_contain_text("Aprobar el acta de marzo")
    # The draft is shared with the members who vote on it: a link from the item, read-only.
    expect(
        lupe.locator("#current-item").get_by_role("link", name="Leer el acta que se aprueba")
    ).to_have_attribute("href", f"/m/{march}/minutes/")
    vote_yes(console, "Approve the minutes of the March assembly?", lupe, tomas)
    desk.goto(f"{server}/m/{march}/minutes/")
    expect(desk.locator(".minutes-head")).to_contain_text(
        "by the meeting “April assembly”. They can no longer change."
    )
    expect(desk.locator("textarea")).to_have_count(0)

    # Lupe's own page: the lawyer's call, done.
    lupe.goto(f"{server}{ORGANIZATION}/my-action-items/")
    expect(lupe.locator(".action-items")).to_contain_text("Call the landlord's lawyer")
    expect(lupe.locator(".action-items")).to_contain_text("Terminado")
    both_sizes(lupe, "record-my-action-items-es")

    # The decision log finds March's decision by a Spanish word of its question.
    lupe.goto(f"{server}{ORGANIZATION}/decisions/")
    lupe.locator("#id_q").fill("huelga")
    lupe.get_by_role("button", name="Buscar").click()
    entries = lupe.locator("#decision-list .log-entry")
    expect(entries).to_have_count(1)
    expect(entries).to_contain_text("¿Financiar la defensa legal de la huelga de alquileres?")
    expect(entries).to_contain_text("March assembly")
    both_sizes(lupe, "record-decision-log-es")

    # Its minutes, now published, download as a PDF.
    entries.get_by_role("link", name="Leer el acta").click()
    expect(lupe.locator("h1")).to_contain_text("March assembly")
    with lupe.expect_download() as download:
        lupe.get_by_role("link", name="Descargar en PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert download.value.path().read_bytes().startswith(b"%PDF")

    for context in (rosa_context, marcus_context, phone_context, lupe_context, tomas_context):
        context.close()
