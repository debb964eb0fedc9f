"""Batched equilibrium solvers: many games at once, as numpy arrays.

Payoff tensors have shape ``(N, n_players, s_1, ..., s_n)``.  The solvers return every
game's equilibria as flat arrays (a game index per equilibrium) in a
:class:`BatchEquilibria`, each one verified by a regret check computed independently
of how it was found.

- :func:`pure_equilibria`: all pure equilibria, any number of players.
- :func:`equilibria_2x2`: all extreme equilibria of 2x2 games.  In a 2x2 game the
  vertices of each best-response polytope are the two pure strategies and, when it lies
  strictly between them, the mix that makes the other player indifferent; the extreme
  equilibria are the pairs of such points that are equilibria (von Stengel 2007,
  *Algorithmic Game Theory* ch. 3, Sections 3.3 and 3.6), ties included.
- :func:`bimatrix_equilibria`: all extreme equilibria of small m x n games by batched
  vertex enumeration: every choice of m tight constraints of
  ``P = {x >= 0 : B^T x <= 1}`` (and n of ``Q = {y >= 0 : A y <= 1}``) is solved at once
  over the batch, infeasible points are dropped, and a pair of vertices is an extreme
  equilibrium iff it is completely labelled.  Labels are recomputed from the
  coordinates, so degenerate vertices (more tight constraints than the dimension) are
  handled.
- :func:`vertex_enumeration`: one larger bimatrix game, with the vertices of ``P`` and
  ``Q`` found as the facets of the convex hull of their polar (qhull, through
  :class:`scipy.spatial.ConvexHull`) and labels again recomputed from the coordinates,
  so that degenerate games are handled.

Floats are compared with a tolerance ``tol`` relative to the game's payoff range.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import ConvexHull, QhullError

from negotiation import limits
from negotiation.errors import GameError, VerificationError

DEFAULT_TOL = 1e-9


# ----------------------------------------------------------------------- results
@dataclass(frozen=True)
class BatchEquilibria:
    """Equilibria of a batch of games, as flat arrays.

    Attributes
    ----------
    game : ndarray of int, shape (K,)
        Which game of the batch each equilibrium belongs to (sorted).
    strategies : tuple of ndarray
        ``strategies[i]`` has shape ``(K, s_i)``: player ``i``'s mixed strategy.
    payoffs : ndarray, shape (K, n_players)
    regret : ndarray, shape (K,)
        The largest unilateral gain, recomputed independently (at most ``tol`` times the
        game's payoff range).
    n_games : int
    method : str
    """

    game: np.ndarray
    strategies: tuple[np.ndarray, ...]
    payoffs: np.ndarray
    regret: np.ndarray
    n_games: int
    method: str

    def counts(self) -> np.ndarray:
        """Number of equilibria of each game."""
        return np.bincount(self.game, minlength=self.n_games)

    def to_frame(self, players: tuple[str, ...] | None = None,
                 strategies: tuple[tuple[str, ...], ...] | None = None) -> pd.DataFrame:
        """One row per equilibrium: ``game``, ``"<player>: <strategy>"`` probabilities, payoffs, regret."""
        n = len(self.strategies)
        players = players or tuple(f"P{i + 1}" for i in range(n))
        strategies = strategies or tuple(tuple(f"s{k + 1}" for k in range(s.shape[1])) for s in self.strategies)
        cols: dict[str, np.ndarray] = {"game": self.game}
        for i, p in enumerate(players):
            for k, s in enumerate(strategies[i]):
                cols[f"{p}: {s}"] = self.strategies[i][:, k]
        for i, p in enumerate(players):
            cols[f"{p} payoff"] = self.payoffs[:, i]
        cols["regret"] = self.regret
        return pd.DataFrame(cols)


def _scale(payoffs: np.ndarray) -> np.ndarray:
    """Each game's largest payoff range over players, shape (N,) (1 where all payoffs tie)."""
    flat = payoffs.reshape(payoffs.shape[0], payoffs.shape[1], -1)
    hi, lo = flat[:, :, 0].copy(), flat[:, :, 0].copy()
    for k in range(1, flat.shape[2]):  # elementwise over the batch: much faster than a reduction over few cells
        np.maximum(hi, flat[:, :, k], out=hi)
        np.minimum(lo, flat[:, :, k], out=lo)
    spread = _last_max(hi - lo)
    return np.where(spread > 0, spread, 1.0)


def _as_batch(payoffs: np.ndarray) -> np.ndarray:
    arr = np.asarray(payoffs, dtype=float)
    if arr.ndim < 3 or arr.ndim != arr.shape[1] + 2:
        raise GameError(f"a batch of payoffs has shape (N, n_players, s_1, ..., s_n); got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise GameError("payoffs must be finite")
    return arr


def _last_max(arr: np.ndarray) -> np.ndarray:
    """``arr.max(axis=-1)``, computed elementwise when the last axis is short (much faster there)."""
    if arr.shape[-1] > 8:
        return arr.max(axis=-1)
    out = arr[..., 0].copy()
    for k in range(1, arr.shape[-1]):
        np.maximum(out, arr[..., k], out=out)
    return out


def bimatrix_regrets(a: np.ndarray, b: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, ...]:
    """Regret of each player at mixed profiles ``(x, y)`` of games ``(a, b)`` (all batched).

    Returns the row and column players' regrets and expected payoffs.
    """
    ay = np.einsum("kij,kj->ki", a, y)
    xb = np.einsum("ki,kij->kj", x, b)
    u_row = np.einsum("ki,ki->k", x, ay)
    u_col = np.einsum("kj,kj->k", xb, y)
    return _last_max(ay) - u_row, _last_max(xb) - u_col, u_row, u_col


def _verified(a: np.ndarray, b: np.ndarray, game: np.ndarray, x: np.ndarray, y: np.ndarray, scale: np.ndarray,
              tol: float, method: str, n_games: int) -> BatchEquilibria:
    """Normalise, recompute every profile's regret from the payoffs, refuse any above tolerance."""
    # Round-off below the tolerance is zero probability.
    x = np.where(x <= 1e-12, 0.0, x)
    y = np.where(y <= 1e-12, 0.0, y)
    x = x / x.sum(axis=1, keepdims=True) if len(x) else x
    y = y / y.sum(axis=1, keepdims=True) if len(y) else y
    ga, gb = a[game], b[game]
    r_row, r_col, u_row, u_col = bimatrix_regrets(ga, gb, x, y)
    regret = np.maximum(r_row, r_col)
    bad = regret > tol * scale[game] * 10
    if np.any(bad):
        k = int(np.argmax(bad))
        raise VerificationError(f"{method}: game {int(game[k])} gave a profile with regret {regret[k]:.3g}")
    order = np.argsort(game, kind="stable")  # by game; within a game, in the order found
    return BatchEquilibria(game[order], (x[order], y[order]), np.stack([u_row, u_col], axis=1)[order],
                           regret[order], n_games, method)


# --------------------------------------------------------------------- pure
def pure_equilibria(payoffs: np.ndarray, tol: float = 0.0) -> np.ndarray:
    """Which pure profiles are equilibria, for every game of a batch.

    Parameters
    ----------
    payoffs : array of shape (N, n_players, s_1, ..., s_n)
    tol : float
        Tolerance relative to each game's payoff range (0: exact comparison).

    Returns
    -------
    ndarray of bool, shape (N, s_1, ..., s_n)
    """
    arr = _as_batch(payoffs)
    n = arr.shape[1]
    slack = (tol * _scale(arr)).reshape((-1,) + (1,) * n)
    stable = np.ones((arr.shape[0], *arr.shape[2:]), dtype=bool)
    for i in range(n):
        own = arr[:, i]
        stable &= own >= own.max(axis=1 + i, keepdims=True) - slack
    return stable


def pure_frame(mask: np.ndarray, players: tuple[str, ...], strategies: tuple[tuple[str, ...], ...]) -> pd.DataFrame:
    """The pure equilibria of :func:`pure_equilibria` as a table (``game`` and one column per player)."""
    idx = np.argwhere(mask)
    cols: dict[str, object] = {"game": idx[:, 0]}
    for i, p in enumerate(players):
        cols[p] = pd.Categorical.from_codes(idx[:, 1 + i], categories=list(strategies[i]))
    return pd.DataFrame(cols)


# ----------------------------------------------------------------------- 2x2
def equilibria_2x2(payoffs: np.ndarray, tol: float = DEFAULT_TOL) -> BatchEquilibria:
    """Every extreme equilibrium of each 2x2 game of a batch (degenerate games included).

    A game without ties (no player indifferent between its two strategies against a
    pure strategy of the other) has as extreme equilibria its pure equilibria and, when
    each player's gain from its first strategy changes sign across the other's
    strategies, the completely mixed one.  Games with ties are solved by checking the
    3 x 3 candidate pairs (each player's two pure strategies and the mix making the
    other indifferent).  One compiled pass (numba) over the batch finds them and a
    second, separate pass recomputes each one's regret from the payoffs.

    Parameters
    ----------
    payoffs : array of shape (N, 2, 2, 2)
    tol : float
        Tolerance relative to each game's payoff range.
    """
    arr = _as_batch(payoffs)
    if arr.shape[1:] != (2, 2, 2):
        raise GameError(f"equilibria_2x2 needs payoffs of shape (N, 2, 2, 2), got {arr.shape}")
    from negotiation.engine import _batch2x2  # numba: compiled on first use, then cached

    arr = np.ascontiguousarray(arr, dtype=float)
    game, p, q = _batch2x2.find(arr, tol)
    x, y, pays, regret, scale = _batch2x2.check(arr, game, p, q)  # independent check: each player's regret
    bad = regret > 10 * tol * scale
    if np.any(bad):
        k = int(np.argmax(bad))
        raise VerificationError(f"2x2 closed form: game {int(game[k])} gave a profile with regret {regret[k]:.3g}")
    return BatchEquilibria(game, (x, y), pays, regret, arr.shape[0], "2x2 closed form")


# ------------------------------------------------------------- small bimatrix
def _labels(z: np.ndarray, ctz: np.ndarray, tol: float | np.ndarray) -> np.ndarray:
    """Label bitmasks: bit ``i`` where ``z_i = 0``, bit ``d + j`` where ``(c^T z)_j = 1`` (within ``tol``).

    Distinct vertices of a polytope have distinct label sets (the tight constraints of a
    vertex determine it), so labels also identify vertices.
    """
    d, k = z.shape[-1], ctz.shape[-1]
    labels = np.zeros(z.shape[:-1], dtype=np.int64)
    for i in range(d):  # elementwise over the batch: faster than a matrix product for few labels
        labels |= (np.abs(z[..., i]) <= tol).astype(np.int64) << i
    for j in range(k):
        labels |= (np.abs(ctz[..., j] - 1) <= tol).astype(np.int64) << (d + j)
    return labels


def _polytope_vertices(c: np.ndarray, tol: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vertices of ``{z >= 0 : c^T z <= 1}`` for a batch of positive ``c`` of shape (N, d, k).

    Returns ``z`` of shape (N, V, d), their label masks (bit ``i`` for ``z_i = 0``, bit
    ``d + j`` for ``(c^T z)_j = 1``) and a validity mask (N, V); candidates that are
    infeasible, repeated or zero are invalid.
    """
    from negotiation.engine import _vertices  # numba: compiled on first use, then cached

    d, k = c.shape[1:]
    subsets = np.array(list(itertools.combinations(range(d + k), d)), dtype=np.int64).reshape(-1, d)
    return _vertices.polytope_vertices(np.ascontiguousarray(c, dtype=float), np.asarray(tol, dtype=float),
                                       subsets)


def bimatrix_equilibria(payoffs: np.ndarray, tol: float = DEFAULT_TOL) -> BatchEquilibria:
    """Every extreme equilibrium of each small two-player game of a batch.

    Batched vertex enumeration (see the module docstring); the work grows with
    ``C(m + n, m)``, so this is meant for games up to about 4 x 4 (and 2 x n).  Use
    :func:`equilibria_2x2` for 2x2 games and :func:`vertex_enumeration` for one larger
    game.

    Parameters
    ----------
    payoffs : array of shape (N, 2, m, n)
    tol : float
        Tolerance relative to each game's payoff range.
    """
    arr = _as_batch(payoffs)
    if arr.shape[1] != 2:
        raise GameError(f"bimatrix_equilibria needs two-player games, got {arr.shape[1]} players")
    n_games, _, m, n = arr.shape
    a, b = arr[:, 0], arr[:, 1]
    scale = _scale(arr)
    # Positive payoffs scaled to [1, 2]: the polytopes are bounded and the labels unchanged.
    lo_a = a.reshape(n_games, -1).min(axis=1)[:, None, None]
    lo_b = b.reshape(n_games, -1).min(axis=1)[:, None, None]
    a_pos = 1 + (a - lo_a) / scale[:, None, None]
    b_pos = 1 + (b - lo_b) / scale[:, None, None]
    t = np.full(n_games, max(tol, 1e-12) * 10)
    xs, x_lab, x_ok = _polytope_vertices(b_pos, t)  # P: x in R^m, constraints B^T x <= 1
    ys, y_lab, y_ok = _polytope_vertices(np.swapaxes(a_pos, 1, 2), t)  # Q: y in R^n, A y <= 1
    # Q's labels: bit j (< n) for y_j = 0 is the column's label m + j; bit n + i for (A y)_i = 1 is label i.
    y_std = ((y_lab >> n) & ((1 << m) - 1)) | ((y_lab & ((1 << n) - 1)) << m)
    full = (1 << (m + n)) - 1
    from negotiation.engine import _vertices  # loaded with _polytope_vertices

    game, vi, vj = _vertices.completely_labelled(x_lab, x_ok, y_std, y_ok, full)
    x = xs[game, vi]
    y = ys[game, vj]
    x = x / x.sum(axis=1, keepdims=True)
    y = y / y.sum(axis=1, keepdims=True)
    return _verified(a, b, game, x, y, scale, tol, "batched vertex enumeration", n_games)


# ---------------------------------------------------------------- one large game
def _hull_vertices(c: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Vertices of ``{z >= 0 : c^T z <= 1}`` (``c`` positive, shape (d, k)) from qhull, with labels."""
    d = c.shape[0]
    center = np.full(d, 0.5 / c.sum(axis=0).max())  # an interior point: c^T center <= 1/2
    # Constraints a.z <= beta in coordinates w = z - center, normalised to a.w <= 1.
    normals = np.vstack([-np.eye(d), c.T])
    beta = np.concatenate([center, 1 - c.T @ center])
    polar = normals / beta[:, None]
    hull = ConvexHull(polar)
    eq = hull.equations  # n.p + off <= 0 inside, off < 0
    w = -eq[:, :d] / eq[:, d:]
    z = w + center
    z = z[np.any(z > tol, axis=1)]
    labels = _labels(z, z @ c, tol)
    # Qhull splits a degenerate vertex into several facets: the copies have the same labels.
    labels, first = np.unique(labels, return_index=True)
    return z[first], labels


def _popcount(v: np.ndarray) -> np.ndarray:
    v = v.astype(np.uint64)
    count = np.zeros(v.shape, dtype=np.int64)
    while np.any(v):
        count += (v & np.uint64(1)).astype(np.int64)
        v >>= np.uint64(1)
    return count


def _complete_pairs(x_lab: np.ndarray, y_lab: np.ndarray, m: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the completely labelled pairs of vertices.

    A nondegenerate vertex of P has exactly m labels and one of Q exactly n, so its
    partner must carry exactly the complementary labels: a sorted lookup.  Vertices with
    more labels (degenerate ones) are checked against every vertex of the other polytope.
    """
    full = (1 << (m + n)) - 1
    order = np.argsort(y_lab)
    want = full & ~x_lab
    pos = np.clip(np.searchsorted(y_lab[order], want), 0, max(len(y_lab) - 1, 0))
    hit = (y_lab[order][pos] == want) if len(y_lab) else np.zeros(len(x_lab), dtype=bool)
    pairs = {(int(i), int(order[pos[i]])) for i in np.nonzero(hit)[0]}
    x_deg = np.nonzero(_popcount(x_lab) > m)[0]
    y_deg = np.nonzero(_popcount(y_lab) > n)[0]
    for i in x_deg:
        pairs.update((int(i), int(j)) for j in np.nonzero((x_lab[i] | y_lab) == full)[0])
    for j in y_deg:
        pairs.update((int(i), int(j)) for i in np.nonzero((x_lab | y_lab[j]) == full)[0])
    if not pairs:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    vi, vj = np.array(sorted(pairs)).T
    return vi, vj


def nondegenerate_vertex_pairs(a: np.ndarray, b: np.ndarray, tol: float = DEFAULT_TOL
                               ) -> tuple[np.ndarray, np.ndarray] | None:
    """The extreme equilibria of a nondegenerate bimatrix game from qhull, or ``None`` if it is degenerate.

    The best-response polytopes' vertices come from qhull (as in :func:`vertex_enumeration`);
    a vertex with more tight constraints than its dimension means a degenerate game, for which
    ``None`` is returned so that the caller uses an exact method.  Otherwise every equilibrium
    is a pair of vertices with complementary labels (Avis, Rosenberg, Savani and von Stengel
    2010, *Economic Theory* 42, 9-37, Section 3), returned as probability rows ``x``, ``y``
    (unverified: the caller checks each).
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    m, n = a.shape
    if m + n > min(62, limits.MAX_QHULL_STRATEGIES) or min(m, n) < 2:
        return None
    # a pure strategy with two pure best replies makes the game degenerate: no need for qhull,
    # which is slow on degenerate polytopes
    if any((line == line.max()).sum() > 1 for line in (*b, *a.T)):
        return None
    scale = _scale(np.stack([a, b])[None])
    t = max(tol, 1e-12) * 10
    try:
        xs, x_lab = _hull_vertices(1 + (b - b.min()) / scale[0], t)
        if np.any(_popcount(x_lab) > m):
            return None
        ys, y_lab = _hull_vertices((1 + (a - a.min()) / scale[0]).T, t)
    except QhullError:  # pragma: no cover
        return None
    if np.any(_popcount(y_lab) > n):
        return None
    y_std = ((y_lab >> n) & ((1 << m) - 1)) | ((y_lab & ((1 << n) - 1)) << m)
    vi, vj = _complete_pairs(x_lab, y_std, m, n)
    x = xs[vi] / xs[vi].sum(axis=1, keepdims=True)
    y = ys[vj] / ys[vj].sum(axis=1, keepdims=True)
    return x, y


def vertex_enumeration(a: np.ndarray, b: np.ndarray, tol: float = DEFAULT_TOL) -> BatchEquilibria:
    """Every extreme equilibrium of one bimatrix game (float), degenerate games included.

    The vertices of the best-response polytopes come from qhull; each vertex's labels are
    recomputed from its coordinates, so a degenerate vertex (qhull splits it into several
    simplicial facets) carries all its labels.  Falls back to batched enumeration of
    tight constraints if qhull fails.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    m, n = a.shape
    if m + n > 62:
        raise GameError("vertex_enumeration supports m + n <= 62")
    arr = np.stack([a, b])[None]
    scale = _scale(arr)
    a_pos = 1 + (a - a.min()) / scale[0]
    b_pos = 1 + (b - b.min()) / scale[0]
    t = max(tol, 1e-12) * 10
    try:
        xs, x_lab = _hull_vertices(b_pos, t)
        ys, y_lab = _hull_vertices(a_pos.T, t)
    except QhullError:  # pragma: no cover - qhull copes with the degenerate inputs we have met
        return bimatrix_equilibria(arr, tol)
    y_std = ((y_lab >> n) & ((1 << m) - 1)) | ((y_lab & ((1 << n) - 1)) << m)
    vi, vj = _complete_pairs(x_lab, y_std, m, n)
    x = xs[vi] / xs[vi].sum(axis=1, keepdims=True)
    y = ys[vj] / ys[vj].sum(axis=1, keepdims=True)
    game = np.zeros(len(vi), dtype=np.int64)
    return _verified(a[None], b[None], game, x, y, scale, tol, "vertex enumeration (qhull)", 1)


# ------------------------------------------------------------------ dispatch
BATCH_VERTEX_LIMIT = 500
"""Largest ``C(m + n, m)`` solved by batched enumeration of tight constraints."""


def solve_batch(payoffs: np.ndarray, method: str = "auto", tol: float = DEFAULT_TOL,
                block: int = 4096) -> BatchEquilibria:
    """Equilibria of every game of a batch, by the fastest applicable method.

    ``method="auto"``: two-player games get all extreme equilibria
    (:func:`equilibria_2x2`, :func:`bimatrix_equilibria`, or :func:`vertex_enumeration`
    game by game when they are large); games with more players get their pure
    equilibria (``method="pure"``, which any game accepts).

    Returns
    -------
    BatchEquilibria
        ``method`` says which solver ran; for ``"pure"`` only pure equilibria are listed.
    """
    arr = _as_batch(payoffs)
    if method not in ("auto", "pure"):
        raise GameError(f"unknown batch method {method!r}; use 'auto' or 'pure'")
    n_games, n = arr.shape[0], arr.shape[1]
    if method == "pure" or n != 2:
        return _pure_batch(arr, tol)
    m, k = arr.shape[2:]
    if (m, k) == (2, 2):
        return equilibria_2x2(arr, tol)
    if math.comb(m + k, m) <= BATCH_VERTEX_LIMIT:
        parts = [bimatrix_equilibria(arr[s : s + block], tol) for s in range(0, n_games, block)]
        return _concat(parts, [s for s in range(0, n_games, block)], n_games)
    parts = [vertex_enumeration(arr[g, 0], arr[g, 1], tol) for g in range(n_games)]
    return _concat(parts, list(range(n_games)), n_games)


def _concat(parts: list[BatchEquilibria], offsets: list[int], n_games: int) -> BatchEquilibria:
    return BatchEquilibria(
        np.concatenate([p.game + off for p, off in zip(parts, offsets, strict=True)]),
        tuple(np.concatenate([p.strategies[i] for p in parts]) for i in range(len(parts[0].strategies))),
        np.concatenate([p.payoffs for p in parts]),
        np.concatenate([p.regret for p in parts]),
        n_games,
        parts[0].method,
    )


def _pure_batch(arr: np.ndarray, tol: float) -> BatchEquilibria:
    mask = pure_equilibria(arr, tol)
    idx = np.argwhere(mask)
    game, cells = idx[:, 0], idx[:, 1:]
    n = arr.shape[1]
    strategies = tuple(np.eye(arr.shape[2 + i])[cells[:, i]] for i in range(n))
    pays = np.stack([arr[(game, i, *cells.T)] for i in range(n)], axis=1)
    best = np.stack([_best_deviation(arr, game, cells, i) for i in range(n)], axis=1)
    regret = (best - pays).max(axis=1)
    if np.any(regret > tol * _scale(arr)[game] * 10):
        raise VerificationError("pure batch: a profile failed the regret check")
    return BatchEquilibria(game, strategies, pays, regret, arr.shape[0], "pure")


def _best_deviation(arr: np.ndarray, game: np.ndarray, cells: np.ndarray, i: int) -> np.ndarray:
    """Player ``i``'s best payoff over its own strategies, the others fixed at ``cells``."""
    out = np.full(len(game), -np.inf)
    for s in range(arr.shape[2 + i]):
        dev = cells.copy()
        dev[:, i] = s
        out = np.maximum(out, arr[(game, i, *dev.T)])
    return out
