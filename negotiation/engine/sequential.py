"""Conditions of a pure subgame-perfect or perfect Bayesian profile of a parametric game tree.

A pure behaviour profile names an action at every information set of a tree, on the
path of play and off it.  It is sequentially rational when no player gains by changing
the action at any one information set, given the beliefs there and the profile's play
afterwards (the one-shot deviation principle of finite games; Osborne and Rubinstein
1994, *A Course in Game Theory*, Lemma 98.2 and ch. 12).  For each information set
``I`` of player ``i`` with chosen action ``a`` and each alternative ``b``:

    margin = sum over x in I of mu(x) (V_i(x a) - V_i(x b)) >= 0,

with ``V_i`` the continuation value under the profile (chance moves averaged) and
``mu`` the belief at ``I``: Bayes' rule from the chance probabilities where the profile
reaches ``I``, the modeller's stated beliefs where it does not (one-node information
sets need none).  In a game of perfect information every information set is a single
node and the conditions characterise the subgame-perfect equilibria in pure strategies
(backward induction); with information sets they are those of a weak perfect Bayesian
equilibrium (Mas-Colell, Whinston and Green 1995, *Microeconomic Theory*, Def. 9.C.3).
Each condition is a :class:`~negotiation.engine.symbolic.Condition`, with slack and
thresholds as for normal-form games.

:func:`verify_profile` checks a profile at numeric values independently of these
formulas: it must be a Nash equilibrium of the tree (best responses by dynamic
programming, :func:`negotiation.engine.solvers.sequence.best_response_value`), and in a
game of perfect information it must be one of the pure subgame-perfect equilibria that
backward induction finds (:func:`negotiation.engine.solvers.tree.solve_tree`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import sympy

from negotiation.engine.expressions import parse_expression
from negotiation.engine.extensive import CHANCE, ExtensiveFormGame, InfosetKey, Path
from negotiation.engine.symbolic import Condition
from negotiation.errors import GameError


@dataclass(frozen=True)
class TreeProfile:
    """A pure behaviour profile of a tree and the beliefs that go with it.

    Attributes
    ----------
    actions : dict
        Information-set label -> the action chosen there (every information set).
    beliefs : dict
        Information-set label -> {node name: probability expression}, for information sets
        of several nodes that the profile does not reach.
    """

    actions: Mapping[str, str]
    beliefs: Mapping[str, Mapping[str, Any]]


def _key_of(game: ExtensiveFormGame, label: str) -> InfosetKey:
    keys = [k for k in game.infosets if k[1] == label]
    if len(keys) != 1:
        known = sorted(k[1] for k in game.infosets)
        raise GameError(f"no information set {label!r}; information sets: {known}")
    return keys[0]


def node_name(game: ExtensiveFormGame, path: Path) -> str:
    """A node's name, or the actions leading to it joined by ``/`` (``root`` for the root)."""
    return game.node(path).name or "/".join(game.action_names(path)) or "root"


def behavior_of(game: ExtensiveFormGame, actions: Mapping[str, str]) -> dict[InfosetKey, tuple[Fraction, ...]]:
    """The pure behaviour profile ``{infoset: (0, 1, 0, ...)}`` of ``{label: action}`` (every set named)."""
    labels = {k[1]: k for k in game.infosets}
    missing = sorted(set(labels) - set(actions))
    unknown = sorted(set(actions) - set(labels))
    if missing or unknown:
        raise GameError(f"a pure profile names one action at every information set; missing {missing}, "
                        f"unknown {unknown}")
    out = {}
    for label, key in labels.items():
        acts = game.infosets[key]
        if actions[label] not in acts:
            raise GameError(f"information set {label!r} ({game.players[key[0]]}) has no action "
                            f"{actions[label]!r}; actions: {list(acts)}")
        out[key] = tuple(Fraction(int(a == actions[label])) for a in acts)
    return out


def continuation_values(game: ExtensiveFormGame, choice: Mapping[InfosetKey, int]) -> dict[Path, tuple[Any, ...]]:
    """Every node's continuation payoffs under the pure profile ``choice`` (bottom-up, iterative)."""
    values: dict[Path, tuple[Any, ...]] = {}
    for path, node in reversed(game.walk()):  # children before parents
        if node.is_leaf:
            values[path] = tuple(node.payoffs)
        elif node.player == CHANCE:
            kids = [values[(*path, k)] for k in range(len(node.children))]
            values[path] = tuple(sum(p * v[i] for p, v in zip(node.probs, kids, strict=True))
                                 for i in range(game.n_players))
        else:
            values[path] = values[(*path, choice[game.infoset_of(path)])]
    return values


def _reach(game: ExtensiveFormGame, choice: Mapping[InfosetKey, int]) -> dict[Path, Any]:
    """The probability of reaching each decision node under the profile (0 where a move leaves the path)."""
    reach: dict[Path, Any] = {(): sympy.Integer(1)}
    for path, node in game.walk():
        here = reach.get(path, 0)
        for k in range(len(node.children)):
            if node.player == CHANCE:
                reach[(*path, k)] = here * node.probs[k] if here != 0 else 0
            elif not node.is_leaf:
                reach[(*path, k)] = here if k == choice[game.infoset_of(path)] else 0
    return reach


def tree_conditions(game: ExtensiveFormGame, actions: Mapping[str, str],
                    beliefs: Mapping[str, Mapping[str, Any]] | None = None) -> tuple[Condition, ...]:
    """The sequential-rationality conditions of a pure profile (see the module docstring).

    Parameters
    ----------
    game : ExtensiveFormGame
        Payoffs and chance probabilities may be expressions in ``game.parameters``.
    actions : mapping
        Information-set label -> chosen action, for every information set.
    beliefs : mapping, optional
        For each information set of several nodes that the profile does not reach:
        ``{node name: probability}`` (numbers or expressions; they must sum to 1).

    Returns
    -------
    tuple of Condition
        One per information set and alternative action, in preorder of the first node of
        each set; ``Condition.at`` names the set, ``Condition.on_path`` says whether the
        profile reaches it.

    Examples
    --------
    >>> from negotiation.engine.extensive import decision, leaf
    >>> entry = ExtensiveFormGame(("E", "I"), decision("E", {"out": leaf(0, 2), "in": decision(
    ...     "I", {"fight": leaf(-1, "-c"), "share": leaf(1, 1)}, infoset="incumbent")}, infoset="entrant"),
    ...     parameters=("c",))
    >>> [str(c) for c in tree_conditions(entry, {"entrant": "out", "incumbent": "fight"})]
    ['E prefers out to in at entrant: 1 >= 0', 'I prefers fight to share at incumbent (off the path): -c - 1 >= 0']
    """
    behavior = behavior_of(game, actions)
    choice = {k: int(np.argmax([float(v) for v in b])) for k, b in behavior.items()}
    values = continuation_values(game, choice)
    reach = _reach(game, choice)
    beliefs = dict(beliefs or {})
    unknown = sorted(set(beliefs) - {k[1] for k in game.infosets})
    if unknown:
        raise GameError(f"beliefs given at unknown information set(s) {unknown}")
    out = []
    seen: list[InfosetKey] = []
    for path, node in game.walk():
        if node.is_leaf or node.player == CHANCE:
            continue
        key = game.infoset_of(path)
        if key in seen:
            continue
        seen.append(key)
        members = game.members(key)
        weights, on_path = _weights(game, key, members, reach, beliefs.get(key[1]))
        i, label = key
        chosen = choice[key]
        acts = game.infosets[key]
        for b, name in enumerate(acts):
            if b == chosen:
                continue
            margin = sum((w * (values[(*m, chosen)][i] - values[(*m, b)][i]) for m, w in zip(members, weights,
                                                                                         strict=True)),
                         sympy.Integer(0))
            out.append(Condition(game.players[i], acts[chosen], name, sympy.simplify(sympy.sympify(margin)),
                                 at=label, on_path=on_path))
    return tuple(out)


def _weights(game: ExtensiveFormGame, key: InfosetKey, members: list[Path], reach: Mapping[Path, Any],
             stated: Mapping[str, Any] | None) -> tuple[list[Any], bool]:
    """Beliefs over the nodes of an information set: Bayes' rule where it is reached, else the stated ones."""
    probs = [sympy.sympify(reach.get(m, 0)) for m in members]
    if any(p != 0 for p in probs):
        if stated is not None:
            raise GameError(f"information set {key[1]!r} is on the path of play: its beliefs follow from Bayes' "
                            "rule and are not stated")
        total = sum(probs, sympy.Integer(0))
        return [sympy.simplify(p / total) for p in probs], True
    if len(members) == 1:
        return [sympy.Integer(1)], False
    if stated is None:
        names = [node_name(game, m) for m in members]
        raise GameError(f"information set {key[1]!r} is off the path of play: state the beliefs over its nodes "
                        f"{names}")
    names = {node_name(game, m): m for m in members}
    if set(stated) != set(names):
        raise GameError(f"beliefs at {key[1]!r} must give each of the nodes {sorted(names)}; got {sorted(stated)}")
    weights = [v if isinstance(v, sympy.Basic) else
               (parse_expression(v, game.parameters, f"beliefs.{key[1]}") if isinstance(v, str) else
                sympy.Rational(Fraction(v))) for v in (stated[n] for n in names)]
    if sympy.simplify(sum(weights) - 1) != 0:
        raise GameError(f"beliefs at {key[1]!r} must sum to 1; they sum to {sympy.simplify(sum(weights))}")
    return weights, False


def verify_profile(game: ExtensiveFormGame, actions: Mapping[str, str], tol: float = 1e-9) -> bool:
    """Whether a pure profile of a numeric tree passes the independent checks of the module docstring.

    A Nash equilibrium of the tree (no player's best response, by dynamic programming on
    the tree, beats its payoff by more than ``tol``); with perfect information, also one
    of the pure subgame-perfect equilibria found by backward induction.
    """
    from negotiation.engine.solvers.sequence import best_response_value

    if game.is_symbolic:
        raise GameError("verify_profile needs a numeric tree: use game.at(values)")
    behavior = behavior_of(game, actions)
    payoffs = game.expected_payoffs(behavior)
    if any(float(best_response_value(game, behavior, i)) > float(payoffs[i]) + tol for i in range(game.n_players)):
        return False
    if not game.is_perfect_information():
        return True
    from negotiation.engine.solvers.tree import solve_tree

    pure = {tuple(sorted((k, tuple(v)) for k, v in eq.behavior.items())) for eq in solve_tree(game, "spe")
            if all(max(v) == 1 for v in eq.behavior.values())}
    return tuple(sorted((k, tuple(v)) for k, v in behavior.items())) in pure
