"""Read Gambit's extensive-form format (.efg) as far as its strategic form.

Format reference: The Gambit Project, "Game representation formats", section
"The extensive game (.efg) file format, version 2".  Nodes are listed in preorder:
``p`` (personal), ``c`` (chance) and ``t`` (terminal); payoffs of outcomes attached to
nonterminal nodes add up along the path.
"""

from __future__ import annotations

import itertools
import math
import os
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from negotiation.engine.game import NormalFormGame
from negotiation.errors import BudgetError, GameFormatError
from negotiation.io.nfg import blank_to_default
from negotiation.io.tokens import TokenStream

MAX_PROFILES = 1_000_000


@dataclass
class _Node:
    kind: str  # "p", "c", "t"
    player: int = 0  # 1-based for personal nodes
    infoset: int = 0
    outcome: int = 0
    probs: list[Fraction] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)


@dataclass
class ExtensiveFormText:
    """What the strategic form needs from an .efg file."""

    title: str
    players: list[str]
    root: _Node
    infosets: dict[tuple[int, int], list[str]]  # (player, infoset) -> action names
    outcomes: dict[int, list[Fraction]]


def parse_efg(text: str, path: str = "<string>") -> ExtensiveFormText:
    """Parse the text of an .efg file."""
    ts = TokenStream(text, path)
    title, players = ts.header("EFG", 2)
    if (t := ts.peek()) is not None and t.kind == "str":
        ts.next("comment")
    infosets: dict[tuple[int, int], list[str]] = {}
    outcomes: dict[int, list[Fraction]] = {}
    n = len(players)

    def outcome(field_name: str) -> int:
        k = ts.integer(field_name)
        if k < 0:
            raise ts.error(f"outcome number {k} is negative", field_name)
        if k and (t := ts.peek()) is not None and t.kind == "str":
            ts.next("outcome name")
            ts.expect("{", "outcome payoffs")
            values = [ts.number(f"outcome {k} payoffs") for _ in range(n)]
            ts.expect("}", f"outcome {k} payoffs (exactly {n} numbers)")
            outcomes[k] = values
        elif k and k not in outcomes:
            raise ts.error(f"outcome {k} is used before its payoffs are given", field_name)
        return k

    def node() -> _Node:
        tok = ts.expect("word", "node type")
        if tok.text not in ("p", "c", "t"):
            raise GameFormatError(f"node type must be p, c or t, not {tok.text!r}", path, tok.line, "node type")
        ts.expect("str", "node name")
        if tok.text == "t":
            return _Node("t", outcome=outcome("terminal outcome"))
        if tok.text == "p":
            player = ts.integer("player number")
            if not 1 <= player <= n:
                raise ts.error(f"player number {player} is not between 1 and {n}", "player number")
        else:
            player = 0
        iset = ts.integer("information set")
        key = (player, iset)
        if (t := ts.peek()) is not None and t.kind == "str":
            ts.next("information set name")
        probs: list[Fraction] = []
        if (t := ts.peek()) is not None and t.kind == "{":
            ts.expect("{", "actions")
            actions = []
            while (t := ts.peek()) is not None and t.kind == "str":
                actions.append(ts.next("actions").text)
                if player == 0:
                    probs.append(ts.number("chance probability"))
            ts.expect("}", "actions")
            if not actions:
                raise ts.error("a node needs at least one action", "actions")
            if key in infosets and len(infosets[key]) != len(actions):
                raise ts.error(f"information set {iset} of player {player} changes its actions", "actions")
            infosets[key] = actions
            if player == 0:
                if any(p < 0 for p in probs) or sum(probs) != 1:
                    shown = [str(p) for p in probs]
                    raise ts.error(f"chance probabilities {shown} are not a distribution", "chance probability")
                infosets[(0, -len(infosets) - 1)] = actions  # chance sets are not shared
        elif key not in infosets or player == 0:
            raise ts.error(f"information set {iset} is used before its actions are listed", "actions")
        nd = _Node("p" if player else "c", player, iset, outcome("node outcome"), probs)
        nd.children = [node() for _ in range(len(probs) if player == 0 else len(infosets[key]))]
        return nd

    root = node()
    if not ts.at_end():
        raise ts.error(f"unexpected {ts.peek().text!r} after the last node", "nodes")  # type: ignore[union-attr]
    infosets = {k: v for k, v in infosets.items() if k[0] > 0}
    return ExtensiveFormText(title, players, root, infosets, outcomes)


def strategic_form(efg: ExtensiveFormText, path: str = "<string>") -> NormalFormGame:
    """The (unreduced) strategic form: a pure strategy picks one action per information set."""
    n = len(efg.players)
    own = [sorted(k for k in efg.infosets if k[0] == i + 1) for i in range(n)]
    choices = [list(itertools.product(*(range(len(efg.infosets[k])) for k in sets))) for sets in own]
    shape = tuple(max(1, len(c)) for c in choices)
    if math.prod(shape) > MAX_PROFILES:
        raise BudgetError(f"{path}: the strategic form has {math.prod(shape):,} pure profiles, over {MAX_PROFILES:,}")
    names = []
    for i in range(n):
        labels = [
            "/".join(efg.infosets[k][a] for k, a in zip(own[i], combo, strict=True)) or "(none)"
            for combo in choices[i]
        ] or ["(none)"]
        if len(set(labels)) != len(labels):
            labels = [f"{k + 1}:{s}" for k, s in enumerate(labels)]
        names.append(tuple(labels))
    payoffs = np.empty((n, *shape), dtype=object)
    for cell in itertools.product(*(range(s) for s in shape)):
        plan = {}
        for i, k in enumerate(cell):
            if choices[i] and choices[i][k]:
                plan.update(dict(zip(own[i], choices[i][k], strict=True)))
        values = _expected(efg.root, plan, efg.outcomes, n)
        for i in range(n):
            payoffs[(i, *cell)] = values[i]
    players = tuple(blank_to_default(efg.players, "P"))
    return NormalFormGame(payoffs, players, tuple(names), efg.title, exact=True)


def _expected(
    nd: _Node, plan: dict[tuple[int, int], int], outcomes: dict[int, list[Fraction]], n: int
) -> list[Fraction]:
    here = list(outcomes.get(nd.outcome, [Fraction(0)] * n))
    if nd.kind == "t":
        return here
    if nd.kind == "c":
        for p, child in zip(nd.probs, nd.children, strict=True):
            sub = _expected(child, plan, outcomes, n)
            here = [h + p * s for h, s in zip(here, sub, strict=True)]
        return here
    sub = _expected(nd.children[plan[(nd.player, nd.infoset)]], plan, outcomes, n)
    return [h + s for h, s in zip(here, sub, strict=True)]


def read_efg(path: str | os.PathLike[str]) -> NormalFormGame:
    """Read an .efg file and return its strategic form (exact payoffs)."""
    p = Path(path)
    return strategic_form(parse_efg(p.read_text(encoding="utf-8"), str(p)), str(p))
