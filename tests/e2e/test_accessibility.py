"""axe-core (WCAG 2.0-2.2 A and AA rules) over every page, at phone, laptop and projector sizes,
in English and Spanish, plus a keyboard check of the hand-raise buttons' focus outline.

axe-core comes from npm (package.json, pinned); `make e2e` installs it. Without it these tests
skip with a loud reason: they never pass without having run. The script is handed to
`page.evaluate`, which is not subject to the site's nonce-based CSP as an injected <script> is.

The checks use meetings of their own (created through the actions in the shell), so they do not
depend on where the other browser tests have left the demo meeting.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, PROJECTOR, ROOT, signed_in

# How pages read, whatever the database: CI's PostgreSQL pass leaves these out.
pytestmark = [pytest.mark.e2e, pytest.mark.layout]

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SIZES = {"phone": PHONE, "laptop": LAPTOP, "projector": PROJECTOR}
LOCALES = {"en": "en-US", "es": "es-ES"}

# Meetings, an organization and an invitation of the checks' own, in the states worth checking:
# one not started (members not checked in), one live with a hand up, someone speaking, a
# temperature check open, a secret ranked ballot open and a guest waiting at the door.
# Printed as JSON for the tests.
SETUP = """
import json
from assembly import actions, tally
from assembly.models import Invitation, Meeting, Membership, Organization, User

org = Organization.objects.get(slug="inquilinos-unidos")
org.proxies_allowed = True  # so the attendance page shows its proxies section
org.save(update_fields=["proxies_allowed"])
people = {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@example.org")}
rosa = people["rosa"]


def meeting(title, code):
    m, created = Meeting.objects.get_or_create(
        organization=org,
        title=title,
        defaults={"join_code": code, "bilingual": True, "place": "Community hall"},
    )
    if created:
        for position, (name, kind) in enumerate(
            [("Welcome", "report"), ("Proposal: a rent-strike fund", "proposal"),
             ("Election: two delegates", "election")],
            start=1,
        ):
            m.items.create(position=position, title=name, kind=kind, timebox_minutes=10)
    return m


quiet = meeting("Accessibility check: not started", "AXEQTA")
live = meeting("Accessibility check: live", "AXELVB")
if live.status == "scheduled":
    actions.meetings.start(meeting=live, by=rosa)
    live.refresh_from_db()
    actions.meetings.next_item(meeting=live, by=rosa)
    live.refresh_from_db()
    present = {
        name: actions.attendance.check_in_member(meeting=live, user=people[name])
        for name in ("marcus", "lupe", "tomas")
    }
    actions.stack.raise_hand(attendee=present["marcus"], kind="process")
    actions.stack.raise_hand(attendee=present["lupe"], kind="clarifying")
    actions.stack.call_next(meeting=live, by=rosa)
    actions.stack.open_temperature(meeting=live, question="Cap each grant at $500?", by=rosa)
    actions.stack.respond(attendee=present["marcus"], value="agree")
    actions.attendance.join_as_guest(meeting=live, display_name="Jin")
    # A proposal on the floor with one change accepted (marked) and one waiting; another queued.
    floor = actions.proposals.submit(
        attendee=present["lupe"], title="Rent-strike fund", text="Commit the fund to the strike."
    )
    actions.proposals.bring_to_floor(meeting=live, proposal_id=floor.pk, by=rosa)
    change = actions.proposals.amend(
        attendee=present["tomas"], proposal_id=floor.pk, against=1,
        text="Commit half the fund to the strike.",
    )
    actions.proposals.answer(
        meeting=live, amendment_id=change.pk, accept=True, attendee=present["lupe"]
    )
    actions.proposals.amend(
        attendee=present["tomas"], proposal_id=floor.pk, against=2,
        text="Commit half the fund to the strike, for three months.",
    )
    actions.proposals.submit(
        attendee=present["marcus"], title="Hall rental", text="Rent the hall.", new_business=True
    )
    election = actions.decisions.create(
        meeting=live, by=rosa, question="Two delegates", method="ranked",
        options=["Ana Morales", "Bo Chen", "Chayo Hernández"], seats=2, secret=True,
    )
    actions.decisions.open_round(
        meeting=live, decision_id=election.pk, by=rosa, override_quorum=True
    )

done = meeting("Accessibility check: minutes", "AXEMNT")
if done.status == "scheduled":
    actions.meetings.start(meeting=done, by=rosa)
    done.refresh_from_db()
    actions.meetings.next_item(meeting=done, by=rosa)
    done.refresh_from_db()
    voter = actions.attendance.check_in_member(meeting=done, user=people["lupe"])
    motion = actions.decisions.create(
        meeting=done, by=rosa, question="Open the fund?", method="motion"
    )
    actions.decisions.open_round(
        meeting=done, decision_id=motion.pk, by=rosa, override_quorum=True
    )
    actions.decisions.cast(decision_id=motion.pk, attendee=voter, choice={"vote": "yes"})
    actions.decisions.close(meeting=done, decision_id=motion.pk, by=rosa)
    actions.minutes.save_notes(
        meeting=done, item_id=done.current_item_id, text="Welcomed.", by=rosa
    )
    actions.meetings.adjourn(meeting=done, by=rosa)
    done.refresh_from_db()
    actions.minutes.publish(meeting=done, by=rosa)

# A counted STV election of several rounds, the room shown its second round (charts, steps).
results = meeting("Accessibility check: results", "AXERSL")
if results.status == "scheduled":
    actions.meetings.start(meeting=results, by=rosa)
    results.refresh_from_db()
    actions.attendance.check_in_member(meeting=results, user=people["lupe"])
    names = ["Ana Morales", "Bo Chen", "Chayo Hernández", "Dee Park"]
    a, b, c, d = names
    ranked = [(b, a), (c, b), (b, c), (b, a), (a, c), (d, a), (c,)]
    count = tally.count_rcv(
        tally.aggregate([tally.Ballot(r) for r in ranked]), names, tally.RcvRules(seats=3)
    )
    election = results.decisions.create(
        item=results.current_item, question="Three delegates", method="ranked", seats=3,
        status="closed", result={"kind": "ranked", "ballots": 7, "outcome": "elected",
                                 **count.to_dict()},
    )
    actions.decisions.show_round(
        meeting=results, decision_id=election.pk, round_number=2, by=rosa
    )

own = Organization.objects.filter(memberships__user=rosa, memberships__role="admin").first()
if own is None:
    own = actions.organizations.create(name="Accessibility Co-op", by=rosa)
    actions.organizations.add_person(
        organization=own, name="Dana Ortiz", email="", may_vote=True, by=rosa
    )
    actions.organizations.invite(
        organization=own, role="member", may_vote=True, email="", expires_in_days=7, by=rosa
    )
person = Membership.objects.filter(organization=own, user=None).first()
invitation = Invitation.objects.filter(organization=own).first()
print(json.dumps({
    "quiet": quiet.pk,
    "live": live.pk,
    "done": done.pk,
    "results": results.pk,
    "item": quiet.items.order_by("position").first().pk,
    "own": own.slug,
    "person": person.pk,
    "token": invitation.token,
}))
"""


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # formatted with the ids SETUP prints
    who: str | None = None  # the demo login, or None for someone not signed in
    sizes: tuple[str, ...] = ("phone", "laptop")
    locales: tuple[str, ...] = ("en",)


PAGES = [
    # Signed out
    Page("home-anonymous", "/"),
    Page("login", "/accounts/login/", locales=("en", "es")),
    Page("signup", "/accounts/signup/"),
    Page("login-by-code", "/accounts/login/code/"),
    Page("join", "/join/", locales=("en", "es")),
    Page("join-guest-form", "/join/BOYLEH/", locales=("en", "es")),
    Page("invitation-anonymous", "/invite/{token}/"),
    # Members
    Page("home", "/", who="lupe", locales=("en", "es")),
    Page("participant-not-checked-in", "/m/{quiet}/", who="tomas", locales=("en", "es")),
    Page("participant-live-hand-up", "/m/{live}/", who="lupe", locales=("en", "es")),
    Page("participant-live-speaking", "/m/{live}/", who="marcus"),
    Page("organization", "/o/inquilinos-unidos/", who="lupe"),
    Page("invitation", "/invite/{token}/", who="lupe"),
    # Facilitator
    Page("console", "/m/1/console/", who="rosa"),
    Page("console-live", "/m/{live}/console/", who="rosa"),
    Page("projector", "/m/1/projector/", who="rosa", sizes=("phone", "laptop", "projector")),
    Page(
        "projector-live",
        "/m/{live}/projector/",
        who="rosa",
        sizes=("phone", "laptop", "projector"),
    ),
    Page("console-result", "/m/{results}/console/", who="rosa"),
    Page(
        "projector-result",
        "/m/{results}/projector/",
        who="rosa",
        sizes=("phone", "laptop", "projector"),
    ),
    Page("participant-result", "/m/{results}/", who="lupe", locales=("en", "es")),
    Page("minutes-draft-result", "/m/{results}/minutes/", who="rosa"),
    Page("attendance", "/m/{live}/attendance/", who="rosa"),
    Page("minutes-draft", "/m/{live}/minutes/", who="rosa"),
    Page("minutes-published", "/m/{done}/minutes/", who="lupe", locales=("en", "es")),
    Page("agenda-editor", "/m/1/agenda/", who="rosa"),
    Page("agenda-item", "/m/{quiet}/agenda/items/{item}/", who="rosa"),
    Page("new-meeting", "/o/inquilinos-unidos/meetings/new/", who="rosa"),
    Page("organization-facilitator", "/o/inquilinos-unidos/", who="rosa"),
    # Admin (of the checks' own organization)
    Page("organization-new", "/organizations/new/", who="rosa"),
    Page("organization-admin", "/o/{own}/", who="rosa"),
    Page("organization-settings", "/o/{own}/settings/", who="rosa"),
    Page("organization-import", "/o/{own}/roll/import/", who="rosa"),
    Page("organization-member", "/o/{own}/people/{person}/", who="rosa"),
    Page("organization-remove", "/o/{own}/people/{person}/remove/", who="rosa"),
]

CASES = [
    pytest.param(page, size, locale, id=f"{page.name}-{size}-{locale}")
    for page in PAGES
    for size in page.sizes
    for locale in page.locales
]


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        how = (
            "run `npm ci` in the repository (or `make e2e`, which does)"
            if shutil.which("npm")
            else "npm is not installed: apt-get install npm, then `npm ci`"
        )
        pytest.skip(f"!!! ACCESSIBILITY NOT CHECKED: no axe-core at {AXE}; {how}.")
    return AXE.read_text()


@pytest.fixture(scope="session")
def ids(app_server) -> dict[str, object]:
    output = app_server.manage("shell", "-c", SETUP).stdout
    return json.loads(output.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def logins(browser, server):
    """Each demo person's signed-in cookies, taken once and reused by every context."""
    states: dict[str, dict] = {}

    def state(who: str) -> dict:
        if who not in states:
            context, _ = signed_in(browser, server, f"{who}@example.org")
            states[who] = context.storage_state()
            context.close()
        return states[who]

    return state


def settle(page) -> None:
    """Wait until a live page has its socket and the full room it is sent on connect."""
    status = page.locator("#live-status")
    if status.count():
        online = status.get_attribute("data-online")
        expect(status).to_have_text(online or "", timeout=10000)
        page.wait_for_timeout(300)  # htmx settles swapped content after a short delay


def axe(page, axe_source: str) -> list[dict]:
    page.evaluate(axe_source)
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    # A run that checked nothing must not read as a clean page.
    assert results["passes"], f"axe-core checked nothing on {page.url}"
    return results["violations"]


# What axe leaves as "needs review" when an id is used twice: a <label for> or aria-describedby
# then reaches only the first element, so the second form's field has no label. A check of its
# own, since both forms of a page (say "add a person" and "invite") render the same ids.
LABELS = """() => {
    const count = {};
    for (const el of document.querySelectorAll('[id]')) count[el.id] = (count[el.id] || 0) + 1;
    const problems = [];
    for (const [id, n] of Object.entries(count)) {
        if (n < 2) continue;
        const forms = [...document.querySelectorAll(`[id="${CSS.escape(id)}"]`)]
            .map(el => el.closest('form')?.getAttribute('action') || el.tagName.toLowerCase());
        problems.push(`id "${id}" is used ${n} times (${forms.join(', ')})`);
    }
    const fields = 'input:not([type=hidden], [type=submit], [type=button]), select, textarea';
    for (const el of document.querySelectorAll(fields)) {
        if (el.labels.length || el.ariaLabel || el.getAttribute('aria-labelledby')) continue;
        const form = el.closest('form')?.getAttribute('action');
        problems.push(`no label reaches ${el.outerHTML.slice(0, 200)} in form ${form}`);
    }
    return problems;
}"""


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"\n[{violation['impact']}] {violation['id']}: {violation['help']}"
            f"\n  {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            lines.append(f"  - target: {' '.join(map(str, node['target']))}")
            lines.append(f"    html:   {node['html'][:400]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n            ")
            lines.append(f"    why:    {summary}")
    return "\n".join(lines)


@pytest.mark.parametrize(("page_spec", "size", "locale"), CASES)
def test_page_has_no_axe_violations(
    browser, server, ids, logins, axe_source, page_spec: Page, size: str, locale: str
):
    options = {**SIZES[size], "locale": LOCALES[locale]}
    if page_spec.who:
        options["storage_state"] = logins(page_spec.who)
    context = browser.new_context(**options)
    try:
        page = context.new_page()
        response = page.goto(server + page_spec.path.format(**ids))
        assert response is not None and response.ok, f"{page_spec.path}: {response}"
        if locale == "es":
            assert page.locator("html").get_attribute("lang") == "es"
        settle(page)
        violations = axe(page, axe_source)
        assert not violations, f"{page.url} ({size}, {locale}):" + describe(violations)
        unlabelled = page.evaluate(LABELS)
        assert not unlabelled, f"{page.url}:\n  " + "\n  ".join(unlabelled)
    finally:
        context.close()


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_guest_waiting_page_has_no_axe_violations(browser, server, ids, axe_source, size):
    """The page a guest sees after asking to join, until the facilitator lets them in."""
    context = browser.new_context(**SIZES[size], locale="en-US")
    try:
        page = context.new_page()
        page.goto(server + "/join/AXELVB/")
        page.fill("input[name=display_name]", "Noor")
        page.get_by_role("button", name="Ask to join").click()
        expect(page.locator("#me")).to_contain_text("will let you in shortly")
        settle(page)
        violations = axe(page, axe_source)
        assert not violations, f"{page.url} ({size}):" + describe(violations)
    finally:
        context.close()


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_hand_raise_buttons_show_keyboard_focus(browser, server, ids, logins, size):
    """Tabbing reaches every hand-raise button, and each shows a visible focus outline."""
    context = browser.new_context(**SIZES[size], locale="en-US", storage_state=logins("tomas"))
    try:
        page = context.new_page()
        page.goto(server + f"/m/{ids['live']}/")
        settle(page)
        buttons = page.locator("form.hands button")
        expected = buttons.count()
        assert expected >= 1, "no hand-raise buttons on the live participant page"
        reached: dict[str, dict] = {}
        for _ in range(80):
            page.keyboard.press("Tab")
            focused = page.evaluate(
                """() => {
                    const el = document.activeElement;
                    if (!el || !el.closest('form.hands')) return null;
                    const style = getComputedStyle(el);
                    return {
                        label: el.textContent.trim(),
                        outlineStyle: style.outlineStyle,
                        outlineWidth: style.outlineWidth,
                        focusVisible: el.matches(':focus-visible'),
                    };
                }"""
            )
            if focused:
                reached[focused["label"]] = focused
            if len(reached) == expected:
                break
        assert len(reached) == expected, f"Tab reached only {sorted(reached)} of {expected}"
        for label, focus in reached.items():
            assert focus["focusVisible"], f"{label!r} is not :focus-visible from the keyboard"
            assert focus["outlineStyle"] != "none", f"{label!r} has no focus outline: {focus}"
            assert focus["outlineWidth"] not in ("0px", ""), f"{label!r}: {focus}"
    finally:
        context.close()


def test_a_secret_ranked_ballot_can_be_cast_by_keyboard_alone(browser, server, ids, logins):
    """The most common complaint about assembly tools: a screen-reader or keyboard user cannot
    vote. Tab to the ballot, rank with the arrow keys, review, cast; focus goes where it should."""
    context = browser.new_context(**SIZES["phone"], locale="en-US", storage_state=logins("tomas"))
    try:
        page = context.new_page()
        page.goto(server + f"/m/{ids['live']}/")
        settle(page)
        ballot = page.locator("#decision form.ballot")
        first = ballot.get_by_label("Choice 1")
        for _ in range(60):
            page.keyboard.press("Tab")
            if first.evaluate("el => el === document.activeElement"):
                break
        else:
            pytest.fail("Tab never reached the ballot's first choice")
        page.keyboard.press("ArrowDown")  # (none) → Ana Morales
        page.keyboard.press("Tab")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")  # (none) → Ana Morales → Bo Chen
        for _ in range(5):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent.trim()") == "Review my vote":
                break
        page.keyboard.press("Enter")
        review = page.locator("#ballot-review")
        expect(review).to_be_focused()  # the review is announced, not lost below the fold
        expect(review.locator("ol li")).to_have_text(["Ana Morales", "Bo Chen"])
        page.keyboard.press("Tab")
        expect(review.get_by_role("button", name="Cast my vote")).to_be_focused()
        page.keyboard.press("Enter")
        note = page.locator("#decision .voted-note")
        expect(note).to_be_visible()
        assert note.get_attribute("role") == "status"
        expect(ballot).to_be_hidden()
    finally:
        context.close()


def test_axe_is_the_pinned_version(axe_source):
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["axe-core"]
    installed = json.loads((AXE.parent / "package.json").read_text())["version"]
    assert installed == pinned, f"node_modules has axe-core {installed}, package.json {pinned}"
