"""Asamblea's vote-counting engine: pure Python, no Django, exact arithmetic, every round shown.

Methods and the rules implemented (each module's docstring states them precisely):

* Motions (`decide`): yes / no / abstain against an exact Fraction threshold over votes cast,
  members present or all members; majority is ``yes * 2 > base``, supermajorities are
  ``yes * den >= num * base``; abstentions are not votes cast; a tie always fails; quorum.
* Consensus (`consensus`): agree / reservations / stand aside / block / abstain, with block and
  stand-aside limits and an optional supermajority fallback vote.
* Plurality, approval, score (ties split by most top scores) and Borda (`choice`).
* Schulze, winning votes, with the full ordering in tiers and unbroken ties reported.
* Instant-runoff and STV by RCTab's rules (`irv`, `stv`, `count_rcv`): simultaneous election,
  surplus fractions truncated to 4 decimals, batch elimination, undeclared write-ins, overvote
  and skipped-rank rules, tie-breaks by candidate order, previous rounds or a seeded lot.
* Ties left to the room (`ties`): under the rule "ask" a count stops at a tie with
  TieBreakNeeded (who is tied, for what, in which round); the caller decides - a person names
  one, or `draw_lot` draws one with a seed everyone sees - and counts again with the choices
  so far. IRV/STV (also after previous rounds), Scottish, Meek and WIGM all accept it.
* Scottish STV (`scottish_stv`): the Scottish Local Government Elections Order 2007 - Droop
  quota, highest surplus first, 5 decimals truncated, one exclusion at a time, look-back
  tie-break then lot.

* Meek STV (`meek_stv`) as the droop tabulator counts it: the PR Foundation's reference rule
  (9 decimals, omega 10**-6) and droop's guarded Meek (18 + 9 decimals, omega 10**-9,
  New Zealand-style keep-factor updates, batch defeats of sure losers); every round keeps the
  elected candidates' keep values, the number of iterations and why they stopped.
* WIGM STV (`wigm_stv`): the weighted inclusive Gregory method in exact rational arithmetic.

Reference case 09 (Voting Matters 12) elects a different third candidate under each rule: X
(guarded Meek, WIGM), Y (PR Foundation Meek), Z (Scottish); the engine reproduces all four of
droop's reports to the decimals they show.

Not implemented: the ERS97 rules and other Gregory (last-parcel) variants, Cambridge's
random-sample transfers, CfER, Warren STV, OpenSTV's Meek variants, equal rankings within a
ballot (an overvoted rank ends or is skipped, by method), and overvote rules other than
"exhaust" and "skip to the next rank".
"""

from .ballots import (
    OVERVOTE,
    SKIPPED,
    WRITE_IN,
    Ballot,
    BallotFileError,
    Election,
    aggregate,
    read_aggregated_csv,
    read_ballot_file,
    read_blt,
    read_candidate_columns_csv,
)
from .choice import ScoreBallot, approval, borda, plurality, score
from .consensus import RESPONSES, ConsensusResult, ConsensusRules, consensus
from .majority import (
    FOUR_FIFTHS,
    MAJORITY,
    NINE_TENTHS,
    THREE_QUARTERS,
    TWO_THIRDS,
    UNANIMITY,
    VOTES,
    Decision,
    Threshold,
    decide,
    parse_threshold,
)
from .meek import meek_stv
from .rctab import ConfigError, RctabContest, load_rctab_config
from .rcv import RcvRules, count_rcv, irv, lot_order, stv
from .results import Result, Round, TieBreak, format_number
from .schulze import schulze
from .scottish import scottish_stv
from .ties import TieBreakNeeded, TieChoice, draw_lot
from .wigm import wigm_stv

IMPLEMENTED_RULES = (
    "rctab_irv",
    "rctab_stv",
    "scottish_stv",
    "meek_prf",
    "meek_guarded",
    "wigm_rational",
)

__all__ = [
    "FOUR_FIFTHS",
    "IMPLEMENTED_RULES",
    "MAJORITY",
    "NINE_TENTHS",
    "OVERVOTE",
    "RESPONSES",
    "SKIPPED",
    "THREE_QUARTERS",
    "TWO_THIRDS",
    "UNANIMITY",
    "VOTES",
    "WRITE_IN",
    "Ballot",
    "BallotFileError",
    "ConfigError",
    "ConsensusResult",
    "ConsensusRules",
    "Decision",
    "Election",
    "RctabContest",
    "RcvRules",
    "Result",
    "Round",
    "ScoreBallot",
    "Threshold",
    "TieBreak",
    "TieBreakNeeded",
    "TieChoice",
    "aggregate",
    "approval",
    "borda",
    "consensus",
    "count_rcv",
    "decide",
    "draw_lot",
    "format_number",
    "irv",
    "load_rctab_config",
    "lot_order",
    "meek_stv",
    "parse_threshold",
    "plurality",
    "read_aggregated_csv",
    "read_ballot_file",
    "read_blt",
    "read_candidate_columns_csv",
    "schulze",
    "score",
    "scottish_stv",
    "stv",
    "wigm_stv",
]
