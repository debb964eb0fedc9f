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

from negotiation import limits
from negotiation.engine.extensive import CHANCE, ExtensiveFormGame, Node
from negotiation.engine.game import NormalFormGame
from negotiation.engine.numbers import decimal_fraction, fraction_str
from negotiation.errors import BudgetError, GameFormatError
from negotiation.io.atomic import atomic_write_text
from negotiation.io.nfg import blank_to_default
from negotiation.io.text import read_text
from negotiation.io.tokens import TokenStream


@dataclass
class _Node:
    kind: str  # "p", "c", "t"
    player: int = 0  # 1-based for personal nodes
    infoset: int = 0
    outcome: int = 0
    probs: list[Fraction] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)
    infoset_name: str = ""
    name: str = ""
    actions: list[str] = field(default_factory=list)  # of a chance node


@dataclass
class ExtensiveFormText:
    """What the strategic form needs from an .efg file."""

    title: str
    players: list[str]
    root: _Node
    infosets: dict[tuple[int, int], list[str]]  # (player, infoset) -> action names
    outcomes: dict[int, list[Fraction]]
    comment: str = ""


def parse_efg(text: str, path: str = "<string>") -> ExtensiveFormText:
    """Parse the text of an .efg file.

    Nodes are read in one pass with an explicit stack (no recursion), within
    ``negotiation.limits.MAX_TREE_NODES`` nodes, ``MAX_TREE_DEPTH`` levels and
    ``MAX_STRATEGIES`` actions at a node.  An outcome number given payoffs twice is an
    error naming both lines.
    """
    ts = TokenStream(text, path)
    title, players = ts.header("EFG", 2)
    comment = ""
    if (t := ts.peek()) is not None and t.kind == "str":
        comment = ts.next("comment").text
    infosets: dict[tuple[int, int], list[str]] = {}
    outcomes: dict[int, list[Fraction]] = {}
    defined_at: dict[int, int] = {}
    n = len(players)

    def outcome(field_name: str) -> int:
        k = ts.integer(field_name)
        if k < 0:
            raise ts.error(f"outcome number {k} is negative", field_name)
        if k and (t := ts.peek()) is not None and t.kind == "str":
            line = ts.line
            ts.next("outcome name")
            ts.expect("{", "outcome payoffs")
            values = [ts.number(f"outcome {k} payoffs") for _ in range(n)]
            ts.expect("}", f"outcome {k} payoffs (exactly {n} numbers)")
            if k in outcomes and outcomes[k] != values:
                raise GameFormatError(f"outcome {k} is given other payoffs than at line {defined_at[k]}", path, line,
                                      "outcome payoffs")
            outcomes[k] = values
            defined_at.setdefault(k, line)
        elif k and k not in outcomes:
            raise ts.error(f"outcome {k} is used before its payoffs are given", field_name)
        return k

    def node() -> tuple[_Node, int]:
        """One node's own fields, and how many children follow it."""
        tok = ts.expect("word", "node type")
        if tok.text not in ("p", "c", "t"):
            raise GameFormatError(f"node type must be p, c or t, not {tok.text!r}", path, tok.line, "node type")
        node_name = ts.expect("str", "node name").text
        if tok.text == "t":
            return _Node("t", outcome=outcome("terminal outcome"), name=node_name), 0
        if tok.text == "p":
            player = ts.integer("player number")
            if not 1 <= player <= n:
                raise ts.error(f"player number {player} is not between 1 and {n}", "player number")
        else:
            player = 0
        iset = ts.integer("information set")
        key = (player, iset)
        iset_name = ""
        if (t := ts.peek()) is not None and t.kind == "str":
            iset_name = ts.next("information set name").text
        probs: list[Fraction] = []
        if (t := ts.peek()) is not None and t.kind == "{":
            ts.expect("{", "actions")
            actions = []
            while (t := ts.peek()) is not None and t.kind == "str":
                actions.append(ts.next("actions").text)
                if len(actions) > limits.MAX_STRATEGIES:
                    raise ts.error(limits.over("actions at one node", "MAX_STRATEGIES"), "actions")
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
                    shown = [str(p) for p in probs[:10]]
                    raise ts.error(f"chance probabilities {shown} are not a distribution", "chance probability")
                infosets[(0, -len(infosets) - 1)] = actions  # chance sets are not shared
        elif key not in infosets or player == 0:
            raise ts.error(f"information set {iset} is used before its actions are listed", "actions")
        nd = _Node("p" if player else "c", player, iset, outcome("node outcome"), probs, infoset_name=iset_name,
                   name=node_name, actions=actions if player == 0 else [])
        return nd, len(probs) if player == 0 else len(infosets[key])

    root, arity = node()
    open_nodes: list[tuple[_Node, int, int]] = [(root, arity, 0)] if arity else []  # (node, children, depth)
    count = 1
    while open_nodes:
        child, arity = node()
        count += 1
        if count > limits.MAX_TREE_NODES:
            raise ts.error(limits.over("nodes", "MAX_TREE_NODES"), "nodes")
        parent, wanted, depth = open_nodes[-1]
        if depth + 1 > limits.MAX_TREE_DEPTH:
            raise ts.error(limits.over("depth of the tree", "MAX_TREE_DEPTH"), "nodes")
        parent.children.append(child)
        if len(parent.children) == wanted:
            open_nodes.pop()
        if arity:
            open_nodes.append((child, arity, depth + 1))
    if not ts.at_end():
        raise ts.error(f"unexpected {ts.peek().text[:40]!r} after the last node", "nodes")  # type: ignore[union-attr]
    infosets = {k: v for k, v in infosets.items() if k[0] > 0}
    return ExtensiveFormText(title, players, root, infosets, outcomes, comment)


def strategic_form(efg: ExtensiveFormText, path: str = "<string>") -> NormalFormGame:
    """The (unreduced) strategic form: a pure strategy picks one action per information set."""
    n = len(efg.players)
    own = [sorted(k for k in efg.infosets if k[0] == i + 1) for i in range(n)]
    shape = tuple(max(1, math.prod(len(efg.infosets[k]) for k in sets)) for sets in own)
    if math.prod(shape) > limits.MAX_STRATEGIC_PROFILES:
        raise BudgetError(f"{path}: " + limits.over("pure profiles of the strategic form", "MAX_STRATEGIC_PROFILES",
                                                    math.prod(shape)))
    choices = [list(itertools.product(*(range(len(efg.infosets[k])) for k in sets))) for sets in own]
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
    root: _Node, plan: dict[tuple[int, int], int], outcomes: dict[int, list[Fraction]], n: int
) -> list[Fraction]:
    """Expected payoffs of a pure plan: outcomes along the path, weighted by chance (an explicit stack)."""
    total = [Fraction(0)] * n
    stack: list[tuple[_Node, Fraction]] = [(root, Fraction(1))]
    while stack:
        nd, weight = stack.pop()
        if nd.outcome:
            total = [t + weight * v for t, v in zip(total, outcomes[nd.outcome], strict=True)]
        if nd.kind == "c":
            stack.extend((child, weight * p) for p, child in zip(nd.probs, nd.children, strict=True))
        elif nd.kind == "p":
            stack.append((nd.children[plan[(nd.player, nd.infoset)]], weight))
    return total


def read_efg(path: str | os.PathLike[str]) -> NormalFormGame:
    """Read an .efg file and return its strategic form (exact payoffs)."""
    p = Path(path)
    return strategic_form(parse_efg(read_text(p), str(p)), str(p))


# ------------------------------------------------------------------- game trees
def to_tree(efg: ExtensiveFormText) -> ExtensiveFormGame:
    """The tree of a parsed .efg file; outcomes on inner nodes are added into the leaves below."""
    players = tuple(blank_to_default(efg.players, "P"))
    n = len(players)
    labels: dict[tuple[int, int], str] = {}
    taken: dict[int, set[str]] = {}  # each player's labels so far

    def label(nd: _Node) -> str:
        key = (nd.player, nd.infoset)
        if key not in labels:
            used = taken.setdefault(nd.player, set())
            text = nd.infoset_name or str(nd.infoset)
            labels[key] = text if text not in used else f"{text} ({nd.infoset})"
            used.add(labels[key])
        return labels[key]

    def built(nd: _Node, here: list[Fraction], children: tuple[Node, ...]) -> Node:
        if nd.kind == "t":
            return Node(payoffs=tuple(here), name=nd.name)
        if nd.kind == "c":
            return Node(CHANCE, tuple(nd.actions), children, probs=tuple(nd.probs), name=nd.name)
        actions = efg.infosets[(nd.player, nd.infoset)]
        return Node(players[nd.player - 1], tuple(actions), children, label(nd), name=nd.name)

    # bottom-up with an explicit stack: outcomes carried down, nodes built on the way back up
    zero = [Fraction(0)] * n
    done: list[Node] = []
    stack: list[tuple[_Node, list[Fraction], bool]] = [(efg.root, zero, False)]
    while stack:
        nd, carried, expanded = stack.pop()
        if expanded:
            k = len(nd.children)
            children = tuple(done[len(done) - k:])
            del done[len(done) - k:]
            done.append(built(nd, carried, children))
            continue
        here = [c + v for c, v in zip(carried, efg.outcomes[nd.outcome], strict=True)] if nd.outcome else carried
        if not nd.children:
            done.append(built(nd, here, ()))
            continue
        stack.append((nd, here, True))
        stack.extend((c, here, False) for c in reversed(nd.children))
    return ExtensiveFormGame(players, done[0], efg.title)


def read_efg_tree(path: str | os.PathLike[str]) -> ExtensiveFormGame:
    """Read an .efg file as a game tree."""
    p = Path(path)
    return to_tree(parse_efg(read_text(p), str(p)))


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def format_efg(game: ExtensiveFormGame, comment: str = "") -> str:
    """Gambit .efg text (version 2, rational payoffs), one outcome per leaf."""
    lines = [f"EFG 2 R {_q(game.title)} {{ {' '.join(_q(p) for p in game.players)} }}", _q(comment), ""]
    numbers: dict[tuple[int, str], int] = {}
    chance_no = 0
    outcome_no = 0
    for path, nd in game.walk():
        if nd.is_leaf:
            outcome_no += 1
            pays = " ".join(_fmt(v) for v in nd.payoffs)
            lines.append(f"t {_q(nd.name)} {outcome_no} \"\" {{ {pays} }}")
        elif nd.player == CHANCE:
            chance_no += 1
            acts = " ".join(f"{_q(a)} {_fmt(p)}" for a, p in zip(nd.actions, nd.probs, strict=True))
            lines.append(f"c {_q(nd.name)} {chance_no} \"\" {{ {acts} }} 0")
        else:
            key = game.infoset_of(path)
            if key not in numbers:
                numbers[key] = 1 + sum(1 for k in numbers if k[0] == key[0])
            acts = " ".join(_q(a) for a in nd.actions)
            lines.append(f"p {_q(nd.name)} {key[0] + 1} {numbers[key]} {_q(key[1])} {{ {acts} }} 0")
    return "\n".join(lines) + "\n"


def _fmt(v: object) -> str:
    return fraction_str(decimal_fraction(v))


def write_efg(game: ExtensiveFormGame, path: str | os.PathLike[str], comment: str = "") -> None:
    """Write a game tree as a Gambit .efg file (atomically)."""
    atomic_write_text(path, format_efg(game, comment))
