"""Counting formal ballots: single choice, approval, consent and ranked choice (instant-runoff
and Schulze), with quorum and exact-fraction thresholds. Pure functions, no I/O.

The methods and every tie rule are documented with worked examples in docs/VOTING.md.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import TypedDict

from content.errors import ContentError
from core.messages import N_


class VotingError(ContentError, ValueError):
    """Base of every error raised while checking or counting ballots."""


class InvalidRules(VotingError):
    """The ballot's settings (options, quorum, threshold, eligible count) are not usable."""


class InvalidBallot(VotingError):
    """A ballot a member filled in cannot be counted; the message says why, in plain words."""

    def __init__(self, message: str, ballot: int | None = None) -> None:
        super().__init__(f"Ballot {ballot}: {message}" if ballot is not None else message)
        self.ballot = ballot
        self.message = message  # without the ballot's number (a `Message` for the web UI)


class EmptyBallot(InvalidBallot):
    """Nothing was chosen (an abstention must be recorded as one, not as an empty ballot)."""


class UnknownOption(InvalidBallot):
    """A choice names something that is not an option of this ballot."""


class DuplicateChoice(InvalidBallot):
    """The same option was chosen twice on one ballot."""


class DuplicateRanking(DuplicateChoice):
    """The same option was given two places in one ranking."""


class Method(StrEnum):
    SINGLE_CHOICE = "single_choice"
    APPROVAL = "approval"
    CONSENT = "consent"
    INSTANT_RUNOFF = "instant_runoff"
    SCHULZE = "schulze"


class Status(StrEnum):
    ELECTED = "elected"  # one option won
    PASSED = "passed"  # a consent proposal was adopted
    TIE = "tie"  # several options tied for the win; `winners` lists them
    NO_QUORUM = "no_quorum"
    BELOW_THRESHOLD = "below_threshold"
    BLOCKED = "blocked"  # consent: at least one block
    NO_VOTES = "no_votes"  # quorum reached, but every ballot was an abstention


class Consent(StrEnum):
    AGREE = "agree"
    ABSTAIN = "abstain"
    DISAGREE = "disagree"
    BLOCK = "block"


@dataclass(frozen=True)
class Threshold:
    """The share of counted votes a winner needs: `at least` (>=) or, if strict, `more than`."""

    fraction: Fraction
    strict: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.fraction, Fraction):
            raise InvalidRules("A threshold must be an exact fraction such as Fraction(2, 3).")
        if not 0 <= self.fraction <= 1 or (self.strict and self.fraction == 1):
            raise InvalidRules(f"A threshold of {self} can never be met.")

    def met(self, part: int, whole: int) -> bool:
        if whole == 0:
            return False
        share = Fraction(part, whole)
        return share > self.fraction if self.strict else share >= self.fraction

    def __str__(self) -> str:
        return f"{'more than' if self.strict else 'at least'} {self.fraction}"


def at_least(fraction: Fraction) -> Threshold:
    return Threshold(fraction)


def more_than(fraction: Fraction) -> Threshold:
    return Threshold(fraction, strict=True)


MAJORITY = more_than(Fraction(1, 2))
TWO_THIRDS = at_least(Fraction(2, 3))


@dataclass(frozen=True)
class Rules:
    """What a count needs to know besides the ballots.

    `quorum` is a Fraction of `eligible` (rounded up) or an absolute number of ballots (int);
    abstentions count toward the quorum. `threshold` None means the method's default: most
    votes wins for single choice and approval, `MAJORITY` for consent.
    """

    options: tuple[str, ...] = ()
    eligible: int = 0
    quorum: Fraction | int = 0
    threshold: Threshold | None = None

    def __post_init__(self) -> None:
        if len(set(self.options)) != len(self.options):
            raise InvalidRules("Two options of this ballot have the same name.")
        if any(not o.strip() for o in self.options):
            raise InvalidRules("An option of this ballot has no name.")
        if isinstance(self.eligible, bool) or self.eligible < 0:
            raise InvalidRules("The number of eligible members must be zero or more.")
        if isinstance(self.quorum, Fraction):
            if not 0 <= self.quorum <= 1:
                raise InvalidRules("A quorum given as a fraction must lie between 0 and 1.")
        elif isinstance(self.quorum, bool) or not isinstance(self.quorum, int):
            raise InvalidRules("A quorum is a Fraction of the eligible members or a number.")
        elif self.quorum < 0:
            raise InvalidRules("A quorum cannot be negative.")

    @property
    def quorum_required(self) -> int:
        if isinstance(self.quorum, Fraction):
            needed = self.quorum * self.eligible
            return needed.numerator // needed.denominator + (needed.denominator != 1)
        return self.quorum


@dataclass(frozen=True, kw_only=True)
class Result:
    """The outcome every method reports: quorum, status, winner(s) and why."""

    method: Method
    status: Status
    winners: tuple[str, ...]
    reason: str
    turnout: int  # ballots cast, abstentions included
    abstentions: int
    eligible: int
    quorum_required: int
    quorum_reached: bool
    threshold: Threshold | None

    @property
    def decided(self) -> bool:
        return self.status in (Status.ELECTED, Status.PASSED)

    @property
    def winner(self) -> str | None:
        return self.winners[0] if self.status is Status.ELECTED else None


@dataclass(frozen=True, kw_only=True)
class TallyResult(Result):
    """Single choice or approval: votes per option, in the ballot's order of options."""

    counts: Mapping[str, int]
    counted: int  # ballots that chose something (the base of the threshold)


@dataclass(frozen=True, kw_only=True)
class ConsentResult(Result):
    agree: int
    abstain: int
    disagree: int
    block: int
    share: Fraction | None  # agree / (agree + disagree); None when both are zero

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED


@dataclass(frozen=True)
class Round:
    """One round of instant-runoff."""

    number: int
    counts: Mapping[str, int]  # continuing options only, in the ballot's order of options
    continuing_ballots: int
    exhausted: int  # ballots whose ranked options have all been eliminated
    elected: str | None = None
    eliminated: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class InstantRunoff:
    rounds: tuple[Round, ...]
    winners: tuple[str, ...]  # one, or the options tied at the end
    tiebreak: tuple[str, ...]  # most favoured first; the last of a tied group is eliminated


@dataclass(frozen=True)
class Schulze:
    options: tuple[str, ...]
    preferences: Mapping[str, Mapping[str, int]]  # d[i][j]: ballots ranking i above j
    strongest_paths: Mapping[str, Mapping[str, int]]  # p[i][j]
    winners: tuple[str, ...]
    ranking: tuple[tuple[str, ...], ...]  # levels, best first; options on one level tie
    condorcet_winner: str | None


@dataclass(frozen=True, kw_only=True)
class RankedResult(Result):
    instant_runoff: InstantRunoff
    schulze: Schulze
    decided_by: Method = field(default=Method.SCHULZE)


# -- checking single ballots (also used when a member casts one) --------------------------


def _known(options: Sequence[str], choice: str, ballot: int | None) -> str:
    if choice not in options:
        raise UnknownOption(N_('"%(choice)s" is not one of the options of this ballot.',
                                choice=choice), ballot)
    return choice


def check_single_choice(options: Sequence[str], choice: str, ballot: int | None = None) -> str:
    if not isinstance(choice, str):
        raise TypeError("a single-choice ballot is one option name")
    if not choice:
        raise EmptyBallot(N_("Choose one option, or abstain."), ballot)
    return _known(options, choice, ballot)


def check_approval(
    options: Sequence[str], choices: Collection[str], ballot: int | None = None
) -> frozenset[str]:
    if isinstance(choices, str):
        raise TypeError("an approval ballot is a collection of option names")
    if not choices:
        raise EmptyBallot(N_("Tick at least one option, or abstain."), ballot)
    seen: set[str] = set()
    for choice in choices:
        if _known(options, choice, ballot) in seen:
            raise DuplicateChoice(N_('"%(choice)s" was ticked twice.', choice=choice), ballot)
        seen.add(choice)
    return frozenset(seen)


def check_ranking(
    options: Sequence[str], ranking: Sequence[str], ballot: int | None = None
) -> tuple[str, ...]:
    """A ranking lists options best first; it may leave options out (they share last place)."""
    if isinstance(ranking, str):
        raise TypeError("a ranking is a sequence of option names")
    if not ranking:
        raise EmptyBallot(N_("Rank at least one option, or abstain."), ballot)
    seen: set[str] = set()
    for place, choice in enumerate(ranking, 1):
        if _known(options, choice, ballot) in seen:
            raise DuplicateRanking(
                N_('"%(choice)s" is ranked twice (again in place %(place)s); give each option '
                   'one place at most.', choice=choice, place=place),
                ballot,
            )
        seen.add(choice)
    return tuple(ranking)


def check_consent(position: Consent | str, ballot: int | None = None) -> Consent:
    try:
        return Consent(position)
    except ValueError:
        raise UnknownOption(
            N_('"%(answer)s" is not a consent answer; choose agree, abstain, disagree or '
               'block.', answer=position),
            ballot,
        ) from None


# -- quorum and shared outcome ------------------------------------------------------------


class _Common(TypedDict):
    method: Method
    turnout: int
    abstentions: int
    eligible: int
    quorum_required: int
    quorum_reached: bool


def _base(rules: Rules, method: Method, ballots: int, abstentions: int) -> _Common:
    if abstentions < 0:
        raise InvalidRules("The number of abstentions cannot be negative.")
    turnout = ballots + abstentions
    if turnout > rules.eligible:
        raise InvalidRules(
            f"{turnout} ballots were cast but only {rules.eligible} members are eligible."
        )
    return {
        "method": method,
        "turnout": turnout,
        "abstentions": abstentions,
        "eligible": rules.eligible,
        "quorum_required": rules.quorum_required,
        "quorum_reached": turnout >= rules.quorum_required,
    }


def _no_quorum(rules: Rules, turnout: int) -> str:
    return (
        f"Quorum not reached: {turnout} of {rules.eligible} eligible members voted; "
        f"{rules.quorum_required} were needed."
    )


def _names(options: Iterable[str]) -> str:
    names = list(options)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _need_options(rules: Rules) -> None:
    if len(rules.options) < 2:
        raise InvalidRules("A ballot needs at least two options.")


def _decide_tally(
    rules: Rules, counts: dict[str, int], counted: int, base: _Common
) -> tuple[Status, tuple[str, ...], str]:
    if not base["quorum_reached"]:
        return Status.NO_QUORUM, (), _no_quorum(rules, base["turnout"])
    if counted == 0:
        return Status.NO_VOTES, (), "Every ballot was an abstention."
    top = max(counts.values())
    leaders = tuple(o for o, n in counts.items() if n == top)
    if rules.threshold is not None and not rules.threshold.met(top, counted):
        return Status.BELOW_THRESHOLD, (), (
            f"No option reached the threshold of {rules.threshold} of {counted} ballots; "
            f"the most votes were {top} ({_names(leaders)})."
        )
    if len(leaders) > 1:
        return Status.TIE, leaders, f"{_names(leaders)} are tied on {top} votes each."
    return Status.ELECTED, leaders, f"{leaders[0]} has the most votes: {top} of {counted}."


def count_single_choice(
    rules: Rules, ballots: Sequence[str], abstentions: int = 0
) -> TallyResult:
    _need_options(rules)
    counts = dict.fromkeys(rules.options, 0)
    for i, choice in enumerate(ballots, 1):
        counts[check_single_choice(rules.options, choice, i)] += 1
    base = _base(rules, Method.SINGLE_CHOICE, len(ballots), abstentions)
    status, winners, reason = _decide_tally(rules, counts, len(ballots), base)
    return TallyResult(status=status, winners=winners, reason=reason, threshold=rules.threshold,
                       counts=counts, counted=len(ballots), **base)


def count_approval(
    rules: Rules, ballots: Sequence[Collection[str]], abstentions: int = 0
) -> TallyResult:
    """Each ballot approves any number of options; the threshold is approvals / ballots."""
    _need_options(rules)
    counts = dict.fromkeys(rules.options, 0)
    for i, choices in enumerate(ballots, 1):
        for choice in check_approval(rules.options, choices, i):
            counts[choice] += 1
    base = _base(rules, Method.APPROVAL, len(ballots), abstentions)
    status, winners, reason = _decide_tally(rules, counts, len(ballots), base)
    return TallyResult(status=status, winners=winners, reason=reason, threshold=rules.threshold,
                       counts=counts, counted=len(ballots), **base)


def count_consent(rules: Rules, ballots: Sequence[Consent | str]) -> ConsentResult:
    """A proposal passes when nobody blocks and agree / (agree + disagree) meets the threshold."""
    tally = dict.fromkeys(Consent, 0)
    for i, position in enumerate(ballots, 1):
        tally[check_consent(position, i)] += 1
    agree, disagree, block = tally[Consent.AGREE], tally[Consent.DISAGREE], tally[Consent.BLOCK]
    threshold = rules.threshold or MAJORITY
    share = Fraction(agree, agree + disagree) if agree + disagree else None
    base = _base(rules, Method.CONSENT, len(ballots), 0)
    base["abstentions"] = tally[Consent.ABSTAIN]
    if not base["quorum_reached"]:
        status, reason = Status.NO_QUORUM, _no_quorum(rules, len(ballots))
    elif block:
        status = Status.BLOCKED
        reason = f"Blocked: {block} member{'s' if block > 1 else ''} blocked the proposal."
    elif share is None:
        status, reason = Status.NO_VOTES, "Nobody agreed or disagreed; every vote was an abstention."
    elif threshold.met(agree, agree + disagree):
        status = Status.PASSED
        reason = f"Passed: {agree} of {agree + disagree} agreed, {threshold} was needed."
    else:
        status = Status.BELOW_THRESHOLD
        reason = f"Not passed: {agree} of {agree + disagree} agreed, {threshold} was needed."
    return ConsentResult(status=status, winners=(), reason=reason, threshold=threshold,
                         agree=agree, abstain=tally[Consent.ABSTAIN], disagree=disagree,
                         block=block, share=share, **base)


# -- ranked choice ------------------------------------------------------------------------


def tiebreak_order(options: Iterable[str], seed: int | str) -> tuple[str, ...]:
    """A reproducible drawn order (most favoured first): the same seed gives the same order."""
    order = sorted(options)
    random.Random(str(seed)).shuffle(order)
    return tuple(order)


def instant_runoff(
    options: Sequence[str], ballots: Sequence[Sequence[str]],
    tiebreak: Sequence[str] | None = None,
) -> InstantRunoff:
    """Count rounds until an option holds more than half of the continuing ballots."""
    rankings = [check_ranking(options, r, i) for i, r in enumerate(ballots, 1)]
    order = tuple(tiebreak) if tiebreak is not None else tuple(sorted(options))
    if sorted(order) != sorted(options):
        raise InvalidRules("The tie-break order must list every option exactly once.")
    continuing = list(options)
    rounds: list[Round] = []
    if not rankings:
        return InstantRunoff((), (), order)
    while True:
        counts = dict.fromkeys(continuing, 0)
        exhausted = 0
        for ranking in rankings:
            top = next((o for o in ranking if o in counts), None)
            if top is None:
                exhausted += 1
            else:
                counts[top] += 1
        live = len(rankings) - exhausted
        number = len(rounds) + 1
        leader = max(continuing, key=lambda o: counts[o])
        if live and 2 * counts[leader] > live:
            rounds.append(Round(number, counts, live, exhausted, elected=leader, reason=(
                f"{leader} has {counts[leader]} of {live} continuing ballots, more than half.")))
            return InstantRunoff(tuple(rounds), (leader,), order)
        if len(set(counts.values())) == 1:
            rounds.append(Round(number, counts, live, exhausted, reason=(
                f"{_names(continuing)} are tied on {counts[leader]} votes; none can be "
                "eliminated without deciding the ballot by lot.")))
            return InstantRunoff(tuple(rounds), tuple(continuing), order)
        eliminated, reason = _to_eliminate(counts, rounds, order)
        rounds.append(Round(number, counts, live, exhausted, eliminated=eliminated, reason=reason))
        continuing = [o for o in continuing if o not in eliminated]


def _to_eliminate(
    counts: dict[str, int], earlier: list[Round], order: tuple[str, ...]
) -> tuple[tuple[str, ...], str]:
    fewest = min(counts.values())
    tied = [o for o, n in counts.items() if n == fewest]
    if fewest == 0:
        return tuple(tied), f"{_names(tied)} {'has' if len(tied) == 1 else 'have'} no votes."
    if len(tied) == 1:
        return (tied[0],), f"{tied[0]} has the fewest votes ({fewest})."
    reason = f"{_names(tied)} are tied on {fewest} votes"
    for back in reversed(earlier):
        least = min(back.counts[o] for o in tied)
        narrowed = [o for o in tied if back.counts[o] == least]
        if len(narrowed) < len(tied):
            reason += f"; {_names(narrowed)} had fewer in round {back.number} ({least})"
            tied = narrowed
            if len(tied) == 1:
                return (tied[0],), reason + "."
    if earlier:
        reason += f"; no earlier round separates {_names(tied)}"
    loser = max(tied, key=order.index)
    return (loser,), reason + f"; {loser} comes last of them in the tie-break order."


def schulze(options: Sequence[str], ballots: Sequence[Sequence[str]]) -> Schulze:
    """Pairwise preferences, strongest paths (winning votes) and the resulting ranking."""
    rankings = [check_ranking(options, r, i) for i, r in enumerate(ballots, 1)]
    d = {i: {j: 0 for j in options if j != i} for i in options}
    for ranking in rankings:
        place = {o: n for n, o in enumerate(ranking)}
        unranked = len(ranking)  # options left out share the last place
        for i in options:
            for j in options:
                if i != j and place.get(i, unranked) < place.get(j, unranked):
                    d[i][j] += 1
    p = {i: {j: d[i][j] if d[i][j] > d[j][i] else 0 for j in d[i]} for i in options}
    for k in options:
        for i in options:
            if i == k:
                continue
            for j in options:
                if j not in (i, k):
                    p[i][j] = max(p[i][j], min(p[i][k], p[k][j]))
    remaining = list(options)
    levels: list[tuple[str, ...]] = []
    while remaining:
        level = tuple(i for i in remaining
                      if all(p[i][j] >= p[j][i] for j in remaining if j != i))
        levels.append(level)
        remaining = [o for o in remaining if o not in level]
    condorcet = next((i for i in options if all(d[i][j] > d[j][i] for j in d[i])), None)
    return Schulze(tuple(options), d, p, levels[0], tuple(levels), condorcet)


def count_ranked(
    rules: Rules, ballots: Sequence[Sequence[str]], abstentions: int = 0,
    decided_by: Method = Method.SCHULZE, tiebreak: Sequence[str] | None = None,
) -> RankedResult:
    """Counts both instant-runoff and Schulze; `decided_by` names the one that decides."""
    _need_options(rules)
    if decided_by not in (Method.SCHULZE, Method.INSTANT_RUNOFF):
        raise InvalidRules("A ranked ballot is decided by Schulze or by instant-runoff.")
    if rules.threshold is not None:
        raise InvalidRules("Ranked choice takes no threshold: its winner needs a majority of "
                           "continuing ballots (instant-runoff) or beats every rival (Schulze).")
    irv = instant_runoff(rules.options, ballots, tiebreak)
    sch = schulze(rules.options, ballots)
    base = _base(rules, decided_by, len(ballots), abstentions)
    winners = sch.winners if decided_by is Method.SCHULZE else irv.winners
    name = "Schulze" if decided_by is Method.SCHULZE else "instant-runoff"
    if not base["quorum_reached"]:
        status, winners, reason = Status.NO_QUORUM, (), _no_quorum(rules, len(ballots) + abstentions)
    elif not ballots:
        status, winners, reason = Status.NO_VOTES, (), "Every ballot was an abstention."
    elif len(winners) > 1:
        status, reason = Status.TIE, f"{_names(winners)} are tied under {name}."
    else:
        status, reason = Status.ELECTED, f"{winners[0]} wins under {name}."
    return RankedResult(status=status, winners=winners, reason=reason, threshold=None,
                        instant_runoff=irv, schulze=sch, decided_by=decided_by,
                        **base)
