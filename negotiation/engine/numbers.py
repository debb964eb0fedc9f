"""Exact and floating-point numbers for payoffs and probabilities.

Payoff arrays are either ``float64`` or ``object`` arrays of :class:`fractions.Fraction`.
These helpers convert between the two without ever evaluating text as code.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from numbers import Rational
from typing import Any

import numpy as np

from negotiation.errors import GameError

_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_RATIO = re.compile(r"^[+-]?\d+/\d+$")


def parse_number(text: str) -> Fraction:
    """Parse a decimal (``-1.5``, ``2e3``) or a ratio (``3/4``) exactly.

    Raises
    ------
    ValueError
        If ``text`` is not such a number (names, expressions, ``nan``, ``inf``).
    """
    t = text.strip()
    if t.isdigit() or (t[:1] == "-" and t[1:].isdigit()):
        if len(t) > 4000:
            raise ValueError(f"{t[:20]}... has over 4,000 digits")
        return Fraction(int(t))
    if _RATIO.match(t):
        num, den = t.split("/")
        if int(den) == 0:
            raise ValueError(f"{text!r} divides by zero")
        return Fraction(int(num), int(den))
    if _DECIMAL.match(t):
        exponent = t.lower().partition("e")[2]
        if exponent and abs(int(exponent)) > 400:
            raise ValueError(f"{text!r} has an absurd exponent")
        return Fraction(t)
    raise ValueError(f"{text!r} is not a number")


def to_fraction(value: object) -> Fraction:
    """Convert an int, Fraction, finite float or numeric string to an exact Fraction."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise ValueError("a boolean is not a payoff")
    if isinstance(value, Rational):
        return Fraction(int(value.numerator), int(value.denominator))
    if isinstance(value, (int, np.integer)):
        return Fraction(int(value))
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not finite")
        return Fraction(float(value))
    if isinstance(value, str):
        return parse_number(value)
    raise ValueError(f"{value!r} of type {type(value).__name__} is not a number")


def decimal_fraction(value: object) -> Fraction:
    """Like :func:`to_fraction`, but a float stands for the decimal it prints as.

    This is how parameter values typed by people are read: ``0.1`` is 1/10, not the
    binary float nearest to it.
    """
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isfinite(value):
        return Fraction(repr(value))
    return to_fraction(value)


def exact_array(values: object) -> np.ndarray:
    """An ``object`` array of Fractions with the shape of ``values``."""
    arr = np.asarray(values, dtype=object)
    out = np.empty(arr.shape, dtype=object)
    for idx, v in np.ndenumerate(arr):
        out[idx] = to_fraction(v)
    return out


def float_array(values: object) -> np.ndarray:
    """A ``float64`` array; Fractions are rounded to the nearest float."""
    arr = np.asarray(values)
    try:
        if arr.dtype == object:
            return np.vectorize(float, otypes=[float])(arr) if arr.size else arr.astype(float)
        return arr.astype(float)
    except OverflowError:
        raise GameError("a payoff is too large for a float (over about 1.8e308): solve exactly instead "
                        "(exact=True, or --exact)") from None


def is_exact(arr: np.ndarray) -> bool:
    """Whether an array holds exact Fractions."""
    return arr.dtype == object


def integer_matrix(matrix: np.ndarray, shift_to: int = 1) -> list[list[int]]:
    """Scale and shift a rational matrix to integers whose minimum is ``shift_to``.

    A positive affine transform of one player's payoffs does not change best responses,
    so the equilibria of the integer game are those of the original.
    """
    fr = exact_array(matrix)
    lcm = 1
    for v in fr.flat:
        lcm = lcm * v.denominator // math.gcd(lcm, v.denominator)
    ints = [[int(v * lcm) for v in row] for row in fr]
    low = min(min(row) for row in ints)
    return [[v - low + shift_to for v in row] for row in ints]


def fraction_str(value: Fraction) -> str:
    """``"3/4"`` or ``"2"``: the string form used in exact JSON output."""
    return str(value)


def reduced_row_echelon(rows: Sequence[Sequence[Fraction]]) -> tuple[list[list[Fraction]], list[int]]:
    """Gauss-Jordan elimination of an augmented system in rationals.

    ``rows`` are ``[a_1, ..., a_n, b]``; the last column is the right-hand side and is
    never a pivot.  Returns the reduced rows (the first ``len(pivots)`` hold the pivots,
    in order) and the pivot columns.
    """
    out = [list(r) for r in rows]
    n = len(out[0]) - 1 if out else 0
    pivots: list[int] = []
    r = 0
    for c in range(n):
        k = next((i for i in range(r, len(out)) if out[i][c] != 0), None)
        if k is None:
            continue
        out[r], out[k] = out[k], out[r]
        inv = 1 / out[r][c]
        out[r] = [v * inv for v in out[r]]
        for i in range(len(out)):
            if i != r and out[i][c]:
                f = out[i][c]
                out[i] = [a - f * b for a, b in zip(out[i], out[r], strict=True)]
        pivots.append(c)
        r += 1
    return out, pivots


def finite_real(value: Any) -> float | None:
    """A sympy number as a float, or ``None`` if it is complex, infinite, NaN or not a number."""
    if getattr(value, "free_symbols", None):
        return None
    try:
        z = complex(value.evalf(30)) if hasattr(value, "evalf") else complex(value)
    except (TypeError, ValueError, OverflowError):  # sympy's complex infinity, nan; past a float
        return None
    return z.real if z.imag == 0 and math.isfinite(z.real) else None


def substitute(expr: Any, subs: Mapping[Any, Any]) -> Any:
    """``expr.xreplace(subs)``, or sympy's ``nan`` where the substitution cannot be carried out
    (``max(1, 1/a)`` at ``a = 0``: sympy refuses to compare complex infinity)."""
    import sympy

    try:
        return expr.xreplace(subs)
    except (ValueError, TypeError, ArithmeticError):
        return sympy.nan
