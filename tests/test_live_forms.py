"""Every form that reaches a screen by a push works as well as the first render: rendered without
a request, a pushed form holds no CSRF token of its own, so each must post through htmx, which
sends the page's token in a header for every request."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from django.test import Client
from django.urls import reverse

from assembly import actions
from assembly.live.render import AUDIENCES, ROOM_PARTS, render_parts, render_personal
from assembly.models import Attendee
from assembly.models.organizations import Role
from tests.conftest import make_person, unheard


class Forms(HTMLParser):
    """The forms in a piece of HTML: where each posts and what it sends (its first button's)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"attrs": attrs, "data": {}, "button": None}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self._form["data"][attrs["name"]] = attrs.get("value", "")
        elif tag == "select" and attrs.get("name"):
            self._form["data"][attrs["name"]] = ""
        elif tag == "button" and attrs.get("name") and self._form["button"] is None:
            self._form["button"] = (attrs["name"], attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def forms_in(html: str) -> list[dict]:
    parser = Forms()
    parser.feed(html)
    return parser.forms


def page_token(client: Client, url: str) -> str:
    """The token htmx sends: the one the first render put in <body hx-headers>."""
    html = client.get(url).content.decode()
    headers = re.search(r"hx-headers='([^']*)'", html)
    assert headers, "the page gives htmx no headers"
    return json.loads(headers.group(1))["X-CSRFToken"]


def htmx_submit(client: Client, form: dict, token: str):
    data = dict(form["data"])
    if form["button"]:
        data.setdefault(*form["button"])
    return client.post(
        form["attrs"]["hx-post"], data, HTTP_X_CSRFTOKEN=token, HTTP_HX_REQUEST="true"
    )


def test_every_pushed_form_posts_with_the_pages_token(live_meeting, facilitator, member):
    """The room at several moments (hands up, a guest waiting, a temperature check, a ballot
    open, a failed consensus with its fallback): every form of every pushed part, of every
    audience, and of the phone's own part, is submitted as htmx would; none is refused as
    forged."""
    meeting = live_meeting
    pushed: dict[str, list[dict]] = {"participant": [], "facilitator": [], "projector": []}
    with unheard():
        lupe = actions.attendance.check_in_member(meeting=meeting, user=member)
        ana = make_person(meeting.organization, "ana@example.org", Role.MEMBER)
        actions.attendance.check_in_member(meeting=meeting, user=ana)
        meeting.attendees.create(display_name="Jin", kind=Attendee.Kind.GUEST)
        actions.stack.raise_hand(attendee=lupe, kind="speak")
        actions.stack.open_temperature(meeting=meeting, question="Cap?", by=facilitator)

        def snapshot() -> None:
            meeting.refresh_from_db()
            for audience in AUDIENCES:
                html = render_parts(meeting, audience, ROOM_PARTS[audience], "en")
                pushed[audience] += forms_in(html)
            pushed["participant"] += forms_in(render_personal(lupe, "es"))

        def decision(method: str, **options) -> int:
            d = actions.decisions.create(
                meeting=meeting, by=facilitator, question="Rent strike?", method=method, **options
            )
            snapshot()  # a draft: the console's "Open voting"
            actions.decisions.open_round(meeting=meeting, decision_id=d.pk, by=facilitator)
            return d.pk

        snapshot()
        motion = decision("motion")
        snapshot()
        actions.decisions.close(meeting=meeting, decision_id=motion, by=facilitator)
        ranked = decision("ranked", options=["Ana", "Bo", "Cy"], secret=True)
        actions.decisions.close(meeting=meeting, decision_id=ranked, by=facilitator)
        consensus = decision("consensus", fallback_threshold="three_quarters")
        snapshot()
        actions.decisions.cast(decision_id=consensus, attendee=lupe, choice={"response": "block"})
        actions.decisions.close(meeting=meeting, decision_id=consensus, by=facilitator)
        snapshot()

    urls = {
        audience: {f["attrs"].get("hx-post") for f in forms} for audience, forms in pushed.items()
    }
    assert reverse("assembly:meeting-leave", args=[meeting.pk]) in urls["participant"]
    assert (
        reverse("assembly:decision-fallback", args=[meeting.pk, consensus]) in urls["facilitator"]
    )
    assert not pushed["projector"]

    for audience, user in (("participant", member), ("facilitator", facilitator)):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        page = reverse(
            "assembly:meeting-room" if audience == "participant" else "assembly:meeting-console",
            args=[meeting.pk],
        )
        token = page_token(client, page)
        # Each form once; leaving and adjourning last: after them the others are rightly refused.
        unique = {json.dumps(f, sort_keys=True): f for f in pushed[audience]}
        forms = sorted(
            unique.values(),
            key=lambda f: any(w in f["attrs"]["action"] for w in ("/leave/", "/adjourn/")),
        )
        with unheard():
            for form in forms:
                assert form["attrs"].get("hx-post"), f"a pushed form posts without htmx: {form}"
                response = htmx_submit(client, form, token)
                assert response.status_code != 403, form["attrs"]["hx-post"]
        assert len(forms) >= 5
