"""A bilingual meeting's projector shows its interface in both languages; phones and the console
stay in their person's own language."""

from __future__ import annotations

import pytest

from assembly.live.parts import Audience, Part
from assembly.live.render import ROOM_PARTS, render_parts
from tests.conftest import present, unheard


@pytest.fixture
def started(live_meeting):
    live_meeting.bilingual = True
    live_meeting.save()
    return live_meeting


@pytest.mark.parametrize(
    ("language", "first", "second"),
    [("en", "Speakers", "Lista de palabra"), ("es", "Lista de palabra", "Speakers")],
)
def test_the_projector_shows_both_languages_its_own_first(started, language, first, second):
    html = render_parts(started, Audience.PROJECTOR, [Part.STACK], language)
    assert first in html and second in html
    assert html.index(first) < html.index(second)
    other = "es" if language == "en" else "en"
    assert f'<span class="other-lang" lang="{other}">' in html


def test_sentences_with_numbers_are_translated_for_the_second_language_too(started, member):
    with unheard():
        present(started, member)
    html = render_parts(started, Audience.PROJECTOR, [Part.ATTENDANCE], "en")
    assert "No quorum yet: 1 voting present, 2 needed" in html
    assert "Todavía no hay quórum: hay 1 con voto y se necesitan 2" in html


def test_a_meeting_that_is_not_bilingual_shows_one_language(live_meeting):
    html = render_parts(live_meeting, Audience.PROJECTOR, [Part.STACK], "en")
    assert "Speakers" in html and "Lista de palabra" not in html and "other-lang" not in html


@pytest.mark.parametrize("audience", ["participant", "facilitator"])
def test_phones_and_the_console_keep_to_one_language(started, audience):
    html = render_parts(started, audience, ROOM_PARTS[audience], "es")
    assert "other-lang" not in html and "Nobody is waiting" not in html
