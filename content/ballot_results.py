"""Formal ballots' rules and results: quorum and threshold written as text, a voter's paper
checked against the proposals, and the count of a closed ballot as the stored JSON result
(content.voting does the arithmetic)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from content import voting
from content.ballot_models import Ballot, BallotProposal
from content.errors import ValidationFailed
from core.messages import N_

TITLE_MAX = 200
PROPOSALS_MAX = 20
SEATS_MAX = 20

# --- rules written as text ---------------------------------------------------------------

def parse_quorum(text: str) -> Fraction | int:
    """"" (none), a whole number of ballots ("12") or a fraction of the eligible ("1/3");
    ValueError with a message otherwise."""
    text = text.strip()
    if not text:
        return 0
    if text.isdigit():
        return int(text)
    fraction = _fraction(text)
    if fraction is None or not 0 <= fraction <= 1:
        raise ValueError(N_('Write a number of ballots ("12") or a share of the eligible '
                            'members between 0 and 1 ("1/3").'))
    return fraction


def parse_threshold(text: str) -> voting.Threshold | None:
    """"" (the method's default), "a/b" (at least that share), ">a/b" (more than it); "1/2"
    alone means a majority, more than half, so that a tie never passes."""
    text = text.strip()
    if not text:
        return None
    strict = text.startswith(">")
    fraction = _fraction(text.lstrip(">").strip())
    message = N_('Write a share such as "1/2" (a majority) or "2/3".')
    if fraction is None or not 0 < fraction <= 1:
        raise ValueError(message)
    if fraction == Fraction(1, 2):
        strict = True
    try:
        return voting.Threshold(fraction, strict=strict)
    except voting.InvalidRules:
        raise ValueError(message) from None


def _fraction(text: str) -> Fraction | None:
    top, slash, bottom = text.partition("/")
    if not slash or not top.strip().isdigit() or not bottom.strip().isdigit():
        return None
    if int(bottom) == 0:
        return None
    return Fraction(int(top), int(bottom))


def frac(value: Fraction | None) -> str | None:
    """A fraction in the stored result: "a/b"."""
    return None if value is None else f"{value.numerator}/{value.denominator}"


def check_paper(method: str, proposals: Sequence[BallotProposal],
                choice: list[int] | dict[int, str]) -> list[str] | dict[str, str]:
    """The paper as stored (proposal ids as str), or ValidationFailed({"choice": why})."""
    options = [str(p.id) for p in proposals]
    try:
        if method == "consent":
            if not isinstance(choice, dict):
                raise voting.InvalidBallot(N_("Answer every proposal."))
            answers = {str(k): str(v) for k, v in choice.items()}
            for key in answers:
                if key not in options:
                    raise voting.UnknownOption(N_("That is not a proposal of this ballot."))
            missing = [p.title for p in proposals if str(p.id) not in answers]
            if missing:
                raise voting.InvalidBallot(N_("Answer every proposal (missing: %(missing)s).",
                                              missing=", ".join(missing)))
            return {k: str(voting.check_consent(v)) for k, v in answers.items()}
        if isinstance(choice, dict):
            raise voting.InvalidBallot(N_("Choose among the proposals."))
        picked = [str(i) for i in choice]
        if method == "single":
            if len(picked) != 1:
                raise voting.InvalidBallot(N_("Choose exactly one proposal."))
            return [voting.check_single_choice(options, picked[0])]
        if method == "approval":
            voting.check_approval(options, picked)
            return picked
        return list(voting.check_ranking(options, picked))
    except voting.InvalidBallot as exc:
        raise ValidationFailed({"choice": exc.message}) from None


# --- counting ----------------------------------------------------------------------------

def count(ballot: Ballot, options: Sequence[str], papers: Sequence[Any]) -> dict[str, Any]:
    """The JSON result of a ballot whose open proposals are `options` (ids as str) and whose
    papers are the stored BallotVote choices."""
    quorum = parse_quorum(ballot.quorum)
    threshold = parse_threshold(ballot.threshold)
    eligible = max(ballot.eligible_count, len(papers))
    base: dict[str, Any] = {"method": ballot.method, "eligible": eligible,
                            "ballots": len(papers), "options": list(options)}
    if (len(options) < 2 and ballot.method != "consent") or not options:
        return {**base, "quorum_met": False, "status": "no_options", "winners": [],
                "reason": "The ballot had too few proposals to count."}
    if ballot.method == "consent":
        return {**base, **_consent(options, papers, eligible, quorum, threshold)}
    rules = voting.Rules(options=tuple(options), eligible=eligible, quorum=quorum,
                         threshold=None if ballot.method == "ranked" else threshold)
    if ballot.method == "ranked":
        return {**base, **_ranked(rules, papers)}
    tally = (voting.count_single_choice(rules, [p[0] for p in papers])
             if ballot.method == "single"
             else voting.count_approval(rules, [list(p) for p in papers]))
    winners = list(tally.winners)
    if ballot.method == "approval" and ballot.seats > 1 \
            and tally.status in (voting.Status.ELECTED, voting.Status.TIE):
        winners = _top(tally.counts, ballot.seats)
    return {**base, "quorum_met": tally.quorum_reached, "status": str(tally.status),
            "winners": winners, "reason": tally.reason, "counts": dict(tally.counts),
            "threshold": _threshold(tally.threshold)}


def _top(counts: Any, seats: int) -> list[str]:
    """The `seats` options with most approvals, in order; options tied at the last seat all
    stay in (the tie is reported, never drawn)."""
    ranked = sorted(counts, key=lambda o: -counts[o])
    if len(ranked) <= seats:
        return ranked
    cut = counts[ranked[seats - 1]]
    return [o for o in ranked if counts[o] >= cut]


def _threshold(threshold: voting.Threshold | None) -> str | None:
    if threshold is None:
        return None
    return (">" if threshold.strict else "") + str(frac(threshold.fraction))


def _ranked(rules: voting.Rules, papers: Sequence[Any]) -> dict[str, Any]:
    result = voting.count_ranked(rules, [list(p) for p in papers])
    irv, sch = result.instant_runoff, result.schulze
    return {
        "quorum_met": result.quorum_reached, "status": str(result.status),
        "winners": list(result.winners), "reason": result.reason, "decided_by": "schulze",
        "irv": {"winner": irv.winners[0] if len(irv.winners) == 1 else None,
                "winners": list(irv.winners),
                "rounds": [{"counts": dict(r.counts), "eliminated": list(r.eliminated),
                            "exhausted": r.exhausted, "reason": r.reason}
                           for r in irv.rounds]},
        "schulze": {"winner": sch.winners[0] if len(sch.winners) == 1 else None,
                    "winners": list(sch.winners),
                    "ranking": [o for level in sch.ranking for o in level],
                    "levels": [list(level) for level in sch.ranking],
                    "condorcet_winner": sch.condorcet_winner,
                    "preferences": {i: dict(row) for i, row in sch.preferences.items()}},
    }


def _consent(options: Sequence[str], papers: Sequence[Any], eligible: int,
             quorum: Fraction | int, threshold: voting.Threshold | None) -> dict[str, Any]:
    rules = voting.Rules(options=tuple(options), eligible=eligible, quorum=quorum,
                         threshold=threshold)
    per: dict[str, Any] = {}
    winners: list[str] = []
    statuses: list[voting.Status] = []
    quorum_met = True
    used = threshold or voting.MAJORITY
    for option in options:
        outcome = voting.count_consent(rules, [p[option] for p in papers])
        quorum_met = outcome.quorum_reached
        statuses.append(outcome.status)
        per[option] = {"agree": outcome.agree, "abstain": outcome.abstain,
                       "disagree": outcome.disagree, "block": outcome.block,
                       "share": frac(outcome.share), "status": str(outcome.status),
                       "passed": outcome.passed, "reason": outcome.reason}
        if outcome.passed:
            winners.append(option)
    if not quorum_met:
        status = voting.Status.NO_QUORUM
    elif winners:
        status = voting.Status.PASSED
    elif all(s is voting.Status.BLOCKED for s in statuses):
        status = voting.Status.BLOCKED
    elif all(s is voting.Status.NO_VOTES for s in statuses):
        status = voting.Status.NO_VOTES
    else:
        status = voting.Status.BELOW_THRESHOLD
    reason = "; ".join(per[o]["reason"] for o in options)
    return {"quorum_met": quorum_met, "status": str(status), "winners": winners,
            "reason": reason, "consent": per, "threshold": _threshold(used)}


# Keys of a stored result whose values name proposals (as ids here, as uris in federation).
_ID_LISTS = ("winners", "eliminated", "ranking", "options")
_ID_LEVELS = ("levels",)
_ID_VALUES = ("winner", "condorcet_winner")
_ID_MAPS = ("counts", "consent")
_ID_MATRICES = ("preferences",)


def rename_proposals(value: Any, names: Mapping[str, str]) -> Any:
    """A stored result (see `count`) with every proposal named anew through `names`: our
    ids (as str) → uris when we publish it, a remote ballot's uris → our copies' ids when we
    keep it. Names not in `names` are kept; counts, fractions "a/b" and status words too."""
    if isinstance(value, list):
        return [rename_proposals(v, names) for v in value]
    if not isinstance(value, dict):
        return value

    def name(i: Any) -> str:
        return names.get(str(i), str(i))

    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in _ID_LISTS and isinstance(item, list):
            out[key] = [name(i) for i in item]
        elif key in _ID_LEVELS and isinstance(item, list):
            out[key] = [[name(i) for i in level] if isinstance(level, list) else level
                        for level in item]
        elif key in _ID_VALUES and item is not None:
            out[key] = name(item)
        elif key in _ID_MAPS and isinstance(item, dict):
            out[key] = {name(k): rename_proposals(v, names) for k, v in item.items()}
        elif key in _ID_MATRICES and isinstance(item, dict):
            out[key] = {name(k): {name(j): n for j, n in row.items()}
                        if isinstance(row, dict) else row for k, row in item.items()}
        else:
            out[key] = rename_proposals(item, names)
    return out
