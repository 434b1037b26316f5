"""Gaps a secretary saw in the minutes: temperature checks left out, decision headings in one
language only, a meeting title with no translation, "0 proxies" printed when there were none, and
an election settled at once listed with a second "final count" round that only repeats the first."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assembly import actions, minutes
from assembly.models import TemperatureResponse
from tests.conftest import client_for, present

pytestmark = pytest.mark.usefixtures("quiet")


def markdown(meeting, user, language="en") -> str:
    url = reverse("assembly:minutes-markdown", args=[meeting.pk])
    return client_for(user).get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def page(meeting, user) -> str:
    return client_for(user).get(reverse("assembly:minutes", args=[meeting.pk])).content.decode()


def test_temperature_checks_are_in_the_minutes_with_their_counts(
    live_meeting, facilitator, secretary, member, guest
):
    lupe = present(live_meeting, member)
    actions.stack.open_temperature(
        meeting=live_meeting, question="Picket on Friday?", by=facilitator
    )
    actions.stack.respond(attendee=lupe, value="agree")
    actions.stack.respond(attendee=guest, value="unsure")
    actions.stack.close_temperature(meeting=live_meeting, by=facilitator)
    actions.meetings.adjourn(meeting=live_meeting, by=facilitator)
    TemperatureResponse.objects.all().delete()  # as `manage.py purge` does with the attendance
    text = markdown(live_meeting, secretary)
    counts = "Picket on Friday? — Agree 1, Unsure 1, Disagree 0"
    assert f"Temperature check (not a decision): {counts}" in text
    html = page(live_meeting, secretary)
    assert "Picket on Friday?" in html and "Temperature check (not a decision)" in html


def test_the_markdown_decision_heading_carries_both_languages(live_meeting, facilitator, secretary):
    live_meeting.bilingual = True
    live_meeting.save()
    decision = actions.decisions.create(
        meeting=live_meeting,
        by=facilitator,
        question="Commit the fund?",
        question_translation="¿Comprometer el fondo?",
        method="motion",
    )
    actions.decisions.open_round(
        meeting=live_meeting, decision_id=decision.pk, by=facilitator, override_quorum=True
    )
    actions.decisions.close(meeting=live_meeting, decision_id=decision.pk, by=facilitator)
    actions.meetings.adjourn(meeting=live_meeting, by=facilitator)
    assert "### Commit the fund? / ¿Comprometer el fondo?" in markdown(live_meeting, secretary)
    spanish = markdown(live_meeting, secretary, "es")
    assert "### ¿Comprometer el fondo? / Commit the fund?" in spanish


def test_the_meeting_title_carries_a_translation(live_meeting, facilitator, secretary):
    live_meeting.bilingual = True
    live_meeting.title_translation = "Asamblea general"
    live_meeting.save()
    actions.meetings.adjourn(meeting=live_meeting, by=facilitator)
    assert markdown(live_meeting, secretary).startswith("# General assembly / Asamblea general")
    assert "Asamblea general" in page(live_meeting, secretary)


def test_the_meeting_settings_take_the_title_translation(meeting, secretary):
    meeting.bilingual = True
    meeting.save()
    editor = client_for(secretary).get(reverse("assembly:agenda", args=[meeting.pk]))
    assert 'name="title_translation"' in editor.content.decode()


def test_no_proxy_line_when_there_were_no_proxies(live_meeting, facilitator, secretary):
    actions.meetings.adjourn(meeting=live_meeting, by=facilitator)
    assert "prox" not in markdown(live_meeting, secretary)
    assert "prox" not in page(live_meeting, secretary)


def test_an_election_settled_in_round_one_lists_one_round(
    live_meeting, facilitator, secretary, member
):
    voters = [present(live_meeting, user) for user in (member, secretary, facilitator)]
    decision = actions.decisions.create(
        meeting=live_meeting,
        by=facilitator,
        question="Two delegates",
        method="ranked",
        options=["Ana", "Bo", "Chayo"],
        seats=2,
    )
    actions.decisions.open_round(
        meeting=live_meeting, decision_id=decision.pk, by=facilitator, override_quorum=True
    )
    ids = {o.label: o.pk for o in decision.options.all()}
    for attendee, first in zip(voters, ["Ana", "Ana", "Bo"], strict=True):
        actions.decisions.cast(
            decision_id=decision.pk, attendee=attendee, choice={"options": [ids[first]]}
        )
    actions.decisions.close(meeting=live_meeting, decision_id=decision.pk, by=facilitator)
    decision.refresh_from_db()
    (shown,) = minutes.build(live_meeting).items[0].decisions
    stored = decision.result["rounds"]
    assert len(shown.result["rounds"]) == len(stored) - 1
    last = shown.result["rounds"][-1]
    assert last["elected"] or last["eliminated"]
    assert "final count" not in markdown(live_meeting, secretary)
