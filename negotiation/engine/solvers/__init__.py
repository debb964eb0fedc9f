"""One entry point to every equilibrium solver: :func:`solve`.

Every equilibrium returned has passed a regret check that is independent of the
solver (:func:`negotiation.engine.profile.player_regrets`): exact 0 in exact mode,
at most ``tol`` times the payoff scale otherwise.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from fractions import Fraction

import numpy as np

from negotiation import limits
from negotiation.deadline import limited
from negotiation.engine.game import NormalFormGame
from negotiation.engine.methods import METHODS
from negotiation.engine.numbers import float_array, reduced_row_echelon
from negotiation.engine.profile import MixedProfile, batch_payoffs_and_regrets, distributions, payoffs_and_regrets
from negotiation.engine.solvers import bimatrix, numeric, polynomial, pure, zero_sum
from negotiation.engine.solvers.result import Continuum, Equilibrium, SolveResult
from negotiation.errors import BudgetError, GameError, SolverError, VerificationError

__all__ = ["METHODS", "Continuum", "Equilibrium", "SolveResult", "solve"]


def solve(
    game: NormalFormGame,
    method: str = "auto",
    exact: bool = False,
    *,
    label: int = 0,
    tol: float = 1e-9,
    starts: int = 20,
    rng: int | np.random.Generator | None = 0,
    time_limit: float | None = None,
    cancel: Callable[[], bool] | None = None,
    progress: bool | None = None,
) -> SolveResult:
    """Compute equilibria of a normal-form game.

    Parameters
    ----------
    game : NormalFormGame
    method : {"auto", "pure", "all", "one", "zero_sum", "numeric"}
        ``"pure"``: every pure equilibrium (any number of players).
        ``"all"``: every extreme equilibrium of a two-player game (vertex enumeration,
        degenerate games included, with components and continua); every isolated
        equilibrium and the continua of a small n-player game (support enumeration
        with polynomial systems).
        ``"one"``: one equilibrium, by Lemke-Howson with lexicographic pivoting from
        ``label`` (two players) or by the numeric method (n players).
        ``"zero_sum"``: maximin strategies and the value by LP (two-player
        constant-sum games).
        ``"numeric"``: n-player equilibria from a Lyapunov function minimised from
        ``starts`` seeded starting points; not guaranteed complete.
        ``"auto"``: ``"all"`` where it finishes quickly for the game's size (two players:
        within ``negotiation.limits.MAX_SUPPORT_PAIRS``, or a nondegenerate float game
        within ``MAX_QHULL_STRATEGIES``; n players: up to ``AUTO_SUPPORT_PROFILES``
        support profiles), else ``"one"`` (two players) or ``"numeric"``.
    exact : bool
        Rational arithmetic end to end (two players): equilibria are Fractions and
        their regret is exactly 0.  Float payoffs are read as the rationals they are.
    label : int
        Lemke-Howson's first dropped label, ``0..m+n-1``.
    tol : float
        Regret tolerance, relative to the payoff scale, of float results.
    starts : int
        Starting points of the numeric method.
    rng : int or numpy Generator
        Seed of the numeric method's starting points (no global state is used).
    time_limit : float, optional
        Seconds of wall-clock time; past it a :class:`~negotiation.errors.TimeLimitError`
        says how far the method got and what cheaper method to try (see
        :mod:`negotiation.deadline`).  ``None``: no limit.
    cancel : callable, optional
        Polled as the method runs; when it returns true a
        :class:`~negotiation.errors.CancelledError` stops it.
    progress : bool or None
        A progress bar (tqdm, on stderr) for long enumerations; ``None``: on a terminal,
        once a run has lasted two seconds.

    Returns
    -------
    SolveResult

    Raises
    ------
    SolverError
        Unknown method, or a method that does not apply to this game.
    BudgetError
        An exhaustive method on a game beyond its size budget.
    TimeLimitError, CancelledError
        The method was stopped by ``time_limit`` or ``cancel``.
    """
    if method not in METHODS:
        raise SolverError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    two = game.n_players == 2
    if method == "auto":
        if two:  # float games past the budget of exact pivoting: qhull, if the game is nondegenerate
            small = bimatrix.combinations_budget(*game.shape) <= limits.MAX_SUPPORT_PAIRS
            qhull = sum(game.shape) <= limits.MAX_QHULL_STRATEGIES
            method = "all" if small else "all-or-one" if not exact and qhull else "one"
        else:
            method = "all" if polynomial.support_profiles(game.shape) <= limits.AUTO_SUPPORT_PROFILES else "numeric"
    size = "x".join(map(str, game.shape))
    hint = {"all": "use method 'one' (Lemke-Howson) for one equilibrium" if two else "use method 'numeric'",
            "one": "use method 'numeric'"}.get(method, "")
    what = f"method {method.replace('all-or-one', 'all')!r} on a {size} game"
    return limited(what, time_limit, cancel, hint, progress,
                   lambda: _solve(game, method, exact, label, tol, starts, rng))


def _solve(game: NormalFormGame, method: str, exact: bool, label: int, tol: float, starts: int,
           rng: int | np.random.Generator | None) -> SolveResult:
    two = game.n_players == 2
    params = {"method": method, "exact": exact, "tol": tol}
    work = game.as_exact() if exact else game.as_float()
    if method == "pure":
        return _pure(work, params)
    if method == "zero_sum":
        return _zero_sum(work, exact, params)
    if method == "all-or-one":
        params["method"] = method = "all"
        fast = _all_bimatrix_qhull(work, params)
        if fast is not None:
            return fast
        params["method"] = method = "one"
    if method == "all":
        return _all_bimatrix(work, exact, params) if two else _all_npoly(work, exact, params)
    if method == "one" and two:
        params["label"] = label
        return _lemke_howson(work, exact, label, params)
    params.update(starts=starts, rng=rng if isinstance(rng, int) or rng is None else "Generator")
    return _numeric(work, method, starts, rng, params)


# ---------------------------------------------------------------- verification
def _verified(
    game: NormalFormGame, sigmas: Sequence[Sequence[object]], tol: float, precise: Sequence[object] | None = None
) -> list[Equilibrium]:
    """Check every candidate's regret independently and drop duplicates."""
    if not game.exact:
        return _verified_floats(game, sigmas, tol, precise)
    out: list[Equilibrium] = []
    seen: set[tuple[object, ...]] = set()
    for k, sigma in enumerate(sigmas):
        prof = game.profile([np.asarray(v, dtype=object) for v in sigma])
        values, regrets = payoffs_and_regrets(game.payoffs, prof.probabilities)  # exact
        regret = max(regrets)
        if regret != 0:
            raise VerificationError(
                f"a solver returned a profile with regret {regret}: {prof!r} (this is a bug)"
            )
        key = tuple(v for vec in prof.probabilities for v in vec)
        if key in seen:
            continue
        seen.add(key)
        payoffs = dict(zip(game.players, values.tolist(), strict=True))
        out.append(Equilibrium(prof, payoffs, regret, None, precise[k] if precise else None))  # type: ignore[arg-type]
    return out


def _verified_floats(
    game: NormalFormGame, sigmas: Sequence[Sequence[object]], tol: float, precise: Sequence[object] | None
) -> list[Equilibrium]:
    """:func:`_verified` in a float game: every candidate checked at once, the same checks."""
    if not sigmas:
        return []
    if any(len(sigma) != game.n_players for sigma in sigmas):
        raise GameError(f"a profile without {game.n_players} vectors, one per player")
    stacked = []
    for i, (name, labels) in enumerate(zip(game.players, game.strategies, strict=True)):
        rows = [np.asarray(sigma[i], dtype=float) for sigma in sigmas]
        wrong = next((row for row in rows if row.shape != (len(labels),)), None)
        if wrong is not None:
            raise GameError(f"player {name!r}: {wrong.size} probabilities for {len(labels)} strategies")
        stacked.append(np.array(rows))
    whole = np.concatenate(stacked, axis=1)  # every player's vectors side by side, checked at once
    starts = [0, *itertools.accumulate(game.shape[:-1])]
    good = distributions(whole, starts)
    if not good.all():
        k, i = (int(v[0]) for v in np.nonzero(~good))
        raise GameError(f"player {game.players[i]!r}: probabilities {stacked[i][k].tolist()} are not a distribution")
    for vectors in stacked:
        vectors.setflags(write=False)
    values, regrets = batch_payoffs_and_regrets(float_array(game.payoffs), stacked)
    worst = regrets.max(axis=1)
    bound = tol * game.payoff_scale()
    if not (worst <= bound).all():
        k = int(np.flatnonzero(~(worst <= bound))[0])
        prof = game.profile([vectors[k] for vectors in stacked])
        raise VerificationError(f"a solver returned a profile with regret {worst[k]}: {prof!r} (this is a bug)")
    keys = np.round(whole, 9).tolist()
    out: list[Equilibrium] = []
    seen: set[tuple[object, ...]] = set()
    for k, key in enumerate(map(tuple, keys)):
        if key in seen:
            continue
        seen.add(key)
        prof = MixedProfile.from_checked(game.players, game.strategies, tuple(vectors[k] for vectors in stacked))
        payoffs = dict(zip(game.players, values[k].tolist(), strict=True))
        out.append(Equilibrium(prof, payoffs, worst[k], None, precise[k] if precise else None))  # type: ignore[arg-type]
    return out


def _cast(vectors: Sequence[Sequence[Fraction]], exact: bool) -> list[list[object]]:
    return [list(v) if exact else [float(x) for x in v] for v in vectors]


# ---------------------------------------------------------------------- methods
def _pure(game: NormalFormGame, params: dict) -> SolveResult:
    if math.prod(game.shape) * game.n_players > limits.MAX_PURE_CELLS:
        raise BudgetError(limits.over("method 'pure': entries of the payoff tensor", "MAX_PURE_CELLS",
                                      math.prod(game.shape) * game.n_players))
    cells = pure.pure_equilibria(game.payoffs)
    sigmas = [game.pure_profile(c.tolist()).probabilities for c in cells]
    eqs = _verified(game, sigmas, params["tol"])
    return SolveResult(
        game, "pure", "best-response mask over the payoff tensor", params, game.exact, True,
        None, tuple(eqs),
    )


def _all_bimatrix(game: NormalFormGame, exact: bool, params: dict) -> SolveResult:
    # qhull's vertices where the game is nondegenerate, each answer verified (in exact mode,
    # each recomputed in rationals on its support first); else exact integer pivoting
    fast = _all_bimatrix_qhull(game, params)
    if fast is not None:
        return fast
    a, b = game.bimatrix()
    found = bimatrix.extreme_equilibria(a, b)
    eqs = _verified(game, [_cast(pair, exact) for pair in found.pairs], params["tol"])
    if len(eqs) != len(found.pairs):  # pragma: no cover - distinct vertex pairs never coincide
        raise VerificationError("vertex enumeration returned duplicate equilibria (this is a bug)")
    comp_of = {e: c for c, members in enumerate(found.components) for e in members}
    eqs = [Equilibrium(e.profile, e.payoffs, e.regret, comp_of[k]) for k, e in enumerate(eqs)]
    notes = []
    if any(len(c) > 1 for c in found.components):
        notes.append(
            "the equilibrium set has a continuum: in a component with several extreme "
            "equilibria, the segments between extreme equilibria that share a strategy "
            "are equilibria too"
        )
    return SolveResult(
        game, "all", "vertex enumeration of the best-response polytopes (integer pivoting)",
        params, exact, True, found.degenerate, tuple(eqs), found.components, notes=tuple(notes),
    )


def _all_bimatrix_qhull(game: NormalFormGame, params: dict) -> SolveResult | None:
    """Every equilibrium of a nondegenerate game from the polytopes' vertices (qhull), or ``None``.

    Float games: qhull's vertex pairs, each verified.  Exact games: each pair only names a
    support; the equilibrium on it is solved in rationals (the indifference conditions),
    must have exactly as many best responses as strategies in its support (else the game
    is degenerate there) and zero regret, exactly.  Either way the count must be odd, as
    in every nondegenerate game (Shapley 1974); otherwise ``None`` hands over to integer
    pivoting.
    """
    from negotiation.engine.batch import nondegenerate_vertex_pairs

    a, b = game.bimatrix()
    try:
        found = nondegenerate_vertex_pairs(float_array(a), float_array(b))
    except GameError:  # payoffs past a float: exact pivoting only
        return None
    if found is None or len(found[0]) % 2 == 0:
        return None
    x, y = found
    if game.exact:
        pairs = [_exact_on_support(a, b, x[k] > 1e-9, y[k] > 1e-9) for k in range(len(x))]
        if any(p is None for p in pairs):
            return None
        candidates = [list(p) for p in pairs]  # type: ignore[arg-type]
        algorithm = ("vertex enumeration of the best-response polytopes (qhull's vertices name the supports; each "
                     "equilibrium solved and verified in rationals; the game is nondegenerate)")
    else:
        candidates = [[x[k], y[k]] for k in range(len(x))]
        algorithm = "vertex enumeration of the best-response polytopes (qhull; the game is nondegenerate)"
    eqs = _verified(game, candidates, params["tol"])
    if len(eqs) % 2 == 0:
        return None
    eqs = [Equilibrium(e.profile, e.payoffs, e.regret, k) for k, e in enumerate(eqs)]
    return SolveResult(game, "all", algorithm, params, game.exact, True, False, tuple(eqs),
                       tuple((k,) for k in range(len(eqs))))


def _exact_on_support(a: np.ndarray, b: np.ndarray, sx: np.ndarray, sy: np.ndarray
                      ) -> tuple[list[Fraction], list[Fraction]] | None:
    """The equilibrium with supports ``sx``, ``sy`` of an exact game, solved in rationals, if it is
    the unique solution of the indifference conditions and a nondegenerate one; else ``None``."""
    rows, cols = np.flatnonzero(sx), np.flatnonzero(sy)
    if len(rows) != len(cols):
        return None
    y = _indifferent(a[np.ix_(rows, cols)])  # player 2 mixes so that player 1 is indifferent on rows
    x = _indifferent(b[np.ix_(rows, cols)].T)
    if x is None or y is None or min(x) <= 0 or min(y) <= 0:
        return None
    full_x = [Fraction(0)] * a.shape[0]
    full_y = [Fraction(0)] * a.shape[1]
    for i, v in zip(rows, x, strict=True):
        full_x[i] = v
    for j, v in zip(cols, y, strict=True):
        full_y[j] = v
    pay1 = [sum((a[i, j] * full_y[j] for j in cols), Fraction(0)) for i in range(a.shape[0])]
    pay2 = [sum((b[i, j] * full_x[i] for i in rows), Fraction(0)) for j in range(a.shape[1])]
    if sum(v == max(pay1) for v in pay1) != len(rows) or sum(v == max(pay2) for v in pay2) != len(cols):
        return None  # extra best responses: degenerate here, or not an equilibrium
    return full_x, full_y


def _indifferent(matrix: np.ndarray) -> list[Fraction] | None:
    """The probability vector ``p`` with ``matrix @ p`` constant and ``sum(p) = 1``, if unique."""
    k = matrix.shape[1]
    system = [[Fraction(matrix[i, j]) for j in range(k)] + [Fraction(-1), Fraction(0)] for i in range(matrix.shape[0])]
    system.append([Fraction(1)] * k + [Fraction(0), Fraction(1)])
    reduced, pivots = reduced_row_echelon(system)
    if pivots != list(range(k + 1)) or any(row[-1] != 0 for row in reduced[k + 1 :]):
        return None
    return [reduced[j][-1] for j in range(k)]


def _lemke_howson(game: NormalFormGame, exact: bool, label: int, params: dict) -> SolveResult:
    a, b = game.bimatrix()
    if not 0 <= label < sum(game.shape):
        raise SolverError(f"label must be between 0 and {sum(game.shape) - 1}, got {label}")
    pair = bimatrix.lemke_howson(a, b, label)
    eqs = _verified(game, [_cast(pair, exact)], params["tol"])
    return SolveResult(
        game, "one", "Lemke-Howson with lexicographic pivoting (integer arithmetic)", params,
        exact, False, None, tuple(eqs),
    )


def _zero_sum(game: NormalFormGame, exact: bool, params: dict) -> SolveResult:
    if game.n_players != 2 or not game.is_zero_sum():
        raise SolverError("method 'zero_sum' needs a two-player game whose payoffs sum to a constant")
    a, _ = game.bimatrix()
    if exact:
        # Any equilibrium of a constant-sum game is a pair of maximin strategies; exact
        # complementary pivoting gives one with rational probabilities and value.
        pair = bimatrix.lemke_howson(a, -a, 0)
        algorithm = "maximin by exact complementary pivoting (Lemke-Howson)"
    else:
        x, y, _ = zero_sum.maximin(float_array(a))
        pair = (tuple(x), tuple(y))
        algorithm = "maximin by linear programming (HiGHS)"
    eqs = _verified(game, [_cast(pair, exact)], params["tol"])
    value = eqs[0].payoffs[game.players[0]]
    return SolveResult(
        game, "zero_sum", algorithm, params, exact, False, None, tuple(eqs), details={"value": value},
    )


def _all_npoly(game: NormalFormGame, exact: bool, params: dict) -> SolveResult:
    count = polynomial.support_profiles(game.shape)
    if count > limits.MAX_SUPPORT_PROFILES:
        raise BudgetError(
            limits.over(f"method 'all' on a {'x'.join(map(str, game.shape))} game: support profiles",
                        "MAX_SUPPORT_PROFILES", count) + "; use method 'one' or 'numeric' instead"
        )
    sols, conts, hard = polynomial.enumerate_equilibria(game.payoffs, digits=exact)
    float_game = game.as_float()
    exact_game = game.as_exact() if exact else float_game
    eqs: list[Equilibrium] = []
    # one verification per run of rational (exact) and irrational (float) equilibria; in a float game, one in all
    for rational, members in itertools.groupby(sols, key=lambda sol: exact and sol.exact):
        run = list(members)
        if rational:
            eqs += _verified(exact_game, [_cast(sol.sigma, exact) for sol in run], params["tol"])  # type: ignore[arg-type]
            continue
        precise = [None if sol.exact or isinstance(sol.sigma[0][0], float) else {
            p: {s: str(v) for s, v in zip(labels, vec, strict=True)}
            for p, labels, vec in zip(game.players, game.strategies, sol.sigma, strict=True)
        } for sol in run]
        floats = [[[float(v) for v in vec] for vec in sol.sigma] for sol in run]
        eqs += _verified(float_game, floats, params["tol"], precise)
    continua = []
    for cont in conts:
        points = _verified(exact_game, [_cast(s, exact) for s in cont.samples], params["tol"])
        supports = {
            p: tuple(labels[k] for k in sup)
            for p, labels, sup in zip(game.players, game.strategies, cont.supports, strict=True)
        }
        continua.append(Continuum(supports, cont.equations, tuple(points)))
    notes = []
    if any(e.precise for e in eqs):
        notes.append(f"irrational equilibria: 'precise' holds them to {polynomial.DIGITS} digits")
    if continua:
        notes.append(
            "continua of equilibria found; each is listed with its supports, defining "
            "equations and verified sample points, and its points are not in 'equilibria'"
        )
    all_exact = exact and all(e.exact for e in eqs)
    algorithm = ("support enumeration: every support system's roots by one batched multihomogeneous homotopy, "
                 "each equilibrium certified by an interval Krawczyk test")
    if hard:
        algorithm += f"; {hard} support profile{'s' if hard > 1 else ''} solved by lex Groebner bases (sympy)"
    return SolveResult(
        game, "all", algorithm,
        params, all_exact, True, None, tuple(eqs), continua=tuple(continua), notes=tuple(notes),
    )


def _numeric(
    game: NormalFormGame, method: str, starts: int, rng: int | np.random.Generator | None, params: dict
) -> SolveResult:
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(np.random.SeedSequence(rng))
    fgame = game.as_float()
    arr = float_array(fgame.payoffs)
    scale = fgame.payoff_scale()
    found = numeric.lyapunov_equilibria(arr / scale, starts, generator, params["tol"])
    if method == "one":
        found = found[:1]
    eqs = _verified(fgame, found, params["tol"])
    notes = ["numeric method: equilibria found from seeded starting points; others may exist"]
    if not eqs:
        notes.append("no equilibrium was found from these starting points; try more starts")
    return SolveResult(
        fgame, method, "Lyapunov-function minimisation with Newton polishing", params, False, False,
        None, tuple(eqs), notes=tuple(notes),
    )
