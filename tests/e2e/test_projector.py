"""The projector at each moment of the evening (SCENARIO.md), at the three screen sizes a hall
has, in one language and in two: nothing is cut off, nothing leaves the screen, and a result
shows its counts, its reason and the names elected.

Each moment is a meeting of its own, brought to that state through the actions (as the room
would), so the checks do not depend on one another. Set SCREENSHOTS=dir to keep the pictures.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, screenshot, signed_in

# How pages read, whatever the database: CI's PostgreSQL pass leaves these out.
pytestmark = [pytest.mark.e2e, pytest.mark.layout]

SIZES = {"1920x1080": (1920, 1080), "1280x720": (1280, 720), "1024x768": (1024, 768)}
MOMENTS = ("waiting", "item", "decision", "consensus", "fallback", "election", "adjourned")
MODES = ("one", "two")  # one language; two side by side (a bilingual meeting)

SETUP = """
import json
from assembly import actions
from assembly.models import Meeting, Organization, User

org = Organization.objects.get(slug="inquilinos-unidos")
rosa = User.objects.get(email="rosa@example.org")
AGENDA = [
    ("Welcome and check-in", "Bienvenida y registro", "report"),
    ("Report: rent-strike committee", "Informe: comité de la huelga de alquileres", "report"),
    ("Proposal: commit the union's hardship fund to rapid response for members caught in "
     "immigration raids, with each grant capped at five hundred dollars",
     "Propuesta: destinar el fondo de ayuda del sindicato a la respuesta rápida para miembros "
     "atrapados en redadas de inmigración, con un máximo de quinientos dólares por ayuda",
     "proposal"),
    ("Election: three delegates to the city-wide tenants' council",
     "Elección: tres delegadas o delegados al consejo de inquilinos de la ciudad", "election"),
    ("Know-your-rights training: who will lead it", "Taller de derechos: quién lo va a dar",
     "discussion"),
    ("Announcements", "Anuncios", "report"),
]
QUESTION = (
    "Do we commit the hardship fund to rapid response for members caught in immigration raids, "
    "with each grant capped at $500 and a report to every general assembly?",
    "¿Destinamos el fondo de ayuda a la respuesta rápida para miembros atrapados en redadas de "
    "inmigración, con un máximo de 500 dólares por ayuda y un informe en cada asamblea general?",
)
NAMES = [
    "Guadalupe Hernández-Ortega", "Tomás Villaseñor", "María de los Ángeles Quintero",
    "Jin Park", "Esperanza Domínguez", "Xochitl Ramírez-Castañeda", "Bartolomé Ruiz",
    "Concepción Aguilar", "Lupe", "Wenceslao Ibáñez",
]
CANDIDATES = [
    "Ana Morales Villanueva", "Bo Chen", "Chayo Hernández-Ríos", "Dolores Ibarra",
    "Ernesto Díaz", "Fátima Nguyen", "Guadalupe Ortega", "Héctor Salinas",
]
# 26 ranked ballots that take eight rounds to fill three seats (quota 7).
RANKINGS = [(6, (0, 1)), (5, (1, 2)), (4, (2, 3)), (3, (3, 2)), (3, (4, 0)), (2, (5, 4)),
            (2, (6, 5)), (1, (7, 6))]


def meeting(bilingual, moment):
    m = Meeting.objects.create(
        organization=org, bilingual=bilingual, place="Boyle Heights community hall",
        title=f"General assembly of the Inquilinos Unidos de Boyle Heights — {moment}",
    )
    for position, (title, title_es, kind) in enumerate(AGENDA, start=1):
        m.items.create(position=position, title=title, kind=kind, timebox_minutes=30,
                       title_translation=title_es if bilingual else "")
    return m


def voters(m, count):
    people = []
    for n in range(count):
        name = NAMES[n % len(NAMES)] + ("" if n < len(NAMES) else f" {n // len(NAMES) + 1}")
        guest = actions.attendance.join_as_guest(meeting=m, display_name=name)
        actions.attendance.admit(meeting=m, attendee_id=guest.pk, by=rosa)
        people.append(actions.attendance.set_vote(
            meeting=m, attendee_id=guest.pk, may_vote=True, by=rosa))
    return people


def go_to(m, position):
    actions.meetings.go_to(meeting=m, item_id=m.items.get(position=position).pk, by=rosa)
    m.refresh_from_db()


def started(m):
    actions.meetings.start(meeting=m, by=rosa)
    m.refresh_from_db()


def hands(m, people, count):
    kinds = ["process", "clarifying", "speak", "information", "speak", "response", "speak"]
    for person, kind in zip(people[:count], kinds * 2):
        actions.stack.raise_hand(attendee=person, kind=kind)


def consensus(m, people):
    d = actions.decisions.create(
        meeting=m, by=rosa, question=QUESTION[0], question_translation=QUESTION[1],
        method="consensus", fallback_threshold="three_quarters")
    actions.decisions.open_round(meeting=m, decision_id=d.pk, by=rosa, override_quorum=True)
    return d


def cast(d, people, choices):
    for person, choice in zip(people, choices):
        actions.decisions.cast(decision_id=d.pk, attendee=person, choice=choice)


def close(m, d):
    return actions.decisions.close(meeting=m, decision_id=d.pk, by=rosa)


RESPONSES = ["agree", "agree", "agree", "reservations", "stand_aside", "block"]
VOTES = ["yes", "yes", "yes", "yes", "no", "abstain"]


def build(bilingual):
    ids = {}
    m = ids["waiting"] = meeting(bilingual, "waiting")
    voters(m, 3)

    m = ids["item"] = meeting(bilingual, "item")
    started(m)
    people = voters(m, 7)
    # A temperature check on the first item, closed: stale once the room moves on.
    actions.stack.open_temperature(meeting=m, question="Start with the report?", by=rosa)
    actions.stack.respond(attendee=people[0], value="agree")
    actions.stack.close_temperature(meeting=m, by=rosa)
    go_to(m, 3)
    hands(m, people, 7)
    actions.stack.call_next(meeting=m, by=rosa)  # one speaking, six waiting

    m = ids["decision"] = meeting(bilingual, "decision")
    started(m)
    people = voters(m, 6)
    go_to(m, 3)
    hands(m, people, 3)
    actions.stack.call_next(meeting=m, by=rosa)
    d = consensus(m, people)
    cast(d, people, [{"response": r} for r in RESPONSES[:4]])

    for moment in ("consensus", "fallback"):
        m = ids[moment] = meeting(bilingual, moment)
        started(m)
        people = voters(m, 6)
        go_to(m, 3)
        d = consensus(m, people)
        cast(d, people, [{"response": r} for r in RESPONSES])
        close(m, d)
        if moment == "fallback":
            f = actions.decisions.start_fallback(meeting=m, decision_id=d.pk, by=rosa)
            actions.decisions.open_round(
                meeting=m, decision_id=f.pk, by=rosa, override_quorum=True)
            cast(f, people, [{"vote": v} for v in VOTES])
            close(m, f)

    m = ids["election"] = meeting(bilingual, "election")
    started(m)
    people = voters(m, 26)
    go_to(m, 4)
    d = actions.decisions.create(
        meeting=m, by=rosa, question="Three delegates to the city-wide tenants' council",
        question_translation="Tres delegadas o delegados al consejo de inquilinos de la ciudad",
        method="ranked", options=CANDIDATES, seats=3, secret=True)
    actions.decisions.open_round(meeting=m, decision_id=d.pk, by=rosa, override_quorum=True)
    pks = list(d.options.order_by("position").values_list("pk", flat=True))
    ballots = [order for n, order in RANKINGS for _ in range(n)]
    cast(d, people, [{"options": [pks[i] for i in order]} for order in ballots])
    close(m, d)

    m = ids["adjourned"] = meeting(bilingual, "adjourned")
    started(m)
    voters(m, 3)
    actions.meetings.adjourn(meeting=m, by=rosa)
    return {moment: x.pk for moment, x in ids.items()}


print(json.dumps({"one": build(False), "two": build(True)}))
"""

# Whatever is shown on the projector stays inside the screen and inside its panel, and no box
# holds more than it shows (a clipped box scrolls: its scroll size exceeds its client size).
OVERFLOWS = """(selector) => {
    const vw = document.documentElement.clientWidth, vh = document.documentElement.clientHeight;
    const name = el => el.id ? '#' + el.id : el.tagName.toLowerCase() +
        (typeof el.className === 'string' && el.className.trim()
            ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    const text = el => (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
    const problems = [];
    const root = document.scrollingElement;
    if (selector === '.projector' && (root.scrollWidth > vw + 1 || root.scrollHeight > vh + 1))
        problems.push(`the page scrolls: ${root.scrollWidth}x${root.scrollHeight} in ${vw}x${vh}`);
    if (root.scrollWidth > vw + 1) problems.push(`the page is wider than the screen`);
    for (const el of document.querySelectorAll(selector + ' *')) {
        if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
        if (el.closest('.visually-hidden') || !el.checkVisibility()) continue;
        const r = el.getBoundingClientRect();
        if (!r.width && !r.height) continue;
        const where = `${name(el)} "${text(el)}"`;
        const offScreen = r.top < -1 || r.bottom > vh + 1;
        if (r.left < -1 || r.right > vw + 1 || (selector === '.projector' && offScreen))
            problems.push(`${where} leaves the screen: ${JSON.stringify(r)}`);
        if (el.clientHeight && el.scrollHeight > el.clientHeight + 2)
            problems.push(`${where} is cut: ${el.scrollHeight} high in ${el.clientHeight}`);
        if (el.clientWidth && el.scrollWidth > el.clientWidth + 2)
            problems.push(`${where} is cut: ${el.scrollWidth} wide in ${el.clientWidth}`);
        const panel = el.parentElement && el.parentElement.closest('.projector > *');
        if (panel) {
            const p = panel.getBoundingClientRect();
            const across = r.left < p.left - 1 || r.right > p.right + 1;
            if (across || r.top < p.top - 1 || r.bottom > p.bottom + 1)
                problems.push(`${where} leaves ${name(panel)}`);
        }
    }
    return problems;
}"""


@pytest.fixture(scope="module")
def moments(app_server) -> dict[str, dict[str, int]]:
    return json.loads(app_server.manage("shell", "-c", SETUP).stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def rosa(browser, server):
    context, _ = signed_in(browser, server, "rosa@example.org")
    state = context.storage_state()
    context.close()
    return state


def settle(page) -> None:
    """The socket is up, the room it sends on connect is in, and the text has been fitted."""
    status = page.locator("#live-status")
    expect(status).to_have_text(status.get_attribute("data-online") or "", timeout=10000)
    page.wait_for_timeout(400)


def assert_fits(page, selector: str = ".projector") -> None:
    problems = page.evaluate(OVERFLOWS, selector)
    assert not problems, f"{page.url} at {page.viewport_size}:\n  " + "\n  ".join(problems)


def shows(page, locator, text: str) -> None:
    """`text` is on the screen, in full: visible, and inside the viewport."""
    target = locator.filter(has_text=text).first
    expect(target).to_be_visible()
    box = target.bounding_box()
    size = page.viewport_size
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= size["height"] + 1, (text, box)
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"] + 1, (text, box)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("moment", MOMENTS)
def test_projector_shows_the_moment_without_cutting_anything(
    browser, server, moments, rosa, moment: str, size: str, mode: str
):
    width, height = SIZES[size]
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="en-US", storage_state=rosa
    )
    try:
        page = context.new_page()
        page.goto(f"{server}/m/{moments[mode][moment]}/projector/")
        settle(page)
        screenshot(page, f"projector-{moment}-{size}-{mode}")
        assert_fits(page)
        decision = page.locator("#decision")
        if mode == "two" and moment not in ("waiting", "adjourned"):
            expect(page.locator("#current-item h2 .other-lang")).to_contain_text(
                "Elección" if moment == "election" else "Propuesta"
            )
        if moment == "waiting":
            qr = page.locator(".join .qr svg").bounding_box()
            assert qr and qr["height"] >= height / 3, f"the QR code is {qr} on {size}"
            shows(page, page.locator(".join-code"), page.locator(".join-code").inner_text())
        elif moment == "item":
            shows(page, page.locator("#current-item h2"), "Proposal: commit")
            expect(page.locator("#current-item .timer")).to_be_visible()
            shows(page, page.locator("#stack .speaking-now"), "Guadalupe Hernández-Ortega")
            expect(page.locator("#stack .speaking-now .timer")).to_be_visible()
            expect(page.locator("#stack .queue li")).to_have_count(6)
            expect(page.locator("#temperature")).to_be_hidden()  # stale: on the first item
        elif moment == "decision":
            shows(page, decision.locator("h2"), "Do we commit the hardship fund")
            shows(page, page.locator("#turnout"), "4 of 6 have voted")
        elif moment == "consensus":
            shows(page, decision.locator(".outcome"), "Blocked: no consensus")
            bars = decision.locator("figure.chart g.bar")
            votes = [bars.nth(n).get_attribute("data-votes") for n in range(bars.count())]
            assert votes == ["3", "1", "1", "1", "0"]
            for label in ("Agree", "Reservations", "Stand aside", "Block"):
                shows(page, bars, label)
            shows(page, decision.locator(".why"), "1 block stops consensus")
        elif moment == "fallback":
            shows(page, decision.locator(".outcome"), "Passed")
            shows(page, decision.locator("figure.chart g.bar"), "4 · 80.0 %")
            shows(page, decision.locator("figure.chart g.threshold"), "4 needed")
            shows(page, decision.locator(".why"), "It needed 4 yes votes out of 5")
            shows(page, decision.locator(".why"), "three quarters")
        elif moment == "election":
            for name in ("Chayo Hernández-Ríos", "Ana Morales Villanueva", "Bo Chen"):
                shows(page, decision.locator(".winners li"), name)
            # The whole count: its last round, the three elected marked, the quota drawn.
            shows(page, decision.locator("figure.chart svg"), "Round 8 of 8")
            shows(page, decision.locator("figure.chart g.threshold"), "Quota: 7")
            expect(decision.locator("figure.chart g.bar[data-style=solid]")).to_have_count(3)
        elif moment == "adjourned":
            shows(page, page.locator("#current-item"), "The meeting is adjourned.")
            expect(page.locator(".join")).to_be_hidden()
    finally:
        context.close()


PHONE_360 = {**PHONE, "viewport": {"width": 360, "height": 740}}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("moment", ("consensus", "fallback", "election"))
def test_a_result_fits_a_small_phone(browser, server, moments, moment: str, mode: str):
    context, page = signed_in(
        browser,
        server,
        "lupe@example.org",
        locale="es-ES" if mode == "two" else "en-US",
        **PHONE_360,
    )
    try:
        page.goto(f"{server}/m/{moments[mode][moment]}/")
        settle(page)
        screenshot(page, f"phone-{moment}-{mode}")
        expect(page.locator("#decision .result")).to_be_visible()
        assert_fits(page, "#decision")
    finally:
        context.close()
