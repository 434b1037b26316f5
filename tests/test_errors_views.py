"""Refusals and failures answer in the person's language, in the app's own pages, and inside a
live page in its banner, never with Django's bare English error page."""

from __future__ import annotations

from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from assembly.views import errors
from tests.conftest import client_for, present, unheard


def test_a_refusal_is_a_translated_page(meeting, outsider):
    client = client_for(outsider)
    response = client.get(
        reverse("assembly:meeting-console", args=[meeting.pk]), HTTP_ACCEPT_LANGUAGE="es"
    )
    assert response.status_code in (403, 404)
    html = response.content.decode()
    assert 'class="card narrow error-page"' in html
    assert "Volver al inicio" in html


def test_it_says_not_found_in_spanish(client, db):
    response = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 404
    assert "No encontrado" in response.content.decode()


def test_a_refused_htmx_request_fills_the_banner_only(live_meeting, member, secretary):
    client = client_for(member)
    response = client.post(
        reverse("assembly:meeting-next", args=[live_meeting.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403
    assert response["HX-Reswap"] == "none"
    html = response.content.decode()
    assert html.startswith('<div id="flash" hx-swap-oob="true"')
    assert "ask the meeting&#x27;s facilitator" in html


def test_an_expired_token_says_reload_not_csrf(live_meeting, member):
    with unheard():
        present(live_meeting, member)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    url = reverse("assembly:meeting-leave", args=[live_meeting.pk])
    page = client.post(url, HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 403
    assert "Vuelve a cargar la página" in page.content.decode()
    assert "CSRF verification" not in page.content.decode()
    banner = client.post(url, HTTP_HX_REQUEST="true")
    assert banner.status_code == 403
    assert banner.content.decode().startswith('<div id="flash" hx-swap-oob="true"')
    assert "Reload the page" in banner.content.decode()


def test_a_server_error_is_a_plain_translated_page(db):
    with translation.override("es"):
        response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Algo salió mal" in response.content.decode()


def test_a_controls_reply_carries_the_message_area_in_the_persons_language(
    live_meeting, facilitator
):
    """The empty message area, rendered once per language for every reply: each language
    still gets its own (what the page shows when a later click finds no connection)."""
    client = client_for(facilitator)
    url = reverse("assembly:stack-close", args=[live_meeting.pk])
    with unheard():
        replies = {
            language: client.post(
                url, {"closed": "1"}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE=language
            ).content.decode()
            for language in ("es", "en", "es")
        }
    assert "no hay conexión" in replies["es"]
    assert "no connection" in replies["en"]
    assert "no connection" not in replies["es"]
