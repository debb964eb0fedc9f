"""The sequence form of two-player trees, and best responses computed on the tree.

In the sequence form a player's strategy is a *realization plan*: the probability of
each of its sequences of own actions, with ``E x = e, x >= 0`` (the probability of a
sequence splits among its continuations at each information set).  Its size is linear
in the tree, where the strategic form is exponential.  For zero-sum games the first
player's maximin plan solves the linear program

    max  f^T v   subject to   F^T v - A^T x <= 0,   E x = e,   x >= 0,

(Koller, Megiddo and von Stengel 1996, *Games and Economic Behavior* 14, 247-259;
von Stengel 1996, *GEB* 14, 220-246), and symmetrically for the second player.  For
general-sum games the equilibria are the solutions of a linear complementarity problem
of the same size, solved by Lemke's algorithm (:func:`sequence_form_lcp`).

Solutions are checked on the tree itself: :func:`best_response_value` computes, by
dynamic programming over the player's information sets (deepest first), the best a
player can get against the other's behaviour; the profile is an equilibrium when
neither gains more than a tolerance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
from scipy.optimize import linprog

from negotiation.engine.extensive import CHANCE, ExtensiveFormGame, InfosetKey, Node, Path
from negotiation.engine.solvers.lemke import basic_solution_exact, lemke
from negotiation.errors import SolverError

Seq = tuple[InfosetKey, int] | None  # None is the empty sequence


def _sequences(game: ExtensiveFormGame, i: int) -> list[Seq]:
    out: list[Seq] = [None]
    for key in sorted(game.player_infosets(i), key=lambda k: (len(game.sequence(k)), game.members(k)[0])):
        out += [(key, a) for a in range(len(game.infosets[key]))]
    return out


def _constraints(game: ExtensiveFormGame, i: int, index: Mapping[Seq, int]) -> tuple[np.ndarray, np.ndarray]:
    """``E`` and ``e``: the empty sequence has probability 1; each information set splits its parent."""
    keys = sorted(game.player_infosets(i), key=lambda k: (len(game.sequence(k)), game.members(k)[0]))
    e_mat = np.zeros((1 + len(keys), len(index)))
    e_mat[0, index[None]] = 1
    for r, key in enumerate(keys, start=1):
        seq = game.sequence(key)
        parent = seq[-1] if seq else None
        e_mat[r, index[parent]] = -1
        for a in range(len(game.infosets[key])):
            e_mat[r, index[(key, a)]] = 1
    rhs = np.zeros(1 + len(keys))
    rhs[0] = 1
    return e_mat, rhs


def _payoff_matrix(game: ExtensiveFormGame, idx: list[dict[Seq, int]], player: int = 0, shift: Any = 0,
                   exact: bool = False) -> np.ndarray:
    """``A[s1, s2]``: chance-weighted payoff (minus ``shift``) to ``player`` of the leaves the two sequences reach.

    With ``exact`` the entries are Fractions (an object array), else floats.
    """
    a = np.zeros((len(idx[0]), len(idx[1])), dtype=object if exact else float)
    if exact:
        a[:] = Fraction(0)
    one = Fraction(1) if exact else 1.0
    stack: list[tuple[Node, Path, Any, list[Seq]]] = [(game.root, (), one, [None, None])]
    while stack:
        node, path, prob, last = stack.pop()
        if node.is_leaf:
            value = node.payoffs[player] - shift
            a[idx[0][last[0]], idx[1][last[1]]] += prob * (value if exact else float(value))
            continue
        for k, child in enumerate(node.children):
            if node.player == CHANCE:
                weight = node.probs[k] if exact else float(node.probs[k])
                stack.append((child, (*path, k), prob * weight, last))
            else:
                key = game.infoset_of(path)
                nxt = list(last)
                nxt[key[0]] = (key, k)
                stack.append((child, (*path, k), prob, nxt))
    return a


def zero_sum_sequence_form(game: ExtensiveFormGame) -> tuple[dict[InfosetKey, tuple[float, ...]], float]:
    """Maximin behaviour strategies of both players of a two-player zero-sum tree, and the value.

    Raises
    ------
    SolverError
        If the game does not have two players or is not zero-sum (constant-sum).
    """
    if game.n_players != 2:
        raise SolverError("the sequence form here solves two-player zero-sum trees")
    totals = {sum(nd.payoffs) for _, nd in game.walk() if nd.is_leaf}
    if len(totals) != 1:
        raise SolverError("the sequence-form LP needs a zero-sum (constant-sum) tree; for general-sum trees use "
                          "method 'one' on the strategic form")
    const = totals.pop()
    seqs = [_sequences(game, i) for i in range(2)]
    idx = [{s: k for k, s in enumerate(ss)} for ss in seqs]
    a = _payoff_matrix(game, idx)
    e_mat, e_rhs = _constraints(game, 0, idx[0])
    f_mat, f_rhs = _constraints(game, 1, idx[1])
    x = _maximin(a, e_mat, e_rhs, f_mat, f_rhs)
    y = _maximin(-a.T, f_mat, f_rhs, e_mat, e_rhs)
    value = float(x @ a @ y)
    behavior: dict[InfosetKey, tuple[float, ...]] = {}
    for i, plan in enumerate((x, y)):
        for key in game.player_infosets(i):
            seq = game.sequence(key)
            parent = plan[idx[i][seq[-1] if seq else None]]
            probs = [plan[idx[i][(key, a_)]] for a_ in range(len(game.infosets[key]))]
            if parent > 1e-12:
                behavior[key] = tuple(float(max(0.0, p) / parent) for p in probs)
            else:
                behavior[key] = tuple([1.0 / len(probs)] * len(probs))
    del const
    return behavior, value


def _maximin(a: np.ndarray, e_mat: np.ndarray, e_rhs: np.ndarray, f_mat: np.ndarray, f_rhs: np.ndarray) -> np.ndarray:
    """``max f^T v  s.t.  F^T v - A^T x <= 0,  E x = e,  x >= 0`` (variables x, then free v)."""
    nx, nv = a.shape[0], f_mat.shape[0]
    cost = np.concatenate([np.zeros(nx), -f_rhs])
    a_ub = np.hstack([-a.T, f_mat.T])
    a_eq = np.hstack([e_mat, np.zeros((e_mat.shape[0], nv))])
    bounds = [(0, None)] * nx + [(None, None)] * nv
    res = linprog(cost, A_ub=a_ub, b_ub=np.zeros(a.shape[1]), A_eq=a_eq, b_eq=e_rhs, bounds=bounds, method="highs")
    if res.status != 0:  # pragma: no cover - the LP of a finite game always has an optimum
        raise SolverError(f"the sequence-form LP failed: {res.message}")
    return np.asarray(res.x[:nx])


def best_response_value(game: ExtensiveFormGame, behavior: Mapping[InfosetKey, Sequence[Any]], player: int) -> Any:
    """The most ``player`` can get against the others' behaviour (its own is ignored).

    Dynamic programming on the tree: the player's information sets are decided deepest
    first (perfect recall makes the deeper decisions independent of the higher ones),
    each choosing the action with the largest reach-weighted continuation value.
    """
    choice: dict[InfosetKey, int] = {}

    def value(node: Node, path: Path) -> Any:
        if node.is_leaf:
            return node.payoffs[player]
        if node.player == CHANCE:
            return sum(p * value(c, (*path, k)) for k, (p, c) in enumerate(zip(node.probs, node.children, strict=True)))
        key = game.infoset_of(path)
        if key[0] == player:
            return value(node.children[choice[key]], (*path, choice[key]))
        return sum(w * value(c, (*path, k)) for k, (w, c) in enumerate(zip(behavior[key], node.children, strict=True))
                   if w)

    def reach(path: Path) -> Any:
        """Probability of reaching ``path`` from chance and the other players (the player's own moves count 1)."""
        prob: Any = Fraction(1)
        node = game.root
        for depth, k in enumerate(path):
            sub = path[:depth]
            if node.player == CHANCE:
                prob *= node.probs[k]
            elif game.infoset_of(sub)[0] != player:
                prob *= behavior[game.infoset_of(sub)][k]
            node = node.children[k]
        return prob

    own = sorted(game.player_infosets(player), key=lambda k: -len(game.sequence(k)))
    for key in own:
        totals = []
        for a in range(len(game.infosets[key])):
            totals.append(sum(reach(p) * value(game.node(p).children[a], (*p, a)) for p in game.members(key)))
        choice[key] = max(range(len(totals)), key=lambda a: totals[a])
    return value(game.root, ())


EXACT_LIMIT = 160  # LCP size up to which the final basis is re-solved in rationals


def sequence_form_lcp(game: ExtensiveFormGame) -> dict[InfosetKey, tuple[Any, ...]]:
    """One Nash equilibrium of a two-player tree, in behaviour strategies, from the sequence-form LCP.

    With payoffs shifted to be negative at every leaf (which changes no best response),
    the realization plans ``x, y`` and dual variables ``p, q >= 0`` of an equilibrium
    solve the linear complementarity problem

        w_x = -A y - E^T p >= 0,   w_y = -B^T x - F^T q >= 0,
        w_p = E x - e >= 0,        w_q = F y - f >= 0,

    each ``w`` complementary to its variable, and Lemke's algorithm with covering
    vector ``1`` finds a solution (Koller, Megiddo and von Stengel 1996, *Games and
    Economic Behavior* 14, 247-259, Section 4; von Stengel 2002, *Handbook of Game
    Theory* 3, ch. 45, Section 4.2).  The plans are turned into behaviour by
    normalising each information set's sequences.  When the payoffs are rational and
    the problem small, the final basis is re-solved exactly.

    Raises
    ------
    SolverError
        If the game does not have two players.
    """
    if game.n_players != 2:
        raise SolverError("the sequence form here solves two-player trees")
    seqs = [_sequences(game, i) for i in range(2)]
    idx = [{s: k for k, s in enumerate(ss)} for ss in seqs]
    leaves = [nd.payoffs for _, nd in game.walk() if nd.is_leaf]
    exact = all(isinstance(v, Fraction | int) for pay in leaves for v in pay)
    shifted = [_payoff_matrix(game, idx, player=i, shift=max(pay[i] for pay in leaves) + 1, exact=exact)
               for i in range(2)]
    e_mat, e_rhs = _constraints(game, 0, idx[0])
    f_mat, f_rhs = _constraints(game, 1, idx[1])
    n1, n2, m1, m2 = len(idx[0]), len(idx[1]), len(e_rhs), len(f_rhs)
    size = n1 + n2 + m1 + m2
    mat = np.zeros((size, size), dtype=object if exact else float)
    x_, y_, p_, q_ = 0, n1, n1 + n2, n1 + n2 + m1
    mat[x_:y_, y_:p_] = -shifted[0]
    mat[x_:y_, p_:q_] = -e_mat.T
    mat[y_:p_, x_:y_] = -shifted[1].T
    mat[y_:p_, q_:] = -f_mat.T
    mat[p_:q_, x_:y_] = e_mat
    mat[q_:, y_:p_] = f_mat
    rhs = np.concatenate([np.zeros(n1 + n2), -e_rhs, -f_rhs])
    z, basis = lemke(mat.astype(float), rhs)
    if exact and size <= EXACT_LIMIT:
        z = basic_solution_exact(mat.tolist(), [Fraction(int(v)) for v in rhs], basis)
    behavior: dict[InfosetKey, tuple[Any, ...]] = {}
    for i, plan in enumerate((z[x_:y_], z[y_:p_])):
        for key in game.player_infosets(i):
            probs = [plan[idx[i][(key, a)]] for a in range(len(game.infosets[key]))]
            total = sum(probs)
            if total > 0:
                behavior[key] = tuple(p / total for p in probs)
            else:  # the player's own earlier moves avoid this set: any behaviour will do
                behavior[key] = tuple([Fraction(1, len(probs)) if exact else 1.0 / len(probs)] * len(probs))
    return behavior
