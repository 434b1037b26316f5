"""Unit tests of the simple methods, the ranked counts' rule options, and ballot parsing."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from assembly.tally import (
    MAJORITY,
    OVERVOTE,
    THREE_QUARTERS,
    TWO_THIRDS,
    WRITE_IN,
    Ballot,
    BallotFileError,
    ConsensusRules,
    RcvRules,
    ScoreBallot,
    Threshold,
    approval,
    consensus,
    count_rcv,
    decide,
    irv,
    parse_threshold,
    plurality,
    read_aggregated_csv,
    read_blt,
    schulze,
    score,
    scottish_stv,
    stv,
)

# --- yes / no / abstain ---------------------------------------------------------------------


def test_decide_majority_needs_more_than_half_of_votes_cast() -> None:
    assert decide(6, 5).outcome == "passed"
    assert decide(5, 6).outcome == "failed"
    assert decide(1, 0, 40).outcome == "passed"  # abstentions are not votes cast


def test_decide_tie_always_fails_even_at_a_non_strict_half() -> None:
    assert decide(5, 5).reasons == ("tie",)
    half = Threshold(Fraction(1, 2))
    result = decide(5, 5, threshold=half)
    assert result.outcome == "failed"
    assert result.reasons == ("tie",)


def test_decide_three_quarters_counts_abstentions_out_of_the_base() -> None:
    result = decide(46, 3, 2, threshold=THREE_QUARTERS)
    assert result.outcome == "passed"
    assert result.cast == 49
    assert result.required == 37  # 37 * 4 = 148 >= 147 = 3 * 49
    assert decide(36, 13, threshold=THREE_QUARTERS).outcome == "failed"
    assert decide(37, 12, threshold=THREE_QUARTERS).outcome == "passed"


def test_decide_supermajority_is_reached_at_exactly_the_fraction() -> None:
    assert decide(10, 5, threshold=TWO_THIRDS).outcome == "passed"
    assert decide(9, 5, threshold=TWO_THIRDS).outcome == "failed"


def test_decide_base_present_counts_abstainers() -> None:
    result = decide(6, 2, 4, base="present")
    assert result.base == 12
    assert result.outcome == "failed"  # 6 is not more than half of 12
    assert decide(7, 1, 4, base="present").outcome == "passed"


def test_decide_base_all_members_needs_the_membership() -> None:
    assert decide(20, 0, threshold=TWO_THIRDS, base="members", members=30).outcome == "passed"
    assert decide(19, 0, threshold=TWO_THIRDS, base="members", members=30).outcome == "failed"
    with pytest.raises(ValueError):
        decide(1, 0, base="members")


def test_decide_quorum_not_met_is_not_judged() -> None:
    result = decide(5, 0, present=5, quorum=6)
    assert result.outcome == "no_quorum"
    assert result.reasons == ("quorum_not_met",)
    by_share = decide(10, 0, present=10, members=31, quorum=Fraction(1, 3))
    assert by_share.quorum_required == 11
    assert by_share.outcome == "no_quorum"
    assert decide(11, 0, present=11, members=31, quorum=Fraction(1, 3)).outcome == "passed"


def test_decide_with_no_votes_cast_fails() -> None:
    result = decide(0, 0, 7)
    assert result.outcome == "failed"
    assert result.reasons == ("no_votes_cast",)


def test_decide_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError):
        decide(-1, 3)
    with pytest.raises(ValueError):
        decide(3, 3, 1, present=5)
    with pytest.raises(ValueError):
        decide(True, 0)  # type: ignore[arg-type]


def test_decide_to_dict_gives_numbers_as_strings() -> None:
    data = decide(46, 3, 2, threshold=THREE_QUARTERS).to_dict()
    assert data["yes"] == "46"
    assert data["threshold"] == {"name": "three_quarters", "fraction": "3/4", "strict": False}
    json.dumps(data)


def test_parse_threshold_names_and_fractions() -> None:
    assert parse_threshold("majority") is MAJORITY
    assert parse_threshold("2/3") == Threshold(Fraction(2, 3))
    assert parse_threshold("nine-tenths").fraction == Fraction(9, 10)
    with pytest.raises(ValueError):
        parse_threshold("most")
    with pytest.raises(ValueError):
        Threshold(Fraction(3, 2))


# --- consensus ------------------------------------------------------------------------------


def test_consensus_all_agree_is_adopted_and_reservations_are_noted() -> None:
    assert consensus({"agree": 9}).outcome == "adopted"
    result = consensus(["agree", "reservations", "agree"])
    assert result.outcome == "adopted"
    assert "reservations_recorded" in result.reasons


def test_consensus_one_block_stops_it_by_default() -> None:
    result = consensus({"agree": 20, "block": 1})
    assert result.outcome == "blocked"


def test_consensus_block_limit_is_configurable() -> None:
    rules = ConsensusRules(blocks_to_stop=2)
    one = consensus({"agree": 20, "block": 1}, rules)
    assert one.outcome == "adopted"
    assert "blocks_below_limit" in one.reasons
    assert consensus({"agree": 20, "block": 2}, rules).outcome == "blocked"


def test_consensus_stand_aside_share_tables_it_and_abstentions_do_not_count() -> None:
    rules = ConsensusRules(stand_aside_share=Fraction(1, 3))
    assert consensus({"agree": 3, "stand_aside": 2}, rules).outcome == "tabled"
    assert consensus({"agree": 5, "stand_aside": 2}, rules).outcome == "adopted"
    # Abstainers are not participants: 2 of 4 participants stand aside.
    result = consensus({"agree": 2, "stand_aside": 2, "abstain": 10}, rules)
    assert result.participants == 4
    assert result.outcome == "tabled"


def test_consensus_with_no_responses_is_tabled() -> None:
    result = consensus({})
    assert result.outcome == "tabled"
    assert result.reasons == ("no_agreement",)


def test_consensus_fallback_vote_decides_after_a_block() -> None:
    rules = ConsensusRules(fallback=TWO_THIRDS)
    passed = consensus({"agree": 8, "block": 2}, rules, fallback_votes=(8, 2, 0))
    assert passed.outcome == "passed"
    assert passed.consensus_outcome == "blocked"
    assert passed.fallback is not None and passed.fallback.required == 7
    failed = consensus({"agree": 6, "block": 4}, rules, fallback_votes=(6, 4, 0))
    assert failed.outcome == "failed"


def test_consensus_fallback_refused_when_not_allowed() -> None:
    with pytest.raises(ValueError):
        consensus({"agree": 5}, ConsensusRules(fallback=TWO_THIRDS), fallback_votes=(5, 0, 0))
    with pytest.raises(ValueError):
        consensus({"block": 1}, ConsensusRules(), fallback_votes=(5, 0, 0))
    no_block_fallback = ConsensusRules(fallback=TWO_THIRDS, fallback_after_block=False)
    with pytest.raises(ValueError):
        consensus({"block": 1}, no_block_fallback, fallback_votes=(5, 0, 0))


def test_consensus_quorum_and_unknown_responses() -> None:
    assert consensus({"agree": 3}, ConsensusRules(quorum=4)).outcome == "no_quorum"
    assert consensus({"agree": 3, "abstain": 1}, ConsensusRules(quorum=4)).outcome == "adopted"
    with pytest.raises(ValueError):
        consensus({"yes": 3})


# --- plurality, approval, score ---------------------------------------------------------------


def test_plurality_counts_first_marks_and_skips_overvotes() -> None:
    ballots = [
        Ballot.of("A", count=3),
        Ballot.of(None, "B", count=2),
        Ballot.of(OVERVOTE, "B", count=4),
    ]
    result = plurality(ballots)
    assert result.winners == ("A",)
    assert result.scores == {"A": 3, "B": 2}
    assert result.blank_ballots == 4


def test_plurality_tie_is_reported_not_broken() -> None:
    result = plurality({"A": 4, "B": 4, "C": 1})
    assert result.winners == ()
    assert result.tied == ("A", "B")
    assert result.ranking == (("A", "B"), ("C",))


def test_plurality_tie_broken_by_seeded_lot_is_recorded_and_repeatable() -> None:
    first = plurality({"A": 4, "B": 4}, seed=7)
    again = plurality({"A": 4, "B": 4}, seed=7)
    assert first.winners == again.winners
    assert len(first.winners) == 1
    (tie,) = first.rounds[0].tiebreaks
    assert tie.rule == "lot" and set(tie.candidates) == {"A", "B"}


def test_plurality_with_zero_votes_elects_nobody_and_says_why() -> None:
    result = plurality({}, ["A", "B"])
    assert result.winners == ()
    assert result.tied == ()
    assert result.problems == ("no_valid_ballots",)


def test_approval_fills_several_seats_by_approvals() -> None:
    ballots = [Ballot.of("A", "B", count=5), Ballot.of("B", "C", count=3), Ballot.of("C")]
    result = approval(ballots, seats=2)
    assert result.winners == ("B", "A")
    assert result.scores == {"A": 5, "B": 8, "C": 4}
    assert result.tied == ()


def test_approval_tie_across_the_last_seat_is_reported() -> None:
    ballots = [Ballot.of("A", "B", count=5), Ballot.of("B", "C", count=5)]
    result = approval(ballots, seats=2)
    assert result.winners == ("B",)
    assert result.tied == ("A", "C")


@pytest.mark.parametrize("seed", [None, 7])
def test_approval_gives_no_seat_to_an_option_nobody_approved(seed) -> None:
    # Two seats, every ballot approves Ana alone: Bo and Chayo have no support at all, so
    # neither takes the second seat, by lot or by the order on the ballot.
    result = approval([Ballot.of("Ana", count=3)], ["Ana", "Bo", "Chayo"], seats=2, seed=seed)
    assert result.winners == ("Ana",)
    assert result.tied == () and result.rounds[0].tiebreaks == ()
    assert "no_support" in result.reasons and "tie" not in result.reasons
    assert result.problems == ("seats_unfilled",) and result.unfilled_seats == 1


@pytest.mark.parametrize("seed", [None, 7])
def test_approval_where_no_option_got_a_vote_chooses_nobody_and_says_why(seed) -> None:
    result = approval([Ballot.of(count=4)], ["Ana", "Bo"], seats=1, seed=seed)
    assert result.winners == () and result.tied == ()
    assert result.problems == ("no_valid_ballots",)
    assert result.scores == {"Ana": 0, "Bo": 0}


def test_plurality_gives_no_seat_to_a_candidate_without_a_first_preference() -> None:
    result = plurality({"A": 4, "B": 0, "C": 0}, seats=2, seed=3)
    assert result.winners == ("A",) and "no_support" in result.reasons


def test_score_total_wins_and_equal_totals_split_by_top_scores() -> None:
    ballots = [
        ScoreBallot({"A": 5, "B": 3}),
        ScoreBallot({"A": 1, "B": 3}),
    ]
    result = score(ballots)
    assert result.scores == {"A": 6, "B": 6}
    assert result.winners == ("A",)  # one maximum score against none


def test_score_full_tie_and_range_checks() -> None:
    result = score([ScoreBallot({"A": 3, "B": 3})])
    assert result.tied == ("A", "B")
    with pytest.raises(ValueError):
        score([ScoreBallot({"A": 6})])
    with pytest.raises(ValueError):
        score([ScoreBallot({"A": 1})], minimum=3, maximum=3)


# --- Schulze ----------------------------------------------------------------------------------


def test_schulze_condorcet_winner_wins() -> None:
    ballots = [Ballot.of("A", "B", "C", count=4), Ballot.of("B", "C", "A", count=3)]
    ballots.append(Ballot.of("C", "A", "B", count=2))
    result = schulze(ballots)
    assert result.winners == ("A",)


def test_schulze_symmetric_cycle_is_an_honest_tie() -> None:
    ballots = [Ballot.of("A", "B", "C"), Ballot.of("B", "C", "A"), Ballot.of("C", "A", "B")]
    result = schulze(ballots)
    assert result.winners == ()
    assert set(result.tied) == {"A", "B", "C"}
    assert len(result.ranking) == 1


def test_schulze_unranked_candidates_rank_below_ranked_ones() -> None:
    result = schulze([Ballot.of("B")], ["A", "B", "C"])
    assert result.pairwise["B"]["A"] == 1 and result.pairwise["A"]["C"] == 0
    assert result.ranking == (("B",), ("A", "C"))


def test_schulze_with_no_ballots_elects_nobody_and_says_why() -> None:
    result = schulze([], ["A", "B"])
    assert result.winners == ()
    assert result.tied == ()
    assert result.problems == ("no_valid_ballots",)


# --- IRV / RCTab STV rule options -------------------------------------------------------------


def test_irv_first_round_majority_wins_at_once() -> None:
    result = irv([Ballot.of("A", count=6), Ballot.of("B", "A", count=5)])
    assert result.winners == ("A",)
    assert len(result.rounds) == 1
    assert result.rounds[0].threshold == 6


def test_irv_overvote_rule_exhausts_or_skips() -> None:
    ballots = [
        Ballot.of("A", count=4),
        Ballot.of("B", count=3),
        Ballot.of("C", OVERVOTE, "B", count=2),
    ]
    exhaust = irv(ballots)
    assert exhaust.winners == ("A",)
    assert exhaust.rounds[-1].exhausted_by["overvote"] == 2
    skip = irv(ballots, overvote="skip")
    assert skip.winners == ("B",)
    assert skip.rounds[-1].tally == {"B": Decimal(5), "A": Decimal(4)}


def test_irv_skipped_rank_limit_makes_ballot_inactive() -> None:
    ballots = [
        Ballot.of("A", count=4),
        Ballot.of("B", count=3),
        Ballot.of("C", None, None, "B", count=2),
    ]
    assert irv(ballots).winners == ("B",)
    limited = irv(ballots, max_skipped_ranks=1)
    assert limited.winners == ("A",)
    assert limited.rounds[-1].exhausted_by["skipped"] == 2


def test_irv_batch_elimination_removes_hopeless_candidates_together() -> None:
    ballots = [
        Ballot.of("A", count=10),
        Ballot.of("B", count=9),
        Ballot.of("C", "B", count=2),
        Ballot.of("D", "B", count=1),
    ]
    result = irv(ballots, batch_elimination=True)
    assert set(result.rounds[0].eliminated) == {"C", "D"}
    assert "batch_elimination" in result.rounds[0].reasons
    one_by_one = irv(ballots)
    assert one_by_one.rounds[0].eliminated == ("D",)
    assert result.winners == one_by_one.winners == ("B",)


def test_irv_candidate_order_tiebreak_eliminates_latest_listed() -> None:
    ballots = [Ballot.of("A", count=4), Ballot.of("B", count=2), Ballot.of("C", count=2)]
    result = irv(ballots, ["A", "B", "C"])
    assert result.rounds[0].eliminated == ("C",)
    reversed_order = irv(ballots, ["A", "C", "B"])
    assert reversed_order.rounds[0].eliminated == ("B",)


def test_irv_previous_round_tiebreak_looks_back() -> None:
    # B and C tie in round 2; in round 1 C had fewer, so C goes whatever the list says.
    ballots = [
        Ballot.of("A", count=6),
        Ballot.of("B", count=3),
        Ballot.of("C", count=2),
        Ballot.of("D", "C", count=1),
    ]
    rules = RcvRules(tiebreak="previous_round")
    result = count_rcv(ballots, ["A", "C", "B", "D"], rules)
    second = result.rounds[1]
    assert second.eliminated == ("C",)
    assert second.tiebreaks[0].rule == "previous_round"
    assert second.tiebreaks[0].decided_at_round == 1


def test_irv_lot_needs_a_seed_and_publishes_its_order() -> None:
    with pytest.raises(ValueError):
        RcvRules(tiebreak="lot")
    ballots = [Ballot.of("A", count=4), Ballot.of("B", count=2), Ballot.of("C", count=2)]
    result = count_rcv(ballots, None, RcvRules(tiebreak="lot", seed=3))
    assert sorted(result.rules["lot_order"]) == ["A", "B", "C"]
    loser = result.rounds[0].eliminated[0]
    assert loser == [c for c in result.rules["lot_order"] if c in ("B", "C")][-1]


def test_irv_undeclared_write_ins_are_eliminated_first_and_never_win() -> None:
    ballots = [Ballot.of(WRITE_IN, count=9), Ballot.of("A", count=5), Ballot.of("B", "A", count=4)]
    result = irv(ballots)
    assert result.rounds[0].eliminated == (WRITE_IN,)
    assert result.winners == ("A",)


def test_irv_final_two_tie_is_decided_by_the_tiebreak() -> None:
    result = irv([Ballot.of("A", count=3), Ballot.of("B", count=3)], ["A", "B"])
    assert result.winners == ("A",)
    assert result.rounds[-1].tiebreaks[0].purpose == "elect"


def test_irv_with_no_ballots_elects_nobody_rather_than_draw_a_winner() -> None:
    # A tie-break among candidates with no votes would be a silent, meaningless winner.
    result = irv([], ["A", "B", "C"])
    assert result.winners == ()
    assert result.problems == ("no_valid_ballots",)
    assert not any(r.tiebreaks for r in result.rounds)


def test_stv_surplus_fraction_is_truncated_to_four_decimals() -> None:
    ballots = [Ballot.of("A", "B", count=7), Ballot.of("B", count=1), Ballot.of("C", count=2)]
    result = stv(ballots, 2)
    assert result.rounds[0].threshold == 4  # floor(10 / 3) + 1
    # A's surplus 3 of 7: fraction 0.4285 (not 0.428571...), so 7 * 0.4285 moves to B.
    assert result.rounds[0].transfers["A"] == {"B": Decimal("2.9995")}
    assert result.rounds[1].tally["B"] == Decimal("3.9995")
    assert result.rounds[1].residual_surplus == Decimal("0.0005")


def test_stv_rejects_seat_mismatch_and_irv_rejects_several_seats() -> None:
    with pytest.raises(ValueError):
        stv([], 2, rules=RcvRules(seats=3))
    with pytest.raises(ValueError):
        irv([], rules=RcvRules(seats=2))


# --- Scottish STV -----------------------------------------------------------------------------


def test_scottish_lot_follows_the_stated_tie_order() -> None:
    ballots = [Ballot.of("A", count=3), Ballot.of("B", count=3), Ballot.of("C", count=5)]
    first = scottish_stv(ballots, 1, ["A", "B", "C"])
    assert first.rounds[0].eliminated == ("A",)
    assert first.rounds[0].tiebreaks[0].rule == "lot"
    other = scottish_stv(ballots, 1, ["A", "B", "C"], tie_order=["B", "A", "C"])
    assert other.rounds[0].eliminated == ("B",)


def test_scottish_tie_looks_back_to_an_earlier_stage() -> None:
    # After X's exclusion A and B tie at 4; at the first stage B had fewer, so B goes.
    ballots = [
        Ballot.of("A", count=4),
        Ballot.of("B", count=3),
        Ballot.of("X", "B", count=1),
        Ballot.of("C", count=8),
    ]
    result = scottish_stv(ballots, 1, ["A", "B", "X", "C"])
    second = result.rounds[1]
    assert second.eliminated == ("B",)
    assert second.tiebreaks[0].rule == "prior_stage"


# --- ballot files -----------------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_read_aggregated_csv_understands_the_tokens(tmp_path: Path) -> None:
    path = write(
        tmp_path, "b.csv", "count,choice1,choice2,choice3\n3,A,undervote,B\n2,UWI,,overvote\n"
    )
    election = read_aggregated_csv(path)
    assert election.ballots[0] == Ballot(("A", None, "B"), 3)
    assert election.ballots[1] == Ballot((WRITE_IN, None, OVERVOTE), 2)
    assert election.has_write_ins
    assert election.total == 5


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("", 1, "file is empty"),
        ("count,choice1\n", 1, "no ballots"),
        ("votes,choice1\n1,A\n", 1, "header"),
        ("count,choice1\n1,A\n2.5,B\n", 3, "not a whole number"),
        ("count,choice1\n-1,A\n", 2, "not a whole number"),
        ("count,choice1\n1,A,B\n", 2, "at most 2 fields"),
        ("count,choice1\n1,Z\n", 2, "unknown candidate 'Z'"),
    ],
)
def test_read_aggregated_csv_errors_name_file_and_line(
    tmp_path: Path, text: str, line: int, fragment: str
) -> None:
    path = write(tmp_path, "bad.csv", text)
    with pytest.raises(BallotFileError) as caught:
        read_aggregated_csv(path, ["A", "B"])
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert fragment in str(caught.value)


def test_read_blt_reads_weights_names_and_withdrawn(tmp_path: Path) -> None:
    path = write(
        tmp_path, "e.blt", '3 1\n-3\n4 1 2 0\n2 2 - 1 0\n1 1=2 3 0\n0\n"Ann"\n"Bo"\n"Cy"\n"T"\n'
    )
    election = read_blt(path)
    assert election.candidates == ("Ann", "Bo", "Cy")
    assert election.withdrawn == ("Cy",)
    assert election.seats == 1
    assert election.title == "T"
    assert election.ballots[1] == Ballot(("Bo", None, "Ann"), 2)
    assert election.ballots[2].ranking[0] == OVERVOTE


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("", 1, "file is empty"),
        ("3\n", 1, "ncandidates nseats"),
        ('2 1\n1 1 4 0\n0\n"A"\n"B"\n', 2, "unknown candidate number 4"),
        ('2 1\nx 1 0\n0\n"A"\n"B"\n', 2, "not a whole number"),
        ('2 1\n1 1 2\n0\n"A"\n"B"\n', 2, "must end with 0"),
        ('2 1\n1 1 0\n"A"\n"B"\n', 3, "missing the '0' line"),
        ('2 1\n1 1 0\n0\n"A"\n', 4, "expected 2 candidate names"),
    ],
)
def test_read_blt_errors_name_file_and_line(
    tmp_path: Path, text: str, line: int, fragment: str
) -> None:
    path = write(tmp_path, "bad.blt", text)
    with pytest.raises(BallotFileError) as caught:
        read_blt(path)
    assert caught.value.line == line
    assert fragment in str(caught.value)


def test_results_to_dict_is_json_safe_with_numbers_as_strings() -> None:
    result = stv([Ballot.of("A", "B", count=7), Ballot.of("B"), Ballot.of("C", count=2)], 2)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["winners"] == list(result.winners)
    first = data["rounds"][0]
    assert first["tally"] == {"A": "7", "C": "2", "B": "1"}
    assert first["threshold"] == "4"
    assert data["rounds"][1]["tally"]["B"] == "3.9995"


def test_read_aggregated_csv_merges_identical_rankings_as_it_reads(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "stream.csv",
        'count,choice1,choice2\n1,A,B\n1,A,B\n\n2,A,B\n1,"A",B\n1,"Smith, Ann",A\n3,B\n'
        "1,A,undervote\n",
    )
    election = read_aggregated_csv(path)
    assert election.ballots == (
        Ballot(("A", "B"), 5),
        Ballot(("Smith, Ann", "A"), 1),
        Ballot(("B",), 3),
        Ballot(("A", None), 1),
    )
    assert election.candidates == ("A", "B", "Smith, Ann")
    assert election.total == 10


def test_read_aggregated_csv_checks_rows_seen_before_too(tmp_path: Path) -> None:
    # A repeated row is merged without re-reading it, but a bad count on it is still caught.
    path = write(tmp_path, "repeat.csv", "count,choice1\n1,A\n1,A\nx,A\n")
    with pytest.raises(BallotFileError) as caught:
        read_aggregated_csv(path)
    assert caught.value.line == 4


def test_read_aggregated_csv_names_the_line_of_a_non_utf8_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("count,choice1\n1,A\n1,Jos\u00e9\n".encode("latin-1"))
    with pytest.raises(BallotFileError) as caught:
        read_aggregated_csv(path)
    assert caught.value.line == 3
    assert "not UTF-8" in str(caught.value)
