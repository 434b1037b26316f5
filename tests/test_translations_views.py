"""What people write, in two languages: on a bilingual meeting an item's title and description and
a decision's question may carry a translation, and every reader sees their own language first."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assembly import actions
from assembly.live.parts import Audience, Part
from assembly.live.render import render_parts
from tests.conftest import client_for, present, unheard


@pytest.fixture
def bilingual(live_meeting):
    live_meeting.bilingual = True
    live_meeting.language = "en"
    live_meeting.save()
    item = live_meeting.current_item
    item.description = "Money for legal first aid."
    item.title_translation = "Bienvenida"
    item.description_translation = "Dinero para primeros auxilios legales."
    item.save()
    return live_meeting


def test_a_spanish_phone_reads_spanish_first_and_english_under_it(bilingual):
    html = render_parts(bilingual, Audience.PARTICIPANT, [Part.CURRENT_ITEM], "es")
    assert '<span lang="es">Bienvenida</span>' in html
    assert '<span class="other-lang" lang="en">Welcome</span>' in html
    assert html.index("Dinero para") < html.index("Money for")
    assert 'class="description other-lang" lang="en"' in html


def test_an_english_phone_reads_english_first(bilingual):
    html = render_parts(bilingual, Audience.PARTICIPANT, [Part.CURRENT_ITEM], "en")
    assert '<span lang="en">Welcome</span>' in html
    assert '<span class="other-lang" lang="es">Bienvenida</span>' in html


def test_agenda_lists_show_only_the_readers_language(bilingual):
    spanish = render_parts(bilingual, Audience.PARTICIPANT, [Part.AGENDA], "es")
    assert "Bienvenida" in spanish and ">Welcome<" not in spanish


def test_without_a_bilingual_meeting_the_translation_stays_hidden(bilingual):
    bilingual.bilingual = False
    bilingual.save()
    html = render_parts(bilingual, Audience.PARTICIPANT, [Part.CURRENT_ITEM], "es")
    assert "Bienvenida" not in html and "other-lang" not in html


def test_a_meeting_written_in_spanish_puts_the_original_first_for_spanish_readers(bilingual):
    bilingual.language = "es"
    item = bilingual.current_item
    item.title, item.title_translation = "Bienvenida", "Welcome"
    item.save()
    bilingual.save()
    html = render_parts(bilingual, Audience.PARTICIPANT, [Part.CURRENT_ITEM], "en")
    assert '<span lang="en">Welcome</span>' in html
    assert '<span class="other-lang" lang="es">Bienvenida</span>' in html


def test_the_item_form_asks_for_translations_only_on_a_bilingual_meeting(bilingual, facilitator):
    url = reverse("assembly:agenda", args=[bilingual.pk])
    client = client_for(facilitator)
    assert 'name="title_translation"' in client.get(url).content.decode()
    bilingual.bilingual = False
    bilingual.save()
    assert 'name="title_translation"' not in client.get(url).content.decode()


def test_an_item_is_added_with_its_translation(bilingual, facilitator):
    response = client_for(facilitator).post(
        reverse("assembly:agenda-add", args=[bilingual.pk]),
        {
            "title": "Announcements",
            "kind": "report",
            "timebox_minutes": "5",
            "title_translation": "  Anuncios \n ",
            "description_translation": "",
        },
    )
    assert response.status_code == 302
    item = bilingual.items.get(title="Announcements")
    assert item.title_translation == "Anuncios"


def test_an_overlong_translation_is_refused_with_a_message(bilingual, facilitator):
    response = client_for(facilitator).post(
        reverse("assembly:agenda-add", args=[bilingual.pk]),
        {
            "title": "Announcements",
            "kind": "report",
            "timebox_minutes": "5",
            "title_translation": "x" * 201,
        },
    )
    assert response.status_code == 422
    assert "at most 200 characters" in response.content.decode()
    assert not bilingual.items.filter(title="Announcements").exists()


def test_a_copied_agenda_keeps_its_translations(bilingual, facilitator, organization):
    with unheard():
        copy = actions.agenda.create_meeting(
            organization=organization,
            by=facilitator,
            settings={"title": "December"},
            copy_agenda_from=bilingual,
        )
    assert copy.items.filter(title_translation="Bienvenida").exists()


def test_a_decision_question_carries_its_translation(bilingual, facilitator, member):
    with unheard():
        present(bilingual, member)
    client_for(facilitator).post(
        reverse("assembly:decision-create", args=[bilingual.pk]),
        {
            "question": "Commit the fund?",
            "question_translation": "¿Destinamos el fondo?",
            "method": "motion",
        },
    )
    html = render_parts(bilingual, Audience.PARTICIPANT, [Part.DECISION], "es")
    assert '<span lang="es">¿Destinamos el fondo?</span>' in html
    assert '<span class="other-lang" lang="en">Commit the fund?</span>' in html
    projector = render_parts(bilingual, Audience.PROJECTOR, [Part.DECISION], "en")
    assert projector.index("Commit the fund?") < projector.index("¿Destinamos el fondo?")
