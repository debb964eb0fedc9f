"""Normal-form (strategic-form) games with any number of players."""

from __future__ import annotations

import html
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from negotiation.engine import latex
from negotiation.engine import profile as _prof
from negotiation.engine.expressions import suggest
from negotiation.engine.numbers import exact_array, float_array
from negotiation.engine.profile import MixedProfile
from negotiation.errors import GameError

PAYOFF_SUFFIX = " payoff"


@dataclass(frozen=True, eq=False)
class NormalFormGame:
    """An immutable game in strategic form.

    Parameters
    ----------
    payoffs : array_like of shape (n_players, s_1, ..., s_n)
        ``payoffs[i][a_1, ..., a_n]`` is player ``i``'s payoff at the pure profile
        ``(a_1, ..., a_n)``.  Floats give a float game; ints and Fractions give an exact
        game (``object`` array of :class:`fractions.Fraction`).
    players : sequence of str, optional
        Player names; default ``P1, P2, ...``.
    strategies : sequence of sequence of str, optional
        Strategy names per player; default ``s1, s2, ...``.
    title : str, optional
    exact : bool, optional
        Force exact (True) or float (False) payoffs; by default exact iff every payoff is
        an int or a Fraction.

    Examples
    --------
    >>> g = NormalFormGame.from_arrays([[3, 0], [5, 1]], [[3, 5], [0, 1]],
    ...                                players=("Row", "Col"))
    >>> g.shape
    (2, 2)
    >>> g.exact
    True
    """

    payoffs: np.ndarray
    players: tuple[str, ...] = ()
    strategies: tuple[tuple[str, ...], ...] = ()
    title: str = ""
    exact: bool | None = None

    def __post_init__(self) -> None:
        raw = np.asarray(self.payoffs, dtype=object if self.exact is not False else None)
        if raw.ndim < 2:
            raise GameError(
                f"payoffs must have shape (n_players, s_1, ..., s_n); got an array of {raw.ndim} dimension(s)"
            )
        n = raw.shape[0]
        if raw.ndim != n + 1:
            raise GameError(
                f"payoffs of shape {raw.shape} are inconsistent: {n} players need "
                f"{n + 1} dimensions, not {raw.ndim}"
            )
        if any(s == 0 for s in raw.shape[1:]):
            raise GameError(f"every player needs at least one strategy; payoff shape is {raw.shape}")
        exact = self.exact
        if exact is None:
            exact = all(
                isinstance(v, (int, np.integer, Fraction)) and not isinstance(v, bool)
                for v in raw.flat
            )
        try:
            arr = exact_array(raw) if exact else float_array(raw)
        except (TypeError, ValueError) as err:
            raise GameError(f"bad payoff: {err}") from None
        if not exact and not np.all(np.isfinite(arr)):
            bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
            raise GameError(f"payoff at index {bad} is not finite ({arr[bad]})")
        arr.setflags(write=False)
        players = tuple(self.players) or tuple(f"P{i + 1}" for i in range(n))
        if len(players) != n:
            raise GameError(f"{len(players)} player names for {n} players")
        if len(set(players)) != n:
            raise GameError(f"player names must be unique: {list(players)}")
        strategies = tuple(tuple(s) for s in self.strategies) or tuple(
            tuple(f"s{k + 1}" for k in range(size)) for size in arr.shape[1:]
        )
        if len(strategies) != n:
            raise GameError(f"strategy names given for {len(strategies)} players, game has {n}")
        for name, labels, size in zip(players, strategies, arr.shape[1:], strict=True):
            if len(labels) != size:
                raise GameError(
                    f"player {name!r} has {size} strategies in the payoffs but {len(labels)} names"
                )
            if len(set(labels)) != size:
                raise GameError(f"strategy names of player {name!r} must be unique: {list(labels)}")
        object.__setattr__(self, "payoffs", arr)
        object.__setattr__(self, "players", players)
        object.__setattr__(self, "strategies", tuple(tuple(str(s) for s in lab) for lab in strategies))
        object.__setattr__(self, "exact", bool(exact))

    # ----------------------------------------------------------------- constructors
    @classmethod
    def from_arrays(cls, *arrays: object, **kwargs: object) -> NormalFormGame:
        """One payoff array per player, each of shape (s_1, ..., s_n).

        A single array gives a two-player zero-sum game (the column player gets its
        negative), as in nashpy.
        """
        arrs = [np.asarray(a, dtype=object) for a in arrays]
        if len(arrs) == 1:
            arrs.append(-arrs[0])
        shapes = {a.shape for a in arrs}
        if len(shapes) != 1:
            raise GameError(f"payoff arrays have different shapes: {[a.shape for a in arrs]}")
        return cls(np.stack(arrs), **kwargs)  # type: ignore[arg-type]

    @classmethod
    def from_nashpy(cls, game: object, **kwargs: object) -> NormalFormGame:
        """From a :class:`nashpy.Game` (its ``payoff_matrices``)."""
        a, b = game.payoff_matrices  # type: ignore[attr-defined]
        return cls.from_arrays(a, b, **kwargs)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, title: str = "") -> NormalFormGame:
        """From a tidy table: one row per pure profile.

        The table has one column per player holding the strategy played, and one column
        ``"<player> payoff"`` per player.  Strategy order is the order of first
        appearance (or the categories' order for categorical columns).
        """
        pay_cols = [c for c in frame.columns if str(c).endswith(PAYOFF_SUFFIX)]
        players = tuple(str(c)[: -len(PAYOFF_SUFFIX)] for c in pay_cols)
        missing = [p for p in players if p not in frame.columns]
        if not players or missing:
            raise GameError(
                "a game table needs, for each player P, a column P (strategy) and a column "
                f"'P payoff'; missing strategy columns: {missing or 'all'}"
            )
        strategies = []
        for p in players:
            col = frame[p]
            if isinstance(col.dtype, pd.CategoricalDtype):
                strategies.append(tuple(str(c) for c in col.cat.categories))
            else:
                strategies.append(tuple(dict.fromkeys(str(v) for v in col)))
        shape = tuple(len(s) for s in strategies)
        if len(frame) != math.prod(shape):
            raise GameError(f"table has {len(frame)} rows, a full game of shape {shape} needs {math.prod(shape)}")
        payoffs = np.empty((len(players), *shape), dtype=object)
        filled = np.zeros(shape, dtype=bool)
        index = [{s: k for k, s in enumerate(labels)} for labels in strategies]
        for row_no, row in enumerate(frame.itertuples(index=False)):
            rec = dict(zip(frame.columns, row, strict=True))
            cell = tuple(index[i][str(rec[p])] for i, p in enumerate(players))
            if filled[cell]:
                raise GameError(f"table row {row_no}: profile {cell} appears twice")
            filled[cell] = True
            for i, p in enumerate(players):
                payoffs[(i, *cell)] = rec[p + PAYOFF_SUFFIX]
        return cls(payoffs, players=players, strategies=tuple(strategies), title=title)

    # ------------------------------------------------------------------ properties
    @property
    def n_players(self) -> int:
        return len(self.players)

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of strategies of each player."""
        return tuple(self.payoffs.shape[1:])

    def bimatrix(self) -> tuple[np.ndarray, np.ndarray]:
        """The two payoff matrices ``(A, B)`` of a two-player game."""
        if self.n_players != 2:
            raise GameError(f"bimatrix() needs a two-player game, this one has {self.n_players}")
        return self.payoffs[0], self.payoffs[1]

    def as_exact(self) -> NormalFormGame:
        """The same game with exact Fraction payoffs (floats are converted exactly)."""
        if self.exact:
            return self
        return NormalFormGame(self.payoffs, self.players, self.strategies, self.title, exact=True)

    def as_float(self) -> NormalFormGame:
        """The same game with float payoffs."""
        if not self.exact:
            return self
        return NormalFormGame(self.payoffs, self.players, self.strategies, self.title, exact=False)

    def is_zero_sum(self) -> bool:
        """Whether the payoffs sum to the same constant at every profile."""
        total = self.payoffs.sum(axis=0)
        first = total.flat[0]
        if self.exact:
            return all(v == first for v in total.flat)
        scale = max(1.0, float(np.abs(self.payoffs).max()))
        return bool(np.all(np.abs(total - first) <= 1e-12 * scale))

    def payoff_scale(self) -> float:
        """Largest payoff range of any player (1 if all payoffs are equal)."""
        arr = float_array(self.payoffs).reshape(self.n_players, -1)
        spread = float(np.max(arr.max(axis=1) - arr.min(axis=1)))
        return spread if spread > 0 else 1.0

    # --------------------------------------------------------------------- profiles
    def profile(self, spec: Mapping[str, object] | Sequence[object]) -> MixedProfile:
        """A labelled profile from ``{player: {strategy: p}}``, ``{player: strategy}``
        or a sequence of probability vectors."""
        if isinstance(spec, MixedProfile):
            return spec
        if isinstance(spec, Mapping):
            return _prof.profile_from_mapping(self.players, self.strategies, spec)  # type: ignore[arg-type]
        vecs = _prof.coerce_sigma(self.payoffs, spec)
        return MixedProfile(self.players, self.strategies, tuple(vecs))

    def profile_index(self, profile: Mapping[str, str] | Sequence[str | int]) -> tuple[int, ...]:
        """Strategy indices of a pure profile given by names (``{player: strategy}`` or a sequence)."""
        if isinstance(profile, Mapping):
            unknown = set(profile) - set(self.players)
            if unknown:
                raise GameError(f"unknown player(s) {sorted(unknown)}; players are {list(self.players)}")
            missing = [p for p in self.players if p not in profile]
            if missing:
                raise GameError(f"profile gives no strategy for {missing}")
            profile = [profile[p] for p in self.players]
        if len(profile) != self.n_players:
            raise GameError(f"a profile needs {self.n_players} strategies, got {len(profile)}")
        out = []
        for player, labels, s in zip(self.players, self.strategies, profile, strict=True):
            if isinstance(s, int) and not isinstance(s, bool) and 0 <= s < len(labels):
                out.append(s)
            elif s in labels:
                out.append(labels.index(s))  # type: ignore[arg-type]
            else:
                raise GameError(f"{player} has no strategy {s!r}{suggest(str(s), labels)}; strategies: {list(labels)}")
        return tuple(out)

    def pure_profile(self, indices: Sequence[int | str]) -> MixedProfile:
        """The pure profile playing strategy ``indices[i]`` for each player ``i`` (indices or names)."""
        vecs = []
        for k, size in zip(self.profile_index(indices), self.shape, strict=True):
            v = np.array([Fraction(0)] * size, dtype=object) if self.exact else np.zeros(size)
            v[k] = Fraction(1) if self.exact else 1.0
            vecs.append(v)
        return MixedProfile(self.players, self.strategies, tuple(vecs))

    def _sigma(self, profile: MixedProfile | Mapping[str, object] | Sequence[object]) -> list[np.ndarray]:
        prof = self.profile(profile)
        if prof.players != self.players or prof.strategies != self.strategies:
            raise GameError("profile's players or strategies do not match the game")
        return _prof.coerce_sigma(self.payoffs, prof.probabilities)

    def payoff(self, profile: object) -> dict[str, object]:
        """Expected payoff of each player."""
        values = _prof.expected_payoffs(self.payoffs, self._sigma(profile))  # type: ignore[arg-type]
        return dict(zip(self.players, values.tolist(), strict=True))

    def deviation_payoffs(self, profile: object, player: str | int) -> dict[str, object]:
        """Payoff of each pure strategy of ``player`` against the others' strategies."""
        i = player if isinstance(player, int) else self.players.index(player)
        dev = _prof.deviation_payoffs(self.payoffs, self._sigma(profile), i)  # type: ignore[arg-type]
        return dict(zip(self.strategies[i], dev.tolist(), strict=True))

    def best_responses(self, profile: object, tol: float = 0.0) -> dict[str, tuple[str, ...]]:
        """Each player's pure best responses to the others' strategies in ``profile``.

        With exact payoffs ``tol`` is ignored and ties are exact.
        """
        sigma = self._sigma(profile)  # type: ignore[arg-type]
        out = {}
        for i, name in enumerate(self.players):
            dev = _prof.deviation_payoffs(self.payoffs, sigma, i)
            best = max(dev)
            slack = 0 if self.exact else tol
            out[name] = tuple(s for s, v in zip(self.strategies[i], dev, strict=True) if v >= best - slack)
        return out

    def regrets(self, profile: object) -> dict[str, object]:
        """Each player's gain from the best unilateral deviation (0 at an equilibrium)."""
        values = _prof.player_regrets(self.payoffs, self._sigma(profile))  # type: ignore[arg-type]
        return dict(zip(self.players, values.tolist(), strict=True))

    def regret(self, profile: object) -> object:
        """The largest gain any player gets from a unilateral deviation.

        Exact (a Fraction) when the payoffs are exact.
        """
        return max(_prof.player_regrets(self.payoffs, self._sigma(profile)))  # type: ignore[arg-type]

    def is_nash(self, profile: object, tol: float = 1e-9) -> bool:
        """Whether ``profile`` is a Nash equilibrium.

        With exact payoffs the check is exact (regret must be 0) and ``tol`` is ignored;
        otherwise regret must be at most ``tol`` times the payoff scale.
        """
        r = self.regret(profile)
        if self.exact and isinstance(r, Fraction):
            return r == 0
        return float(r) <= tol * self.payoff_scale()

    def restrict(self, keep: Sequence[Sequence[int]]) -> NormalFormGame:
        """The subgame in which player ``i`` keeps only strategies ``keep[i]``."""
        arr = self.payoffs
        for axis, idx in enumerate(keep, start=1):
            arr = np.take(arr, list(idx), axis=axis)
        strategies = tuple(tuple(self.strategies[i][k] for k in idx) for i, idx in enumerate(keep))
        return NormalFormGame(arr, self.players, strategies, self.title, exact=self.exact)

    # ------------------------------------------------------------------ conversions
    def to_nashpy(self) -> object:
        """A :class:`nashpy.Game` with float payoffs (two players only)."""
        import nashpy

        a, b = self.bimatrix()
        return nashpy.Game(float_array(a), float_array(b))

    def to_frame(self) -> pd.DataFrame:
        """A tidy table: one row per pure profile (see :meth:`from_frame`)."""
        rows = []
        for cell in itertools.product(*(range(s) for s in self.shape)):
            row: dict[str, object] = {
                p: self.strategies[i][k] for i, (p, k) in enumerate(zip(self.players, cell, strict=True))
            }
            for i, p in enumerate(self.players):
                row[p + PAYOFF_SUFFIX] = self.payoffs[(i, *cell)]
            rows.append(row)
        frame = pd.DataFrame(rows)
        for i, p in enumerate(self.players):
            frame[p] = pd.Categorical(frame[p], categories=list(self.strategies[i]), ordered=True)
        return frame

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NormalFormGame):
            return NotImplemented
        return (
            self.players == other.players
            and self.strategies == other.strategies
            and self.exact == other.exact
            and self.payoffs.shape == other.payoffs.shape
            and bool(np.all(self.payoffs == other.payoffs))
        )

    def __hash__(self) -> int:
        return hash((self.players, self.strategies, tuple(self.payoffs.flat)))

    # ------------------------------------------------------------------- rendering
    def _cell_text(self, cell: tuple[int, ...]) -> str:
        return ", ".join(_num(self.payoffs[(i, *cell)]) for i in range(self.n_players))

    def __repr__(self) -> str:
        kind = "exact" if self.exact else "float"
        head = f"NormalFormGame({self.title + ': ' if self.title else ''}{' x '.join(map(str, self.shape))}, {kind})"
        if self.n_players != 2 or max(self.shape) > 8:
            return head + f"\n  players: {list(self.players)}"
        rows_label, cols_label = self.players
        cells = [[self._cell_text((r, c)) for c in range(self.shape[1])] for r in range(self.shape[0])]
        width = max(len(x) for row in cells for x in row + list(self.strategies[1]))
        left = max(len(rows_label), *(len(s) for s in self.strategies[0]))
        lines = [head, f"{rows_label} (rows) vs {cols_label} (columns)"]
        lines.append(" " * left + " | " + " | ".join(s.center(width) for s in self.strategies[1]))
        for r, label in enumerate(self.strategies[0]):
            lines.append(label.ljust(left) + " | " + " | ".join(x.center(width) for x in cells[r]))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        esc = html.escape
        if self.n_players != 2:
            return f"<pre>{esc(repr(self))}</pre>"
        head = "".join(f"<th>{esc(s)}</th>" for s in self.strategies[1])
        body = "".join(
            f"<tr><th>{esc(r)}</th>"
            + "".join(f"<td>{esc(self._cell_text((i, j)))}</td>" for j in range(self.shape[1]))
            + "</tr>"
            for i, r in enumerate(self.strategies[0])
        )
        caption = f"<caption>{esc(self.title)}</caption>" if self.title else ""
        return (
            f"<table>{caption}<thead><tr><th>{esc(self.players[0])} \\ {esc(self.players[1])}</th>"
            f"{head}</tr></thead><tbody>{body}</tbody></table>"
        )

    def to_latex(self, caption: str | None = None, label: str | None = None) -> str:
        """A bimatrix table for papers (LaTeX ``tabular`` inside a ``table``).

        Each cell shows ``u_1, u_2``; rows are the first player's strategies.
        """
        if self.n_players != 2:
            raise GameError("to_latex() renders two-player games as a bimatrix")
        corner = rf"{latex.escape(self.players[0])} $\backslash$ {latex.escape(self.players[1])}"
        header = [corner, *(latex.escape(s) for s in self.strategies[1])]
        rows = [
            [latex.escape(r)]
            + [
                "$" + ", ".join(_latex_num(self.payoffs[(k, i, j)]) for k in range(2)) + "$"
                for j in range(self.shape[1])
            ]
            for i, r in enumerate(self.strategies[0])
        ]
        return latex.table(header, rows, "l|" + "c" * self.shape[1], caption or self.title or None, label, raw=True)


def _num(v: object) -> str:
    if isinstance(v, Fraction):
        return str(v)
    f = float(v)  # type: ignore[arg-type]
    return str(int(f)) if f.is_integer() else f"{f:.6g}"


def _latex_num(v: object) -> str:
    if isinstance(v, Fraction) and v.denominator != 1:
        sign = "-" if v < 0 else ""
        return rf"{sign}\frac{{{abs(v.numerator)}}}{{{v.denominator}}}"
    return _num(v)
