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

Every path of every support profile of the game is tracked in one batch by compiled code
(:mod:`~negotiation.engine.solvers._track`), each in the coordinates of its own profile: a
player's probabilities of its support strategies after the first, the first following from
one random complex patch ``a_i . p_i = 1`` per player (which makes the multiprojective
coordinates affine), with a fourth-order Runge-Kutta predictor, a Newton corrector and a
step size of its own.  A profile with at most two mixed players has a linear target system,
which Newton's method solves from the start point without a path.  A profile with three
mixed players of two strategies each has a closed form, a quadratic after eliminating two
probabilities (:mod:`~negotiation.engine.solvers._quadratic`): its two roots replace its two
paths, unless the elimination is degenerate.

A support's answer counts as *complete* when all its paths reached ``t = 0`` at endpoints
that are nonsingular (condition number of the Jacobian in the 1-norm below ``SINGULAR``)
and pairwise distinct: as many distinct isolated solutions as the Bezout bound leave no
room for others or for a positive-dimensional set (Fulton's refined Bezout theorem).  This
holds with probability one over the random start system, provided no path jumped to
another, which is what the distinctness check catches in practice; supports that fail it
are tracked again with smaller steps, and then solved exactly by the caller.

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
"""Condition number (1-norm) of the Jacobian at an endpoint past which the endpoint counts as singular."""

GROWTH = 1.5
"""Factor by which a path's step grows after a step whose Newton corrections converged."""

CHUNK = 256
"""Paths per call of the compiled tracker (a few hundredths of a second on 3 players)."""


@dataclass(frozen=True)
class Endpoints:
    """The endpoints of every path of the given support profiles.

    Attributes
    ----------
    owner : ndarray of shape (paths,), int
        The profile (its index in the list given) each path belongs to, in ascending order.
    inside : ndarray of shape (paths, n, s), bool
        Each path's supports: whether strategy t is in player i's.
    points : ndarray of shape (paths, n, s), complex
        Each endpoint with every player's vector scaled to sum to one over its support (zero
        off it; ``nan`` where that sum vanishes: a solution that is no probability vector).
    paired : ndarray of shape (paths,), bool
        Whether the complex conjugate of the endpoint is another endpoint of its profile (a
        real system's nonreal roots come in such pairs).
    complete : ndarray of shape (profiles,), bool
        Whether a profile's endpoints pass the checks that make them all its isolated
        solutions (see the module notes).
    reasons : tuple of str
        Why not, for each profile that is not complete ("" for those that are).
    """

    owner: np.ndarray
    inside: np.ndarray
    points: np.ndarray
    paired: np.ndarray
    complete: np.ndarray
    reasons: tuple[str, ...]


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


@lru_cache(maxsize=256)
def _assigned(free: tuple[int, ...], s: int) -> np.ndarray:
    """For each assignment (:func:`assignments`), the equations given to each player, coded
    ``i * s + r`` for player i's equation r (padded with -1): the rows of its start system."""
    equations = [(i, r) for i in range(len(free)) for r in range(free[i])]
    out = np.full((len(assignments(free)), len(free), s), -1, dtype=np.int64)
    for a, chosen in enumerate(assignments(free)):
        filled = [0] * len(free)
        for (i, r), j in zip(equations, chosen, strict=True):
            out[a, j, filled[j]] = i * s + r
            filled[j] += 1
    return out


@lru_cache(maxsize=64)
def _random_parts(n: int, s: int, seed: int, draw: int) -> tuple[complex, np.ndarray, np.ndarray]:
    """The random parts of the homotopy of an n-player game with at most s strategies each,
    shared by every path of every such game: gamma, the linear forms of the start system (none
    on a player's own vector) and one patch per player, as the ``draw``-th draw (0 for the
    first try, 1 for the careful one) from the generator seeded by ``seed``."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    for _ in range(draw + 1):
        gamma = complex(np.exp(2j * np.pi * rng.uniform()))
        forms = rng.normal(size=(n, s, n, s)) + 1j * rng.normal(size=(n, s, n, s))
        forms[np.arange(n), :, np.arange(n), :] = 0  # no player's form on its own vector
        patch = rng.normal(size=(n, s)) + 1j * rng.normal(size=(n, s))
    for array in (forms, patch):
        array.setflags(write=False)
    return gamma, forms, patch


@lru_cache(maxsize=4096)
def _paths(supports: tuple[tuple[int, ...], ...], s: int) -> tuple[np.ndarray, ...]:
    """For each path of one profile: its supports padded to s (with -1), their sizes, whether
    each strategy is in them, and its start-system rows (:func:`_assigned`); and whether the
    profile has three mixed players of two strategies each, whose roots have a closed form
    (:mod:`._quadratic`), as an array of one flag."""
    row = np.array([list(own) + [-1] * (s - len(own)) for own in supports], dtype=np.int64)
    size = (row >= 0).sum(axis=1)
    table = _assigned(tuple(int(v) - 1 for v in size), s)
    paths = len(table)
    sup = np.repeat(row[None], paths, axis=0)
    k = np.repeat(size[None], paths, axis=0)
    inside = (np.arange(s)[None, None, :, None] == sup[:, :, None, :]).any(axis=3)
    quadratic = np.array([int((size == 2).sum()) == 3 and int((size > 2).sum()) == 0])
    for array in (sup, k, inside, quadratic):
        array.setflags(write=False)
    return sup, k, inside, table, quadratic


def track(payoffs: np.ndarray, profiles: list[tuple[tuple[int, ...], ...]], seed: int,
          careful: bool = False, closed: bool = True) -> Endpoints:
    """Track every path of every given support profile (each with at least one path).

    Parameters
    ----------
    payoffs : ndarray of shape (n, s_1, ..., s_n), float
    profiles : list of support profiles
        Each player's support as sorted strategy indices; every profile must have a positive
        Bezout number (:func:`assignments`).
    seed : int
        Seeds the start system, the patches and gamma (:func:`_random_parts`).
    careful : bool
        Smaller steps (a first step of 0.01 and at most 0.05 instead of 0.1 and 0.5) and a
        fresh draw of the random parts, for a second try at supports whose paths failed or met.
    closed : bool
        Solve the profiles of three mixed players of two strategies each by their quadratic
        (:mod:`._quadratic`), tracking paths only where it is degenerate; False tracks their
        paths too (to compare the two).
    """
    n = payoffs.shape[0]
    s = max(payoffs.shape[1:])
    cells = np.zeros((n,) + (s,) * n)
    cells[(slice(None), *(slice(0, k) for k in payoffs.shape[1:]))] = payoffs
    gamma, forms, patch = _random_parts(n, s, seed, int(careful))
    tables = [_paths(supports, s) for supports in profiles]
    owners = np.repeat(np.arange(len(profiles)), [len(table[0]) for table in tables])
    sup, k, inside, assigned, has_closed_form = (np.concatenate(part) for part in zip(*tables, strict=True))
    from negotiation.engine.solvers._quadratic import solve_profiles
    from negotiation.engine.solvers._track import classify, track_paths  # numba: compiled on first use, cached

    flat = cells.reshape(n, -1)
    p = np.zeros((len(owners), n * s), dtype=np.complex128)
    reached = np.zeros(len(owners), dtype=bool)
    cond = np.full(len(owners), np.inf)
    done = np.zeros(len(owners), dtype=bool)  # paths whose endpoint the quadratic gave
    quadratic = np.flatnonzero(has_closed_form & closed)  # those profiles
    if len(quadratic):  # three mixed players of two strategies: the quadratic of :mod:`._quadratic`
        first_paths = np.searchsorted(owners, quadratic)
        ends, solved, conds = solve_profiles(flat, n, s, sup[first_paths], k[first_paths])
        rows = (first_paths[:, None] + np.arange(2)).ravel()
        take = np.repeat(solved, 2)
        p[rows[take]], cond[rows[take]] = ends[take], conds[take]
        reached[rows[take]] = done[rows[take]] = True
    paths = np.flatnonzero(~done)
    size = max(int((k[paths] - 1).sum(axis=1).max()), 1) if len(paths) else 1
    first, most = (0.01, 0.05) if careful else (0.1, 0.5)
    for lo in range(0, len(paths), CHUNK):  # compiled code cannot be stopped: a time limit is checked between chunks
        checkpoint(lambda lo=lo: f"{lo:,} of {len(paths):,} homotopy paths")
        chunk = paths[lo:lo + CHUNK]
        p[chunk], reached[chunk], cond[chunk] = track_paths(flat, n, s, sup[chunk], k[chunk], assigned[chunk],
                                                            patch, forms, gamma, size, first, most, GROWTH)
    ok = reached & np.isfinite(p).all(axis=1) & (cond < SINGULAR)
    bounds = np.searchsorted(owners, np.arange(len(profiles) + 1))
    scaled, paired, verdict = classify(p, n, s, bounds, ok)
    return Endpoints(owners, inside, scaled, paired, verdict == 0, tuple(_REASONS[v] for v in verdict))


_REASONS = ("", "a path failed or ended at a singular point", "two paths ended at one point")
"""Why a profile's endpoints are not all its isolated solutions, by the tracker's verdict."""


def warm() -> None:
    """Compile the path tracker and the closed form now (or load them from numba's cache), by
    solving the full-support profile of a fixed 2x2x2 game both ways: for a worker that must
    not spend its first time limit compiling."""
    payoffs = np.arange(24, dtype=float).reshape(3, 2, 2, 2) % 5
    for closed in (True, False):
        track(payoffs, [((0, 1), (0, 1), (0, 1))], 0, closed=closed)

