"""The one result type of every solver, recording how it was produced."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import pandas as pd

from negotiation.engine.game import NormalFormGame
from negotiation.engine.profile import MixedProfile


@dataclass(frozen=True)
class Equilibrium:
    """A verified equilibrium.

    Attributes
    ----------
    profile : MixedProfile
    payoffs : Mapping[str, object]
        Expected payoff of each player.
    regret : object
        The largest unilateral gain, recomputed independently of the solver
        (exactly 0 for exact equilibria).
    component : int or None
        Index of the connected component of equilibria it belongs to, when known.
    precise : Mapping or None
        For irrational equilibria: each probability as a decimal string to high
        precision (the profile holds the nearest floats).
    """

    profile: MixedProfile
    payoffs: Mapping[str, object]
    regret: object
    component: int | None = None
    precise: Mapping[str, Mapping[str, str]] | None = None

    @property
    def exact(self) -> bool:
        return self.profile.exact and self.precise is None


@dataclass(frozen=True)
class Continuum:
    """A set of equilibria with infinitely many points, found on one support profile.

    Attributes
    ----------
    supports : Mapping[str, tuple[str, ...]]
        The strategies played with positive probability throughout.
    equations : tuple[str, ...]
        Polynomial equations (in the support probabilities) that define the set.
    points : tuple[Equilibrium, ...]
        Verified equilibria sampled from the set.
    """

    supports: Mapping[str, tuple[str, ...]]
    equations: tuple[str, ...]
    points: tuple[Equilibrium, ...]


@dataclass(frozen=True)
class SolveResult:
    """Equilibria of a game, with a record of how they were computed.

    Attributes
    ----------
    game : NormalFormGame
    method : str
        The method that ran (``"pure"``, ``"all"``, ``"one"``, ``"zero_sum"``, ``"numeric"``).
    algorithm : str
        The algorithm behind it, e.g. ``"vertex enumeration (integer pivoting)"``.
    parameters : Mapping[str, Any]
        The parameters it ran with.
    exact : bool
        Whether every equilibrium is exact (Fractions with regret exactly 0).
    complete : bool
        Whether the method guarantees that every equilibrium of its kind was found
        (every extreme equilibrium for ``all``, every pure one for ``pure``).
    degenerate : bool or None
        Whether the game is degenerate (two players; ``None`` when not diagnosed).
    equilibria : tuple[Equilibrium, ...]
    components : tuple[tuple[int, ...], ...]
        Indices of ``equilibria`` that lie in one connected component of the
        equilibrium set; a component with two or more extreme equilibria is a
        continuum (every convex combination along its edges is an equilibrium).
    continua : tuple[Continuum, ...]
        Continua found by ``all`` on games with three or more players.
    details : Mapping[str, Any]
        Method-specific values, e.g. the value of a zero-sum game.
    notes : tuple[str, ...]
        Anything the user should know about completeness or precision.
    """

    game: NormalFormGame
    method: str
    algorithm: str
    parameters: Mapping[str, Any]
    exact: bool
    complete: bool
    degenerate: bool | None
    equilibria: tuple[Equilibrium, ...]
    components: tuple[tuple[int, ...], ...] = ()
    continua: tuple[Continuum, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.equilibria)

    def __iter__(self) -> Iterator[Equilibrium]:
        return iter(self.equilibria)

    def __getitem__(self, index: int) -> Equilibrium:
        return self.equilibria[index]

    @property
    def has_continuum(self) -> bool:
        """Whether the equilibrium set is known to contain infinitely many points."""
        return bool(self.continua) or any(len(c) > 1 for c in self.components)

    def profiles(self) -> list[MixedProfile]:
        return [e.profile for e in self.equilibria]

    def to_frame(self) -> pd.DataFrame:
        """One row per equilibrium: probabilities ``"player: strategy"``, payoffs,
        regret and component."""
        rows = []
        for k, eq in enumerate(self.equilibria):
            row: dict[str, object] = {"equilibrium": k}
            for p, labels in zip(self.game.players, self.game.strategies, strict=True):
                for s in labels:
                    row[f"{p}: {s}"] = eq.profile[p][s]
            for p in self.game.players:
                row[f"{p} payoff"] = eq.payoffs[p]
            row["regret"] = eq.regret
            row["component"] = eq.component
            rows.append(row)
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form printed by ``negotiation solve --format json``.

        Numbers are strings of fractions when the result is exact (``"1/2"``), with the same
        values as floats beside them (``profile_float``, ``payoffs_float``), and JSON numbers
        otherwise.
        """
        num = str if self.exact else float
        return {
            "players": list(self.game.players),
            "strategies": {p: list(s) for p, s in zip(self.game.players, self.game.strategies, strict=True)},
            "method": self.method,
            "algorithm": self.algorithm,
            "exact": self.exact,
            "complete": self.complete,
            "degenerate": self.degenerate,
            "continuum": self.has_continuum,
            "equilibria": [
                {
                    "profile": {
                        p: {s: num(v) for s, v in eq.profile[p].items()} for p in self.game.players
                    },
                    "payoffs": {p: num(v) for p, v in eq.payoffs.items()},
                    **({"profile_float": {p: {s: float(v) for s, v in eq.profile[p].items()}
                                          for p in self.game.players},
                        "payoffs_float": {p: float(v) for p, v in eq.payoffs.items()}} if self.exact else {}),
                    "component": eq.component,
                    **({"precise": eq.precise} if eq.precise else {}),
                }
                for eq in self.equilibria
            ],
            "components": [list(c) for c in self.components],
            "continua": [
                {
                    "supports": {p: list(s) for p, s in c.supports.items()},
                    "equations": list(c.equations),
                    "points": [
                        {p: {s: num(v) for s, v in pt.profile[p].items()} for p in self.game.players}
                        for pt in c.points
                    ],
                }
                for c in self.continua
            ],
            "details": {k: num(v) if isinstance(v, (Fraction, float, int)) else v for k, v in self.details.items()},
            "notes": list(self.notes),
        }

    def _repr_html_(self) -> str:
        import html

        head = (f"<p>{html.escape(self.method)} ({html.escape(self.algorithm)}): {len(self.equilibria)} equilibria; "
                f"exact {self.exact}, complete {self.complete}, degenerate {self.degenerate}</p>")
        return head + self.to_frame().astype(str).to_html(index=False)

    def __repr__(self) -> str:
        head = (
            f"SolveResult(method={self.method!r}, algorithm={self.algorithm!r}, exact={self.exact}, "
            f"complete={self.complete}, degenerate={self.degenerate}, {len(self)} equilibria"
        )
        if self.has_continuum:
            head += ", continuum"
        lines = [head + ")"]
        lines += [f"  [{k}] {eq.profile!r}" for k, eq in enumerate(self.equilibria)]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

