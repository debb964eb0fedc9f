"""Explain an outcome: which equilibrium conditions hold it up, with how much slack, and
which lever would break it.

For each pure profile of the outcome, every Nash condition (one per unilateral
deviation, :func:`negotiation.engine.symbolic.conditions`), or for an outcome of a game
tree every sequential-rationality condition at every information set on and off the path
(:func:`negotiation.engine.sequential.tree_conditions`), is evaluated at the
parameter point (slack, exact where the payoffs are rational) and solved for each
parameter it depends on, the others held at the point, within the parameter's bounds
(:func:`negotiation.engine.symbolic.threshold`).  The distance to breakdown along a
parameter is the change needed to reach its threshold, as a share of the parameter's
range.  The pivotal lever is the parameter with the smallest such distance; conditions
are listed with the pivotal and binding (least slack) ones first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pandas as pd
import sympy

from negotiation.domain.leverage import Parameter
from negotiation.domain.scenario import Scenario
from negotiation.engine.numbers import to_fraction
from negotiation.engine.symbolic import Condition, threshold
from negotiation.errors import VerificationError


def _fmt(value: Any, digits: int = 4) -> str:
    """A short decimal for tables (exact values keep their precision in the data)."""
    if value is None:
        return ""
    if isinstance(value, Fraction) and value.denominator == 1:
        return str(value.numerator)
    f = float(value)
    return f"{f:.{digits}g}"


def _number(value: sympy.Basic) -> Fraction | float:
    if value.is_Rational:
        return to_fraction(value)
    return float(value)


@dataclass(frozen=True)
class ParameterThreshold:
    """Where one condition holds along one parameter, the others held fixed.

    Attributes
    ----------
    parameter : str
    baseline : Fraction
        The parameter's value at the explained point.
    holds : sympy.Set
        The values within the bounds where the condition holds.
    breaks_at : Fraction or float or None
        The nearest value (from ``baseline``) where the condition stops holding, or starts
        holding when it fails at ``baseline``; ``None`` when that never happens within the
        bounds.
    distance : float or None
        ``|breaks_at - baseline|`` as a share of the parameter's range.
    text : str
        E.g. ``"holds while resolve_prior >= 0.2"``.
    """

    parameter: str
    baseline: Fraction
    holds: sympy.Set
    breaks_at: Fraction | float | None
    distance: float | None
    text: str


def _parameter_threshold(cond: Condition, param: Parameter, values: Mapping[str, Fraction]) -> ParameterThreshold:
    th = threshold(cond, param.name, values, bounds=param.bounds)
    x0 = sympy.Rational(values[param.name].numerator, values[param.name].denominator)
    holds_now = bool(th.holds.contains(x0))
    lo, hi = (sympy.Rational(b.numerator, b.denominator) for b in param.bounds)
    name = param.name
    pieces = list(th.holds.args) if isinstance(th.holds, sympy.Union) else [th.holds]
    if holds_now:
        piece = next(p for p in pieces if p.contains(x0))
        left, right = piece.inf, piece.sup
        cuts = [c for c in (left, right) if c not in (lo, hi)]
        if not cuts:
            return ParameterThreshold(name, values[name], th.holds, None, None,
                                      f"holds over the whole range [{_fmt(lo)}, {_fmt(hi)}]")
        if left == lo:
            text = f"holds while {name} <= {_fmt(right)}"
        elif right == hi:
            text = f"holds while {name} >= {_fmt(left)}"
        else:
            text = f"holds while {_fmt(left)} <= {name} <= {_fmt(right)}"
    else:
        if th.holds.is_empty:
            return ParameterThreshold(name, values[name], th.holds, None, None,
                                      f"fails over the whole range [{_fmt(lo)}, {_fmt(hi)}]")
        cuts = [p.sup if p.sup < x0 else p.inf for p in pieces]
        nearest = min(cuts, key=lambda c: abs(c - x0))
        text = f"would hold if {name} {'<=' if nearest < x0 else '>='} {_fmt(nearest)}"
    breaks = min(cuts, key=lambda c: abs(c - x0))
    distance = float(abs(breaks - x0) / (hi - lo))
    return ParameterThreshold(name, values[name], th.holds, _number(breaks), distance, text)


@dataclass(frozen=True)
class ConditionReport:
    """One Nash condition of the explained profile at the explained point."""

    profile: tuple[str, ...]
    condition: Condition
    slack: Fraction | float
    thresholds: tuple[ParameterThreshold, ...]

    @property
    def holds(self) -> bool:
        return self.slack >= 0

    @property
    def distance(self) -> float | None:
        """The smallest distance to breakdown over the parameters (``None``: no lever breaks it)."""
        ds = [t.distance for t in self.thresholds if t.distance is not None]
        return min(ds) if ds else None


@dataclass(frozen=True)
class Explanation:
    """Why an outcome is (or is not) an equilibrium at a parameter point.

    Attributes
    ----------
    scenario, outcome, game : str
    values : dict
        The parameter point (baseline with any overrides).
    players : tuple of str
        The players of a normal-form game; for a game tree, its information sets (the
        profile then gives the action at each).
    reports : tuple of ConditionReport
        Pivotal and binding conditions first.
    equilibrium : dict
        For each profile of the outcome (as a tuple of strategies), whether it is a Nash
        equilibrium at the point.
    """

    scenario: str
    outcome: str
    game: str
    players: tuple[str, ...]
    values: dict[str, Fraction]
    reports: tuple[ConditionReport, ...]
    equilibrium: dict[tuple[str, ...], bool]
    units: dict[str, str]

    @property
    def holds(self) -> bool:
        """Whether some profile of the outcome is an equilibrium at the point."""
        return any(self.equilibrium.values())

    @property
    def binding(self) -> ConditionReport | None:
        """The holding condition with the least slack (``None`` when the outcome does not hold)."""
        held = [r for r in self.reports if r.holds]
        return min(held, key=lambda r: r.slack) if held and self.holds else None

    @property
    def pivotal(self) -> tuple[ConditionReport, ParameterThreshold] | None:
        """The condition and lever with the smallest distance to breakdown.

        ``None`` when the outcome does not hold: nothing can break it; see :attr:`restoring`.
        """
        if not self.holds:
            return None
        return _nearest((r, t) for r in self.reports for t in r.thresholds)

    @property
    def restoring(self) -> list[tuple[ConditionReport, ParameterThreshold | None]]:
        """For each failing condition, the nearest single lever that would restore it (``None``: none
        within the bounds).  The outcome is restored only when every failing condition of one of its
        profiles is."""
        out = []
        for r in self.reports if not self.holds else ():
            if not r.holds:
                best = _nearest((r, t) for t in r.thresholds)
                out.append((r, None if best is None else best[1]))
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per condition and parameter it depends on.

        Columns: ``profile, condition, player, slack, holds, parameter, baseline,
        threshold, distance, holds_while, binding, pivotal``; exact numbers stay exact.
        """
        binding, pivotal = self.binding, self.pivotal
        rows = []
        for r in self.reports:
            base = {
                "profile": ", ".join(r.profile),
                "condition": r.condition.label,
                "player": r.condition.player,
                "slack": r.slack,
                "holds": r.holds,
            }
            for t in r.thresholds or (None,):
                rows.append({
                    **base,
                    "parameter": t.parameter if t else "",
                    "baseline": t.baseline if t else None,
                    "threshold": t.breaks_at if t else None,
                    "distance": t.distance if t else None,
                    "holds_while": t.text if t else "holds for any parameter values",
                    "binding": r is binding,
                    "pivotal": pivotal is not None and r is pivotal[0] and t is pivotal[1],
                })
        return pd.DataFrame(rows)

    def summary(self) -> str:
        """A few sentences in plain words."""
        profiles = "; ".join(
            ", ".join(f"{p}: {s}" for p, s in zip(self.players, prof, strict=True)) for prof in self.equilibrium
        )
        status = "is" if self.holds else "is not"
        held = sum(r.holds for r in self.reports)
        text = [f"Outcome '{self.outcome}' ({profiles}) {status} an equilibrium of '{self.game}' at this point; "
                f"{held} of {len(self.reports)} conditions hold."]
        failing = [r for r in self.reports if not r.holds]
        if failing:
            text.append("Failing: " + "; ".join(f"{r.condition.label} (short by {_fmt(-r.slack)})" for r in failing)
                        + ".")
        b = self.binding
        if b is not None:
            text.append(f"Binding condition: {b.condition.label} (slack {_fmt(b.slack)}).")
        piv = self.pivotal
        if piv is not None:
            r, t = piv
            direction = "falls below" if t.breaks_at < t.baseline else "rises above"  # type: ignore[operator]
            text.append(
                f"Pivotal lever: {t.parameter}; the outcome breaks if it {direction} {_fmt(t.breaks_at)} "
                f"{self.units.get(t.parameter, '')} (from {_fmt(t.baseline)}, {t.distance:.0%} of its range), "
                f"through '{r.condition.label}'."
            )
        restore = []
        for r, t in self.restoring:
            if t is None:
                restore.append(f"no single lever within its bounds restores '{r.condition.label}'")
            else:
                direction = "fell to" if t.breaks_at < t.baseline else "rose to"  # type: ignore[operator]
                restore.append(f"'{r.condition.label}' would hold if {t.parameter} {direction} {_fmt(t.breaks_at)} "
                               f"{self.units.get(t.parameter, '')} (from {_fmt(t.baseline)}, {t.distance:.0%} of "
                               "its range), the others fixed")
        if restore:
            both = " (each failing condition of a profile must be restored)" if len(restore) > 1 else ""
            text.append("To restore it" + both + ": " + "; ".join(restore) + ".")
        used = {t.parameter for r in self.reports for t in r.thresholds}
        safe = sorted(p for p in used if all(t.distance is None for r in self.reports for t in r.thresholds
                                                if t.parameter == p))
        if safe:
            text.append(f"No value within its bounds of {', '.join(safe)} alone changes this.")
        return " ".join(text)

    def to_text(self) -> str:
        """The table and the summary, for the terminal."""
        frame = self.to_frame()
        shown = pd.DataFrame({
            "condition": frame["condition"],
            "slack": frame["slack"].map(_fmt),
            "parameter": frame["parameter"],
            "baseline": frame["baseline"].map(_fmt),
            "holds while": frame["holds_while"],
            "distance": frame["distance"].map(lambda d: "" if d is None or pd.isna(d) else f"{d:.0%}"),
            "": [("binding " if b else "") + ("pivotal" if p else "") for b, p in
                 zip(frame["binding"], frame["pivotal"], strict=True)],
        })
        repeated = (frame["condition"] + frame["profile"]).eq((frame["condition"] + frame["profile"]).shift())
        shown.loc[repeated, ["condition", "slack"]] = ""
        shown.loc[repeated, ""] = shown.loc[repeated, ""].str.replace("binding ", "")
        head = f"{self.scenario}: outcome '{self.outcome}' in game '{self.game}'"
        table = "\n".join(line.rstrip() for line in shown.to_string(index=False).splitlines())
        return "\n".join([head, table, "", self.summary()])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (numbers as floats, exact values as strings)."""
        def num(v: Any) -> Any:
            return None if v is None else float(v)

        return {
            "scenario": self.scenario,
            "outcome": self.outcome,
            "game": self.game,
            "holds": self.holds,
            "values": {k: str(v) for k, v in self.values.items()},
            "conditions": [
                {
                    "profile": dict(zip(self.players, r.profile, strict=True)),
                    "condition": r.condition.label,
                    "margin": str(r.condition.margin),
                    "slack": num(r.slack),
                    "holds": r.holds,
                    "thresholds": [
                        {"parameter": t.parameter, "baseline": num(t.baseline), "threshold": num(t.breaks_at),
                         "distance": t.distance, "holds_while": t.text}
                        for t in r.thresholds
                    ],
                }
                for r in self.reports
            ],
            "summary": self.summary(),
        }

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        piv = self.pivotal
        lever = f", pivotal {piv[1].parameter}" if piv is not None else ""
        return (f"Explanation({self.outcome!r} in {self.game!r}: {'holds' if self.holds else 'fails'}, "
                f"{sum(r.holds for r in self.reports)} of {len(self.reports)} conditions hold{lever})")

    def _repr_html_(self) -> str:
        import html

        frame = self.to_frame().drop(columns=["profile"])
        return f"<p>{html.escape(self.summary())}</p>" + frame.to_html(index=False)


def _nearest(pairs: Any) -> tuple[ConditionReport, ParameterThreshold] | None:
    """The (condition, lever) pair with the smallest distance, ``None`` if no lever reaches a threshold."""
    best = None
    for r, t in pairs:
        if t.distance is not None and (best is None or t.distance < best[1].distance):
            best = (r, t)
    return best


def explain(scenario: Scenario, outcome: str, overrides: Mapping[str, Any] | None = None,
            **kwargs: Any) -> Explanation:
    """Explain ``outcome`` at the scenario's baseline (with ``overrides``).

    Examples
    --------
    >>> from negotiation import catalog, explain
    >>> ex = explain(catalog.load("idlib-2020"), "ceasefire")
    >>> ex.holds, ex.pivotal[1].parameter
    (True, 'press_cost')
    """
    out = scenario.outcome(outcome)
    values = scenario.values(overrides, **kwargs)
    numeric = scenario.at(out.game, values) if out.kind == "game" else None
    reports = []
    equilibrium = {}
    labels: tuple[str, ...] = ()
    for labels, prof, conds in scenario.outcome_conditions(outcome):
        prof_reports = []
        for c in conds:
            ths = tuple(
                sorted(
                    (_parameter_threshold(c, scenario.parameters[p], values) for p in c.parameters),
                    key=lambda t: (t.distance is None, t.distance or 0.0, t.parameter),
                )
            )
            prof_reports.append(ConditionReport(prof, c, c.slack(values), ths))
        symbolic_says = all(r.holds for r in prof_reports)
        if numeric is not None:
            numeric_says = numeric.is_nash(numeric.profile(dict(zip(labels, prof, strict=True))))
        else:  # a tree: Scenario.holds evaluates the conditions and checks them against the tree itself
            numeric_says = scenario.holds(outcome, values)
        if symbolic_says != numeric_says:
            raise VerificationError(
                f"conditions of {prof} say equilibrium={symbolic_says} but the regret check says {numeric_says}"
            )
        equilibrium[prof] = numeric_says
        reports += prof_reports
    reports.sort(key=lambda r: (r.distance is None, r.distance or 0.0, r.slack))
    units = {k: p.unit for k, p in scenario.parameters.items()}
    return Explanation(scenario.name, outcome, out.game, labels, values, tuple(reports), equilibrium, units)
