"""Leverage parameters: named, bounded, sourced quantities that payoffs depend on.

A :class:`Parameter` carries its baseline value and bounds (exact rationals), a
:class:`Distribution` for stress tests, and a :class:`Provenance` for the baseline and
for the range: the source and the fact it rests on, or an explicit assumption with
its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from scipy import stats

from negotiation.engine.numbers import decimal_fraction


def number(value: Any) -> Fraction:
    """An exact number from YAML or the command line: int, float (read as the decimal it
    prints as) or text such as ``"0.35"``, ``"1e-3"`` or ``"1/3"``."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    exact = decimal_fraction(value)
    if abs(exact) > LARGEST:
        raise ValueError(f"{str(value)[:30]} is too large (over 1e300) to compute with")
    return exact


LARGEST = Fraction(10**300)
"""Largest magnitude of a parameter's number: everything is evaluated in floats somewhere."""


def plain(value: Fraction) -> int | float | str:
    """The YAML form of an exact number: an int, a float that reads back exactly, or ``"p/q"``."""
    if value.denominator == 1:
        return int(value)
    as_float = float(value)
    if Fraction(repr(as_float)) == value:
        return as_float
    return f"{value.numerator}/{value.denominator}"


class ParameterError(ValueError):
    """A parameter's values are inconsistent; ``field`` names the offending entry."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Source:
    """A document that facts are taken from."""

    id: str
    title: str
    location: str = ""
    note: str = ""


@dataclass(frozen=True)
class Provenance:
    """Where a number comes from.

    Attributes
    ----------
    source : str
        The id of a :class:`Source` ("" when the number is a pure assumption).
    fact : str
        The fact in the source that the number rests on (paraphrased, not quoted).
    assumption : str
        Empty when the number is read off the source; otherwise the modeller's reason.
    """

    source: str = ""
    fact: str = ""
    assumption: str = ""

    @property
    def kind(self) -> str:
        """``"source"`` (read off a source), ``"assumption"`` or ``"anchored assumption"``."""
        if not self.assumption:
            return "source"
        return "anchored assumption" if self.source else "assumption"

    def __str__(self) -> str:
        parts = []
        if self.source:
            parts.append(f"[{self.source}] {self.fact}")
        if self.assumption:
            parts.append(f"assumption: {self.assumption}")
        return "; ".join(parts)


# --------------------------------------------------------------------- distributions
@dataclass(frozen=True)
class Distribution:
    """A distribution of a parameter for Monte Carlo stress tests.

    Kinds and their fields:

    - ``uniform``: ``low``, ``high``;
    - ``triangular``: ``low``, ``mode``, ``high``;
    - ``beta``: ``a``, ``b`` (shape), rescaled to ``[low, high]``;
    - ``truncnormal``: ``mean``, ``sd``, truncated to ``[low, high]``.
    """

    kind: str
    low: float
    high: float
    mode: float | None = None
    a: float | None = None
    b: float | None = None
    mean: float | None = None
    sd: float | None = None

    FIELDS = {  # noqa: RUF012 - a class constant, not a field (no annotation)
        "uniform": ("low", "high"),
        "triangular": ("low", "mode", "high"),
        "beta": ("a", "b", "low", "high"),
        "truncnormal": ("mean", "sd", "low", "high"),
    }

    def __post_init__(self) -> None:
        if self.kind not in self.FIELDS:
            raise ValueError(f"unknown distribution kind {self.kind!r}; kinds: {', '.join(self.FIELDS)}")
        needed = self.FIELDS[self.kind]
        for name in ("mode", "a", "b", "mean", "sd"):
            given = getattr(self, name) is not None
            if given != (name in needed):
                raise ValueError(f"a {self.kind} distribution {'needs' if not given else 'takes no'} {name!r}")
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.kind == "triangular" and not self.low <= self.mode <= self.high:  # type: ignore[operator]
            raise ValueError(f"mode ({self.mode}) must lie in [low, high]")
        if self.kind == "beta" and not (self.a > 0 and self.b > 0):  # type: ignore[operator]
            raise ValueError("beta shapes a and b must be positive")
        if self.kind == "truncnormal" and not self.sd > 0:  # type: ignore[operator]
            raise ValueError("sd must be positive")

    def scipy(self) -> Any:
        """The frozen :mod:`scipy.stats` distribution."""
        lo, hi = self.low, self.high
        if self.kind == "uniform":
            return stats.uniform(lo, hi - lo)
        if self.kind == "triangular":
            return stats.triang((self.mode - lo) / (hi - lo), lo, hi - lo)  # type: ignore[operator]
        if self.kind == "beta":
            return stats.beta(self.a, self.b, lo, hi - lo)
        sd = self.sd
        return stats.truncnorm((lo - self.mean) / sd, (hi - self.mean) / sd, self.mean, sd)  # type: ignore[operator]

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray:
        """Draws from the distribution with an explicit generator."""
        return np.asarray(self.scipy().rvs(size=size, random_state=rng), dtype=float)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **{k: getattr(self, k) for k in self.FIELDS[self.kind]}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Distribution:
        kind = data.get("kind")
        fields = cls.FIELDS.get(kind, ())  # type: ignore[arg-type]
        extra = set(data) - {"kind", *fields}
        if kind in cls.FIELDS and extra:
            raise ValueError(f"a {kind} distribution takes {', '.join(fields)}; unexpected {', '.join(sorted(extra))}")
        missing = [f for f in fields if f not in data]
        if missing:
            raise ValueError(f"a {kind} distribution needs {', '.join(missing)}")
        return cls(kind=kind, **{k: float(number(data[k])) for k in fields})  # type: ignore[arg-type]


# ------------------------------------------------------------------------ parameters
@dataclass(frozen=True)
class Parameter:
    """A leverage parameter.

    Attributes
    ----------
    name : str
        The identifier used in payoff expressions.
    description, unit : str
    baseline : Fraction
        The value the model is calibrated at.
    bounds : (Fraction, Fraction)
        The plausible range; values outside it are refused.
    distribution : Distribution
        For stress tests; its support lies within the bounds.
    baseline_provenance, range_provenance : Provenance
    """

    name: str
    description: str
    unit: str
    baseline: Fraction
    bounds: tuple[Fraction, Fraction]
    distribution: Distribution
    baseline_provenance: Provenance
    range_provenance: Provenance

    def __post_init__(self) -> None:
        lo, hi = self.bounds
        if not lo < hi:
            raise ParameterError(f"bounds [{lo}, {hi}] are empty: low must be below high", "bounds")
        if not lo <= self.baseline <= hi:
            raise ParameterError(
                f"baseline {plain(self.baseline)} lies outside the bounds [{plain(lo)}, {plain(hi)}]", "baseline"
            )
        d = self.distribution
        if d.low < float(lo) or d.high > float(hi):  # the distribution is in floats: 3.4 is below Fraction("3.4")
            raise ParameterError(
                f"the distribution's support [{d.low}, {d.high}] leaves the bounds [{plain(lo)}, {plain(hi)}]",
                "distribution",
            )

    @property
    def width(self) -> Fraction:
        """The length of the range."""
        return self.bounds[1] - self.bounds[0]

    def check(self, value: Any) -> Fraction:
        """``value`` as an exact number, refused with a clear error when outside the bounds."""
        v = number(value)
        lo, hi = self.bounds
        if not lo <= v <= hi:
            raise ValueError(
                f"{self.name}={plain(v)} is outside its bounds [{plain(lo)}, {plain(hi)}] ({self.unit})"
            )
        return v
