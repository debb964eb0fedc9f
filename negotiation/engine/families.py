"""Scalable families of classic games, for tests and benchmarks beyond the catalog's fixed files."""

from __future__ import annotations

from fractions import Fraction

from negotiation.engine.extensive import ExtensiveFormGame, Node, chance, decision, leaf


def kuhn_poker(cards: int = 3, rake: Fraction | int = 0) -> ExtensiveFormGame:
    """Kuhn poker with ``cards`` cards and an optional rake on every payoff.

    Each player antes 1 and is dealt a card; the first player checks or bets 1, the
    second checks, bets, calls or folds, and a first player facing a bet calls or folds
    (Kuhn 1950, *Contributions to the Theory of Games* I, 97-103, which uses three cards;
    the value to the first player is then -1/18).  With ``rake`` = r each payoff ``v``
    becomes ``v - r|v|``: the house's cut makes the game general-sum.
    """
    rake = Fraction(rake)
    names = [f"c{k}" for k in range(cards)]
    prob = Fraction(1, cards * (cards - 1))

    def pay(v: int) -> Node:
        return leaf(v - rake * abs(v), -v - rake * abs(v))

    def showdown(i: int, j: int, stake: int) -> Node:
        return pay(stake if i > j else -stake)

    deals = {}
    for i in range(cards):
        for j in range(cards):
            if i != j:
                after_check = decision("P2", {"check": showdown(i, j, 1), "bet": decision(
                    "P1", {"fold": pay(-1), "call": showdown(i, j, 2)}, infoset=f"{names[i]} cb")},
                    infoset=f"{names[j]} c")
                after_bet = decision("P2", {"fold": pay(1), "call": showdown(i, j, 2)}, infoset=f"{names[j]} b")
                deals[f"{names[i]}{names[j]}"] = (prob, decision("P1", {"check": after_check, "bet": after_bet},
                                                                 infoset=names[i]))
    title = f"{cards}-card Kuhn poker" + (f", rake {rake}" if rake else "")
    return ExtensiveFormGame(("P1", "P2"), chance(deals), title)
