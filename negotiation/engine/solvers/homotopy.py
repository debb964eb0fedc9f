"""Every complex solution of the support systems of an n-player game, by one batched homotopy.

On a support profile the indifference conditions of an n-player game form a square
polynomial system that is multilinear: player i's equations are of degree one in each other
player's mixed strategy and do not involve its own.  In multiprojective coordinates (each
player's vector over its support, up to scale) the number of isolated solutions is at most
the multihomogeneous Bezout number, the number of ways to give each equation of player i to
one other player j so that j receives exactly as many equations as it has free
probabilities (McKelvey and McLennan 1997).  A linear-product start system with the same
structure (each equation a product of one random linear form per other player) has exactly
that many solutions, one per such assignment, each found by solving one linear system per
player; with a random complex ``gamma`` (Morgan 1987) the paths of
``(1 - t) F + gamma t G`` from ``t = 1`` to ``t = 0`` are regular with probability one and
end at every isolated solution of ``F`` (Morgan and Sommese 1987, multihomogeneous
homotopies).

Every support profile of a game is padded to one shape: each player has a vector over all
of its strategies, the strategies outside its support are held at zero by linear rows, and
one random complex patch ``a_j . p_j = 1`` per player makes the coordinates affine.  So every
path of every support profile of the game is tracked in one batch, with a fourth-order
Runge-Kutta predictor, a Newton corrector and a step size of its own.

A support's answer counts as *complete* when all its paths reached ``t = 0`` at endpoints
that are nonsingular (condition number below ``SINGULAR``) and pairwise distinct: as many
distinct isolated solutions as the Bezout bound leave no room for others or for a
positive-dimensional set (Fulton's refined Bezout theorem).  This holds with probability
one over the random start system, provided no path jumped to another, which is what the
distinctness check catches in practice; supports that fail it are tracked again with
smaller steps, and then solved exactly by the caller.

References
----------
McKelvey, R. D. and McLennan, A. (1997). The maximal number of regular totally mixed Nash
equilibria. *Journal of Economic Theory* 72, 411-425.
Morgan, A. P. (1987). *Solving Polynomial Systems Using Continuation for Engineering and
Scientific Problems*. Prentice-Hall (the gamma trick, ch. 3).
Morgan, A. P. and Sommese, A. J. (1987). A homotopy for solving general polynomial systems
that respects m-homogeneous structures. *Applied Mathematics and Computation* 24, 101-113.
Datta, R. S. (2010). Finding all Nash equilibria of a finite game using polynomial algebra.
*Economic Theory* 42, 55-96 (homotopies for Nash equilibria).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from negotiation.deadline import checkpoint

SINGULAR = 1e9
"""Condition number of the Jacobian at an endpoint past which the endpoint counts as singular."""

GROWTH = 1.5
"""Factor by which a path's step grows after a step whose Newton corrections converged."""

CHUNK = 256
"""Paths per call of the compiled tracker (a few hundredths of a second on 3 players)."""


@dataclass(frozen=True)
class SupportRoots:
    """The endpoints of one support profile's paths.

    Attributes
    ----------
    supports : tuple of tuple of int
        Each player's support.
    points : ndarray of shape (paths, n, s), complex
        Each endpoint with every player's vector scaled to sum to one over its support
        (``nan`` where that sum vanishes: a solution that is no probability vector).
    complete : bool
        Whether the endpoints pass the checks that make them all the isolated solutions
        (see the module notes).
    reason : str
        Why not, when not complete.
    """

    supports: tuple[tuple[int, ...], ...]
    points: np.ndarray
    complete: bool
    reason: str = ""


@lru_cache(maxsize=256)
def assignments(free: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """Every way to give each equation to another player with free probabilities.

    Player i owns ``free[i]`` equations (listed player by player); an assignment gives each
    one to a player ``j != i`` so that ``j`` receives exactly ``free[j]`` of them, counting
    equations of one player as a set (their order within the player is fixed).  The number
    of assignments is the multihomogeneous Bezout number of the support system.
    """
    n = len(free)
    out: list[tuple[int, ...]] = []

    def rec(i: int, left: list[int], chosen: list[int]) -> None:
        if i == n:
            if not any(left):
                out.append(tuple(chosen))
            return
        others = [j for j in range(n) if j != i and free[j] > 0]
        for combo in itertools.combinations_with_replacement(others, free[i]):
            counts = {j: combo.count(j) for j in set(combo)}
            if any(counts[j] > left[j] for j in counts):
                continue
            for j in counts:
                left[j] -= counts[j]
            # the equations of player i are distinguishable: every ordering of the multiset
            for order in sorted(set(itertools.permutations(combo))):
                rec(i + 1, left, chosen + list(order))
            for j in counts:
                left[j] += counts[j]

    rec(0, list(free), [])
    return tuple(out)


class _System:
    """The random parts of the homotopy, shared by every path of a game: the linear forms of
    the start system, one patch per player and gamma; and the payoffs padded to s^n cells."""

    def __init__(self, payoffs: np.ndarray, rng: np.random.Generator) -> None:
        n = payoffs.shape[0]
        s = max(payoffs.shape[1:])
        padded = np.zeros((n,) + (s,) * n)
        padded[(slice(None), *(slice(0, k) for k in payoffs.shape[1:]))] = payoffs
        self.n, self.s = n, s
        self.cells = padded.reshape(n, s**n)
        self.gamma = complex(np.exp(2j * np.pi * rng.uniform()))
        forms = rng.normal(size=(n, s, n, s)) + 1j * rng.normal(size=(n, s, n, s))
        forms[np.arange(n), :, np.arange(n), :] = 0  # no player's form on its own vector
        self.forms = forms
        self.patch = rng.normal(size=(n, s)) + 1j * rng.normal(size=(n, s))


def track(payoffs: np.ndarray, profiles: list[tuple[tuple[int, ...], ...]], rng: np.random.Generator,
          careful: bool = False) -> list[SupportRoots]:
    """Track every path of every given support profile (each with at least one path).

    Parameters
    ----------
    payoffs : ndarray of shape (n, s_1, ..., s_n), float
    profiles : list of support profiles
        Each player's support as sorted strategy indices; every profile must have a positive
        Bezout number (:func:`assignments`).
    rng : numpy.random.Generator
        Draws the start system, the patches and gamma.
    careful : bool
        Smaller steps (a first step of 0.01 and at most 0.05 instead of 0.1 and 0.5), for a
        second try at supports whose paths failed or met.
    """
    system = _System(payoffs, rng)
    n, s = system.n, system.s
    tops, bases, linears, rhss, starts, owners = [], [], [], [], [], []
    for index, supports in enumerate(profiles):
        free = tuple(len(sup) - 1 for sup in supports)
        top = np.full((n, s), -1, dtype=np.int64)
        linear = np.zeros((n, s, s), dtype=complex)
        rhs = np.zeros((n, s), dtype=complex)
        for i, sup in enumerate(supports):
            top[i, : free[i]] = sup[1:]
            for r, t in enumerate((t for t in range(s) if t not in sup), start=free[i]):
                linear[i, r, t] = 1.0
            linear[i, s - 1, list(sup)] = system.patch[i, list(sup)]
            rhs[i, s - 1] = 1.0
        equations = [(i, r) for i in range(n) for r in range(free[i])]
        for chosen in assignments(free):
            start = linear.copy()  # each player's vector: its assigned forms vanish, and its linear rows
            filled = [0] * n
            for (i, row), j in zip(equations, chosen, strict=True):
                start[j, filled[j]] = system.forms[i, row, j]
                filled[j] += 1
            starts.append(start)
            tops.append(top)
            bases.append([sup[0] for sup in supports])
            linears.append(linear)
            rhss.append(rhs)
            owners.append(index)
    rhs_all = np.array(rhss)
    begin = np.linalg.solve(np.array(starts), rhs_all[..., None])[..., 0].reshape(len(starts), n * s)
    from negotiation.engine.solvers._track import track_paths  # numba: compiled on first use, then cached

    first, most = (0.01, 0.05) if careful else (0.1, 0.5)
    tops_all, bases_all, linear_all = np.array(tops), np.array(bases, dtype=np.int64), np.array(linears)
    count = len(starts)
    parts = []
    for lo in range(0, count, CHUNK):  # compiled code cannot be stopped: a time limit is checked between chunks
        checkpoint(lambda lo=lo: f"{lo:,} of {count:,} homotopy paths")
        hi = min(lo + CHUNK, count)
        parts.append(track_paths(system.cells, n, s, tops_all[lo:hi], bases_all[lo:hi], linear_all[lo:hi],
                                 rhs_all[lo:hi], system.forms, system.gamma, begin[lo:hi], first, most, GROWTH))
    p, reached, jacs = (np.concatenate(x) for x in zip(*parts, strict=True))
    with np.errstate(all="ignore"):
        cond = np.linalg.cond(jacs)
    ok = reached & np.isfinite(p).all(axis=1) & (cond < SINGULAR)
    return _classify(n, s, np.array(owners), profiles, p, ok)


def _classify(n: int, s: int, owner: np.ndarray, profiles: list[tuple[tuple[int, ...], ...]], p: np.ndarray,
              ok: np.ndarray) -> list[SupportRoots]:
    blocks = p.reshape(len(p), n, s)
    out = []
    for index, supports in enumerate(profiles):
        mine = np.flatnonzero(owner == index)
        points = blocks[mine]
        inside = np.zeros((n, s), dtype=bool)
        for i, sup in enumerate(supports):
            inside[i, list(sup)] = True
        with np.errstate(all="ignore"):
            total = (points * inside).sum(axis=2, keepdims=True)
            scaled = np.where(np.abs(total) > 1e-8 * np.abs(points).sum(axis=2, keepdims=True), points / total,
                              np.nan)
        if not ok[mine].all():
            out.append(SupportRoots(supports, scaled, False, "a path failed or ended at a singular point"))
            continue
        # distinct endpoints: compare the vectors up to scale (unit length, first large entry real)
        unit = points / np.linalg.norm(points, axis=2, keepdims=True)
        lead = np.argmax(np.abs(unit) > 0.5 / np.sqrt(s), axis=2)
        phase = np.take_along_axis(unit, lead[..., None], axis=2)
        unit = unit * (np.abs(phase) / phase)
        flat = unit.reshape(len(mine), -1)
        gaps = np.linalg.norm(flat[:, None, :] - flat[None, :, :], axis=2) + np.eye(len(mine))
        if len(mine) > 1 and gaps.min() < 1e-6:
            out.append(SupportRoots(supports, scaled, False, "two paths ended at one point"))
            continue
        out.append(SupportRoots(supports, scaled, True))
    return out


def warm() -> None:
    """Compile the path tracker now (or load it from numba's cache), by tracking the two paths
    of a fixed 2x2x2 game: for a worker that must not spend its first time limit compiling."""
    payoffs = np.arange(24, dtype=float).reshape(3, 2, 2, 2) % 5
    track(payoffs, [((0, 1), (0, 1), (0, 1))], np.random.default_rng(0))

