"""What a change repaints on each screen: little enough that a button someone is about to tap is
not replaced under their thumb, enough that every screen shows the change."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext

from assembly import actions, live
from assembly.live import fanout
from assembly.live.parts import (
    AUDIENCES,
    NESTED_IN,
    PERSONAL_PARTS,
    REPLY_IDS,
    ROOM_PARTS,
    Audience,
    Part,
    parts_for,
    select_oob,
)
from assembly.live.publish import broadcast, send_personal
from tests.conftest import present, unheard


@pytest.mark.parametrize(
    ("audience", "changed", "repainted"),
    [
        ("participant", ["queue"], ["queue"]),
        ("projector", ["queue"], ["queue"]),
        ("facilitator", ["queue"], ["stack"]),  # its stack has controls that change too
        ("facilitator", ["queue", "stack"], ["stack"]),
        ("participant", ["temperature-counts"], ["temperature-counts"]),
        ("participant", ["attendance", "turnout"], ["turnout"]),  # phones show no attendance
        ("projector", ["attendance", "turnout"], ["attendance", "turnout"]),
        ("participant", ["proposal-stage"], ["proposal-stage"]),
        ("facilitator", ["proposal-stage"], ["proposal"]),  # its stage buttons
        ("participant", ["amendments"], ["amendments"]),
    ],
)
def test_each_screen_repaints_only_what_it_has(audience, changed, repainted):
    assert parts_for(audience, changed) == repainted


def sent(meeting, parts) -> dict[str, str]:
    """What each group received for a change, by group name, with a screen open in every one."""
    calls = {}
    with (
        mock.patch("assembly.live.fanout.listened_among", side_effect=list),
        mock.patch("assembly.live.fanout.send", side_effect=calls.__setitem__),
    ):
        broadcast(meeting.pk, parts)
    return calls


def test_a_raised_hand_leaves_the_phones_buttons_alone(live_meeting, member, facilitator):
    with unheard():
        lupe = present(live_meeting, member)
        actions.stack.raise_hand(attendee=lupe, kind="speak")
    groups = sent(live_meeting, (Part.QUEUE,))
    phone = groups[f"m{live_meeting.pk}.participant.en"]
    console = groups[f"m{live_meeting.pk}.facilitator.en"]
    assert 'id="queue"' in phone and "Lupe" in phone
    assert "Raise your hand" not in phone and "<form" not in phone
    assert "Next speaker" in console


def test_a_twinkle_updates_the_counts_not_the_buttons(live_meeting, member, facilitator):
    with unheard():
        lupe = present(live_meeting, member)
        actions.stack.open_temperature(meeting=live_meeting, question="Cap?", by=facilitator)
        actions.stack.respond(attendee=lupe, value="agree")
    phone = sent(live_meeting, ("temperature-counts",))[f"m{live_meeting.pk}.participant.es"]
    assert 'id="temperature-counts"' in phone and "1 respuesta" in phone
    assert "<button" not in phone


def test_a_new_stage_leaves_a_change_being_written_alone(live_meeting, member, facilitator):
    with unheard():
        lupe = present(live_meeting, member)
        proposal = actions.proposals.submit(attendee=lupe, title="Fund", text="Commit it.")
        actions.proposals.bring_to_floor(
            meeting=live_meeting, proposal_id=proposal.pk, by=facilitator
        )
        actions.proposals.set_stage(
            meeting=live_meeting, proposal_id=proposal.pk, stage="concerns", by=facilitator
        )
    groups = sent(live_meeting, ("proposal-stage",))
    phone = groups[f"m{live_meeting.pk}.participant.en"]
    assert 'id="proposal-stage"' in phone and 'aria-current="step">Concerns' in phone
    assert "<textarea" not in phone  # the amend form is not replaced
    assert "Test for consensus on version 1" in groups[f"m{live_meeting.pk}.facilitator.en"]


def _partialdefs(audience: str) -> set[str]:
    path = settings.BASE_DIR / "templates" / "assembly" / "room" / f"{audience}.html"
    return set(re.findall(r"{%\s*partialdef\s+([\w-]+)", path.read_text()))


@pytest.mark.parametrize("audience", AUDIENCES)
def test_every_audience_template_defines_every_part_it_lists(audience):
    listed = {*ROOM_PARTS[audience], *NESTED_IN[audience]}
    if audience == Audience.PARTICIPANT:
        listed |= set(PERSONAL_PARTS)
    assert listed <= _partialdefs(audience)
    template = engines["django"].get_template(f"assembly/room/{audience}.html")
    for part in listed:  # each one also renders on its own, as a push does
        assert engines["django"].get_template(f"{template.template.name}#{part}")


@pytest.mark.parametrize("audience", AUDIENCES)
def test_the_pages_oob_list_names_only_ids_the_page_has(audience):
    ids = {name.lstrip("#") for name in select_oob(audience).split(",") if name}
    assert ids == set(REPLY_IDS[audience])
    assert {*ids} - {"room-version", "ballot-review", "flash"} <= _partialdefs(audience)


def test_an_unknown_part_is_refused(live_meeting, django_capture_on_commit_callbacks):
    with pytest.raises(ValueError, match="not a live part"):
        live.changed(live_meeting, parts=["stak"])
    with pytest.raises(ValueError, match="not a live part"):
        live.publish(live_meeting, parts=["me"])  # personal: sent to one person, never the room


def test_a_big_halls_turnout_is_coalesced_over_a_longer_window(monkeypatch):
    """A broadcast costs a write per socket: 2,000 phones get the turnout less often than 20,
    and still within a second."""
    from assembly.live import coalesce, fanout

    monkeypatch.setattr(fanout, "local_count", lambda: 20)
    small = coalesce.window()
    monkeypatch.setattr(fanout, "local_count", lambda: 2000)
    big = coalesce.window()
    assert small == coalesce.WINDOW < big <= coalesce.MAX_WINDOW < 1


def test_a_change_is_rendered_only_for_the_screens_that_are_open(live_meeting, settings):
    """One process holds every socket (`make run`): no Spanish phone, no projector, no console
    open, so only the English phones' part is rendered."""
    settings.REDIS_URL = ""
    english_phones = f"m{live_meeting.pk}.participant.en"
    calls = {}
    with (
        mock.patch.dict("assembly.live.fanout._groups", {english_phones: {object()}}, clear=True),
        mock.patch("assembly.live.fanout.send", side_effect=calls.__setitem__),
    ):
        broadcast(live_meeting.pk, (Part.QUEUE,))
    assert list(calls) == [english_phones]
    assert 'id="queue"' in calls[english_phones]


@pytest.mark.skipif(not settings.REDIS_URL, reason="the workers' presence is Redis's")
def test_on_redis_a_screen_is_rendered_only_if_some_worker_holds_one(live_meeting):
    """Each worker says, in Redis, which screens it holds a socket of: a hall with no Spanish
    projector anywhere renders no Spanish projector part, and one on another worker does,
    until that worker's presence lapses (it died without a word)."""
    redis = fanout._sync_redis()
    spanish_projector = f"m{live_meeting.pk}.projector.es"
    key = fanout.presence_key(spanish_projector)
    now = redis.time()[0]
    calls = {}
    try:
        with mock.patch("assembly.live.fanout.send", side_effect=calls.__setitem__):
            broadcast(live_meeting.pk, (Part.QUEUE,))
            assert calls == {}
            redis.zadd(key, {"another-worker": now + fanout.PRESENCE_TTL})
            broadcast(live_meeting.pk, (Part.QUEUE,))
            assert list(calls) == [spanish_projector]
            assert 'id="queue"' in calls.pop(spanish_projector)
            redis.zadd(key, {"another-worker": now - 1})  # lapsed: not renewed in time
            broadcast(live_meeting.pk, (Part.QUEUE,))
            assert calls == {}
    finally:
        redis.delete(key)


def test_with_redis_unreachable_every_screen_is_rendered_for(live_meeting, settings, monkeypatch):
    """Nobody can tell who listens: every screen gets the change rather than none."""
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
    monkeypatch.setattr(fanout, "_sync_client", None)
    calls = {}
    with (
        mock.patch.dict("assembly.live.fanout._groups", {}, clear=True),
        mock.patch("assembly.live.fanout.send", side_effect=calls.__setitem__),
    ):
        broadcast(live_meeting.pk, (Part.QUEUE,))
    audiences = {audience for audience in AUDIENCES if parts_for(audience, [Part.QUEUE])}
    languages = [code for code, _name in settings.LANGUAGES]
    assert set(calls) == {
        f"m{live_meeting.pk}.{audience}.{language}"
        for audience in audiences
        for language in languages
    }


def test_a_persons_own_part_goes_only_to_their_open_phone(live_meeting, member, settings):
    settings.REDIS_URL = ""
    with unheard():
        lupe = present(live_meeting, member)
    calls = {}
    with (
        mock.patch.dict("assembly.live.fanout._groups", {}, clear=True),
        mock.patch("assembly.live.fanout.send", side_effect=calls.__setitem__),
        CaptureQueriesContext(connection) as queries,
    ):
        send_personal(lupe.pk)
    assert calls == {} and len(queries) == 0  # no phone of hers open: nothing to render

    spanish = f"a{lupe.pk}.es"
    with (
        mock.patch.dict("assembly.live.fanout._groups", {spanish: {object()}}, clear=True),
        mock.patch("assembly.live.fanout.send", side_effect=calls.__setitem__),
    ):
        send_personal(lupe.pk)
    assert list(calls) == [spanish]


def test_a_push_names_the_parts_it_paints_with_those_nested_in_them(live_meeting, settings):
    """A phone that drops a late turnout line after a newer push of the whole decision knows
    the line was painted since (app.js): the decision's marker names the turnout too."""
    settings.REDIS_URL = ""
    english_phones = f"m{live_meeting.pk}.participant.en"
    marker = re.compile(r'id="room-version" data-version="\d+" data-parts="([^"]*)"')
    named = []
    for parts in ((Part.DECISION,), (Part.TURNOUT,)):
        calls = {}
        with (
            mock.patch.dict("assembly.live.fanout._groups", {english_phones: {1}}, clear=True),
            mock.patch("assembly.live.fanout.send", side_effect=calls.__setitem__),
        ):
            broadcast(live_meeting.pk, parts)
        named.append(marker.search(calls[english_phones]).group(1).split())
    assert named == [["decision", "turnout"], ["turnout"]]


def test_an_amendment_pushed_in_two_languages_is_marked_in_each(live_meeting, member, facilitator):
    """A proposal's marked changes carry a label for screen readers in the screen's language:
    the English and the Spanish phones get the same amendment, each labelled in its own."""
    with unheard():
        lupe = present(live_meeting, member)
        text = "Commit the hardship fund to rapid response."
        proposal = actions.proposals.submit(attendee=lupe, title="Fund", text=text)
        actions.proposals.bring_to_floor(
            meeting=live_meeting, proposal_id=proposal.pk, by=facilitator
        )
        proposal.refresh_from_db()
        actions.proposals.amend(
            attendee=lupe,
            proposal_id=proposal.pk,
            text=text.replace("rapid", "rapid and fair"),
            against=proposal.version,
        )
    groups = sent(live_meeting, (Part.AMENDMENTS,))
    english = groups[f"m{live_meeting.pk}.participant.en"]
    spanish = groups[f"m{live_meeting.pk}.participant.es"]
    assert "inserted:" in english and "añadido:" not in english
    assert "añadido:" in spanish and "inserted:" not in spanish
