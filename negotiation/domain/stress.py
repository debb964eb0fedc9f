"""Sweeps and Monte Carlo stress tests of a scenario's games and outcomes.

:func:`sweep` solves a parametric game at every point of a grid (batched, through
:mod:`negotiation.engine.batch`); :func:`stress_test` draws the leverage parameters
from their distributions and measures how robust an outcome is: the probability it
stays an equilibrium (with a Wilson interval), each parameter's sensitivity, the
tipping point along each axis, and the distance to breakdown.

Both run in chunks through an executor (:func:`negotiation.compute.run_chunks`):
in-process by default, a process pool, or a Dask cluster.  Randomness comes only from
the ``rng`` seed (a :class:`numpy.random.SeedSequence` root); every draw is made before
chunking, so results are identical whatever the chunk size or the number of workers.
Given a ``store`` directory, completed chunks are written atomically and a rerun
resumes from them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import sympy
from scipy import optimize, stats

from negotiation.compute import ChunkStore, fingerprint, run_chunks
from negotiation.domain.explain import explain
from negotiation.domain.scenario import Scenario
from negotiation.engine.batch import pure_equilibria, solve_batch
from negotiation.engine.expressions import symbol
from negotiation.engine.numbers import substitute
from negotiation.engine.parametric import ParametricGame
from negotiation.engine.repeated import CATEGORIES
from negotiation.engine.symbolic import regime_masks
from negotiation.errors import GameError, suggest

DEFAULT_CHUNK = 25_000


# ============================================================================ sweep
def _grid(grid: Mapping[str, Sequence[float]]) -> dict[str, np.ndarray]:
    axes = {k: np.asarray(v, dtype=float).ravel() for k, v in grid.items()}
    if not axes or any(a.size == 0 for a in axes.values()):
        raise GameError("a grid needs at least one parameter with at least one value")
    mesh = np.meshgrid(*axes.values(), indexing="ij")
    return {k: m.ravel() for k, m in zip(axes, mesh, strict=True)}


@dataclass(frozen=True, eq=False)
class OutcomeModel:
    """Whether an outcome holds, vectorised over arrays of parameter values.

    For a normal-form game: some profile of the outcome (``cells``) is a pure Nash
    equilibrium of the payoff tensor.  For a game tree: every sequential-rationality
    condition (``margins``, in ``parameters``) is non-negative, compiled once with
    :func:`sympy.lambdify` (rebuilt after pickling, for process pools).
    """

    game: ParametricGame | None = None
    cells: tuple[tuple[int, ...], ...] = ()
    margins: tuple[sympy.Expr, ...] = ()
    parameters: tuple[str, ...] = ()

    @classmethod
    def of(cls, scenario: Scenario, outcome: str) -> OutcomeModel:
        spec = scenario.outcome(outcome)
        if spec.kind == "tree":
            ((_, _, conds),) = scenario.outcome_conditions(outcome)
            return cls(margins=tuple(c.margin for c in conds), parameters=tuple(scenario.parameters))
        game = scenario.game(spec.game)
        return cls(game, tuple(game.profile_index(p) for p in spec.profiles))

    @property
    def key(self) -> str:
        """What the model computes, for store fingerprints."""
        return repr(self.game) + repr(self.cells) if self.game is not None else repr(self.margins)

    @cached_property
    def _compiled(self) -> Any:
        return sympy.lambdify([symbol(k) for k in self.parameters], list(self.margins), modules="numpy")

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_compiled"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def holds(self, values: Mapping[str, Any], tol: float = 1e-9) -> np.ndarray:
        """Whether the outcome holds at each point (``False`` where it is undefined, see :meth:`evaluate`)."""
        return self.evaluate(values, tol)[0]

    def evaluate(self, values: Mapping[str, Any], tol: float = 1e-9) -> tuple[np.ndarray, np.ndarray]:
        """``(holds, undefined)`` at each point: ``undefined`` marks the points where a payoff or
        condition is not a finite real number (a square root or logarithm of a negative
        number, a division by zero); the outcome does not hold there."""
        if self.game is not None:
            tensor = self.game.tensor(values)
            undefined = _non_finite(tensor, self.game)
            if undefined.any():
                tensor = np.where(np.isfinite(tensor), tensor, 0.0)
            mask = pure_equilibria(tensor, tol)
            out = np.zeros(mask.shape[0], dtype=bool)
            for cell in self.cells:
                out |= mask[(slice(None), *cell)]
            return out & ~undefined, undefined
        size = max((np.size(v) for v in values.values()), default=1)
        if not self.margins:
            return np.ones(size, dtype=bool), np.zeros(size, dtype=bool)
        with np.errstate(all="ignore"):
            got = [np.broadcast_to(np.asarray(m, dtype=float), (size,)) for m in
                   self._compiled(*(np.asarray(values[k], dtype=float) for k in self.parameters))]
        undefined = np.logical_or.reduce([~np.isfinite(m) for m in got])
        return np.logical_and.reduce([m >= -tol for m in got]) & ~undefined, undefined


def _non_finite(tensor: np.ndarray, game: ParametricGame) -> np.ndarray:
    """Per point of a batch of payoff tensors: whether some payoff is not a finite real number."""
    batch = tensor.shape[: tensor.ndim - game.payoffs.ndim]
    return ~np.isfinite(tensor.reshape(*batch, -1)).all(axis=-1)


def _target(target: Scenario | ParametricGame, game: str | None, outcome: str | None,
            fixed: Mapping[str, Any] | None) -> tuple[ParametricGame | None, dict[str, float], OutcomeModel | None]:
    """The parametric game, the fixed values of the other parameters, and the outcome's model."""
    if isinstance(target, Scenario):
        if outcome is not None:
            spec = target.outcome(outcome)
            if game is not None and game != spec.game:
                raise GameError(f"outcome {outcome!r} belongs to game {spec.game!r}, not {game!r}")
            game = spec.game
            values = {k: float(v) for k, v in target.values(fixed).items()}
            model = OutcomeModel.of(target, outcome)
            return model.game, values, model
        if game is not None and game in target.trees:
            raise GameError(f"{game!r} is a game tree: sweep one of its outcomes (outcome=...)")
        if game is None:
            if len(target.games) != 1:
                raise GameError(f"scenario {target.name!r} has several games; name one ({', '.join(target.games)})")
            game = next(iter(target.games))
        values = {k: float(v) for k, v in target.values(fixed).items()}
        return target.game(game), values, None
    if outcome is not None:
        raise GameError("an outcome needs a scenario; for a game, pass profiles to stress the conditions directly")
    return target, {k: float(v) for k, v in (fixed or {}).items()}, None


def _sweep_chunk(task: tuple) -> dict[str, np.ndarray]:
    game, values, model, method, tol = task
    if model is not None and model.game is not None and method in ("auto", "symbolic"):  # conditions, no solving
        with np.errstate(all="ignore"):
            masks = regime_masks(game, values, tol)
        labels = ["/".join(game.strategies[i][k] for i, k in enumerate(cell)) for cell in model.cells]
        undefined = _non_finite(game.tensor(values), game)
        return {"holds": np.logical_or.reduce([masks[lab] for lab in labels]) & ~undefined, "undefined": undefined}
    if model is not None:
        return _stress_chunk((model, values, tol))
    tensor = game.tensor(values)
    undefined = _non_finite(tensor, game)
    res = solve_batch(np.where(undefined.reshape(-1, *(1,) * (tensor.ndim - 1)), 0.0, tensor), method, tol)
    keep = ~undefined[res.game]  # no equilibrium rows where the payoffs are undefined
    out = {"point": res.game[keep], "payoffs": res.payoffs[keep], "regret": res.regret[keep], "undefined": undefined}
    out |= {f"s{i}": s[keep] for i, s in enumerate(res.strategies)}
    return out


def sweep(
    target: Scenario | ParametricGame,
    grid: Mapping[str, Sequence[float]],
    *,
    game: str | None = None,
    outcome: str | None = None,
    values: Mapping[str, Any] | None = None,
    method: str = "auto",
    tol: float = 1e-9,
    chunk_size: int = DEFAULT_CHUNK,
    executor: Any = None,
    store: str | None = None,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Solve a parametric game at every point of a grid.

    Parameters
    ----------
    target : Scenario or ParametricGame
    grid : mapping of parameter name to values
        The cartesian product of the values is swept; every other parameter stays at
        the scenario's baseline (or at ``values``).
    game, outcome : str, optional
        The scenario's game, or an outcome (whose game is then used).  With an outcome
        the result has one row per point with a boolean ``holds`` column (some profile
        of the outcome is a pure equilibrium).
    values : mapping, optional
        Values of the parameters not swept (overrides of the baseline).
    method : {"auto", "pure", "symbolic", "solve"}
        Without an outcome: see :func:`negotiation.engine.batch.solve_batch`.  With an
        outcome, ``"auto"``/``"symbolic"`` evaluate the outcome's Nash conditions
        vectorised (:func:`negotiation.engine.symbolic.regime_masks`) and ``"solve"``
        checks pure equilibria on the payoff tensor.
    chunk_size, executor, store, progress
        See :func:`negotiation.compute.run_chunks`; ``store`` is a directory.

    Returns
    -------
    pandas.DataFrame
        One row per grid point and equilibrium: the parameters, ``equilibrium`` (its
        number at that point), ``"<player>: <strategy>"`` probabilities, payoffs and
        regret; or one row per point with ``holds`` when an outcome is given.
    """
    pgame, fixed, model = _target(target, game, outcome, values)
    known = list(pgame.parameters) if pgame is not None else list(model.parameters)  # type: ignore[union-attr]
    points = _grid(grid)
    unknown = [k for k in points if k not in known]
    if unknown:
        raise GameError(f"unknown parameter(s) {unknown}{suggest(unknown[0], known)}; parameters: {known}")
    if isinstance(target, Scenario):  # the same bounds as explain and stress_test
        for name, axis in points.items():
            lo, hi = (float(b) for b in target.parameters[name].bounds)
            bad = axis[(axis < lo) | (axis > hi) | ~np.isfinite(axis)]
            if bad.size:
                raise GameError(f"sweep: {name}={bad[0]:g} is outside its bounds [{lo:g}, {hi:g}] "
                                f"({target.parameters[name].unit})")
    n_points = len(next(iter(points.values())))
    base = {k: v for k, v in fixed.items() if k not in points}
    missing = [p for p in known if p not in points and p not in base]
    if missing:
        raise GameError(f"no value for parameter(s) {missing}: sweep them or pass values=")
    tasks = []
    chunk_size = _count("chunk_size", chunk_size)
    for start in range(0, n_points, chunk_size):
        chunk = {k: v[start : start + chunk_size] for k, v in points.items()}
        tasks.append((pgame, {**base, **chunk}, model, method, tol))
    chunk_store = None
    if store is not None:
        what = model.key if model is not None else repr(pgame)
        fp = fingerprint("sweep", what, sorted(base.items()), *points.values(), method, tol, chunk_size)
        chunk_store = ChunkStore(store, fp)
    parts = run_chunks(_sweep_chunk, tasks, executor=executor, store=chunk_store, progress=progress, desc="sweep")
    params = pd.DataFrame(points)
    undefined = _undefined(parts, n_points, chunk_size)
    if model is not None:
        frame = params.assign(holds=np.concatenate([p["holds"] for p in parts]), defined=~undefined)
        frame.attrs["note"] = undefined_note(params, undefined, "points")
        return frame
    offsets = np.arange(0, n_points, chunk_size)
    point = np.concatenate([p["point"] + off for p, off in zip(parts, offsets, strict=True)])
    frame = params.iloc[point].reset_index(drop=True)
    frame.insert(0, "point", point)
    frame.insert(1, "equilibrium", pd.Series(point).groupby(point).cumcount().to_numpy())
    for i, player in enumerate(pgame.players):
        probs = np.concatenate([p[f"s{i}"] for p in parts])
        for k, s in enumerate(pgame.strategies[i]):
            frame[f"{player}: {s}"] = probs[:, k]
    pays = np.concatenate([p["payoffs"] for p in parts])
    for i, player in enumerate(pgame.players):
        frame[f"{player} payoff"] = pays[:, i]
    frame["regret"] = np.concatenate([p["regret"] for p in parts])
    frame.attrs["note"] = undefined_note(params, undefined, "points")
    frame.attrs["undefined_points"] = np.flatnonzero(undefined)
    return frame


# ===================================================================== stress test
@dataclass(frozen=True)
class StressResult:
    """What a Monte Carlo stress test found.

    Attributes
    ----------
    scenario, outcome : str
    n : int
        Number of draws.
    seed : int
        The root seed.
    probability : float
        Share of draws at which the outcome is an equilibrium.
    interval : (float, float)
        Wilson score interval at ``confidence``.
    confidence : float
    sensitivity : pandas.DataFrame
        Per parameter: Spearman rank correlation with the outcome holding, its p-value,
        a first-order variance share (correlation ratio over quantile bins), and, unless
        ``sobol=None``, the first-order and total Sobol indices with the half-widths of
        their intervals (:func:`sobol_indices`) and the kind of the baseline's provenance.
    tipping_points : pandas.DataFrame
        Per parameter, with the others at baseline: the nearest value at which the
        outcome stops holding (from :func:`negotiation.explain`).
    breakdown : dict
        The smallest change of all parameters together, in units of their ranges
        (Euclidean), that breaks the outcome: ``distance``, ``point``, ``condition``.
    draws : pandas.DataFrame
        The draws and whether the outcome holds at each.
    note : str
        How many draws were undefined (some payoff or condition not a finite real
        number there), and the first of them; ``""`` when there were none.
    undefined : numpy.ndarray
        Boolean, one per draw: the undefined draws (the outcome does not hold at them).
    """

    scenario: str
    outcome: str
    n: int
    seed: int
    probability: float
    interval: tuple[float, float]
    confidence: float
    sensitivity: pd.DataFrame
    tipping_points: pd.DataFrame
    breakdown: dict[str, Any]
    draws: pd.DataFrame
    note: str = ""
    undefined: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool), repr=False)

    def __repr__(self) -> str:
        lo, hi = self.interval
        return (f"StressResult({self.outcome!r} of {self.scenario!r}: holds in {self.probability:.1%} of {self.n:,} "
                f"draws, {self.confidence:.0%} interval {lo:.1%} to {hi:.1%}, seed {self.seed})")

    def _repr_html_(self) -> str:
        import html

        return f"<p>{html.escape(self.summary())}</p>" + self.sensitivity.to_html(index=False, float_format="%.4g")

    def summary(self) -> str:
        top = self.sensitivity.iloc[0]
        lo, hi = self.interval
        text = (
            f"'{self.outcome}' stays an equilibrium in {self.probability:.1%} of {self.n:,} draws "
            f"({self.confidence:.0%} interval {lo:.1%} to {hi:.1%}); most sensitive to {top['parameter']} "
            f"(rank correlation {top['rank_correlation']:+.2f})."
        )
        if self.breakdown.get("distance") is not None:
            text += (f" Distance to breakdown: {self.breakdown['distance']:.3f} of the parameters' ranges, "
                     f"through '{self.breakdown['condition']}'.")
        if self.note:
            text += f" Note: {self.note}."
        return text


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (Wilson 1927, JASA 22, 209-212), by
    :meth:`scipy.stats.binomtest` ``.proportion_ci(method="wilson")``."""
    if n == 0:
        return (0.0, 1.0)
    ci = stats.binomtest(int(successes), int(n)).proportion_ci(confidence_level=confidence, method="wilson")
    return (float(ci.low), float(ci.high))


def root_seed(rng: Any) -> int:
    """The root seed of a run: an integer seed as it is, or one drawn from a ``numpy.random.Generator``.

    The scikit-learn ``random_state`` convention: pass an int to repeat a run exactly, or a
    Generator (itself seeded) to take the seed from it; nothing else is accepted.
    """
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**63 - 1))
    if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)) or rng < 0:
        raise GameError(f"rng must be a non-negative integer seed or a numpy.random.Generator, not {rng!r}")
    return int(rng)


def _count(name: str, value: Any, least: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        raise GameError(f"{name} must be an integer of at least {least}, not {value!r}")
    return int(value)


def draw_parameters(scenario: Scenario, names: Sequence[str], n: int, seed: int) -> dict[str, np.ndarray]:
    """``n`` draws of each named parameter from its distribution.

    One child of ``SeedSequence(seed)`` per parameter of the scenario (in the scenario's
    order), so a parameter's draws do not depend on which others are drawn.
    """
    children = np.random.SeedSequence(seed).spawn(len(scenario.parameters))
    out = {}
    for child, (name, param) in zip(children, scenario.parameters.items(), strict=True):
        if name in names:
            out[name] = param.distribution.sample(np.random.default_rng(child), n)
    return out


def _ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n of ``x`` from one sort (average ranks where ``x`` has ties)."""
    order = np.argsort(x)
    xs = x[order]
    if np.any(xs[1:] == xs[:-1]):
        return stats.rankdata(x)
    ranks = np.empty(x.size)
    ranks[order] = np.arange(1, x.size + 1)
    return ranks


def rank_correlation(x: np.ndarray, y: np.ndarray, ranks: np.ndarray | None = None) -> tuple[float, float]:
    """Spearman's rank correlation of ``x`` with a binary ``y``, and its two-sided p-value.

    A binary ``y``'s ranks are an affine function of ``y``, so only ``x`` is ranked (one sort;
    average ranks where ``x`` has ties) and correlated with ``y`` itself; the p-value is the
    t approximation ``t = rho sqrt((n - 2) / (1 - rho^2))`` with ``n - 2`` degrees of freedom,
    as in :func:`scipy.stats.spearmanr`, whose values this reproduces.
    """
    n = x.size
    r = _ranks(x) if ranks is None else ranks
    rho = float(np.corrcoef(r, y)[0, 1])
    if n < 3 or abs(rho) >= 1:
        return rho, 0.0 if abs(rho) >= 1 else 1.0
    t = rho * math.sqrt((n - 2) / (1 - rho * rho))
    return rho, float(2 * stats.t.sf(abs(t), n - 2))


def _sensitivity(draws: Mapping[str, np.ndarray], holds: np.ndarray, bins: int = 20) -> pd.DataFrame:
    """Rank correlation and a first-order variance share per parameter, from one sort of each.

    The share is the correlation ratio over ``bins`` bins of equal count (by rank): the
    variance of the outcome's bin means over its variance.
    """
    rows = []
    y = holds.astype(float)
    var = y.var()
    for name, x in draws.items():
        if var == 0 or np.ptp(x) == 0:
            rho, pval, share = 0.0, 1.0, 0.0
        else:
            ranks = _ranks(x)
            rho, pval = rank_correlation(x, y, ranks)
            idx = np.minimum(((ranks - 1) * bins // x.size).astype(np.int64), bins - 1)
            means = np.bincount(idx, weights=y, minlength=bins) / np.maximum(np.bincount(idx, minlength=bins), 1)
            share = float(np.var(means[idx]) / var)
        rows.append({"parameter": name, "rank_correlation": float(rho), "p_value": float(pval),
                     "variance_share": share})
    frame = pd.DataFrame(rows)
    order = frame["rank_correlation"].abs().sort_values(ascending=False, kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def _varied(scenario: Scenario, outcome: str, vary: Sequence[str] | None) -> list[str]:
    """The parameters a stress test or Sobol analysis draws: ``vary``, or those the outcome's model uses."""
    names = list(vary) if vary is not None else scenario.outcome_parameters(outcome)
    unknown = [v for v in names if v not in scenario.parameters]
    if unknown:
        raise GameError(f"unknown parameter(s) {unknown}")
    return names


def sobol_indices(
    scenario: Scenario,
    outcome: str,
    n: int = 1024,
    rng: int = 0,
    *,
    vary: Sequence[str] | None = None,
    confidence: float = 0.95,
    tol: float = 1e-9,
) -> pd.DataFrame:
    """First-order and total Sobol indices of whether ``outcome`` holds, over the parameters' distributions.

    Saltelli's design (Saltelli 2002, *Comput. Phys. Commun.* 145, 280-297; Saltelli et al.
    2010, *Comput. Phys. Commun.* 181, 259-270) from a scrambled Sobol sequence, mapped
    through each parameter's quantile function, and the estimators of SALib
    (``SALib.sample.sobol``, ``SALib.analyze.sobol``; Herman and Usher 2017, *JOSS* 2(9), 97),
    with bootstrap intervals at ``confidence``.  The model is run ``N (d + 2)`` times, ``N``
    being ``n`` rounded up to a power of two and ``d`` the number of varied parameters.
    The sample and the bootstrap draw from children of ``SeedSequence(rng)`` distinct from
    those of :func:`draw_parameters`.

    Returns
    -------
    pandas.DataFrame
        Per parameter, largest total index first: ``S1``, ``S1_conf``, ``ST``, ``ST_conf``
        (half-widths of the intervals) and ``baseline`` (the kind of its baseline's
        provenance: ``source``, ``anchored assumption`` or ``assumption``).  All ``NaN``
        when the outcome holds at every draw or at none (no variance to apportion).
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    n, rng = _count("sobol: n", n, 2), root_seed(rng)
    names = _varied(scenario, outcome, vary)
    base_n = 1 << (int(n) - 1).bit_length()
    children = np.random.SeedSequence(int(rng)).spawn(len(scenario.parameters) + 2)
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    unit = sobol_sample.sample(problem, base_n, calc_second_order=False, seed=np.random.default_rng(children[-2]))
    values = {k: float(v) for k, v in scenario.baseline().items() if k not in names}
    for j, name in enumerate(names):
        values[name] = scenario.parameters[name].distribution.scipy().ppf(unit[:, j])
    y = OutcomeModel.of(scenario, outcome).holds(values, tol).astype(float)
    kinds = [scenario.parameters[k].baseline_provenance.kind for k in names]
    if y.var() == 0:
        nan = np.full(len(names), np.nan)
        return pd.DataFrame({"parameter": names, "S1": nan, "S1_conf": nan, "ST": nan, "ST_conf": nan,
                             "baseline": kinds})
    boot = int(children[-1].generate_state(1)[0])
    res = sobol_analyze.analyze(problem, y, calc_second_order=False, conf_level=confidence, seed=boot)
    frame = pd.DataFrame({"parameter": names, "S1": res["S1"], "S1_conf": res["S1_conf"], "ST": res["ST"],
                          "ST_conf": res["ST_conf"], "baseline": kinds})
    return frame.sort_values("ST", ascending=False, kind="stable").reset_index(drop=True)


def _tipping_points(scenario: Scenario, outcome: str) -> pd.DataFrame:
    ex = explain(scenario, outcome)
    best: dict[str, Any] = {}
    for report in ex.reports:
        for t in report.thresholds:
            if t.breaks_at is None:
                continue
            if t.parameter not in best or t.distance < best[t.parameter]["distance"]:
                best[t.parameter] = {"parameter": t.parameter, "baseline": float(t.baseline),
                                     "tipping_point": float(t.breaks_at), "distance": t.distance,
                                     "condition": report.condition.label}
    frame = pd.DataFrame(list(best.values()), columns=["parameter", "baseline", "tipping_point", "distance",
                                                       "condition"])
    return frame.sort_values("distance", kind="stable").reset_index(drop=True)


def distance_to_breakdown(scenario: Scenario, outcome: str, overrides: Mapping[str, Any] | None = None
                          ) -> dict[str, Any]:
    """The smallest joint change of the parameters that breaks ``outcome``.

    Distances are Euclidean in units of each parameter's range, within the bounds:
    for each Nash condition of each profile of the outcome, minimise ``|u|`` subject to
    ``margin(baseline + u * range) <= 0`` (SLSQP from several starts, with the exact
    gradient).  The outcome breaks when, for every profile, some condition fails; for a
    single-profile outcome (the usual case) that is the nearest condition's boundary.

    Returns
    -------
    dict
        ``distance`` (``0.0`` if the outcome does not hold at the point, ``None`` if no
        change within the bounds breaks it), ``point`` (the breaking parameter values),
        ``condition`` (its label).
    """
    values = scenario.values(overrides)
    if not scenario.holds(outcome, values):
        return {"distance": 0.0, "point": {k: float(v) for k, v in values.items()}, "condition": "already broken"}
    profiles = scenario.outcome_conditions(outcome)
    if len(profiles) > 1:
        raise GameError("distance_to_breakdown handles outcomes of one profile")
    best: dict[str, Any] = {"distance": None, "point": None, "condition": None}
    for cond in profiles[0][2]:
        names = list(cond.parameters)
        if not names:
            continue
        found = _nearest_violation(cond.margin, names, scenario, values)
        if found is not None and (best["distance"] is None or found[0] < best["distance"]):
            point = {k: float(v) for k, v in values.items()} | found[1]
            best = {"distance": found[0], "point": point, "condition": cond.label}
    return best


def _nearest_violation(margin: sympy.Expr, names: list[str], scenario: Scenario,
                       values: Mapping[str, Fraction]) -> tuple[float, dict[str, float]] | None:
    syms = [symbol(n) for n in names]
    others = {symbol(k): sympy.Rational(v.numerator, v.denominator) for k, v in values.items() if k not in names}
    expr = margin.xreplace(others)
    x0 = np.array([float(values[n]) for n in names])
    width = np.array([float(scenario.parameters[n].width) for n in names])
    lo = np.array([float(scenario.parameters[n].bounds[0]) for n in names])
    hi = np.array([float(scenario.parameters[n].bounds[1]) for n in names])
    f = sympy.lambdify([syms], expr, modules="numpy")
    grad = sympy.lambdify([syms], [sympy.diff(expr, s) for s in syms], modules="numpy")

    def margin_u(u: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            return float(f(x0 + u * width))

    def margin_grad(u: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.asarray(grad(x0 + u * width), dtype=float) * width

    def breaks(u: np.ndarray) -> bool:  # exact: the margin at the point is a real number below zero
        point = {s: sympy.Rational(float(v)) for s, v in zip(syms, x0 + u * width, strict=True)}
        value = substitute(expr, point)
        return bool(value.is_extended_real and value.is_finite and value < 0)

    bounds = list(zip((lo - x0) / width, (hi - x0) / width, strict=True))
    g0 = margin_grad(np.zeros(len(names)))
    starts = [np.zeros(len(names))]
    if np.any(g0):
        step = -g0 / np.linalg.norm(g0)
        starts += [step * r for r in (0.05, 0.2, 0.5)]
    for k in range(len(names)):
        for side in (0, 1):
            corner = np.zeros(len(names))
            corner[k] = bounds[k][side]
            starts.append(corner)
    best = None
    for start in starts:
        res = optimize.minimize(
            lambda u: float(u @ u), start, jac=lambda u: 2 * u, method="SLSQP", bounds=bounds,
            constraints=[{"type": "ineq", "fun": lambda u: -margin_u(u), "jac": lambda u: -margin_grad(u)}],
            options={"maxiter": 200, "ftol": 1e-12},
        )
        if not res.success or not margin_u(res.x) <= 1e-9:
            continue
        u = _past_boundary(res.x, breaks, bounds)  # the optimum lies on the boundary, where the outcome still holds
        if u is not None:
            d = float(np.sqrt(u @ u))
            if best is None or d < best[0]:
                best = (d, {n: float(v) for n, v in zip(names, x0 + u * width, strict=True)})
    return best


def _past_boundary(u: np.ndarray, breaks: Callable[[np.ndarray], bool],
                   bounds: list[tuple[float, float]]) -> np.ndarray | None:
    """``u``, or the nearest of a few points just beyond it, at which the condition fails, checked
    exactly; ``None`` if none does (the boundary is the edge of where the payoffs are defined, say)."""
    lo, hi = np.array([b[0] for b in bounds]), np.array([b[1] for b in bounds])
    scale = max(float(np.max(np.abs(u))), 1e-12)
    for candidate in (u, *(np.clip(u * (1 + f), lo, hi) for f in (1e-9, 1e-6, 1e-3)),
                      *(np.clip(u + np.sign(u) * f * scale, lo, hi) for f in (1e-6, 1e-3))):
        if breaks(candidate):
            return candidate
    return None


def _stress_chunk(task: tuple) -> dict[str, np.ndarray]:
    """One chunk of a stress test: ``(model, values, tol)`` -> ``{"holds", "undefined"}`` (:class:`OutcomeModel`)."""
    model, values, tol = task
    holds, undefined = model.evaluate(values, tol)
    return {"holds": holds, "undefined": undefined}


def _undefined(parts: list[dict[str, np.ndarray]], size: int, chunk_size: int) -> np.ndarray:
    """The chunks' ``undefined`` masks joined (chunks stored before they had one count as defined)."""
    masks = [p["undefined"] if "undefined" in p else np.zeros(min(chunk_size, size - k * chunk_size), dtype=bool)
             for k, p in enumerate(parts)]
    return np.concatenate(masks) if masks else np.zeros(size, dtype=bool)


def undefined_note(points: pd.DataFrame, undefined: np.ndarray, what: str) -> str:
    """One line: how many ``what`` gave values outside the real numbers, and the first of them."""
    count = int(np.count_nonzero(undefined))
    if not count:
        return ""
    first = points.iloc[int(np.argmax(undefined))]
    at = ", ".join(f"{k}={v:g}" for k, v in first.items() if k not in ("holds", "defined"))
    return (f"{count:,} of {len(undefined):,} {what} give a payoff or condition that is not a finite real number "
            f"(first at {at}); they are marked undefined and do not count as holding")


def stress_test(
    scenario: Scenario,
    outcome: str,
    n: int = 10_000,
    rng: int = 0,
    *,
    vary: Sequence[str] | None = None,
    confidence: float = 0.95,
    tol: float = 1e-9,
    chunk_size: int = DEFAULT_CHUNK,
    executor: Any = None,
    store: str | None = None,
    progress: bool | None = None,
    sobol: int | None = 1024,
) -> StressResult:
    """Monte Carlo over the parameters' distributions: how robust is ``outcome``?

    Parameters
    ----------
    scenario : Scenario
    outcome : str
    n : int
        Number of draws.
    rng : int or numpy.random.Generator
        Root seed (or a Generator to draw it from, :func:`root_seed`); the same seed gives
        the same result whatever ``chunk_size`` and ``executor``.
    vary : sequence of str, optional
        Parameters to draw (default: every parameter of the outcome's game); the others
        stay at baseline.
    confidence : float
        Of the Wilson interval.
    chunk_size, executor, store, progress
        See :func:`negotiation.compute.run_chunks`; ``store`` is a directory.
    sobol : int or None
        Base sample size of the Sobol indices added to ``sensitivity`` (see
        :func:`sobol_indices`; ``sobol * (d + 2)`` more model runs), ``None`` for none.
    """
    rng = root_seed(rng)
    n = _count("n", n)
    names = _varied(scenario, outcome, vary)
    draws = draw_parameters(scenario, names, n, int(rng))
    base = {k: float(v) for k, v in scenario.baseline().items() if k not in draws}
    model = OutcomeModel.of(scenario, outcome)
    chunk_size = _count("chunk_size", chunk_size)
    tasks = [(model, {**base, **{k: v[s : s + chunk_size] for k, v in draws.items()}}, tol)
             for s in range(0, n, chunk_size)]
    chunk_store = None
    if store is not None:
        fp = fingerprint("stress", model.key, scenario.name, outcome, n, int(rng), names, tol, chunk_size)
        chunk_store = ChunkStore(store, fp)
    parts = run_chunks(_stress_chunk, tasks, executor=executor, store=chunk_store, progress=progress, desc="stress")
    holds = np.concatenate([p["holds"] for p in parts]) if parts else np.zeros(0, dtype=bool)
    undefined = _undefined(parts, n, chunk_size)
    successes = int(holds.sum())
    sensitivity = _sensitivity(draws, holds)
    if sobol is not None:
        indices = sobol_indices(scenario, outcome, sobol, int(rng), vary=names, confidence=confidence, tol=tol)
        sensitivity = sensitivity.merge(indices, on="parameter", how="left")
    return StressResult(
        scenario.name, outcome, n, int(rng), successes / n if n else float("nan"),
        wilson_interval(successes, n, confidence), confidence,
        sensitivity, _tipping_points(scenario, outcome),
        distance_to_breakdown(scenario, outcome), pd.DataFrame(draws).assign(holds=holds),
        undefined_note(pd.DataFrame(draws), undefined, "draws"), undefined,
    )


# ============================================================ the shadow of the future
@dataclass(frozen=True)
class ShadowResult:
    """Monte Carlo over a repeated game: how patient must the parties be, and is the threat credible?

    Attributes
    ----------
    scenario, repeated : str
    n, seed : int
    delta_star : numpy.ndarray
        The subgame-perfect critical discount factor at each draw: ``0`` where the target
        is a stage equilibrium; otherwise the least ``delta`` from which every state's
        constraint holds, the punishment's included (``inf``: none does).
    cooperative_delta_star : numpy.ndarray
        The same for the cooperative state alone: what a check that trusts the punishment
        to be carried out would report.
    one_shot : numpy.ndarray of bool
        Whether the target is a stage Nash equilibrium at the draw.
    draws : pandas.DataFrame
        The parameter draws, ``delta_star`` and ``cooperative_delta_star``.
    """

    scenario: str
    repeated: str
    n: int
    seed: int
    delta_star: np.ndarray
    cooperative_delta_star: np.ndarray
    one_shot: np.ndarray
    draws: pd.DataFrame

    def probability(self, delta: float, confidence: float = 0.95) -> tuple[float, tuple[float, float]]:
        """Share of draws at which the target is sustained in a subgame-perfect equilibrium at ``delta``."""
        hits = int(np.count_nonzero(self.delta_star <= delta))
        return hits / self.n, wilson_interval(hits, self.n, confidence)

    def categories(self, delta: float) -> np.ndarray:
        """Each draw's category at ``delta`` (see :data:`negotiation.engine.repeated.CATEGORIES`)."""
        labels = np.array(CATEGORIES, dtype=object)
        code = np.where(self.one_shot, 0, np.where(self.cooperative_delta_star > delta, 3,
                                                   np.where(self.delta_star > delta, 2, 1)))
        return labels[code]

    def by_category(self, delta: float, confidence: float = 0.95) -> pd.DataFrame:
        """The share of draws in each category at ``delta``, with Wilson intervals."""
        cats = self.categories(delta)
        rows = []
        for label in CATEGORIES:
            hits = int(np.count_nonzero(cats == label))
            lo, hi = wilson_interval(hits, self.n, confidence)
            rows.append({"delta": delta, "category": label, "draws": hits, "share": hits / self.n,
                         "low": lo, "high": hi})
        return pd.DataFrame(rows)

    def to_frame(self, deltas: Sequence[float] = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99)) -> pd.DataFrame:
        """For each discount factor: the share of draws sustaining the target credibly (with its
        interval), and the share a check of the cooperative state alone would add on a threat that
        is not credible."""
        rows = []
        for d in deltas:
            p, (lo, hi) = self.probability(d)
            bluff = float(np.mean(self.categories(d) == CATEGORIES[2]))
            rows.append({"delta": d, "probability": p, "low": lo, "high": hi, "non_credible": bluff})
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        return f"ShadowResult({self.repeated!r} of {self.scenario!r}: {self.n:,} draws, seed {self.seed})"

    def _repr_html_(self) -> str:
        import html

        tables = [self.by_category(0.9), self.to_frame()]
        return f"<p>{html.escape(self.summary())}</p>" + "".join(t.to_html(index=False, float_format="%.4g")
                                                                for t in tables)

    def summary(self, delta: float = 0.9) -> str:
        shares = self.by_category(delta).set_index("category")["share"]
        never = float(np.mean(np.isinf(self.delta_star)))
        finite = self.delta_star[np.isfinite(self.delta_star) & ~self.one_shot]
        median = float(np.median(finite)) if finite.size else float("nan")
        return (f"'{self.repeated}' over {self.n:,} draws at delta = {delta:g}: one-shot equilibrium "
                f"{shares[CATEGORIES[0]]:.1%}; sustained by a credible punishment {shares[CATEGORIES[1]]:.1%}; "
                f"sustained only by a non-credible threat {shares[CATEGORIES[2]]:.1%}; not sustainable "
                f"{shares[CATEGORIES[3]]:.1%}. No discount factor sustains it credibly in {never:.1%}; the median "
                f"subgame-perfect threshold where repetition is needed and one exists is {median:.3g}.")


def shadow_test(scenario: Scenario, repeated: str, n: int = 10_000, rng: int = 0,
                vary: Sequence[str] | None = None, tol: float = 1e-9) -> ShadowResult:
    """Draw the parameters and compute the critical discount factors of a repeated game at each draw.

    Uses the exact closed forms of :meth:`Scenario.sustainability` (grim trigger) in the
    parameters: every state's threshold, the punishment's included, compiled once and
    evaluated on all draws; the parameters not in ``vary`` stay at their baseline.  Draws
    come from :func:`draw_parameters`, so the same seed gives the same draws as
    :func:`stress_test`; ``tol`` is the stage-equilibrium tolerance, as there.
    """
    n, rng = _count("n", n), root_seed(rng)
    varied, draws, columns = draw_columns(scenario, vary, n, rng)
    star, coop, one_shot = repeated_thresholds(scenario, repeated, columns, tol)
    frame = pd.DataFrame({k: draws[k] for k in varied})
    frame["delta_star"] = star
    frame["cooperative_delta_star"] = coop
    return ShadowResult(scenario.name, repeated, n, rng, star, coop, one_shot, frame)


def draw_columns(scenario: Scenario, vary: Sequence[str] | None, n: int, seed: int
                 ) -> tuple[list[str], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The varied parameters, their draws (:func:`draw_parameters`), and a column for every parameter
    (the draws, or the baseline repeated) for evaluating closed forms at all draws at once."""
    names = list(scenario.parameters)
    varied = names if vary is None else list(vary)
    unknown = set(varied) - set(names)
    if unknown:
        raise GameError(f"vary: unknown parameter(s) {sorted(unknown)}")
    draws = draw_parameters(scenario, varied, n, seed)
    base = scenario.baseline()
    return varied, draws, {k: draws[k] if k in draws else np.full(n, float(base[k])) for k in names}


def _size(values: Mapping[str, Any]) -> int:
    return max((np.size(v) for v in values.values()), default=1)


def evaluate_at(scenario: Scenario, exprs: Sequence[sympy.Expr], values: Mapping[str, Any]) -> np.ndarray:
    """Expressions in the scenario's parameters at many points at once, shape ``(len(exprs), n)``.

    ``values`` gives every parameter (arrays of one length, or numbers).  Every column is
    broadcast to full length first: numpy's ``select`` (sympy's ``Piecewise``) cannot mix scalar
    and array conditions.
    """
    names = list(scenario.parameters)
    n = _size(values)
    columns = [np.broadcast_to(np.asarray(values[k], dtype=float), (n,)) for k in names]
    f = sympy.lambdify([symbol(k) for k in names], list(exprs), modules="numpy")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.array([np.broadcast_to(np.asarray(v, dtype=float), (n,)) for v in f(*columns)])


def repeated_thresholds(scenario: Scenario, repeated: str, values: Mapping[str, Any], tol: float = 1e-9
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A repeated game's thresholds at many parameter points at once, from its exact closed forms.

    ``values`` gives every parameter (arrays of one length, or numbers).  Returns the
    subgame-perfect critical discount factor (``0`` where the target is a stage equilibrium,
    ``inf`` where none suffices), the cooperative state's alone, and whether the target is
    a stage equilibrium, at each point.
    """
    symbolic = scenario.sustainability(repeated, symbolic=True)

    def evaluate(exprs: Sequence[sympy.Expr]) -> np.ndarray:
        return evaluate_at(scenario, exprs, values) if exprs else np.zeros((1, _size(values)))

    coop = evaluate([c.critical for c in symbolic.constraints if c.phase == "cooperate"]).max(axis=0)
    rest = evaluate([c.critical for c in symbolic.constraints if c.phase != "cooperate"]).max(axis=0)
    one_shot = evaluate(symbolic.stage_gains).max(axis=0) <= tol
    star = np.where(one_shot, 0.0, np.maximum(coop, rest))
    return star, np.where(one_shot, 0.0, coop), one_shot


# ----------------------------------------------------------------- tornado
@dataclass(frozen=True)
class Tornado:
    """One-at-a-time sensitivity of an outcome's slack (a tornado diagram's data).

    Attributes
    ----------
    scenario, outcome : str
    baseline : float
        The outcome's slack at baseline: over its profiles, the largest of the least slack of
        any of the profile's conditions (in the deviating player's utility); non-negative
        exactly when the outcome holds.
    frame : pandas.DataFrame
        One row per parameter the outcome depends on, widest swing first: ``parameter``,
        ``low`` and ``high`` (the quantiles of its distribution), ``slack_low`` and
        ``slack_high`` (the slack with that parameter alone moved there), ``swing`` and
        ``breaks`` (whether the slack turns negative within the swing).
    quantiles : (float, float)
    """

    scenario: str
    outcome: str
    baseline: float
    frame: pd.DataFrame
    quantiles: tuple[float, float]

    def __repr__(self) -> str:
        top = self.frame.iloc[0]["parameter"] if len(self.frame) else "none"
        return (f"Tornado({self.outcome!r} of {self.scenario!r}: slack {self.baseline:.4g} at baseline, "
                f"{len(self.frame)} parameters, widest swing {top})")

    def _repr_html_(self) -> str:
        return self.frame.to_html(index=False, float_format="%.4g")

    def to_text(self) -> str:
        return (f"'{self.outcome}' slack at baseline {self.baseline:.4g}; each parameter alone at the "
                f"{self.quantiles[0]:g} and {self.quantiles[1]:g} quantiles of its distribution:\n"
                + self.frame.to_string(index=False, float_format=lambda v: f"{v:.4g}"))


def outcome_slack(scenario: Scenario, outcome: str, values: Mapping[str, Any]) -> np.ndarray:
    """An outcome's slack at many points at once (see :class:`Tornado`); ``values`` gives every parameter."""
    best = np.full(_size(values), -np.inf)
    for _, _, conds in scenario.outcome_conditions(outcome):
        if not conds:
            return np.full(best.size, np.inf)
        best = np.maximum(best, evaluate_at(scenario, [c.margin for c in conds], values).min(axis=0))
    return best


def tornado(scenario: Scenario, outcome: str, quantiles: tuple[float, float] = (0.05, 0.95)) -> Tornado:
    """Move each parameter the outcome depends on alone to two quantiles of its distribution.

    The classic one-at-a-time tornado diagram of decision analysis (Howard 1988, "Decision
    analysis: practice and promise", *Management Science* 34(6)), on the outcome's slack
    evaluated from its closed-form conditions; the variance-based view of the same question,
    with interactions, is :func:`stress_test`'s Sobol indices.
    """
    lo_q, hi_q = quantiles
    if not 0 <= lo_q < hi_q <= 1:
        raise GameError(f"quantiles must satisfy 0 <= low < high <= 1, not {quantiles}")
    base = {k: float(v) for k, v in scenario.baseline().items()}
    used = scenario.outcome_parameters(outcome)
    baseline = float(outcome_slack(scenario, outcome, base)[0])
    rows = []
    for name in used:
        lo, hi = (float(v) for v in scenario.parameters[name].distribution.scipy().ppf([lo_q, hi_q]))
        slack = outcome_slack(scenario, outcome, {**base, name: np.array([lo, hi])})
        rows.append({"parameter": name, "low": lo, "high": hi, "slack_low": float(slack[0]),
                     "slack_high": float(slack[1]), "swing": float(abs(slack[1] - slack[0])),
                     "breaks": bool(min(slack) < -1e-9)})
    frame = pd.DataFrame(rows, columns=["parameter", "low", "high", "slack_low", "slack_high", "swing", "breaks"])
    frame = frame.sort_values(["swing", "parameter"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return Tornado(scenario.name, outcome, baseline, frame, (lo_q, hi_q))
