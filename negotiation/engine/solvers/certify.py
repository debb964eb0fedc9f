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
which bounds the error of any summation order.

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

_ULP = 2.0**-52
_TINY = 2.0**-1000  # covers underflow of the products of probabilities and payoffs here


@dataclass(frozen=True)
class Interval:
    """Arrays of lower and upper bounds."""

    lo: np.ndarray
    hi: np.ndarray

    @staticmethod
    def point(x: np.ndarray) -> Interval:
        x = np.asarray(x, dtype=float)
        return Interval(x, x)

    def __sub__(self, other: Interval) -> Interval:
        return Interval(np.nextafter(self.lo - other.hi, -np.inf), np.nextafter(self.hi - other.lo, np.inf))

    def __add__(self, other: Interval) -> Interval:
        return Interval(np.nextafter(self.lo + other.lo, -np.inf), np.nextafter(self.hi + other.hi, np.inf))

    def __mul__(self, other: Interval) -> Interval:
        products = np.stack(np.broadcast_arrays(self.lo * other.lo, self.lo * other.hi,
                                                self.hi * other.lo, self.hi * other.hi))
        return Interval(np.nextafter(products.min(axis=0), -np.inf) - _TINY,
                        np.nextafter(products.max(axis=0), np.inf) + _TINY)

    def sum(self, axis: int) -> Interval:
        m = self.lo.shape[axis]
        size = np.maximum(np.abs(self.lo), np.abs(self.hi)).sum(axis=axis)
        slack = m * _ULP * size + m * _TINY
        return Interval(np.nextafter(self.lo.sum(axis=axis) - slack, -np.inf),
                        np.nextafter(self.hi.sum(axis=axis) + slack, np.inf))

    def take(self, index: object, axis: int) -> Interval:
        return Interval(np.take(self.lo, index, axis=axis), np.take(self.hi, index, axis=axis))

    def matvec(self, vec: Interval) -> Interval:
        """Interval matrix (..., a, b) times interval vector (..., b)."""
        return (self * Interval(vec.lo[..., None, :], vec.hi[..., None, :])).sum(axis=-1)

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

    def blocks(self, x: Interval) -> list[Interval]:
        """Every player's probability vector over its support (a pure player's is one)."""
        out = []
        for j in range(self.n):
            if j in self.mixed:
                k = self.mixed.index(j)
                part = slice(self.offsets[k], self.offsets[k + 1])
                out.append(Interval(x.lo[part], x.hi[part]))
            else:
                out.append(Interval.point(np.ones(1)))
        return out

    def values(self, blocks: list[Interval], i: int, skip: int | None = None) -> Interval:
        """Player i's payoff to each of its pure strategies against the others' vectors;
        with ``skip``, the array of its derivatives in player ``skip``'s vector."""
        tensor = self.payoffs.take(i, 0)
        for j in range(self.n):
            if j != i:
                tensor = tensor.take(list(self.supports[j]), j)
        tensor = Interval(np.moveaxis(tensor.lo, i, 0), np.moveaxis(tensor.hi, i, 0))
        others = [j for j in range(self.n) if j != i]
        for axis in range(len(others), 0, -1):  # contract the last remaining axis first
            j = others[axis - 1]
            if j == skip:
                continue
            shape = (1,) * axis + (len(self.supports[j]),) + (1,) * (tensor.lo.ndim - axis - 1)
            vec = Interval(blocks[j].lo.reshape(shape), blocks[j].hi.reshape(shape))
            tensor = (tensor * vec).sum(axis=axis)
        return tensor

    def residual(self, x: Interval) -> Interval:
        blocks = self.blocks(x)
        rows = []
        for i in self.mixed:
            v = self.values(blocks, i)
            sup = self.supports[i]
            rows.append(v.take(list(sup[1:]), 0) - v.take([sup[0]] * (len(sup) - 1), 0))
            one = blocks[i].sum(axis=0)
            rows.append(Interval(one.lo[None] - 1.0, one.hi[None] - 1.0))
        lo = np.concatenate([r.lo for r in rows])
        hi = np.concatenate([r.hi for r in rows])
        return Interval(np.nextafter(lo, -np.inf), np.nextafter(hi, np.inf))

    def jacobian(self, x: Interval) -> Interval:
        blocks = self.blocks(x)
        lo = np.zeros((self.size, self.size))
        hi = np.zeros((self.size, self.size))
        row = 0
        for i in self.mixed:
            sup = self.supports[i]
            for k, j in enumerate(self.mixed):
                cols = slice(self.offsets[k], self.offsets[k + 1])
                if j == i:
                    lo[row + len(sup) - 1, cols] = hi[row + len(sup) - 1, cols] = 1.0
                    continue
                d = self.values(blocks, i, skip=j)  # (s_i, k_j)
                diff = d.take(list(sup[1:]), 0) - d.take([sup[0]] * (len(sup) - 1), 0)
                lo[row:row + len(sup) - 1, cols] = diff.lo
                hi[row:row + len(sup) - 1, cols] = diff.hi
            row += len(sup)
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
        radius = 1e-9 * np.maximum(1.0, np.abs(x))
        box = Interval(x - radius, x + radius)
        jac = self.jacobian(box)
        try:
            inverse = Interval.point(np.linalg.inv(jac.mid))
        except np.linalg.LinAlgError:
            return None
        eye = Interval.point(np.eye(self.size))
        contraction = eye - _matmul(inverse, jac)
        shift = inverse.matvec(self.residual(Interval.point(x)))
        k = Interval.point(x) - shift + contraction.matvec(box - Interval.point(x))
        if not (np.all(k.lo > box.lo) and np.all(k.hi < box.hi)):
            return None
        if np.any(box.lo <= 0):
            return None
        blocks = self.blocks(box)
        for i, sup in enumerate(self.supports):
            outside = [t for t in range(self.payoffs.lo.shape[i + 1]) if t not in sup]
            if not outside:
                continue
            v = self.values(blocks, i)
            gap = v.take(outside, 0) - v.take([sup[0]] * len(outside), 0)
            if np.any(gap.hi >= 0):
                return None
        return box


def _matmul(a: Interval, b: Interval) -> Interval:
    """The interval matrix product a b."""
    return (Interval(a.lo[:, :, None], a.hi[:, :, None]) * Interval(b.lo[None], b.hi[None])).sum(axis=1)
