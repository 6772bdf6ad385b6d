"""Counting formal ballots against hand-computed examples: single choice, approval, consent,
ranked choice (instant-runoff and Schulze), quorum, thresholds, ties and refused ballots."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from content.voting import (
    MAJORITY,
    TWO_THIRDS,
    Consent,
    DuplicateChoice,
    DuplicateRanking,
    EmptyBallot,
    InvalidBallot,
    InvalidRules,
    Method,
    Rules,
    Status,
    Threshold,
    UnknownOption,
    at_least,
    check_ranking,
    count_approval,
    count_consent,
    count_ranked,
    count_single_choice,
    instant_runoff,
    schulze,
    tiebreak_order,
)


def many(*groups: tuple[int, list[str]]) -> list[list[str]]:
    """Expand (number of voters, ranking) groups into one ballot per voter."""
    return [list(ranking) for n, ranking in groups for _ in range(n)]


def table(matrix: dict[str, dict[str, int]] | object, options: str) -> list[list[int | None]]:
    assert isinstance(matrix, dict)
    return [[matrix[i].get(j) for j in options] for i in options]


# -- ranked choice: the Tennessee capital ---------------------------------------------------

M, N, C, K = "Memphis", "Nashville", "Chattanooga", "Knoxville"
TENNESSEE = many(
    (42, [M, N, C, K]),  # the west: Memphis, then the closest cities
    (26, [N, C, K, M]),
    (15, [C, K, N, M]),
    (17, [K, C, N, M]),
)


def test_tennessee_instant_runoff_elects_knoxville() -> None:
    # Round 1: Memphis 42, Nashville 26, Chattanooga 15, Knoxville 17 of 100; nobody > 50.
    #          Chattanooga has the fewest (15) and is eliminated; its 15 go to Knoxville.
    # Round 2: Memphis 42, Nashville 26, Knoxville 17 + 15 = 32; Nashville is eliminated;
    #          its 26 (N > C > K) skip eliminated Chattanooga and go to Knoxville.
    # Round 3: Memphis 42, Knoxville 32 + 26 = 58 > 50: Knoxville.
    result = instant_runoff((M, N, C, K), TENNESSEE)
    assert [dict(r.counts) for r in result.rounds] == [
        {M: 42, N: 26, C: 15, K: 17},
        {M: 42, N: 26, K: 32},
        {M: 42, K: 58},
    ]
    assert [r.eliminated for r in result.rounds] == [(C,), (N,), ()]
    assert result.rounds[0].reason == "Chattanooga has the fewest votes (15)."
    assert result.rounds[-1].elected == K
    assert result.rounds[-1].reason == "Knoxville has 58 of 100 continuing ballots, more than half."
    assert all(r.exhausted == 0 and r.continuing_ballots == 100 for r in result.rounds)
    assert result.winners == (K,)


def test_tennessee_schulze_elects_the_condorcet_winner_nashville() -> None:
    # d[X][Y] = voters ranking X above Y:
    #   N over M: 26 + 15 + 17 = 58     M over N: 42
    #   N over C: 42 + 26 = 68          C over N: 15 + 17 = 32
    #   N over K: 42 + 26 = 68          K over N: 32
    #   C over K: 42 + 26 + 15 = 83     K over C: 17
    #   C over M: 58, K over M: 58      M over C: 42, M over K: 42
    # Nashville beats everyone head to head (Condorcet winner). Every pairwise defeat runs
    # "down" N > C > K > M, so no path is stronger than the direct defeat: p = d where
    # d[X][Y] > d[Y][X], else 0 — and the ranking is Nashville, Chattanooga, Knoxville, Memphis.
    result = schulze((M, N, C, K), TENNESSEE)
    order = (M, N, C, K)
    assert [[result.preferences[i].get(j) for j in order] for i in order] == [
        [None, 42, 42, 42],
        [58, None, 68, 68],
        [58, 32, None, 83],
        [58, 32, 17, None],
    ]
    assert [[result.strongest_paths[i].get(j) for j in order] for i in order] == [
        [None, 0, 0, 0],
        [58, None, 68, 68],
        [58, 0, None, 83],
        [58, 0, 0, None],
    ]
    assert result.condorcet_winner == N
    assert result.winners == (N,)
    assert result.ranking == ((N,), (C,), (K,), (M,))


def test_count_ranked_reports_both_and_lets_the_ballot_choose_which_decides() -> None:
    rules = Rules(options=(M, N, C, K), eligible=120, quorum=Fraction(1, 2))
    by_schulze = count_ranked(rules, TENNESSEE, abstentions=3)
    assert (by_schulze.status, by_schulze.winner) == (Status.ELECTED, N)
    assert by_schulze.method is Method.SCHULZE
    assert by_schulze.instant_runoff.winners == (K,)  # reported alongside
    assert (by_schulze.turnout, by_schulze.quorum_required, by_schulze.quorum_reached) == (
        103, 60, True)
    by_irv = count_ranked(rules, TENNESSEE, decided_by=Method.INSTANT_RUNOFF)
    assert by_irv.winner == K
    assert by_irv.reason == "Knoxville wins under instant-runoff."


def test_partial_rankings_center_squeeze_irv_and_schulze_differ() -> None:
    # 12 voters, rankings of a subset; options left out share the last place.
    #   5: A > B      2: B > A      1: B > C      4: C > B
    # IRV round 1: A 5, B 3, C 4 -> B eliminated; its ballots: 2 to A, 1 to C.
    #     round 2: A 7, C 5 of 12 continuing; 7 > 6: A.
    # Schulze: B over A = 2 + 1 + 4 (C > B ballots rank B, not A) = 7, A over B = 5;
    #          B over C = 5 + 2 + 1 = 8, C over B = 4; A over C = 5 + 2 = 7, C over A = 1 + 4 = 5.
    #          B beats both: the Condorcet winner B, then A (beats C), then C.
    ballots = many((5, ["A", "B"]), (2, ["B", "A"]), (1, ["B", "C"]), (4, ["C", "B"]))
    irv = instant_runoff(("A", "B", "C"), ballots)
    assert [dict(r.counts) for r in irv.rounds] == [{"A": 5, "B": 3, "C": 4}, {"A": 7, "C": 5}]
    assert irv.winners == ("A",)
    sch = schulze(("A", "B", "C"), ballots)
    assert table(sch.preferences, "ABC") == [[None, 5, 7], [7, None, 8], [5, 4, None]]
    assert sch.condorcet_winner == "B"
    assert sch.ranking == (("B",), ("A",), ("C",))


# -- ranked choice: Condorcet cycles --------------------------------------------------------


def test_condorcet_cycle_schulze_decides_by_the_strongest_paths() -> None:
    # 9 voters: 4 A > B > C, 3 B > C > A, 2 C > A > B.
    #   A over B: 4 + 2 = 6 (B over A 3);  B over C: 4 + 3 = 7 (C over B 2);
    #   C over A: 3 + 2 = 5 (A over C 4)  -> a cycle A > B > C > A, no Condorcet winner.
    # Strongest paths (a path is as strong as its weakest link):
    #   p[A][B] = 6, p[B][C] = 7, p[C][A] = 5
    #   p[A][C] = max(0, min(6, 7)) = 6     p[B][A] = min(7, 5) = 5     p[C][B] = min(5, 6) = 5
    #   A: 6 >= 5 against B, 6 >= 5 against C -> A wins; B beats C (7 > 5): A, B, C.
    ballots = many((4, ["A", "B", "C"]), (3, ["B", "C", "A"]), (2, ["C", "A", "B"]))
    result = schulze(("A", "B", "C"), ballots)
    assert table(result.preferences, "ABC") == [[None, 6, 4], [3, None, 7], [5, 2, None]]
    assert table(result.strongest_paths, "ABC") == [[None, 6, 6], [5, None, 7], [5, 5, None]]
    assert result.condorcet_winner is None
    assert result.winners == ("A",)
    assert result.ranking == (("A",), ("B",), ("C",))


def test_symmetric_condorcet_cycle_is_reported_as_a_tie_by_both_methods() -> None:
    # A > B > C, B > C > A, C > A > B: every pairwise contest is 2 to 1 and every strongest
    # path is 2, so nobody beats anybody: a three-way tie. IRV round 1 is 1 / 1 / 1: a tie
    # among all continuing options, which we report instead of eliminating one by lot.
    ballots = [["A", "B", "C"], ["B", "C", "A"], ["C", "A", "B"]]
    result = count_ranked(Rules(options=("A", "B", "C"), eligible=3), ballots)
    assert result.schulze.strongest_paths == {
        "A": {"B": 2, "C": 2}, "B": {"A": 2, "C": 2}, "C": {"A": 2, "B": 2}}
    assert result.status is Status.TIE
    assert result.winners == ("A", "B", "C")
    assert result.winner is None
    assert result.schulze.ranking == (("A", "B", "C"),)
    assert result.instant_runoff.winners == ("A", "B", "C")
    assert len(result.instant_runoff.rounds) == 1


def test_schulze_five_option_cycle_full_matrices() -> None:
    # 45 voters, 5 options (the example of Schulze's own papers):
    #   5 ACBED, 5 ADECB, 8 BEDAC, 3 CABED, 7 CAEBD, 2 CBADE, 7 DCEBA, 8 EBADC.
    # d[A][B]: A above B on ACBED 5, ADECB 5, CABED 3, CAEBD 7 = 20; B above A: 8+2+7+8 = 25.
    # Pairwise: B>A 25:20, A>C 26:19, A>D 30:15, E>A 23:22, C>B 29:16, B>D 33:12, E>B 27:18,
    #           D>C 28:17, C>E 24:21, E>D 31:14 — a cycle (A>C>B>A, ...), no Condorcet winner.
    # Strongest paths, e.g. p[E][A] = 25 via E>D (31), D>C (28), C>A? no (C loses to A);
    #   E>B (27), B>A (25): min = 25;  p[A][E] = A>D (30), D>C (28), C>E (24): 24.
    # E beats every option on strongest paths: E (25>24, 28>24, 28>24, 31>24), then A, C, B, D.
    ballots = many(
        (5, list("ACBED")), (5, list("ADECB")), (8, list("BEDAC")), (3, list("CABED")),
        (7, list("CAEBD")), (2, list("CBADE")), (7, list("DCEBA")), (8, list("EBADC")),
    )
    result = schulze(tuple("ABCDE"), ballots)
    assert table(result.preferences, "ABCDE") == [
        [None, 20, 26, 30, 22],
        [25, None, 16, 33, 18],
        [19, 29, None, 17, 24],
        [15, 12, 28, None, 14],
        [23, 27, 21, 31, None],
    ]
    assert table(result.strongest_paths, "ABCDE") == [
        [None, 28, 28, 30, 24],
        [25, None, 28, 33, 24],
        [25, 29, None, 29, 24],
        [25, 28, 28, None, 24],
        [25, 28, 28, 31, None],
    ]
    assert result.winners == ("E",)
    assert result.ranking == (("E",), ("A",), ("C",), ("B",), ("D",))
    # IRV on the same ballots: D (7) out; 7 DCEBA -> C 19. B and E tie on 8, and tied in
    # round 1 too: the tie-break order (alphabetical by default) puts E last -> E out,
    # 8 EBADC -> B 16. A (10) out: 5 ACBED + 5 ADECB -> C, 29 of 45: C. IRV and Schulze differ.
    irv = instant_runoff(tuple("ABCDE"), ballots)
    assert [r.eliminated for r in irv.rounds] == [("D",), ("E",), ("A",), ()]
    assert irv.rounds[1].reason == (
        "B and E are tied on 8 votes; no earlier round separates B and E; "
        "E comes last of them in the tie-break order.")
    assert irv.winners == ("C",)


# -- ranked choice: instant-runoff ties and exhausted ballots --------------------------------


def test_irv_elimination_tie_broken_by_an_earlier_round_with_exhausted_ballots() -> None:
    # 14 ballots: 5 [A], 4 [B], 3 [C, B], 1 [D, C], 1 [D, A].
    # Round 1: A 5, B 4, C 3, D 2 -> D out; its ballots go to C and A.
    # Round 2: A 6, B 4, C 4 -> B and C tie on 4; in round 1 C had 3, B 4 -> C out.
    #          C's ballots: 3 [C, B] -> B; [D, C] has nobody left: exhausted.
    # Round 3: A 6, B 7 of 13 continuing (1 exhausted); 7 > 6.5 -> B.
    ballots = many((5, ["A"]), (4, ["B"]), (3, ["C", "B"]), (1, ["D", "C"]), (1, ["D", "A"]))
    result = instant_runoff(("A", "B", "C", "D"), ballots)
    assert [dict(r.counts) for r in result.rounds] == [
        {"A": 5, "B": 4, "C": 3, "D": 2}, {"A": 6, "B": 4, "C": 4}, {"A": 6, "B": 7}]
    assert [r.eliminated for r in result.rounds] == [("D",), ("C",), ()]
    assert result.rounds[1].reason == "B and C are tied on 4 votes; C had fewer in round 1 (3)."
    assert [(r.continuing_ballots, r.exhausted) for r in result.rounds] == [
        (14, 0), (14, 0), (13, 1)]
    assert result.winners == ("B",)


def test_irv_tie_with_no_history_follows_the_callers_tiebreak_order() -> None:
    # 7 ballots: 3 [A], 2 [B, C], 2 [C, B]. Round 1: A 3, B 2, C 2 — B and C tie, no
    # earlier round. Default order is alphabetical (A, B, C): C comes last, goes, its 2 go
    # to B: B 4 of 7 > 3.5 -> B. With the drawn order (C, B, A), B goes and C wins 4 to 3.
    ballots = many((3, ["A"]), (2, ["B", "C"]), (2, ["C", "B"]))
    assert instant_runoff(("A", "B", "C"), ballots).winners == ("B",)
    drawn = instant_runoff(("A", "B", "C"), ballots, tiebreak=("C", "B", "A"))
    assert drawn.rounds[0].eliminated == ("B",)
    assert drawn.winners == ("C",)
    with pytest.raises(InvalidRules, match="tie-break order"):
        instant_runoff(("A", "B", "C"), ballots, tiebreak=("C", "B"))


def test_irv_options_without_votes_go_together_and_a_final_tie_is_reported() -> None:
    # Options A, B, C, D; ballots [A, C], [B]. Round 1: A 1, B 1, C 0, D 0: C and D have no
    # votes and go together. Round 2: A 1, B 1 — a tie among all continuing options.
    result = instant_runoff(("A", "B", "C", "D"), [["A", "C"], ["B"]])
    assert result.rounds[0].eliminated == ("C", "D")
    assert result.rounds[0].reason == "C and D have no votes."
    assert result.winners == ("A", "B")
    assert result.rounds[-1].elected is None


def test_tiebreak_order_is_a_reproducible_draw() -> None:
    options = ("Lisbon", "Porto", "Braga", "Faro", "Coimbra")
    order = tiebreak_order(options, seed="ballot-2024-07")
    assert order == tiebreak_order(reversed(options), seed="ballot-2024-07")
    assert sorted(order) == sorted(options)
    assert len({tiebreak_order(options, seed=s) for s in range(20)}) > 1


# -- single choice and approval --------------------------------------------------------------


def test_single_choice_plurality_and_two_thirds_threshold() -> None:
    # 9 ballots: A 5, B 3, C 1. Most votes: A. With "at least 2/3": 5/9 < 6/9 -> nobody.
    ballots = ["A"] * 5 + ["B"] * 3 + ["C"]
    plain = count_single_choice(Rules(options=("A", "B", "C"), eligible=10), ballots)
    assert (plain.status, plain.winners, dict(plain.counts)) == (
        Status.ELECTED, ("A",), {"A": 5, "B": 3, "C": 1})
    assert plain.reason == "A has the most votes: 5 of 9."
    rules = Rules(options=("A", "B", "C"), eligible=10, threshold=TWO_THIRDS)
    short = count_single_choice(rules, ballots)
    assert short.status is Status.BELOW_THRESHOLD
    assert short.winners == ()
    assert short.reason == ("No option reached the threshold of at least 2/3 of 9 ballots; "
                            "the most votes were 5 (A).")
    # Exactly 2/3 meets "at least 2/3": 6 of 9.
    assert count_single_choice(rules, ["A"] * 6 + ["B"] * 3).winner == "A"


def test_abstentions_count_for_quorum_but_not_for_the_threshold() -> None:
    # 4 for A, 1 for B, 5 abstain: turnout 10 of 10; A has 4/5 > 1/2 of the counted ballots.
    rules = Rules(options=("A", "B"), eligible=10, quorum=10, threshold=MAJORITY)
    result = count_single_choice(rules, ["A"] * 4 + ["B"], abstentions=5)
    assert (result.turnout, result.counted, result.quorum_reached) == (10, 5, True)
    assert result.winner == "A"


def test_approval_tie_is_reported_not_decided() -> None:
    # {A, B}, {B, C}, {A}: A 2, B 2, C 1 -> A and B tie on 2.
    rules = Rules(options=("A", "B", "C"), eligible=5)
    result = count_approval(rules, [{"A", "B"}, {"B", "C"}, {"A"}])
    assert dict(result.counts) == {"A": 2, "B": 2, "C": 1}
    assert (result.status, result.winners, result.winner) == (Status.TIE, ("A", "B"), None)
    assert result.reason == "A and B are tied on 2 votes each."
    assert not result.decided


def test_approval_threshold_is_the_share_of_ballots_approving() -> None:
    # 6 ballots; A approved on 4 (4/6 = 2/3, meets "at least 2/3"), B on 3.
    ballots = [{"A", "B"}, {"A", "B"}, {"A"}, {"A"}, {"B"}, {"C"}]
    rules = Rules(options=("A", "B", "C"), eligible=6, threshold=TWO_THIRDS)
    assert count_approval(rules, ballots).winner == "A"
    rules = Rules(options=("A", "B", "C"), eligible=6, threshold=at_least(Fraction(3, 4)))
    assert count_approval(rules, ballots).status is Status.BELOW_THRESHOLD


# -- consent ---------------------------------------------------------------------------------


def test_consent_one_block_stops_the_proposal() -> None:
    ballots = [Consent.AGREE] * 10 + [Consent.ABSTAIN] * 2 + ["block"]
    result = count_consent(Rules(eligible=20), ballots)
    assert (result.agree, result.abstain, result.disagree, result.block) == (10, 2, 0, 1)
    assert result.status is Status.BLOCKED
    assert result.reason == "Blocked: 1 member blocked the proposal."
    assert not result.passed


def test_consent_threshold_counts_agree_against_agree_plus_disagree() -> None:
    # 8 agree, 4 disagree, 3 abstain: 8 / 12 = 2/3 meets "at least 2/3"; abstentions ignored.
    # 7 agree, 4 disagree: 7 / 11 < 2/3 -> not passed.
    rules = Rules(eligible=20, threshold=TWO_THIRDS)
    passed = count_consent(rules, ["agree"] * 8 + ["disagree"] * 4 + ["abstain"] * 3)
    assert passed.status is Status.PASSED and passed.share == Fraction(2, 3)
    assert passed.reason == "Passed: 8 of 12 agreed, at least 2/3 was needed."
    failed = count_consent(rules, ["agree"] * 7 + ["disagree"] * 4 + ["abstain"] * 3)
    assert failed.status is Status.BELOW_THRESHOLD and failed.share == Fraction(7, 11)
    # The default is a simple majority, "more than half": 2 agree against 2 is not enough.
    assert count_consent(Rules(eligible=4), ["agree"] * 2 + ["disagree"] * 2).status is (
        Status.BELOW_THRESHOLD)
    assert count_consent(Rules(eligible=4), ["abstain"] * 4).status is Status.NO_VOTES


# -- quorum ----------------------------------------------------------------------------------


def test_quorum_not_reached_reports_the_counts_but_no_winner() -> None:
    # 40 eligible, quorum 1/2 -> 20 needed; 12 ballots + 3 abstentions = 15.
    rules = Rules(options=("A", "B"), eligible=40, quorum=Fraction(1, 2))
    result = count_single_choice(rules, ["A"] * 10 + ["B"] * 2, abstentions=3)
    assert (result.turnout, result.quorum_required, result.quorum_reached) == (15, 20, False)
    assert result.status is Status.NO_QUORUM and result.winners == ()
    assert dict(result.counts) == {"A": 10, "B": 2}
    assert result.reason == (
        "Quorum not reached: 15 of 40 eligible members voted; 20 were needed.")
    ranked = count_ranked(rules, [["A", "B"]] * 12)
    assert ranked.status is Status.NO_QUORUM and ranked.schulze.winners == ("A",)
    consent = count_consent(Rules(eligible=40, quorum=Fraction(1, 2)), ["agree"] * 19)
    assert consent.status is Status.NO_QUORUM


def test_quorum_fraction_rounds_up_and_absolute_quorum_is_inclusive() -> None:
    assert Rules(eligible=41, quorum=Fraction(1, 2)).quorum_required == 21  # 20.5 -> 21
    assert Rules(eligible=40, quorum=Fraction(1, 3)).quorum_required == 14  # 13.33 -> 14
    rules = Rules(options=("A", "B"), eligible=40, quorum=15)
    assert count_single_choice(rules, ["A"] * 15).quorum_reached
    assert not count_single_choice(rules, ["A"] * 14).quorum_reached


# -- refused ballots and settings -------------------------------------------------------------


def test_refused_ballots_say_what_is_wrong() -> None:
    options = ("Lisbon", "Porto")
    with pytest.raises(UnknownOption, match='Ballot 2: "Madrid" is not one of the options'):
        count_single_choice(Rules(options=options, eligible=5), ["Lisbon", "Madrid"])
    with pytest.raises(DuplicateRanking, match='"Porto" is ranked twice'):
        check_ranking(options, ["Porto", "Lisbon", "Porto"])
    with pytest.raises(EmptyBallot, match="Rank at least one option, or abstain"):
        count_ranked(Rules(options=options, eligible=5), [["Lisbon"], []])
    with pytest.raises(EmptyBallot, match="Tick at least one option"):
        count_approval(Rules(options=options, eligible=5), [set()])
    with pytest.raises(DuplicateChoice, match='"Porto" was ticked twice'):
        count_approval(Rules(options=options, eligible=5), [["Porto", "Porto"]])
    with pytest.raises(UnknownOption, match="choose agree, abstain, disagree or block"):
        count_consent(Rules(eligible=5), ["maybe"])
    # Every refusal is a ValueError a caller can show as it is.
    with pytest.raises(ValueError) as caught:
        count_single_choice(Rules(options=options, eligible=5), [""])
    assert isinstance(caught.value, InvalidBallot) and caught.value.ballot == 1


def test_refused_settings() -> None:
    with pytest.raises(InvalidRules, match="exact fraction"):
        Threshold(0.66)  # type: ignore[arg-type]
    with pytest.raises(InvalidRules, match="never be met"):
        Threshold(Fraction(1), strict=True)
    with pytest.raises(InvalidRules, match="same name"):
        Rules(options=("A", "A"))
    with pytest.raises(InvalidRules, match="between 0 and 1"):
        Rules(options=("A", "B"), eligible=3, quorum=Fraction(3, 2))
    with pytest.raises(InvalidRules, match="only 2 members are eligible"):
        count_single_choice(Rules(options=("A", "B"), eligible=2), ["A", "B", "A"])
    with pytest.raises(InvalidRules, match="takes no threshold"):
        count_ranked(Rules(options=("A", "B"), eligible=2, threshold=MAJORITY), [["A"]])
    with pytest.raises(InvalidRules, match="at least two options"):
        count_approval(Rules(options=("A",), eligible=2), [["A"]])


# -- properties over seeded random ballots ---------------------------------------------------


def random_election(rng: random.Random) -> tuple[tuple[str, ...], list[list[str]]]:
    options = tuple("ABCDEF"[: rng.randint(2, 6)])
    ballots = []
    for _ in range(rng.randint(1, 40)):
        ranking = list(options)
        rng.shuffle(ranking)
        ballots.append(ranking[: rng.randint(1, len(options))])
    return options, ballots


def test_properties_over_random_elections() -> None:
    rng = random.Random(20240705)
    condorcet_seen = 0
    for _ in range(400):
        options, ballots = random_election(rng)
        sch = schulze(options, ballots)
        d, p = sch.preferences, sch.strongest_paths
        # A Condorcet winner always wins Schulze, alone.
        if sch.condorcet_winner is not None:
            condorcet_seen += 1
            assert sch.winners == (sch.condorcet_winner,)
        # The ranking covers every option once; its first level is the winners.
        assert sorted(o for level in sch.ranking for o in level) == sorted(options)
        assert sch.ranking[0] == sch.winners
        # Strongest paths are at least the direct defeat, and the Schulze relation is
        # transitive.
        for i in options:
            for j in options:
                if i != j and d[i][j] > d[j][i]:
                    assert p[i][j] >= d[i][j]
                for k in options:
                    if len({i, j, k}) == 3 and p[i][j] > p[j][i] and p[j][k] > p[k][j]:
                        assert p[i][k] > p[k][i]
        # IRV: every round accounts for every ballot; a single winner has a majority; the
        # order of the ballots does not matter.
        irv = instant_runoff(options, ballots)
        for r in irv.rounds:
            assert sum(r.counts.values()) == r.continuing_ballots
            assert r.continuing_ballots + r.exhausted == len(ballots)
        last = irv.rounds[-1]
        if len(irv.winners) == 1:
            assert 2 * last.counts[irv.winners[0]] > last.continuing_ballots
        else:
            assert len(set(last.counts.values())) == 1
        shuffled = list(ballots)
        rng.shuffle(shuffled)
        assert instant_runoff(options, shuffled) == irv
        assert schulze(options, shuffled) == sch
    assert condorcet_seen > 50  # the property was really exercised
