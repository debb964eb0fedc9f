"""The case as a whole: counterfactual interventions, the levers across all its games, shocks over time.

- :func:`counterfactuals`: each named intervention of the scenario (``interventions:`` in
  the file, a set of parameter values) against every outcome and repeated game: does the
  outcome still hold, is the ceasefire still self-enforcing, and from which discount factor.
- :func:`levers`: every parameter's nearest threshold across all the historical outcomes
  and repeated games, with the slack of the condition it breaks, and its share of the
  outcomes' total Sobol indices; the most pivotal first.
- :func:`shock_path`: given a path of one parameter over time (say displacement growing by
  so many a day), when the outcome stops holding or the ceasefire stops being
  self-enforcing at a discount factor.
- :func:`durability`: how long a ceasefire modelled as a repeated game lasts, over the
  parameters' uncertainty: survival over stated horizons and the expected duration.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import sympy

from negotiation.domain.explain import explain
from negotiation.domain.scenario import Scenario
from negotiation.domain.stress import (
    OutcomeModel,
    _count,
    draw_columns,
    repeated_thresholds,
    root_seed,
    sobol_indices,
)
from negotiation.engine.expressions import parse_expression, symbol
from negotiation.engine.repeated import CATEGORIES
from negotiation.errors import GameError


def _category(star: float, coop: float, one_shot: bool, delta: float) -> str:
    if one_shot:
        return CATEGORIES[0]
    if coop > delta:
        return CATEGORIES[3]
    return CATEGORIES[1] if star <= delta else CATEGORIES[2]


def _point(scenario: Scenario, overrides: Mapping[str, Any]) -> dict[str, float]:
    return {k: float(v) for k, v in scenario.values(overrides).items()}


# ------------------------------------------------------------ counterfactuals
@dataclass(frozen=True)
class Counterfactuals:
    """Each intervention's effect on every outcome and repeated game.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per intervention (``baseline`` first): the values it sets, whether each
        outcome holds (column ``outcome:<id>``), and for each repeated game its category at
        ``delta`` and its subgame-perfect critical discount factor.
    delta : float
    """

    table: pd.DataFrame
    delta: float

    def to_text(self) -> str:
        shown = self.table.copy()
        for col in shown.columns:
            if col.startswith("outcome:"):
                shown[col] = shown[col].map({True: "holds", False: "fails"})
        return shown.to_string(index=False, float_format=lambda v: f"{v:.3g}")


def counterfactuals(scenario: Scenario, interventions: Sequence[str] | None = None, delta: float = 0.9,
                    horizon: int = 60) -> Counterfactuals:
    """The outcome table of the scenario's named interventions (see the module docstring).

    For each repeated game (grim trigger) the table also gives the expected number of periods
    the ceasefire holds within ``horizon`` at the intervention's values (:func:`durability`
    at one point: 0 if it is not subgame perfect at ``delta``, else ``sum (1 - a)^t``).
    """
    if not 0 <= delta < 1:
        raise GameError(f"delta must be in [0, 1), not {delta}")
    names = list(scenario.interventions) if interventions is None else list(interventions)
    for name in names:
        if name not in scenario.interventions:
            raise GameError(f"scenario {scenario.name!r} has no intervention {name!r}; "
                            f"interventions: {', '.join(scenario.interventions) or 'none'}")
    rows = []
    for name in ["baseline", *names]:
        setting = dict(scenario.interventions[name].values) if name != "baseline" else {}
        row: dict[str, Any] = {"intervention": name,
                               "sets": ", ".join(f"{k}={float(v):g}" for k, v in setting.items()) or "-"}
        for oid in scenario.outcomes:
            row[f"outcome:{oid}"] = scenario.holds(oid, setting)
        point = _point(scenario, setting)
        for rid in scenario.repeated:
            if scenario.repeated[rid].periods is not None:
                continue
            star, coop, one_shot = (float(x[0]) for x in repeated_thresholds(scenario, rid, point))
            row[f"{rid}: at delta={delta:g}"] = _category(star, coop, one_shot > 0, delta)
            row[f"{rid}: delta*"] = star
            sustained, keep = _survival_inputs(scenario, rid, point, delta)
            unit = scenario.repeated[rid].period or "period"
            row[f"{rid}: {unit}s held of {horizon}"] = float(_expected_periods(sustained, keep, horizon)[0])
        rows.append(row)
    return Counterfactuals(pd.DataFrame(rows), delta)


# --------------------------------------------------------------------- levers
@dataclass(frozen=True)
class Levers:
    """The pivotal levers of the whole case.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per parameter that some condition depends on: ``parameter``, ``baseline``,
        ``threshold`` (its nearest breaking value, others at baseline), ``distance`` (as a share
        of its range), ``model`` and ``condition`` broken there, that condition's ``slack``,
        and ``sobol_share`` (its share of the historical outcomes' summed total indices);
        nearest first.
    """

    table: pd.DataFrame

    def to_text(self) -> str:
        shown = self.table.copy()
        shown["distance"] = shown["distance"].map(lambda d: "" if pd.isna(d) else f"{d:.0%}")
        shown["sobol_share"] = shown["sobol_share"].map(lambda d: "" if pd.isna(d) else f"{d:.0%}")
        return shown.to_string(index=False, float_format=lambda v: f"{v:.4g}")


def levers(scenario: Scenario, sobol: int = 1024, seed: int = 0) -> Levers:
    """Rank the parameters by how near they are to breaking something the case rests on.

    Every historical outcome is explained (:func:`negotiation.explain`); every parameter's
    nearest threshold over all of them is kept with the condition it breaks.  The Sobol
    share sums each parameter's total index over the historical outcomes
    (:func:`negotiation.domain.stress.sobol_indices`, base sample ``sobol``, root ``seed``)
    and divides by the sum over all parameters.
    """
    best: dict[str, dict[str, Any]] = {}
    totals: dict[str, float] = {}
    historical = [oid for oid, o in scenario.outcomes.items() if o.historical] or list(scenario.outcomes)
    for oid in historical:
        ex = explain(scenario, oid)
        for r in ex.reports:
            for t in r.thresholds:
                if t.distance is None:
                    continue
                if t.parameter not in best or t.distance < best[t.parameter]["distance"]:
                    best[t.parameter] = {"parameter": t.parameter, "baseline": float(t.baseline),
                                         "threshold": float(t.breaks_at),  # type: ignore[arg-type]
                                         "distance": t.distance, "model": oid, "condition": r.condition.label,
                                         "slack": float(r.slack)}
        table = sobol_indices(scenario, oid, sobol, seed)
        for row in table.itertuples():
            if not pd.isna(row.ST):
                totals[row.parameter] = totals.get(row.parameter, 0.0) + max(float(row.ST), 0.0)
    grand = sum(totals.values())
    frame = pd.DataFrame(list(best.values()), columns=["parameter", "baseline", "threshold", "distance", "model",
                                                       "condition", "slack"])
    frame["sobol_share"] = [totals.get(p, 0.0) / grand if grand > 0 else np.nan for p in frame["parameter"]]
    return Levers(frame.sort_values(["distance", "parameter"], kind="stable").reset_index(drop=True))


# ----------------------------------------------------------------- shocks
@dataclass(frozen=True)
class ShockPath:
    """What happens along a path of one parameter.

    Attributes
    ----------
    target : str
        The outcome or repeated game followed.
    parameter : str
    frame : pandas.DataFrame
        ``time``, the parameter's value, and ``holds`` (an outcome) or ``category`` and
        ``delta_star`` (a repeated game at ``delta``).
    first_break : float or None
        The first time at which it no longer holds (an outcome) or is no longer sustained
        in a subgame-perfect equilibrium at ``delta`` (a repeated game); ``None`` if never.
    delta : float or None
    """

    target: str
    parameter: str
    frame: pd.DataFrame
    first_break: float | None
    delta: float | None

    def summary(self) -> str:
        if self.first_break is None:
            return f"'{self.target}' holds along the whole path of {self.parameter}."
        row = self.frame.loc[self.frame["time"] == self.first_break].iloc[0]
        what = "stops holding" if self.delta is None else f"stops being self-enforcing at delta = {self.delta:g}"
        return (f"'{self.target}' {what} at time {self.first_break:g}, when {self.parameter} reaches "
                f"{row[self.parameter]:.4g}.")


def shock_path(scenario: Scenario, target: str, parameter: str, times: Sequence[float], values: Sequence[float],
               delta: float = 0.9, overrides: Mapping[str, Any] | None = None) -> ShockPath:
    """Follow an outcome or a repeated game along a path of one parameter (see the module docstring).

    Parameters
    ----------
    target : str
        An outcome or a repeated game of the scenario.
    parameter : str
    times, values : sequences of the same length
        The path: the parameter's value at each time (in the units the caller states).
    delta : float
        For a repeated game: the discount factor at which it must stay sustained.
    overrides : mapping, optional
        Values of the other parameters (default: their baselines).
    """
    times_a, values_a = np.asarray(times, dtype=float), np.asarray(values, dtype=float)
    if times_a.shape != values_a.shape or times_a.ndim != 1 or times_a.size == 0:
        raise GameError("times and values must be sequences of one length, at least one point")
    if np.any(np.diff(times_a) < 0):
        raise GameError("times must not decrease")
    if parameter not in scenario.parameters:
        scenario.values({parameter: 0})  # raises with the known names
    lo, hi = (float(b) for b in scenario.parameters[parameter].bounds)
    outside = (values_a < lo) | (values_a > hi)
    if outside.any():
        raise GameError(f"the path of {parameter} leaves its bounds [{lo:g}, {hi:g}] at time "
                        f"{times_a[np.argmax(outside)]:g} ({values_a[np.argmax(outside)]:g})")
    point: dict[str, Any] = _point(scenario, overrides or {})
    point[parameter] = values_a
    frame = pd.DataFrame({"time": times_a, parameter: values_a})
    if target in scenario.outcomes:
        held = OutcomeModel.of(scenario, target).holds(point)
        frame["holds"] = held
        broken, used_delta = ~held, None
    elif target in scenario.repeated:
        if not 0 <= delta < 1:
            raise GameError(f"delta must be in [0, 1), not {delta}")
        star, coop, one_shot = repeated_thresholds(scenario, target, point)
        frame["category"] = [_category(s, c, o, delta) for s, c, o in zip(star, coop, one_shot, strict=True)]
        frame["delta_star"] = star
        broken, used_delta = star > delta, delta
    else:
        known = [*scenario.outcomes, *scenario.repeated]
        raise GameError(f"{target!r} is neither an outcome nor a repeated game of {scenario.name!r}; "
                        f"known: {', '.join(known)}")
    first = float(times_a[np.argmax(broken)]) if broken.any() else None
    return ShockPath(target, parameter, frame, first, used_delta)


# ----------------------------------------------------------------- durability
def _survival_inputs(scenario: Scenario, repeated: str, columns: Mapping[str, Any], delta: float
                     ) -> tuple[np.ndarray, np.ndarray]:
    """At each point: whether the repeated game's target is subgame perfect at ``delta``, and the
    chance ``1 - a`` that a period passes without a false alarm."""
    spec = scenario.repeated[repeated]
    names = list(scenario.parameters)
    star, _, _ = repeated_thresholds(scenario, repeated, columns)
    alarm = parse_expression(spec.false_alarm, tuple(names), f"repeated.{repeated}.false_alarm")
    f = sympy.lambdify([symbol(k) for k in names], alarm, modules="numpy")
    n = np.size(star)
    a = np.broadcast_to(np.asarray(f(*(np.asarray(columns[k], dtype=float) for k in names)), dtype=float), (n,))
    return star <= delta, 1.0 - a


def _expected_periods(sustained: np.ndarray, keep: np.ndarray, horizon: int) -> np.ndarray:
    """``1{sustained} sum_{t=1..horizon} keep^t`` at each point (the periods it holds within the horizon)."""
    safe = np.where(keep >= 1.0, 0.5, keep)
    total = np.where(keep >= 1.0, horizon, safe * (1 - safe**horizon) / (1 - safe))
    return np.where(sustained, total, 0.0)


@dataclass(frozen=True)
class Durability:
    """How long a ceasefire lasts, over the parameters' uncertainty.

    Attributes
    ----------
    scenario, repeated : str
    period : str
        The length of one period (the repeated game's ``period``).
    delta : float
    n, seed : int
    survival : pandas.DataFrame
        Per horizon (in periods): the probability that the ceasefire is still holding, with a
        95% Monte Carlo interval (``low``, ``high``: the mean over draws plus or minus 1.96
        standard errors) and the share of draws at which it is self-enforcing at all.
    expected : float
        The expected number of periods it holds within the longest horizon.
    sustained : float
        The share of draws at which it is a subgame-perfect equilibrium at ``delta``.
    """

    scenario: str
    repeated: str
    period: str
    delta: float
    n: int
    seed: int
    survival: pd.DataFrame
    expected: float
    sustained: float

    def __repr__(self) -> str:
        return f"Durability({self.repeated!r} of {self.scenario!r}: {self.summary()})"

    def _repr_html_(self) -> str:
        import html

        return f"<p>{html.escape(self.summary())}</p>" + self.survival.to_html(index=False, float_format="%.4g")

    def at(self, horizon: int) -> float:
        """The survival probability at ``horizon`` periods."""
        row = self.survival.loc[self.survival["horizon"] == horizon]
        if row.empty:
            raise GameError(f"no horizon {horizon}; horizons: {list(self.survival['horizon'])}")
        return float(row["survival"].iloc[0])

    def summary(self) -> str:
        unit = self.period or "period"
        last = self.survival.iloc[-1]
        return (f"'{self.repeated}' of {self.scenario} is self-enforcing at delta = {self.delta:g} in "
                f"{self.sustained:.1%} of {self.n:,} draws; it survives {int(last['horizon'])} {unit}s with "
                f"probability {last['survival']:.1%} and holds {self.expected:.3g} {unit}s on average within them.")


def durability(scenario: Scenario, repeated: str, horizons: Sequence[int] = (1, 3, 6, 12, 24, 60),
               delta: float = 0.9, n: int = 10_000, rng: int = 0, vary: Sequence[str] | None = None) -> Durability:
    """Survival of a ceasefire modelled as a repeated game with imperfect monitoring.

    At each draw of the parameters (:func:`negotiation.domain.stress.draw_parameters`; those
    not in ``vary`` stay at baseline) the ceasefire either is a subgame-perfect equilibrium
    at ``delta`` (:func:`negotiation.domain.stress.repeated_thresholds`) or it is not.  If it
    is not, a tempted party breaks it in the first period.  If it is, it breaks only when a
    violation is signalled though none happened: a false alarm, with probability ``a`` per
    period (the repeated game's ``false_alarm``), which starts the punishment (Green and
    Porter 1984, *Econometrica* 52, 87-100).  So the ceasefire survives ``h`` periods with
    probability ``1{sustained} (1 - a)^h``, averaged over the draws; the expected number of
    periods it holds within the longest horizon ``H`` is the average of
    ``1{sustained} sum_{t=1..H} (1 - a)^t``.
    """
    if scenario.repeated.get(repeated) is None:
        scenario.sustainability(repeated)  # raises with the known names
    spec = scenario.repeated[repeated]
    if spec.periods is not None:
        raise GameError("durability needs grim trigger (the closed form in the parameters)")
    if not 0 <= delta < 1:
        raise GameError(f"delta must be in [0, 1), not {delta}")
    hs = sorted({int(h) for h in horizons})
    if not hs or hs[0] < 1:
        raise GameError("horizons must be positive numbers of periods")
    n, rng = _count("n", n), root_seed(rng)
    _, _, columns = draw_columns(scenario, vary, n, rng)
    sustained, keep = _survival_inputs(scenario, repeated, columns, delta)
    rows = []
    for h in hs:
        alive = np.where(sustained, keep**h, 0.0)
        p, half = float(alive.mean()), 1.96 * float(alive.std(ddof=1)) / np.sqrt(n) if n > 1 else 0.0
        rows.append({"horizon": h, "survival": p, "low": max(0.0, p - half), "high": min(1.0, p + half),
                     "sustained": float(sustained.mean())})
    expected = float(_expected_periods(sustained, keep, hs[-1]).mean())
    return Durability(scenario.name, repeated, spec.period, delta, n, int(rng), pd.DataFrame(rows), expected,
                      float(sustained.mean()))


@dataclass(frozen=True)
class DurabilityComparison:
    """Several ceasefires' durability from one model, over joint draws of their parameters.

    Attributes
    ----------
    cases : tuple of str
        The scenarios, in the order the comparison asserts (most durable first).
    repeated : str
    delta : float
    horizon : int
        Periods over which the expected duration is counted.
    n, seed : int
    table : pandas.DataFrame
        Per case: the expected periods held within the horizon at the baseline and over the
        draws, the survival probability at each of ``horizons``, and the share of draws at
        which the ceasefire is a subgame-perfect equilibrium at ``delta``.
    order_share : float
        The share of joint draws at which the expected durations fall strictly in the order of
        ``cases``.
    draws : pandas.DataFrame
        The expected periods of every case at every draw.
    """

    cases: tuple[str, ...]
    repeated: str
    delta: float
    horizon: int
    n: int
    seed: int
    table: pd.DataFrame
    order_share: float
    draws: pd.DataFrame = field(repr=False)

    def baseline_order_holds(self) -> bool:
        """Whether the baseline expected durations fall strictly in the order of :attr:`cases`."""
        values = list(self.table["expected_baseline"])
        return all(a > b for a, b in itertools.pairwise(values))

    def summary(self) -> str:
        order = " > ".join(self.cases)
        return (f"At the baselines the order {order} {'holds' if self.baseline_order_holds() else 'fails'}; "
                f"it holds in {self.order_share:.1%} of {self.n:,} joint draws (delta = {self.delta:g} per "
                f"{self.table['period'].iloc[0] or 'period'}, horizon {self.horizon}).")

    def __repr__(self) -> str:
        return f"DurabilityComparison({self.summary()})"


def compare_durability(scenarios: Sequence[Scenario], repeated: str, delta: float = 0.95, horizon: int = 60,
                       horizons: Sequence[int] = (1, 6, 12, 24, 60), n: int = 10_000, rng: int = 0
                       ) -> DurabilityComparison:
    """Compare the durability of ceasefires coded from one model (:func:`durability` for each).

    The draws are joint: a parameter whose distribution is the same in every scenario (one the
    coding sheet does not code) takes the same values in all of them at each draw (common
    random numbers), and a coded parameter is drawn for each scenario from its own
    distribution, independently.  Each parameter's stream is a child of ``SeedSequence(rng)``
    chosen by the parameter's place in the sorted names of all the scenarios' parameters, and a
    coded parameter's per-scenario stream a child of that, so draws do not depend on which
    scenarios are compared with which.
    """
    if len(scenarios) < 2:
        raise GameError("compare at least two scenarios")
    for sc in scenarios:
        if repeated not in sc.repeated:
            sc.sustainability(repeated)  # raises with the known names
        if sc.repeated[repeated].periods is not None:
            raise GameError("durability needs grim trigger (the closed form in the parameters)")
    if not 0 <= delta < 1:
        raise GameError(f"delta must be in [0, 1), not {delta}")
    hs = sorted({int(h) for h in (*horizons, horizon)})
    if hs[0] < 1:
        raise GameError("horizons must be positive numbers of periods")
    n, rng = _count("n", n), root_seed(rng)
    every = sorted({k for sc in scenarios for k in sc.parameters})
    streams = dict(zip(every, np.random.SeedSequence(rng).spawn(len(every)), strict=True))
    expected, rows = {}, []
    for k, sc in enumerate(scenarios):
        columns = {}
        for name, param in sc.parameters.items():
            shared = all(name in o.parameters and o.parameters[name].distribution == param.distribution
                         for o in scenarios)
            seed = streams[name] if shared else streams[name].spawn(len(scenarios))[k]
            columns[name] = param.distribution.sample(np.random.default_rng(seed), n)
        sustained, keep = _survival_inputs(sc, repeated, columns, delta)
        expected[sc.name] = _expected_periods(sustained, keep, horizon)
        base_sustained, base_keep = _survival_inputs(sc, repeated, _point(sc, {}), delta)
        row: dict[str, Any] = {"case": sc.name, "period": sc.repeated[repeated].period,
                               "expected_baseline": float(_expected_periods(base_sustained, base_keep, horizon)[0]),
                               "expected": float(expected[sc.name].mean()), "sustained": float(sustained.mean())}
        for h in hs:
            row[f"survival_{h}"] = float(np.where(sustained, keep**h, 0.0).mean())
        rows.append(row)
    values = [expected[sc.name] for sc in scenarios]
    ordered = np.all([a > b for a, b in itertools.pairwise(values)], axis=0)
    return DurabilityComparison(tuple(sc.name for sc in scenarios), repeated, delta, horizon, n, int(rng),
                                pd.DataFrame(rows), float(ordered.mean()), pd.DataFrame(expected))
