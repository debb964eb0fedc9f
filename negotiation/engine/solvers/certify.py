"""Proof that an approximate mixed equilibrium of an n-player game is near a true one.

On a support profile the equilibrium conditions are a square polynomial system (each
player indifferent among its support strategies, each player's probabilities summing to
one).  The Krawczyk operator, evaluated in interval arithmetic with outward rounding over a
small box ``X`` around an approximate root ``x``,

    K(X) = x - Y F(x) + (I - Y F'(X)) (X - x),    Y = inverse of the midpoint of F'(X),

lies in the interior of ``X`` only if ``X`` holds exactly one root of ``F`` (Krawczyk 1969;
Moore 1977; Neumaier 1990, Theorem 5.1.8).  The same interval evaluation then shows that
every point of ``X`` puts positive probability on each support strategy and that every
strategy outside a player's support earns strictly less than its support: the unique root
in ``X`` is an equilibrium with exactly these supports.

The interval arithmetic is floating point with each operation widened outward: a product of
endpoints by one unit in the last place (IEEE 754 rounds each product to nearest), a sum of
``m`` terms by ``m`` units of roundoff times the sum of magnitudes (Higham 2002, section 4.2),
which bounds the error of any summation order.  This arithmetic is compiled
(:mod:`~negotiation.engine.solvers._interval`) and shares no code with the path tracker.

References
----------
Krawczyk, R. (1969). Newton-Algorithmen zur Bestimmung von Nullstellen mit Fehlerschranken.
*Computing* 4, 187-201.
Moore, R. E. (1977). A test for existence of solutions to nonlinear systems. *SIAM Journal on
Numerical Analysis* 14, 611-615.
Neumaier, A. (1990). *Interval Methods for Systems of Equations*. Cambridge University Press.
Higham, N. J. (2002). *Accuracy and Stability of Numerical Algorithms*, 2nd ed. SIAM.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from negotiation.engine.solvers import _interval


@dataclass(frozen=True)
class Interval:
    """Arrays of lower and upper bounds (a box)."""

    lo: np.ndarray
    hi: np.ndarray

    @staticmethod
    def point(x: np.ndarray) -> Interval:
        x = np.asarray(x, dtype=float)
        return Interval(x, x)

    @property
    def mid(self) -> np.ndarray:
        return self.lo / 2 + self.hi / 2


def enclose(values: np.ndarray) -> Interval:
    """The tightest float interval around each exact payoff (an object array of Fractions)."""
    flat = [float(v) for v in values.flat]
    lo = np.array(flat).reshape(values.shape)
    hi = lo.copy()
    for k, (v, f) in enumerate(zip(values.flat, flat, strict=True)):
        exact = Fraction(f)
        if exact > v:
            lo.flat[k] = np.nextafter(f, -np.inf)
        elif exact < v:
            hi.flat[k] = np.nextafter(f, np.inf)
    return Interval(lo, hi)


class SupportSystem:
    """The equilibrium system of one support profile, in its support probabilities.

    The interval evaluations are compiled (:mod:`~negotiation.engine.solvers._interval`).

    Parameters
    ----------
    payoffs : Interval
        Enclosures of the payoffs, shape (n, s_1, ..., s_n).
    supports : tuple of tuple of int
    """

    def __init__(self, payoffs: Interval, supports: tuple[tuple[int, ...], ...]) -> None:
        self.payoffs, self.supports = payoffs, supports
        self.n = len(supports)
        self.mixed = [j for j, sup in enumerate(supports) if len(sup) > 1]
        self.offsets = np.cumsum([0] + [len(supports[j]) for j in self.mixed])
        self.size = int(self.offsets[-1])
        shape = payoffs.lo.shape[1:]
        self._shape = np.array(shape, dtype=np.int64)
        self._lo = np.ascontiguousarray(payoffs.lo.reshape(self.n, -1))
        self._hi = np.ascontiguousarray(payoffs.hi.reshape(self.n, -1))
        self._sup = np.zeros((self.n, max(shape)), dtype=np.int64)
        for j, sup in enumerate(supports):
            self._sup[j, : len(sup)] = sup
        self._k = np.array([len(sup) for sup in supports], dtype=np.int64)
        self._at = np.full(self.n, -1, dtype=np.int64)  # where each mixed player's probabilities start
        self._at[self.mixed] = self.offsets[:-1]

    def _game(self) -> tuple[np.ndarray, ...]:
        return self._lo, self._hi, self._shape, self._sup, self._k, self._at

    def residual(self, x: Interval) -> Interval:
        """Each mixed player's indifference rows and its row of probabilities summing to one."""
        lo, hi = np.zeros(self.size), np.zeros(self.size)
        _interval.residual(*self._game(), np.asarray(x.lo, dtype=float), np.asarray(x.hi, dtype=float), lo, hi)
        return Interval(lo, hi)

    def jacobian(self, x: Interval) -> Interval:
        lo, hi = np.zeros((self.size, self.size)), np.zeros((self.size, self.size))
        _interval.jacobian(*self._game(), np.asarray(x.lo, dtype=float), np.asarray(x.hi, dtype=float), lo, hi)
        return Interval(lo, hi)

    def newton(self, x: np.ndarray, iterations: int = 3) -> np.ndarray:
        for _ in range(iterations):
            point = Interval.point(x)
            step = np.linalg.solve(self.jacobian(point).mid, self.residual(point).mid)
            x = x - step
        return x

    def certify(self, x: np.ndarray) -> Interval | None:
        """A box around ``x`` proven to hold exactly one root, which is an equilibrium with
        these supports; None where the test fails (the caller then solves exactly)."""
        x = np.asarray(x, dtype=float)
        return around(x) if _interval.certify(*self._game(), x) else None


def around(x: np.ndarray) -> Interval:
    """The box that :meth:`SupportSystem.certify` tests around ``x`` (relative radius
    ``_interval.RADIUS``)."""
    radius = _interval.RADIUS * np.maximum(1.0, np.abs(x))
    return Interval(x - radius, x + radius)


def certify_all(payoffs: Interval, inside: np.ndarray, points: np.ndarray) -> np.ndarray:
    """:meth:`SupportSystem.certify` for many points at once, in one compiled pass.

    Parameters
    ----------
    payoffs : Interval
        Enclosures of the payoffs, shape (n, s_1, ..., s_n).
    inside : ndarray of shape (points, n, s), bool
        Each point's supports (a player with one support strategy is pure).
    points : ndarray of shape (points, n, s), float
        Each player's vector (its entries on the support are tested).

    Returns
    -------
    ndarray of shape (points,), bool
        Whether each point's box holds exactly one root, an equilibrium with its supports.
    """
    n = payoffs.lo.shape[0]
    shape = np.array(payoffs.lo.shape[1:], dtype=np.int64)
    return _interval.certify_all(np.ascontiguousarray(payoffs.lo.reshape(n, -1)),
                                 np.ascontiguousarray(payoffs.hi.reshape(n, -1)), shape,
                                 np.ascontiguousarray(inside), np.ascontiguousarray(points, dtype=float))
