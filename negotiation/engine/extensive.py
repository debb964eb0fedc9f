"""Extensive-form games: trees with decision and chance nodes, information sets, payoffs.

Build a tree with :func:`decision`, :func:`chance` and :func:`leaf`, then wrap it in an
:class:`ExtensiveFormGame`::

    entry = ExtensiveFormGame(("Entrant", "Incumbent"), decision("Entrant", {
        "out": leaf(0, 2),
        "in": decision("Incumbent", {"fight": leaf(-1, -1), "accommodate": leaf(1, 1)}),
    }))

Decision nodes of one player that carry the same ``infoset`` label form one
information set (they must offer the same actions); a node without a label is an
information set of its own.  The reduced strategic form (:meth:`strategic_form`) has
one pure strategy per *reduced plan*: an action at every information set that the
player's own earlier actions do not exclude.  With perfect recall, behaviour and mixed
strategies convert into each other (Kuhn 1953) by :meth:`behavior_from_mixed` and
:meth:`mixed_from_behavior`.

References
----------
Kuhn, H. W. (1953). Extensive games and the problem of information. In *Contributions
to the Theory of Games II*, 193-216.
Osborne, M. J. and Rubinstein, A. (1994). *A Course in Game Theory*, chs. 6 and 11.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import sympy

from negotiation import limits
from negotiation.engine.expressions import parse_expression, symbol
from negotiation.engine.game import NormalFormGame
from negotiation.engine.numbers import substitute, to_fraction
from negotiation.engine.parametric import ParametricGame, symbol_values
from negotiation.errors import BudgetError, GameError

CHANCE = "(chance)"

Path = tuple[int, ...]
InfosetKey = tuple[int, str]  # (player index, label)


@dataclass(frozen=True)
class Node:
    """A node of a game tree (use :func:`decision`, :func:`chance`, :func:`leaf`)."""

    player: str | None = None  # None at a leaf, CHANCE at a chance node
    actions: tuple[str, ...] = ()
    children: tuple[Node, ...] = ()
    infoset: str = ""
    probs: tuple[Fraction, ...] = ()
    payoffs: tuple[Any, ...] = ()
    name: str = ""

    @property
    def is_leaf(self) -> bool:
        return self.player is None


def leaf(*payoffs: Any, name: str = "") -> Node:
    """A terminal node with one payoff per player."""
    return Node(payoffs=tuple(payoffs), name=name)


def decision(player: str, moves: Mapping[str, Node], infoset: str = "", name: str = "") -> Node:
    """A decision node of ``player``: ``moves`` maps each action to the node it leads to."""
    if not moves:
        raise GameError(f"a decision node of {player!r} needs at least one action")
    return Node(player, tuple(moves), tuple(moves.values()), infoset, name=name)


def chance(moves: Mapping[str, tuple[Any, Node]], name: str = "") -> Node:
    """A chance node: ``moves`` maps each outcome to ``(probability, node)``.

    Numbers are read exactly; a probability may also be an expression (text or sympy) in
    the parameters of a game declared with ``parameters=``.
    """
    probs = tuple(p if isinstance(p, (str, sympy.Basic)) else to_fraction(p) for p, _ in moves.values())
    return Node(CHANCE, tuple(moves), tuple(n for _, n in moves.values()), probs=probs, name=name)


@dataclass(frozen=True, eq=False)
class ExtensiveFormGame:
    """An immutable game tree.

    Parameters
    ----------
    players : sequence of str
    root : Node
    title : str
    parameters : sequence of str, optional
        Names of leverage parameters that leaf payoffs may use: a payoff can then be an
        expression string (parsed safely, see :mod:`negotiation.engine.expressions`) or a
        sympy expression.  :meth:`at` gives the numeric tree; the strategic form of a
        symbolic tree is a :class:`~negotiation.engine.parametric.ParametricGame`.

    Attributes
    ----------
    infosets : dict
        ``(player index, label) -> actions`` for every information set; unlabelled nodes
        get the label of their path (e.g. ``"in/fight"``, or ``"root"``).
    """

    players: tuple[str, ...]
    root: Node
    title: str = ""
    parameters: tuple[str, ...] = ()
    infosets: dict[InfosetKey, tuple[str, ...]] = field(init=False, repr=False)
    _members: dict[InfosetKey, list[Path]] = field(init=False, repr=False)
    _key: dict[Path, InfosetKey] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        players = tuple(self.players)
        if len(set(players)) != len(players) or not players:
            raise GameError(f"players must be distinct and at least one: {list(players)}")
        if CHANCE in players:
            raise GameError(f"{CHANCE!r} is reserved for chance")
        object.__setattr__(self, "players", players)
        object.__setattr__(self, "parameters", tuple(self.parameters))
        if self.parameters:
            object.__setattr__(self, "root", self._parse_payoffs(self.root, ()))
        infosets: dict[InfosetKey, tuple[str, ...]] = {}
        members: dict[InfosetKey, list[Path]] = {}
        keys: dict[Path, InfosetKey] = {}
        n = len(players)
        nodes = self.walk()
        if len(nodes) > limits.MAX_TREE_NODES:
            raise GameError(limits.over("nodes of the tree", "MAX_TREE_NODES", len(nodes)))
        for path, node in nodes:
            if len(path) > limits.MAX_TREE_DEPTH:
                raise GameError(limits.over("depth of the tree", "MAX_TREE_DEPTH", len(path)))
            if node.is_leaf:
                if len(node.payoffs) != n:
                    raise GameError(f"node {self.describe(path)}: a leaf needs {n} payoffs, has {len(node.payoffs)}")
                for v in node.payoffs:
                    if isinstance(v, sympy.Basic) and self.parameters:
                        continue
                    if isinstance(v, bool) or not isinstance(v, (int, float, Fraction, np.integer, np.floating)):
                        raise GameError(f"node {self.describe(path)}: payoff {v!r} is not a number "
                                        "(declare parameters= for expressions)")
                continue
            if len(node.actions) != len(node.children) or len(set(node.actions)) != len(node.actions):
                raise GameError(f"node {self.describe(path)}: actions must be distinct, one per child")
            if node.player == CHANCE:
                symbolic = any(isinstance(p, sympy.Basic) and p.free_symbols for p in node.probs)
                if any(isinstance(p, str) for p in node.probs):
                    raise GameError(f"node {self.describe(path)}: a chance probability is an expression; "
                                    "declare parameters= for it")
                bad = len(node.probs) != len(node.children) or (
                    sympy.simplify(sum(node.probs) - 1) != 0 if symbolic else
                    (any(p < 0 for p in node.probs) or sum(node.probs) != 1))
                if bad:
                    raise GameError(f"node {self.describe(path)}: chance probabilities {[str(p) for p in node.probs]} "
                                    "are not a distribution"
                                    + (" (they must sum to 1 identically)" if symbolic else ""))
                continue
            if node.player not in players:
                raise GameError(f"node {self.describe(path)}: unknown player {node.player!r}; players: {list(players)}")
            key = (players.index(node.player), node.infoset or "/".join(self.action_names(path)) or "root")
            if key in infosets and infosets[key] != node.actions:
                raise GameError(f"node {self.describe(path)}: information set {key[1]!r} of {node.player} has actions "
                                f"{list(infosets[key])} elsewhere, {list(node.actions)} here")
            infosets[key] = node.actions
            members.setdefault(key, []).append(path)
            keys[path] = key
        object.__setattr__(self, "infosets", infosets)
        object.__setattr__(self, "_members", members)
        object.__setattr__(self, "_key", keys)

    def _parse_payoffs(self, node: Node, path: Path) -> Node:
        allowed = {symbol(p) for p in self.parameters}

        def value(v: Any, where: str) -> Any:
            if isinstance(v, str):
                v = parse_expression(v, self.parameters, where=where)
            if isinstance(v, sympy.Basic):
                stray = v.free_symbols - allowed
                if stray:
                    raise GameError(f"{where}: undeclared parameter(s) {sorted(map(str, stray))}")
                if v.is_Rational:
                    v = to_fraction(v)
            return v

        def parsed(p: Path, nd: Node) -> Node | None:
            if nd.is_leaf:
                return Node(payoffs=tuple(value(v, f"leaf {self.describe(p)}") for v in nd.payoffs), name=nd.name)
            if nd.player == CHANCE:
                probs = tuple(value(v, f"chance node {self.describe(p)}") for v in nd.probs)
                children = tuple(_map_tree(c, (*p, k), parsed, lambda _, n: n.infoset)
                                 for k, c in enumerate(nd.children))
                return Node(CHANCE, nd.actions, children, nd.infoset, probs, (), nd.name)
            return None

        return _map_tree(node, path, parsed, lambda _, nd: nd.infoset)

    @property
    def is_symbolic(self) -> bool:
        """Whether some payoff or chance probability depends on parameters."""
        return any(isinstance(v, sympy.Basic) for _, nd in self.walk() for v in (*nd.payoffs, *nd.probs))

    def at(self, values: Mapping[str, Any] | None = None, **kwargs: Any) -> ExtensiveFormGame:
        """The numeric tree at the given parameter values (read exactly)."""
        merged = {**(values or {}), **kwargs}
        missing = [p for p in self.parameters if p not in merged]
        unknown = [k for k in merged if k not in self.parameters]
        if missing or unknown:
            raise GameError(f"at() needs exactly the parameters {list(self.parameters)}; missing {missing}, "
                            f"unknown {unknown}")
        subs = symbol_values(merged)

        def number(v: Any) -> Any:
            if not isinstance(v, sympy.Basic):
                return v
            out = substitute(v, subs)
            return to_fraction(out) if out.is_Rational else float(out)

        def numeric(p: Path, nd: Node) -> Node | None:
            if nd.is_leaf:
                return Node(payoffs=tuple(number(v) for v in nd.payoffs), name=nd.name)
            if nd.player == CHANCE and any(isinstance(v, sympy.Basic) for v in nd.probs):
                probs = tuple(number(v) for v in nd.probs)
                if any(not isinstance(v, Fraction) for v in probs):
                    raise GameError(f"chance node {self.describe(p)}: probabilities {[str(v) for v in probs]} at "
                                    "these values are not exact rationals")
                children = tuple(_map_tree(c, (*p, k), numeric, lambda q, n: self._label(q, n))
                                 for k, c in enumerate(nd.children))
                return Node(CHANCE, nd.actions, children, nd.infoset, probs, (), nd.name)
            return None

        return self._copy((), numeric)

    def __repr__(self) -> str:
        lines = [f"ExtensiveFormGame({self.title + ': ' if self.title else ''}players {list(self.players)}, "
                 f"{len(self.infosets)} information sets)"]

        def show(path: Path, node: Node, depth: int, via: str) -> None:
            pad = "  " * depth + via
            if node.is_leaf:
                lines.append(f"{pad}-> ({', '.join(str(v) for v in node.payoffs)})")
                return
            if node.player == CHANCE:
                lines.append(f"{pad}chance")
                labels = [f"{a} [{p}]: " for a, p in zip(node.actions, node.probs, strict=True)]
            else:
                lines.append(f"{pad}{node.player} at {self._key[path][1]!r}")
                labels = [f"{a}: " for a in node.actions]
            for k, child in enumerate(node.children):
                show((*path, k), child, depth + 1, labels[k])

        show((), self.root, 1, "")
        return "\n".join(lines) if len(lines) <= 200 else "\n".join([*lines[:200], "  ..."])

    # ---------------------------------------------------------------- traversal
    def walk(self) -> list[tuple[Path, Node]]:
        """Every node with its path (child indices from the root), in preorder."""
        return self.walk_from(())

    def walk_from(self, path: Path) -> list[tuple[Path, Node]]:
        """Every node of the subtree at ``path`` with its path, in preorder."""
        out: list[tuple[Path, Node]] = []
        stack: list[tuple[Path, Node]] = [(path, self.node(path))]
        while stack:
            p, node = stack.pop()
            out.append((p, node))
            stack.extend(((*p, k), c) for k, c in reversed(list(enumerate(node.children))))
        return out

    def node(self, path: Path) -> Node:
        nd = self.root
        for k in path:
            nd = nd.children[k]
        return nd

    def action_names(self, path: Path) -> list[str]:
        """The actions on the way from the root to ``path``."""
        nd, out = self.root, []
        for k in path:
            out.append(nd.actions[k])
            nd = nd.children[k]
        return out

    def describe(self, path: Path) -> str:
        return "root" if not path else "after " + " > ".join(self.action_names(path))

    def infoset_of(self, path: Path) -> InfosetKey:
        return self._key[path]

    def members(self, key: InfosetKey) -> list[Path]:
        return self._members[key]

    @property
    def n_players(self) -> int:
        return len(self.players)

    def player_infosets(self, i: int) -> list[InfosetKey]:
        return [k for k in self.infosets if k[0] == i]

    # --------------------------------------------------------------- recall
    def own_history(self, path: Path, player: int) -> tuple[tuple[InfosetKey, int], ...]:
        """The player's own (information set, action) pairs on the way to ``path``."""
        out = []
        nd: Node = self.root
        for depth, k in enumerate(path):
            sub = path[:depth]
            if nd.player not in (None, CHANCE) and self._key[sub][0] == player:
                out.append((self._key[sub], k))
            nd = nd.children[k]
        return tuple(out)

    def has_perfect_recall(self) -> bool:
        """Whether every player always remembers its own earlier information sets and actions."""
        return all(  # an information set of one node is always recalled (and costs no walk)
            len(paths) == 1 or len({self.own_history(p, key[0]) for p in paths}) == 1
            for key, paths in self._members.items()
        )

    def sequence(self, key: InfosetKey) -> tuple[tuple[InfosetKey, int], ...]:
        """The own history leading to an information set (the same at all its nodes with perfect recall)."""
        self._require_recall()
        return self.own_history(self._members[key][0], key[0])

    def _require_recall(self) -> None:
        if not self.has_perfect_recall():
            raise GameError("this needs perfect recall, and the game does not have it")

    def is_perfect_information(self) -> bool:
        return all(len(paths) == 1 for paths in self._members.values())

    # -------------------------------------------------------- strategic form
    def plan_count(self, i: int) -> int:
        """The number of reduced plans of player ``i``, counted without listing them."""
        self._require_recall()
        below: dict[Any, list[InfosetKey]] = {}
        for key in self.player_infosets(i):
            seq = self.sequence(key)
            below.setdefault(seq[-1] if seq else None, []).append(key)

        def count(parent: Any) -> int:
            return math.prod(sum(count((key, a)) for a in range(len(self.infosets[key])))
                             for key in below.get(parent, []))

        return count(None)

    def plans(self, i: int) -> list[dict[InfosetKey, int]]:
        """The reduced pure strategies of player ``i``: an action at each information set its
        own earlier actions do not exclude."""
        if self.plan_count(i) > limits.MAX_STRATEGIC_PROFILES:
            raise BudgetError(limits.over(f"reduced strategies of {self.players[i]}", "MAX_STRATEGIC_PROFILES",
                                          self.plan_count(i)) + "; for two-player zero-sum trees use the sequence form")
        sets = sorted(self.player_infosets(i), key=lambda k: (len(self.sequence(k)), self._members[k][0]))
        plans: list[dict[InfosetKey, int]] = [{}]
        for key in sets:
            seq = self.sequence(key)
            grown = []
            for plan in plans:
                if all(plan.get(j) == a for j, a in seq):
                    grown += [{**plan, key: a} for a in range(len(self.infosets[key]))]
                else:
                    grown.append(plan)
            plans = grown
            if len(plans) > limits.MAX_STRATEGIC_PROFILES:
                raise BudgetError(limits.over(f"reduced strategies of {self.players[i]}", "MAX_STRATEGIC_PROFILES"))
        return plans

    def plan_name(self, i: int, plan: Mapping[InfosetKey, int]) -> str:
        sets = sorted(self.player_infosets(i), key=lambda k: (len(self.sequence(k)), self._members[k][0]))
        return "/".join(self.infosets[k][plan[k]] if k in plan else "*" for k in sets) or "(none)"

    def outcome_distribution(self, behavior: Mapping[InfosetKey, Sequence[Any]]) -> dict[Path, Any]:
        """Probability of reaching each leaf under a behaviour profile (``infoset -> action probabilities``)."""
        out: dict[Path, Any] = {}
        stack: list[tuple[Path, Node, Any]] = [((), self.root, Fraction(1))]
        while stack:
            path, nd, prob = stack.pop()
            if nd.is_leaf:
                out[path] = out.get(path, 0) + prob
                continue
            weights = nd.probs if nd.player == CHANCE else behavior[self._key[path]]
            for k, (w, child) in enumerate(zip(weights, nd.children, strict=True)):
                if w:
                    stack.append(((*path, k), child, prob * w))
        return out

    def expected_payoffs(self, behavior: Mapping[InfosetKey, Sequence[Any]]) -> list[Any]:
        dist = self.outcome_distribution(behavior)
        return [sum((p * self.node(path).payoffs[i] for path, p in dist.items()), Fraction(0))
                for i in range(self.n_players)]

    def strategic_form(self) -> tuple[NormalFormGame | ParametricGame, list[list[dict[InfosetKey, int]]]]:
        """The reduced strategic form, and each player's reduced plans (in strategy order).

        A symbolic tree gives a :class:`~negotiation.engine.parametric.ParametricGame`, whose
        Nash conditions and thresholds :mod:`negotiation.engine.symbolic` can analyse.
        """
        counts = [self.plan_count(i) for i in range(self.n_players)]
        if math.prod(counts) > limits.MAX_STRATEGIC_PROFILES:
            raise BudgetError(limits.over("profiles of the reduced strategic form", "MAX_STRATEGIC_PROFILES",
                                          math.prod(counts))
                              + "; for two-player zero-sum trees use the sequence form (method 'sequence')")
        plans = [self.plans(i) for i in range(self.n_players)]
        shape = tuple(len(p) for p in plans)
        exact = all(isinstance(v, (int, Fraction, np.integer)) for _, nd in self.walk() for v in nd.payoffs)
        payoffs = np.empty((self.n_players, *shape), dtype=object)
        for cell in itertools.product(*(range(s) for s in shape)):
            merged: dict[InfosetKey, Sequence[int]] = {}
            for i, k in enumerate(cell):
                for key, a in plans[i][k].items():
                    merged[key] = [1 if b == a else 0 for b in range(len(self.infosets[key]))]
            values = self.expected_payoffs(merged)
            for i in range(self.n_players):
                payoffs[(i, *cell)] = values[i]
        names = tuple(tuple(self.plan_name(i, p) for p in plans[i]) for i in range(self.n_players))
        if self.is_symbolic:
            cells = np.vectorize(lambda v: v if isinstance(v, sympy.Basic) else sympy.nsimplify(v),
                                 otypes=[object])(payoffs)
            return ParametricGame(cells, self.parameters, self.players, names, self.title), plans
        game = NormalFormGame(payoffs, self.players, names, self.title, exact=exact or None)
        return game, plans

    # ----------------------------------------------------------- Kuhn's theorem
    def behavior_from_mixed(self, plans: list[list[dict[InfosetKey, int]]],
                            mixed: Sequence[Sequence[Any]]) -> dict[InfosetKey, list[Any]]:
        """Behaviour strategies with the same outcome distribution as a mixed profile (Kuhn 1953).

        At an information set the player's own mix never reaches, the behaviour is the
        conditional choice of its plans that specify it uniformly weighted (any choice
        there gives the same outcome distribution).
        """
        self._require_recall()
        out: dict[InfosetKey, list[Any]] = {}
        for key, actions in self.infosets.items():
            i = key[0]
            seq = self.sequence(key)
            weights = [0] * len(actions)
            for plan, prob in zip(plans[i], mixed[i], strict=True):
                if key in plan and all(plan.get(j) == a for j, a in seq):
                    weights[plan[key]] += prob
            total = sum(weights)
            if total:
                out[key] = [w / total for w in weights]
            else:
                out[key] = [Fraction(1, len(actions))] * len(actions)
        return out

    def mixed_from_behavior(self, plans: list[list[dict[InfosetKey, int]]],
                            behavior: Mapping[InfosetKey, Sequence[Any]]) -> list[list[Any]]:
        """The mixed profile over reduced plans realising a behaviour profile (Kuhn 1953)."""
        return [[math.prod((behavior[k][a] for k, a in plan.items()), start=Fraction(1)) for plan in plans[i]]
                for i in range(self.n_players)]

    def named(self, behavior: Mapping[InfosetKey, Sequence[Any]]) -> dict[str, dict[str, dict[str, Any]]]:
        """``{player: {infoset: {action: probability}}}``."""
        out: dict[str, dict[str, dict[str, Any]]] = {p: {} for p in self.players}
        for key, probs in behavior.items():
            out[self.players[key[0]]][key[1]] = dict(zip(self.infosets[key], probs, strict=True))
        return out

    # --------------------------------------------------------------- subgames
    def subgame_roots(self) -> list[Path]:
        """Nodes that start a subgame: every information set meeting their subtree lies inside it."""
        roots = []
        for path, nd in self.walk():
            if nd.is_leaf:
                continue
            inside = {p for p, _ in self.walk_from(path)}
            ok = all(all(m in inside for m in self._members[self._key[p]]) for p in inside if p in self._key)
            if ok:
                roots.append(path)
        return roots

    def subgame(self, path: Path) -> ExtensiveFormGame:
        """The subgame rooted at ``path`` (information set labels are kept)."""
        return self._copy(path, lambda _, nd: None)

    def replace(self, replacements: Mapping[Path, Sequence[Any]]) -> ExtensiveFormGame:
        """The game with the nodes at the given paths replaced by leaves with these payoffs."""
        return self._copy((), lambda p, _: leaf(*replacements[p]) if p in replacements else None)

    def _copy(self, path: Path, leaf_of: Callable[[Path, Node], Node | None]) -> ExtensiveFormGame:
        """The tree below ``path``, with nodes replaced where ``leaf_of`` says, and every
        information set labelled explicitly, so that labels stay those of this game."""

        return ExtensiveFormGame(self.players, _map_tree(self.node(path), path, leaf_of, self._label), self.title)

    def _label(self, p: Path, nd: Node) -> str:
        """The explicit information-set label of the node at ``p`` (chance nodes keep theirs)."""
        return nd.infoset if (nd.infoset or nd.player == CHANCE) else self._key[p][1]


def _map_tree(node: Node, path: Path, leaf_of: Callable[[Path, Node], Node | None],
              label_of: Callable[[Path, Node], str]) -> Node:
    """A copy of a tree: ``leaf_of`` may replace a node, ``label_of`` names information sets.

    Built bottom-up with an explicit stack, so that a deep tree does not exhaust the
    interpreter's recursion limit.
    """
    built: dict[Path, Node] = {}
    stack: list[tuple[Node, Path, bool]] = [(node, path, False)]
    while stack:
        nd, p, expanded = stack.pop()
        if not expanded:
            replaced = leaf_of(p, nd)
            if replaced is not None or nd.is_leaf:
                built[p] = nd if replaced is None else replaced
                continue
            stack.append((nd, p, True))
            stack.extend((c, (*p, k), False) for k, c in enumerate(nd.children))
            continue
        children = tuple(built.pop((*p, k)) for k in range(len(nd.children)))
        built[p] = Node(nd.player, nd.actions, children, label_of(p, nd), nd.probs, nd.payoffs, nd.name)
    return built[path]
