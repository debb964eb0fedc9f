"""Exact and floating-point numbers for payoffs and probabilities.

Payoff arrays are either ``float64`` or ``object`` arrays of :class:`fractions.Fraction`.
These helpers convert between the two without ever evaluating text as code.
"""

from __future__ import annotations

import cmath
import math
import re
from collections.abc import Callable, Mapping, Sequence
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
    """A sympy number as a float, or ``None`` if it is complex, infinite, NaN or not a number.

    The value is first computed in double precision, every intermediate included, by a
    pass over the expression that cannot take long (:func:`_double`); only a value whose
    every step is a finite number is then evaluated to 30 digits by sympy.  So a value
    that passes through numbers beyond about 1.8e308 (``exp(2**(10**300))``) counts as not
    finite, as it would in every vectorised sweep and stress test.
    """
    if getattr(value, "free_symbols", None):
        return None
    if hasattr(value, "evalf"):
        rough = _double(value)
        if rough is not None and not (cmath.isfinite(rough) and rough.imag == 0):
            return None
    try:
        z = complex(value.evalf(30)) if hasattr(value, "evalf") else complex(value)
    except (TypeError, ValueError, OverflowError, RecursionError):  # complex infinity, nan; past a float
        return None
    return z.real if z.imag == 0 and math.isfinite(z.real) else None


def bottom_up(expr: Any, combine: Callable[[Any, list[Any]], Any]) -> Any:
    """Fold a sympy expression from its leaves up: ``combine(node, values of its arguments)``
    for each distinct subexpression once, with an explicit stack (no recursion, however deep
    the expression); a ``None`` from ``combine`` stops the fold and is returned."""
    done: dict[Any, Any] = {}
    stack = [(expr, False)]
    while stack:
        node, ready = stack.pop()
        if node in done:
            continue
        if not ready:
            stack.append((node, True))
            stack.extend((a, False) for a in node.args if a not in done)
            continue
        value = combine(node, [done[a] for a in node.args])
        if value is None:
            return None
        done[node] = value
    return done[expr]


def _double(expr: Any) -> complex | None:
    """``expr`` (a sympy constant) in complex double precision, from the leaves up (:func:`bottom_up`);
    ``None`` where it uses a function this pass does not know (then only sympy evaluates it)."""
    import sympy

    def combine(node: Any, args: list[complex]) -> complex | None:
        try:
            return _double_node(node, args, sympy)
        except (OverflowError, ZeroDivisionError, ValueError):
            return complex(math.nan, 0)

    return bottom_up(expr, combine)


def _double_node(node: Any, args: list[complex], sympy: Any) -> complex | None:
    nan = complex(math.nan, 0)
    if node.is_Number or isinstance(node, sympy.NumberSymbol):
        if node is sympy.nan or node in (sympy.zoo, sympy.oo, -sympy.oo):
            return nan if node is sympy.nan or node is sympy.zoo else complex(float(node), 0)
        try:
            return complex(float(node), 0)
        except OverflowError:
            return complex(math.inf, 0)
    if node is sympy.I:
        return 1j
    if isinstance(node, (sympy.logic.boolalg.BooleanAtom, sympy.core.relational.Relational,
                         sympy.And, sympy.Or, sympy.Not)):
        return complex(0, 0)  # conditions are read by Piecewise below
    if isinstance(node, sympy.Add):
        return sum(args, complex(0, 0))
    if isinstance(node, sympy.Mul):
        out = complex(1, 0)
        for a in args:
            out *= a
        return out
    if isinstance(node, sympy.Pow):
        base, exponent = args
        if base.imag == 0 and exponent.imag == 0 and (base.real >= 0 or float(exponent.real).is_integer()):
            if base.real == 0 and exponent.real < 0:
                return nan
            return complex(math.pow(base.real, exponent.real), 0)
        return base**exponent
    if isinstance(node, sympy.exp):
        return cmath.exp(args[0])
    if isinstance(node, sympy.log):
        return nan if args[0] == 0 else cmath.log(args[0])
    if isinstance(node, sympy.Abs):
        return complex(abs(args[0]), 0)
    if isinstance(node, (sympy.Min, sympy.Max)):
        if any(a.imag != 0 or math.isnan(a.real) for a in args):
            return nan
        pick = min if isinstance(node, sympy.Min) else max
        return complex(pick(a.real for a in args), 0)
    if isinstance(node, sympy.Piecewise):
        for (value, condition), _ in zip(node.args, args[::2], strict=True):
            truth = _truth(condition, sympy)
            if truth is None:
                return None
            if truth:
                return _double(value)
        return nan
    return None


def _truth(condition: Any, sympy: Any) -> bool | None:
    """A constant condition's truth in double precision (``None``: not decidable here)."""
    if condition in (sympy.true, sympy.false):
        return bool(condition)
    if isinstance(condition, sympy.core.relational.Relational):
        lhs, rhs = _double(condition.lhs), _double(condition.rhs)
        if lhs is None or rhs is None or lhs.imag or rhs.imag:
            return None
        ops = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
               ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}
        return ops[condition.rel_op](lhs.real, rhs.real)
    if isinstance(condition, (sympy.And, sympy.Or, sympy.Not)):
        parts = [_truth(c, sympy) for c in condition.args]
        if any(p is None for p in parts):
            return None
        return all(parts) if isinstance(condition, sympy.And) else (
            any(parts) if isinstance(condition, sympy.Or) else not parts[0])
    return None


def substitute(expr: Any, subs: Mapping[Any, Any]) -> Any:
    """``expr.xreplace(subs)``, or sympy's ``nan`` where the substitution cannot be carried out:
    ``max(1, 1/a)`` at ``a = 0`` (sympy refuses to compare complex infinity), or a power whose
    exponent becomes so large at these values (``2**max(a, 1e300)``) that its value is past
    any float and its exact value past any memory."""
    import sympy

    try:
        for power in expr.atoms(sympy.Pow):
            if power.exp.free_symbols and _power_too_large(power, subs):
                return sympy.nan
        return expr.xreplace(subs)
    except (ValueError, TypeError, ArithmeticError, RecursionError):
        return sympy.nan


MAX_POWER_BITS = 10**6
"""A power at given values is computed exactly only up to about this many bits."""


def _power_too_large(power: Any, subs: Mapping[Any, Any]) -> bool:
    exponent = _double(power.exp.xreplace(subs)) if not power.exp.xreplace(subs).free_symbols else None
    base = power.base.xreplace(subs)
    magnitude = _double(base) if not base.free_symbols else None
    if exponent is None or magnitude is None:
        return False
    if not cmath.isfinite(exponent) or not cmath.isfinite(magnitude):
        return True
    scale = exponent.real * math.log2(abs(magnitude)) if magnitude != 0 else 0.0  # log2 of the value's size
    bits = max(int(base.p).bit_length(), int(base.q).bit_length()) if base.is_Rational else 1
    return scale > 1100 or abs(exponent) * bits > MAX_POWER_BITS  # past a float, or past the exact budget
