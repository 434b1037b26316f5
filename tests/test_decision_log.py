"""The decision log: every decision of a body across meetings, newest first, searchable and
filtered; its members only; names withheld as in the minutes, even from the search."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from assembly import actions
from assembly.models import Membership
from tests.conftest import client_for, present

pytestmark = pytest.mark.usefixtures("quiet")


def decide(meeting, facilitator, question, voter, vote="yes", translation=""):
    decision = actions.decisions.create(
        meeting=meeting,
        by=facilitator,
        question=question,
        question_translation=translation,
        method="motion",
    )
    actions.decisions.open_round(
        meeting=meeting, decision_id=decision.pk, by=facilitator, override_quorum=True
    )
    actions.decisions.cast(decision_id=decision.pk, attendee=voter, choice={"vote": vote})
    return actions.decisions.close(meeting=meeting, decision_id=decision.pk, by=facilitator)


@pytest.fixture
def record(live_meeting, facilitator, member):
    lupe = present(live_meeting, member)
    decide(live_meeting, facilitator, "Convocar una huelga de alquileres", lupe)
    decide(live_meeting, facilitator, "Buy a new banner", lupe, vote="no")
    decide(live_meeting, facilitator, "Thank Lupe Ramírez for the fund", lupe)
    return live_meeting


def log(user, **query):
    return client_for(user).get(reverse("assembly:decision-log", args=["inquilinos"]), query)


def test_members_see_every_decision_newest_first(record, member):
    html = log(member).content.decode()
    assert html.index("Thank Lupe") < html.index("Buy a new banner") < html.index("Convocar")
    assert "Yes" in html and "Not passed" in html


def test_outsiders_get_404(record, outsider):
    assert log(outsider).status_code == 404


def test_filter_by_outcome_and_method(record, member):
    html = log(member, outcome="not_carried").content.decode()
    assert "Buy a new banner" in html and "Convocar" not in html
    html = log(member, method="consensus").content.decode()
    assert "No decision matches." in html


def test_search_by_words(record, member):
    html = log(member, q="banner").content.decode()
    assert "Buy a new banner" in html and "Convocar" not in html


def test_htmx_answers_with_the_list_only(record, member):
    response = client_for(member).get(
        reverse("assembly:decision-log", args=["inquilinos"]),
        {"q": "banner"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="decision-list"') and "<html" not in html


def test_a_withheld_name_is_neither_shown_nor_searchable(record, organization, member):
    Membership.objects.create(organization=organization, name="Lupe Ramírez", withhold_name=True)
    html = log(member).content.decode()
    assert "Ramírez" not in html and "[name withheld]" in html
    assert "Thank" not in log(member, q="Ramírez").content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL's")
def test_postgres_search_stems_spanish_and_english(record, member):
    html = log(member, q="huelgas").content.decode()  # plural: found by its stem
    assert "Convocar una huelga" in html and "banner" not in html
    html = log(member, q="banners").content.decode()
    assert "Buy a new banner" in html and "huelga" not in html
