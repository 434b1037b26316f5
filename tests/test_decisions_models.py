"""The answers a ballot may give: one list, the tally engine's, with the words people read."""

from __future__ import annotations

from assembly import tally
from assembly.models import Decision


def test_the_vote_choices_are_the_answers_the_engine_counts():
    assert tuple(Decision.Vote.values) == tally.VOTES


def test_the_consensus_choices_are_the_responses_the_engine_counts():
    assert tuple(Decision.Response.values) == tally.RESPONSES
