"""Normal-form games whose payoffs are symbolic functions of named parameters.

A :class:`ParametricGame` holds one sympy expression per player and pure profile.
:meth:`ParametricGame.at` substitutes values and returns a numeric
:class:`~negotiation.engine.game.NormalFormGame` (exact when every payoff comes out
rational); :meth:`ParametricGame.tensor` evaluates all payoffs at once over arrays of
parameter values (the expressions are compiled to numpy with :func:`sympy.lambdify`),
giving batched payoff tensors for sweeps.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import sympy

from negotiation.engine.expressions import check_parameter_name, parse_expression, suggest, symbol
from negotiation.engine.game import NormalFormGame
from negotiation.engine.numbers import decimal_fraction, substitute, to_fraction
from negotiation.errors import GameError


@dataclass(frozen=True, eq=False)
class ParametricGame:
    """A strategic-form game with payoffs that are sympy expressions of parameters.

    Parameters
    ----------
    payoffs : array_like of shape (n_players, s_1, ..., s_n)
        sympy expressions (or numbers); ``payoffs[i][a]`` is player ``i``'s payoff at
        the pure profile ``a``.
    parameters : sequence of str
        The parameter names, in the order used by :meth:`tensor`; every free symbol
        of the payoffs must be one of them.
    players, strategies, title
        As for :class:`~negotiation.engine.game.NormalFormGame`.

    Examples
    --------
    >>> g = ParametricGame.from_expressions(
    ...     [[["-c", "1"], ["0", "0"]], [["-c", "0"], ["1", "0"]]],
    ...     parameters=["c"], players=("A", "B"), strategies=(("fight", "yield"),) * 2)
    >>> g.at(c=2).payoffs[0].tolist()
    [[Fraction(-2, 1), Fraction(1, 1)], [Fraction(0, 1), Fraction(0, 1)]]
    """

    payoffs: np.ndarray
    parameters: tuple[str, ...]
    players: tuple[str, ...] = ()
    strategies: tuple[tuple[str, ...], ...] = ()
    title: str = ""
    _skeleton: NormalFormGame = field(init=False, repr=False)

    def __post_init__(self) -> None:
        raw = np.asarray(self.payoffs, dtype=object)
        params = tuple(self.parameters)
        for name in params:
            try:
                check_parameter_name(name)
            except ValueError as err:
                raise GameError(str(err)) from None
        if len(set(params)) != len(params):
            raise GameError(f"parameter names must be unique: {list(params)}")
        exprs = np.empty(raw.shape, dtype=object)
        allowed = {symbol(p) for p in params}
        for idx, value in np.ndenumerate(raw):
            expr = value if isinstance(value, sympy.Basic) else parse_expression(value, params)
            stray = expr.free_symbols - allowed
            if stray:
                names = sorted(str(s) for s in stray)
                raise GameError(f"payoff at index {idx} uses undeclared parameter(s) {names}; declared: {list(params)}")
            exprs[idx] = expr
        exprs.setflags(write=False)
        # A numeric game of the same shape checks the shape and the names once.
        skeleton = NormalFormGame(np.zeros(raw.shape, dtype=int), self.players, self.strategies, self.title)
        object.__setattr__(self, "payoffs", exprs)
        object.__setattr__(self, "parameters", params)
        object.__setattr__(self, "players", skeleton.players)
        object.__setattr__(self, "strategies", skeleton.strategies)
        object.__setattr__(self, "_skeleton", skeleton)

    @classmethod
    def from_expressions(
        cls,
        payoffs: Sequence[Any],
        parameters: Sequence[str],
        players: Sequence[str] = (),
        strategies: Sequence[Sequence[str]] = (),
        title: str = "",
    ) -> ParametricGame:
        """From nested lists of expression strings (parsed safely) or numbers."""
        return cls(np.asarray(payoffs, dtype=object), tuple(parameters), tuple(players),
                   tuple(tuple(s) for s in strategies), title)

    # ------------------------------------------------------------------ properties
    @property
    def n_players(self) -> int:
        return len(self.players)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.payoffs.shape[1:])

    @property
    def symbols(self) -> dict[str, sympy.Symbol]:
        """The sympy symbol of each parameter."""
        return {p: symbol(p) for p in self.parameters}

    def profiles(self) -> list[tuple[int, ...]]:
        """Every pure profile as a tuple of strategy indices."""
        return list(itertools.product(*(range(s) for s in self.shape)))

    def profile_index(self, profile: Mapping[str, str] | Sequence[str | int]) -> tuple[int, ...]:
        """Strategy indices of a pure profile given by names (see :meth:`NormalFormGame.profile_index`)."""
        return self._skeleton.profile_index(profile)

    def payoff(self, player: str | int, profile: Sequence[int]) -> sympy.Expr:
        """The payoff expression of ``player`` at the pure profile ``profile`` (indices)."""
        i = player if isinstance(player, int) else self.players.index(player)
        return self.payoffs[(i, *profile)]

    # ----------------------------------------------------------------- evaluation
    def _values(self, values: Mapping[str, Any] | None, kwargs: Mapping[str, Any], partial: bool) -> dict:
        merged = {**(values or {}), **kwargs}
        unknown = [k for k in merged if k not in self.parameters]
        if unknown:
            name = unknown[0]
            raise GameError(
                f"unknown parameter {name!r}{suggest(name, self.parameters)}; parameters: {list(self.parameters)}"
            )
        missing = [p for p in self.parameters if p not in merged]
        if missing and not partial:
            raise GameError(f"no value given for parameter(s) {missing}")
        return merged

    def substitute(self, values: Mapping[str, Any] | None = None, **kwargs: Any) -> ParametricGame:
        """The game with some parameters fixed to (exact) values."""
        merged = self._values(values, kwargs, partial=True)
        subs = symbol_values(merged)
        exprs = np.vectorize(lambda e: substitute(e, subs), otypes=[object])(self.payoffs)
        rest = tuple(p for p in self.parameters if p not in merged)
        return ParametricGame(exprs, rest, self.players, self.strategies, self.title)

    def at(self, values: Mapping[str, Any] | None = None, **kwargs: Any) -> NormalFormGame:
        """The numeric game at the given parameter values.

        Values are read exactly (a float ``0.1`` means 1/10).  The game is exact when
        every payoff evaluates to a rational number, and float otherwise.
        """
        exact = {k: exact_value(k, v) for k, v in self._values(values, kwargs, partial=False).items()}
        subs = {symbol(k): v for k, v in exact.items()}
        cells = [substitute(e, subs) for e in self.payoffs.flat]
        if all(c.is_Rational for c in cells):
            flat = [to_fraction(c) for c in cells]
        else:
            flat = list(self.tensor({k: float(v) for k, v in exact.items()}).reshape(-1))
        payoffs = np.empty(len(flat), dtype=object)
        payoffs[:] = flat
        return NormalFormGame(payoffs.reshape(self.payoffs.shape), self.players, self.strategies, self.title)

    def __getstate__(self) -> dict[str, Any]:  # compiled numpy functions are rebuilt where needed
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_compiled")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    @cached_property
    def _compiled(self) -> Any:
        syms = [symbol(p) for p in self.parameters]
        return sympy.lambdify(syms, list(self.payoffs.flat), modules="numpy", cse=True)

    def tensor(self, values: Mapping[str, Any] | None = None, **kwargs: Any) -> np.ndarray:
        """Payoffs evaluated over arrays of parameter values (broadcast together).

        Returns
        -------
        numpy.ndarray of shape (*batch, n_players, s_1, ..., s_n)
            ``batch`` is the broadcast shape of the given arrays (``()`` for scalars).
        """
        merged = self._values(values, kwargs, partial=False)
        arrays = np.broadcast_arrays(*(np.asarray(merged[p], dtype=float) for p in self.parameters))
        batch = arrays[0].shape if arrays else ()
        with np.errstate(all="ignore"):
            cells = self._compiled(*arrays)
        out = np.stack([np.broadcast_to(np.asarray(c, dtype=float), batch) for c in cells], axis=-1)
        return out.reshape(*batch, *self.payoffs.shape)

    # ----------------------------------------------------------------- rendering
    def __repr__(self) -> str:
        head = f"ParametricGame({self.title + ': ' if self.title else ''}{' x '.join(map(str, self.shape))}, "
        head += f"parameters {list(self.parameters)})"
        lines = [head]
        for cell in self.profiles():
            names = ", ".join(self.strategies[i][k] for i, k in enumerate(cell))
            pays = "; ".join(f"{p}: {self.payoffs[(i, *cell)]}" for i, p in enumerate(self.players))
            lines.append(f"  ({names}) -> {pays}")
        return "\n".join(lines)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ParametricGame):
            return NotImplemented
        return (
            self.parameters == other.parameters
            and self.players == other.players
            and self.strategies == other.strategies
            and self.payoffs.shape == other.payoffs.shape
            and all(sympy.simplify(a - b) == 0 for a, b in zip(self.payoffs.flat, other.payoffs.flat, strict=True))
        )

    __hash__ = None  # type: ignore[assignment]


def symbol_values(values: Mapping[str, Any] | None) -> dict[sympy.Symbol, sympy.Rational]:
    """Parameter values keyed by their sympy symbols, exactly (for ``xreplace``)."""
    return {symbol(k): exact_value(k, v) for k, v in (values or {}).items()}


def exact_value(name: str, value: Any) -> sympy.Rational:
    """A parameter value as an exact sympy rational (a float means the decimal it prints as)."""
    if isinstance(value, sympy.Rational):
        return value
    try:
        frac = decimal_fraction(value)
    except (TypeError, ValueError) as err:
        raise GameError(f"parameter {name!r}: {err}") from None
    return sympy.Rational(frac.numerator, frac.denominator)
