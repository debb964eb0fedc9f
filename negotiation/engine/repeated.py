"""Repeated games: when a ceasefire is self-enforcing.

A stage game is played in every period and payoffs are discounted by ``delta``
(normalised by ``1 - delta``, so a constant stream is worth its stage payoff).  A target
stage profile (say, mutual restraint) is sustained by a trigger strategy: play the
target while no violation is signalled; on a signal, play a punishment profile for
``periods`` periods (``None``: for ever, grim trigger) and then return to the target.

Monitoring may be imperfect: a violation is signalled with probability ``detection``
and compliance with probability ``false_alarm`` (a false alarm triggers punishment on
the path of play).  For player ``i`` with target payoff ``u``, best deviation payoff
``d`` and punishment payoff ``p``, the one-shot-deviation condition in the cooperative
state is ``margin >= 0`` with

    margin = (u - d) (1 - delta + delta a (1 - delta^T)) + delta (q - a) (1 - delta^T) (u - p),

``q`` the detection and ``a`` the false-alarm probability, ``delta^T = 0`` for grim
trigger.  For grim trigger this gives the critical discount factor

    delta* = (d - u) / ((q - a) (u - p) + (1 - a) (d - u)),

which is ``(T - R) / (T - P)`` in the prisoner's dilemma with perfect monitoring
(Friedman 1971, *Review of Economic Studies* 38, 1-12; Axelrod 1984, *The Evolution of
Cooperation*, ch. 1; imperfect monitoring as in Green and Porter 1984, *Econometrica*
52, 87-100, in the trigger-strategy form of Mailath and Samuelson 2006, *Repeated Games
and Reputations*, ch. 7).  :meth:`Sustainability.one_shot_gains` checks the same
strategy numerically, state by state, by solving for the automaton's values (the
one-shot deviation principle, Mailath and Samuelson 2006, Prop. 2.2.1).

Also here: minmax values (:func:`minmax`), the feasible and individually rational payoff
set (:func:`feasible_set`), finitely repeated games as trees solved by backward
induction (:func:`finitely_repeated`), and a seeded simulation of noisy strategies
(:func:`simulate`).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import sympy

from negotiation.engine.expressions import ExpressionError, parse_expression
from negotiation.engine.extensive import ExtensiveFormGame, Node, decision, leaf
from negotiation.engine.game import NormalFormGame
from negotiation.engine.geometry import clip, convex_hull
from negotiation.engine.numbers import to_fraction
from negotiation.engine.parametric import ParametricGame, exact_value, symbol_values
from negotiation.errors import GameError

DELTA = sympy.Symbol("delta", positive=True)

StageGame = NormalFormGame | ParametricGame


def _payoff(stage: StageGame, i: int, cell: tuple[int, ...]) -> sympy.Expr:
    if isinstance(stage, ParametricGame):
        return stage.payoff(i, cell)
    return sympy.Rational(to_fraction(stage.payoffs[(i, *cell)]))


def minmax(stage: NormalFormGame, player: str | int) -> tuple[Any, list[np.ndarray]]:
    """The minmax value of ``player`` and the others' strategies that hold it there.

    With two players the punisher may mix: the value is that of the zero-sum game in
    ``player``'s payoffs, solved exactly when the payoffs are exact.  With more players
    the punishers are restricted to pure strategies (independent mixing makes the
    problem non-convex), which gives an upper bound on the mixed minmax.

    Returns
    -------
    value
        ``min over the others' strategies of max over own strategies``.
    strategies : list of ndarray
        One probability vector per player (the player's own entry is its best reply).
    """
    from negotiation.engine.solvers import solve

    i = player if isinstance(player, int) else stage.players.index(player)
    u = stage.payoffs[i]
    if stage.n_players == 2:
        mine = u if i == 0 else u.T
        zero_sum = NormalFormGame(np.stack([mine, -mine]), exact=stage.exact)
        eq = solve(zero_sum, "one", exact=stage.exact).equilibria[0]
        value = next(iter(eq.payoffs.values()))
        own, other = eq.profile.probabilities
        return value, [own, other] if i == 0 else [other, own]
    best_value, best_cell = None, None
    others = [range(s) for j, s in enumerate(stage.shape) if j != i]
    for cell in itertools.product(*others):
        full = list(cell)
        values = [u[tuple([*full[:i], a, *full[i:]])] for a in range(stage.shape[i])]
        top = max(values)
        if best_value is None or top < best_value:
            best_value, best_cell = top, [*full[:i], int(np.argmax(values)), *full[i:]]
    strategies = []
    for j, k in enumerate(best_cell):  # type: ignore[arg-type]
        v = np.zeros(stage.shape[j])
        v[k] = 1.0
        strategies.append(v)
    return best_value, strategies


@dataclass(frozen=True)
class IncentiveConstraint:
    """One one-shot-deviation constraint of a trigger strategy: a player, in one state.

    ``margin`` is a positive multiple of (value of complying) - (value of the best one-shot
    deviation), a polynomial in ``delta`` (and in the stage game's parameters); ``critical``
    is the least ``delta`` in ``[0, 1)`` from which it holds up to 1 (``0`` if always,
    ``None`` if never; infinite where no discount factor suffices, in closed forms).
    """

    state: str
    player: str
    margin: sympy.Expr
    critical: sympy.Expr | None

    @property
    def phase(self) -> str:
        """``"cooperate"``, ``"punish"`` or ``"revert"``: on the path, in the punishment, after it."""
        return self.state.split()[0]


CATEGORIES = ("one-shot equilibrium", "sustained by a credible punishment", "sustained only by a non-credible threat",
              "not sustainable")


@dataclass(frozen=True)
class Sustainability:
    """Whether, and from which discount factor, a trigger strategy is a subgame-perfect equilibrium.

    Every state of the strategy is checked (the one-shot deviation principle, Mailath and
    Samuelson 2006, Prop. 2.2.1): the cooperative state, each period of the punishment, and
    the stage equilibrium played after a deviation from the punishment, if there is one.  A
    threshold that only the cooperative state meets rests on a threat no one would carry
    out: :attr:`cooperative_critical` keeps it apart, and :meth:`classify` names the case.

    Attributes
    ----------
    target : tuple of str
        The stage profile to sustain.
    punishment : str
        ``"minmax"`` or the punishment profile's strategies joined by ``", "``.
    periods : int or None
        Length of the punishment; ``None`` for grim trigger.
    enforce : str
        How a deviation from the punishment is itself punished: ``"restart"`` (the
        punishment starts again: stick and carrot) or the stage equilibrium played for ever
        after it (its strategies joined by ``", "``).
    detection, false_alarm : sympy.Expr
    constraints : tuple of IncentiveConstraint
        Every state's constraint for every player.
    margins : dict
        Player -> the cooperative-state margin (``>= 0`` where the player keeps the target).
    critical : dict
        Player -> the smallest ``delta`` from which all of the player's constraints hold up
        to 1 (``0`` if always, ``None`` if never; with parameters, a closed form in them for
        grim trigger, infinite where no discount factor suffices).
    cooperative_critical : dict
        Player -> the same for the cooperative state alone: the threshold if the punishment
        were sure to be carried out (a Nash, not necessarily subgame-perfect, threshold).
    """

    stage: StageGame = field(repr=False)
    target: tuple[str, ...]
    punishment: str
    periods: int | None
    enforce: str
    detection: sympy.Expr
    false_alarm: sympy.Expr
    constraints: tuple[IncentiveConstraint, ...]
    margins: dict[str, sympy.Expr]
    critical: dict[str, sympy.Expr | None]
    cooperative_critical: dict[str, sympy.Expr | None]
    _automaton: _Automaton = field(repr=False, default=None)  # type: ignore[assignment]

    @property
    def delta_star(self) -> sympy.Expr | None:
        """The critical discount factor of the whole set of constraints (``None`` if never)."""
        return _combine(list(self.critical.values()))

    @property
    def cooperative_delta_star(self) -> sympy.Expr | None:
        """The critical discount factor of the cooperative state alone (``None`` if never)."""
        return _combine(list(self.cooperative_critical.values()))

    @property
    def stage_gains(self) -> list[sympy.Expr]:
        """Each player's best one-shot gain at the target in the stage game (all ``<= 0``: a stage equilibrium)."""
        return self._automaton.stage_gains

    def _subs(self, delta: Any, values: Mapping[str, Any] | None) -> dict[sympy.Symbol, Any]:
        d = exact_value("delta", delta)
        if not 0 <= d < 1:
            raise GameError(f"delta must be in [0, 1), not {delta}")
        return {DELTA: d, **symbol_values(values)}

    def _held(self, delta: Any, values: Mapping[str, Any] | None, phases: Sequence[str]) -> bool:
        subs = self._subs(delta, values)
        return all(bool(c.margin.xreplace(subs) >= 0) for c in self.constraints if c.phase in phases)

    def holds(self, delta: Any, values: Mapping[str, Any] | None = None) -> bool:
        """Whether the target is sustained at ``delta`` in a subgame-perfect equilibrium.

        True where the target is a stage equilibrium (played whatever happened before), or
        where every constraint of every state of the strategy holds.
        """
        return self.classify(delta, values) in CATEGORIES[:2]

    def credible(self, delta: Any, values: Mapping[str, Any] | None = None) -> bool:
        """Whether the punishment (and what enforces it) is itself an equilibrium at ``delta``."""
        return self._held(delta, values, ("punish", "revert"))

    def classify(self, delta: Any, values: Mapping[str, Any] | None = None) -> str:
        """One of :data:`CATEGORIES` at ``delta``.

        ``"one-shot equilibrium"``: the target is a stage Nash equilibrium (repetition
        explains nothing); ``"sustained by a credible punishment"``: every constraint holds;
        ``"sustained only by a non-credible threat"``: the cooperative state's constraints
        hold but a punishment state's fail; ``"not sustainable"``: the cooperative state's fail.
        """
        subs = symbol_values(values)
        if all(bool(g.xreplace(subs) <= 0) for g in self.stage_gains):
            return CATEGORIES[0]
        if not self._held(delta, values, ("cooperate",)):
            return CATEGORIES[3]
        return CATEGORIES[1] if self.credible(delta, values) else CATEGORIES[2]

    def summary(self) -> str:
        """One paragraph: whether, from which discount factor, and what breaks the strategy if nothing sustains it."""
        target = f"({', '.join(self.target)})"
        if any(g.free_symbols for g in self.stage_gains) or any(
                isinstance(c.critical, sympy.Basic) and c.critical.free_symbols for c in self.constraints):
            return (f"{target} sustained from the closed-form delta* in the parameters; evaluate it at values "
                    "(scenario.sustainability(name, overrides)) for a verdict.")
        if all(g <= 0 for g in self.stage_gains):
            return (f"{target} is a stage Nash equilibrium: it holds in one shot, so repetition explains nothing "
                    "(delta* = 0).")
        star, coop = self.delta_star, self.cooperative_delta_star
        failing = [c for c in self.constraints if c.phase != "cooperate" and c.critical is None]
        if star is not None:
            binding = max(self.constraints, key=lambda c: -1 if c.critical is None else c.critical)
            return (f"{target} is sustained in a subgame-perfect equilibrium for delta >= {star} "
                    f"({float(star):.4g}); binding: {binding.player} in state '{binding.state}'.")
        if coop is None:
            return f"{target} is not sustainable at any discount factor: the cooperative state's constraints fail."
        who = "; ".join(f"{c.player} in state '{c.state}'" for c in failing)
        return (f"{target} is not subgame perfect at any discount factor. The cooperative state alone would need "
                f"delta >= {coop} ({float(coop):.4g}), but that rests on a threat that is not credible: {who} gains "
                f"by deviating from the punishment ({self.punishment}) at every delta. Punish with a stage "
                "equilibrium, or for a fixed number of periods with enforce='restart' (stick and carrot).")

    def one_shot_gains(self, delta: float, values: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """Each player's best one-shot gain in each state of the strategy, computed numerically.

        Independent of the closed forms: the values of the automaton's states come from
        solving its linear Bellman system in floating point; a deviation earns the best
        stage payoff now and moves the play as the strategy says (in the cooperative state a
        violation is signalled with probability ``detection``; a deviation from the
        punishment is seen and handled by :attr:`enforce`).  The profile is a
        subgame-perfect equilibrium when every gain is ``<= 0``.

        Returns
        -------
        DataFrame
            Columns ``state``, ``player``, ``gain``.
        """
        return self._automaton.gains(float(delta), values)

    def to_frame(self) -> pd.DataFrame:
        """One row per constraint: state, player, margin and critical delta (exact text and float)."""
        rows = []
        for c in self.constraints:
            crit = c.critical
            rows.append({"state": c.state, "player": c.player, "margin": str(c.margin),
                         "critical_delta": None if crit is None else str(crit),
                         "critical_delta_float": None if crit is None or crit.free_symbols else float(crit)})
        return pd.DataFrame(rows)


def _combine(values: list[sympy.Expr | None]) -> sympy.Expr | None:
    if any(v is None for v in values):
        return None
    return sympy.Max(*values) if len(values) > 1 else values[0]


@dataclass(frozen=True)
class _Automaton:
    """The trigger strategy as an automaton: which stage profile each state plays and where play goes.

    States: ``cooperate`` (the target); the punishment, one chain of ``periods`` states (one
    absorbing state for grim trigger) per punishment profile (one common profile, or one
    per punished player for minmax); and ``revert``, the stage equilibrium played for ever
    after a deviation from the punishment when ``enforce`` names one.  On the path a false
    alarm starts the punishment; a deviation in the cooperative state is signalled with
    probability ``detection``; a deviation from the punishment is seen (the fighting is in
    the open) and restarts the deviator's punishment or starts the reversion.
    """

    stage: StageGame
    target: tuple[int, ...]
    chains: tuple[tuple[int, ...], ...]
    periods: int | None
    revert: tuple[int, ...] | None
    detection: sympy.Expr
    false_alarm: sympy.Expr

    @property
    def length(self) -> int:
        return 1 if self.periods is None else self.periods

    def chain_of(self, i: int) -> int:
        """The punishment chain a deviation by player ``i`` starts."""
        return 0 if len(self.chains) == 1 else i

    def label(self, k: int, s: int) -> str:
        who = "" if len(self.chains) == 1 else f" {self.stage.players[k]}"
        return f"punish{who}" + ("" if self.periods is None else f" {s}")

    def states(self) -> list[tuple[str, tuple[int, ...]]]:
        out = [("cooperate", self.target)]
        out += [(self.label(k, s), cell) for k, cell in enumerate(self.chains) for s in range(1, self.length + 1)]
        if self.revert is not None:
            out.append(("revert", self.revert))
        return out

    @property
    def stage_gains(self) -> list[sympy.Expr]:
        """Each player's best one-shot gain at the target in the stage game (``<= 0`` for all: a stage equilibrium)."""
        return [_gain(self.stage, i, self.target) for i in range(self.stage.n_players)]

    # ---------------------------------------------------------- closed forms
    def constraints(self) -> list[IncentiveConstraint]:
        """Every state's constraint, as a polynomial margin in ``delta`` times a positive factor.

        With ``D = 1 - delta + a delta (1 - delta^T)`` (the discounting of the cooperative
        state's value), values are carried as ``V * D``: ``V_C D = (1 - delta) u + a delta p
        (1 - delta^T)``, and a punishment state ``m`` periods from its end has
        ``V D = p (1 - delta^m) D + delta^m V_C D``.  For grim trigger every margin is
        linear in ``delta`` and its threshold is in closed form.
        """
        stage, q, a = self.stage, self.detection, self.false_alarm
        grim = self.periods is None
        t_pow = 0 if grim else DELTA**self.periods
        out = []
        for i, name in enumerate(stage.players):
            u, g = _payoff(stage, i, self.target), _gain(stage, i, self.target)
            p = _payoff(stage, i, self.chains[self.chain_of(i)])
            margin = -g * (1 - DELTA + DELTA * a * (1 - t_pow)) + DELTA * (q - a) * (1 - t_pow) * (u - p)
            if grim:
                crit = _linear_critical(-g, (1 - a) * g + (q - a) * (u - p))
            else:
                crit = _polynomial_critical(margin)
            out.append(IncentiveConstraint("cooperate", name, _tidy(margin), crit))
        for k, cell in enumerate(self.chains):
            for s in range(1, self.length + 1):
                for i, name in enumerate(stage.players):
                    p, g = _payoff(stage, i, cell), _gain(stage, i, cell)
                    w = _payoff(stage, i, self.revert) if self.revert is not None else None
                    if grim:  # V = p in the punishment; a deviation leads to V = p of the deviator's chain, or to w
                        after = w if w is not None else _payoff(stage, i, self.chains[self.chain_of(i)])
                        margin = -(1 - DELTA) * g + DELTA * (p - after)
                        crit = _linear_critical(-g, g + (p - after))
                    else:
                        nxt = self._value_d(i, k, s + 1)
                        dev = w * self._discounting() if w is not None else self._value_d(i, self.chain_of(i), 1)
                        margin = -(1 - DELTA) * g * self._discounting() + DELTA * (nxt - dev)
                        crit = _polynomial_critical(margin)
                    out.append(IncentiveConstraint(self.label(k, s), name, _tidy(margin), crit))
        if self.revert is not None:
            for i, name in enumerate(stage.players):
                g = _gain(stage, i, self.revert)
                out.append(IncentiveConstraint("revert", name, _tidy(-(1 - DELTA) * g), _linear_critical(-g, g)))
        return out

    def _discounting(self) -> sympy.Expr:
        return 1 - DELTA + DELTA * self.false_alarm * (1 - DELTA**self.length)

    def _value_d(self, i: int, k: int, s: int) -> sympy.Expr:
        """``V * D`` of player ``i`` in state ``s`` of chain ``k`` (``s = periods + 1``: back to cooperation)."""
        u = _payoff(self.stage, i, self.target)
        p0 = _payoff(self.stage, i, self.chains[0])
        coop = (1 - DELTA) * u + self.false_alarm * DELTA * p0 * (1 - DELTA**self.length)
        m = self.length - s + 1
        return _payoff(self.stage, i, self.chains[k]) * (1 - DELTA**m) * self._discounting() + DELTA**m * coop

    # ------------------------------------------------------------- numerics
    def gains(self, delta: float, values: Mapping[str, Any] | None) -> pd.DataFrame:
        stage = self.stage.at(values or {}) if isinstance(self.stage, ParametricGame) else self.stage
        u = np.asarray(stage.payoffs, dtype=float)
        subs = symbol_values(values)
        q, a = float(self.detection.xreplace(subs)), float(self.false_alarm.xreplace(subs))
        states = self.states()
        size, length = len(states), self.length

        def first(k: int) -> int:
            return 1 + k * length

        def successor(x: int) -> int:
            if x == 0 or self.periods is None or (self.revert is not None and x == size - 1):
                return x
            return x + 1 if (x - 1) % length + 1 < length else 0

        path = np.zeros((size, size))
        path[0, 0], path[0, first(0)] = 1 - a, a
        for x in range(1, size):
            path[x, successor(x)] = 1.0
        rows = []
        for i, name in enumerate(stage.players):
            pay = np.array([u[(i, *cell)] for _, cell in states])
            v = np.linalg.solve(np.eye(size) - delta * path, (1 - delta) * pay)
            for x, (label, cell) in enumerate(states):
                best = max(u[(i, *cell[:i], b, *cell[i + 1:])] for b in range(stage.shape[i]))
                if x == 0:
                    after = (1 - q) * v[0] + q * v[first(self.chain_of(i))]
                elif self.revert is not None:
                    after = v[size - 1]
                else:
                    after = v[first(self.chain_of(i))]
                rows.append({"state": label, "player": name, "gain": float((1 - delta) * best + delta * after - v[x])})
        return pd.DataFrame(rows)


def _gain(stage: StageGame, i: int, cell: tuple[int, ...]) -> sympy.Expr:
    """Player ``i``'s best one-shot gain at ``cell`` in the stage game, ``>= 0``.

    Written as ``Max(0, u(b) - u(cell), ...)`` so that it is exactly zero where ``cell`` is a
    best response, also when evaluated in floating point.
    """
    here = _payoff(stage, i, cell)
    options = [_payoff(stage, i, (*cell[:i], b, *cell[i + 1:])) - here for b in range(stage.shape[i]) if b != cell[i]]
    return sympy.Max(sympy.Integer(0), *options)


def _tidy(margin: sympy.Expr) -> sympy.Expr:
    return sympy.factor(margin) if not margin.free_symbols - {DELTA} else margin


def _linear_critical(a0: sympy.Expr, slope: sympy.Expr) -> sympy.Expr | None:
    """The least ``delta`` in [0, 1) from which ``a0 + slope * delta >= 0`` holds up to 1.

    ``0`` if it holds on all of [0, 1); ``-a0 / slope`` if it starts to hold inside; never
    (``None``, or infinity in a closed form in parameters) if it fails just below 1.
    """
    end = a0 + slope
    if (a0.free_symbols if isinstance(a0, sympy.Basic) else ()) or \
            (end.free_symbols if isinstance(end, sympy.Basic) else ()):
        return sympy.Piecewise((sympy.Integer(0), sympy.And(a0 >= 0, end >= 0)), (-a0 / slope, end > 0),
                               (sympy.oo, True))
    if a0 >= 0 and end >= 0:
        return sympy.Integer(0)
    return -a0 / slope if end > 0 else None


def _polynomial_critical(margin: sympy.Expr) -> sympy.Expr | None:
    """The least ``delta`` in [0, 1) from which ``margin >= 0`` holds up to 1 (numeric games)."""
    if margin.free_symbols - {DELTA}:
        raise GameError("a punishment of a fixed length has no closed-form threshold in the parameters "
                        "(it is a root of a polynomial of that degree); use the numeric game: stage.at(values)")
    margin = sympy.expand(margin)
    if margin.is_number:
        return sympy.Integer(0) if margin >= 0 else None
    holds = sympy.solve_univariate_inequality(sympy.Ge(margin, 0), DELTA, relational=False,
                                              domain=sympy.Interval.Ropen(0, 1))
    if holds is sympy.S.EmptySet:
        return None
    last = holds.args[-1] if isinstance(holds, sympy.Union) else holds
    if not isinstance(last, sympy.Interval) or last.sup != 1:
        return None
    return last.inf


def sustainability(
    stage: StageGame,
    target: Mapping[str, str] | Sequence[str | int],
    punishment: Mapping[str, str] | Sequence[str | int] | str = "nash",
    periods: int | None = None,
    detection: Any = 1,
    false_alarm: Any = 0,
    enforce: Mapping[str, str] | Sequence[str | int] | str = "restart",
) -> Sustainability:
    """The discount factors at which a trigger strategy is a subgame-perfect equilibrium (see the module docstring).

    Parameters
    ----------
    stage : NormalFormGame or ParametricGame
    target : profile
        ``{player: strategy}`` or a sequence of strategy names.
    punishment : profile, ``"nash"`` or ``"minmax"``
        The stage profile played after a signal.  ``"nash"`` takes the stage game's
        unique pure equilibrium (an error if there is none or several: name one).
        ``"minmax"`` holds each deviator to its minmax value (numeric games only).
    periods : int, optional
        Punishment length; grim trigger by default.
    detection, false_alarm : number or expression
        Probability that a violation, respectively compliance, is signalled in the
        cooperative state.
    enforce : ``"restart"``, ``"nash"`` or profile
        What follows a deviation from the punishment: ``"restart"`` starts the
        deviator's punishment again (with ``periods``, Abreu's stick and carrot; with grim
        trigger the punishment must then be a stage equilibrium), or a stage Nash
        equilibrium played for ever (``"nash"``: the unique pure one).

    Examples
    --------
    >>> pd_ = NormalFormGame.from_arrays([[3, 0], [5, 1]], [[3, 5], [0, 1]],
    ...                                  strategies=(("C", "D"), ("C", "D")))
    >>> sustainability(pd_, ("C", "C")).delta_star
    1/2
    """
    target_cell = stage.profile_index(target)
    q, a = _probability(stage, "detection", detection), _probability(stage, "false_alarm", false_alarm)
    if not (q.free_symbols or a.free_symbols) and not (0 <= a < q <= 1):
        raise GameError(f"need 0 <= false_alarm < detection <= 1; got detection={q}, false_alarm={a}")
    if periods is not None and (isinstance(periods, bool) or not isinstance(periods, int) or periods < 1):
        raise GameError(f"periods must be a positive integer or None (grim trigger), not {periods!r}")
    n = stage.n_players
    if isinstance(punishment, str) and punishment == "minmax":
        if isinstance(stage, ParametricGame):
            raise GameError("minmax punishment needs numeric payoffs: use game.at(values)")
        if a != 0:
            raise GameError("with minmax punishment a false alarm would not say whom to punish; use false_alarm=0")
        chains = []
        for i in range(n):
            _, strategies = minmax(stage, i)
            if any(np.count_nonzero(np.asarray(s, dtype=float)) > 1 for j, s in enumerate(strategies) if j != i):
                raise GameError(f"minmaxing {stage.players[i]} needs a mixed strategy; name a pure punishment "
                                "profile, or use punishment='nash'")
            chains.append(tuple(int(np.argmax(np.asarray(s, dtype=float))) for s in strategies))
        label = "minmax"
    else:
        cell = _unique_pure_nash(stage) if isinstance(punishment, str) and punishment == "nash" else \
            stage.profile_index(punishment)  # type: ignore[arg-type]
        chains = [cell]
        label = _cell_label(stage, cell)
    if isinstance(enforce, str) and enforce == "restart":
        revert = None
    else:
        revert = _unique_pure_nash(stage) if isinstance(enforce, str) and enforce == "nash" else \
            stage.profile_index(enforce)  # type: ignore[arg-type]
        if not isinstance(stage, ParametricGame) and not stage.is_nash(stage.pure_profile(revert), tol=0):
            raise GameError(f"enforce: ({_cell_label(stage, revert)}) is not a stage Nash equilibrium, so reverting "
                            "to it would not be credible either")
    auto = _Automaton(stage, target_cell, tuple(chains), periods, revert, q, a)
    constraints = tuple(auto.constraints())
    if isinstance(stage, ParametricGame):  # closed forms: never is an infinite threshold
        constraints = tuple(IncentiveConstraint(c.state, c.player, c.margin, sympy.oo if c.critical is None
                                                else c.critical) for c in constraints)
    critical, cooperative = {}, {}
    for name in stage.players:
        mine = [c for c in constraints if c.player == name]
        cooperative[name] = next(c.critical for c in mine if c.phase == "cooperate")
        critical[name] = _combine([c.critical for c in mine])
    one_shot = auto.stage_gains
    if any(g.free_symbols for g in one_shot):
        critical = {k: sympy.Piecewise((sympy.Integer(0), sympy.And(*(g <= 0 for g in one_shot))), (v, True))
                    for k, v in critical.items()}
    elif all(g <= 0 for g in one_shot):  # the target is a stage equilibrium: sustained at every delta
        critical = dict.fromkeys(critical, sympy.Integer(0))
    return Sustainability(stage, tuple(stage.strategies[i][k] for i, k in enumerate(target_cell)), label, periods,
                          "restart" if revert is None else _cell_label(stage, revert), q, a, constraints,
                          {c.player: c.margin for c in constraints if c.phase == "cooperate"}, critical, cooperative,
                          auto)


def _cell_label(stage: StageGame, cell: tuple[int, ...]) -> str:
    return ", ".join(stage.strategies[i][k] for i, k in enumerate(cell))


def _probability(stage: StageGame, name: str, value: Any) -> sympy.Expr:
    """A number (a float read as its decimal), or an expression of the stage game's parameters."""
    if isinstance(value, sympy.Expr):
        return value
    if isinstance(value, str) and isinstance(stage, ParametricGame):
        try:
            return parse_expression(value, stage.parameters)
        except ExpressionError as err:
            raise GameError(f"{name}: {err}") from None
    return exact_value(name, value)


def _unique_pure_nash(stage: StageGame) -> tuple[int, ...]:
    if isinstance(stage, ParametricGame):
        raise GameError("with symbolic payoffs name the punishment profile (which stage equilibrium to revert to)")
    from negotiation.engine.solvers import solve

    pure = solve(stage, "pure").equilibria
    if len(pure) != 1:
        raise GameError(f"the stage game has {len(pure)} pure equilibria; name the punishment profile")
    return tuple(int(np.argmax(np.asarray(v, dtype=float))) for v in pure[0].profile.probabilities)


# ---------------------------------------------------------------- payoff sets
@dataclass(frozen=True)
class PayoffSet:
    """The feasible payoff set of a two-player stage game and its individually rational part.

    Attributes
    ----------
    feasible : list of (x, y)
        Vertices of the convex hull of the pure payoff pairs, counter-clockwise.
    minmax : (v1, v2)
    rational : list of (x, y)
        Vertices of the feasible set cut by ``u_i >= v_i`` (the folk theorem's region).
    """

    feasible: list[tuple[Any, Any]]
    minmax: tuple[Any, Any]
    rational: list[tuple[Any, Any]]


def feasible_set(stage: NormalFormGame) -> PayoffSet:
    """Feasible and individually rational payoffs (Fudenberg and Maskin 1986, *Econometrica* 54, 533-554)."""
    if stage.n_players != 2:
        raise GameError("the payoff-set picture is for two-player stage games")
    points = sorted({(stage.payoffs[(0, *c)], stage.payoffs[(1, *c)]) for c in np.ndindex(*stage.shape)})
    hull = convex_hull(points)
    v = (minmax(stage, 0)[0], minmax(stage, 1)[0])
    rational = clip(clip(hull, 0, v[0]), 1, v[1])
    return PayoffSet(hull, v, rational)


# ------------------------------------------------------------ finite horizon
def finitely_repeated(stage: NormalFormGame, periods: int, discount: Any = 1) -> ExtensiveFormGame:
    """The stage game played ``periods`` times with observed actions, as a game tree.

    Within a period the players move simultaneously (one information set per player
    and history); payoffs are the discounted sums.  Solve it with
    ``solve_tree(game, "spe")``: with a unique stage equilibrium backward induction
    unravels cooperation in every period (Luce and Raiffa 1957, *Games and Decisions*,
    ch. 5; Benoit and Krishna 1985, *Econometrica* 53, 905-922, for the converse with
    several stage equilibria).
    """
    if periods < 1:
        raise GameError("periods must be at least 1")
    n = stage.n_players
    cells = list(np.ndindex(*stage.shape))
    leaves = len(cells) ** periods
    if leaves > 200_000:
        raise GameError(f"{periods} periods give {leaves:,} leaves; use fewer periods")
    disc = to_fraction(discount) if stage.exact else float(discount)

    def build(t: int, history: tuple[tuple[int, ...], ...], totals: tuple[Any, ...], weight: Any) -> Node:
        if t == periods:
            return leaf(*totals)
        tag = "/".join(",".join(stage.strategies[i][k] for i, k in enumerate(c)) for c in history) or "start"

        def move(i: int, chosen: tuple[int, ...]) -> Node:
            if i == n:
                new = tuple(tot + weight * stage.payoffs[(j, *chosen)] for j, tot in enumerate(totals))
                return build(t + 1, (*history, chosen), new, weight * disc)
            return decision(stage.players[i], {s: move(i + 1, (*chosen, k)) for k, s in enumerate(stage.strategies[i])},
                            infoset=f"t{t + 1} {tag}")

        return move(0, ())

    zero = Fraction(0) if stage.exact else 0.0
    one = Fraction(1) if stage.exact else 1.0
    return ExtensiveFormGame(stage.players, build(0, (), (zero,) * n, one),
                             f"{stage.title or 'stage game'} repeated {periods} times")


# ---------------------------------------------------------------- simulation
STRATEGIES = ("cooperate", "defect", "grim", "tit-for-tat", "forgiving")


def simulate(
    stage: NormalFormGame,
    strategies: Sequence[str],
    cooperate: Sequence[str],
    defect: Sequence[str],
    periods: int = 100,
    runs: int = 1000,
    noise: float = 0.0,
    detection: float = 1.0,
    false_alarm: float = 0.0,
    forgiveness: float = 0.3,
    rng: int | np.random.SeedSequence | np.random.Generator = 0,
) -> pd.DataFrame:
    """Simulate two noisy strategies to see how long a ceasefire lasts.

    Each player either keeps (``cooperate``) or breaks (``defect``) the ceasefire.  An
    intended action is flipped with probability ``noise`` (a local commander's
    violation); each side sees the other's breach with probability ``detection`` and a
    breach that did not happen with probability ``false_alarm``.  Strategies: always
    ``"cooperate"``, always ``"defect"``, ``"grim"`` (breaks for ever after seeing a
    breach), ``"tit-for-tat"`` (copies what it saw last period) and ``"forgiving"``
    (tit-for-tat that keeps the ceasefire anyway with probability ``forgiveness``;
    Nowak and Sigmund 1992, *Nature* 355, 250-253).  Vectorised over runs.

    Returns
    -------
    DataFrame
        One row per run: ``run``, ``first_breach`` (first period with any breach, or
        ``periods`` if none), ``breakdown`` (first period in which both break it), and
        each player's average stage payoff.
    """
    if stage.n_players != 2:
        raise GameError("simulate() plays two-player stage games")
    for s in strategies:
        if s not in STRATEGIES:
            raise GameError(f"unknown strategy {s!r}; strategies: {', '.join(STRATEGIES)}")
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    c_idx = [stage.strategies[i].index(cooperate[i]) for i in range(2)]
    d_idx = [stage.strategies[i].index(defect[i]) for i in range(2)]
    u = np.asarray(stage.payoffs, dtype=float)
    seen = np.zeros((2, runs), dtype=bool)  # seen[i]: i saw the other breach last period
    angry = np.zeros((2, runs), dtype=bool)  # grim's memory
    first = np.full(runs, periods)
    broken = np.full(runs, periods)
    totals = np.zeros((2, runs))
    for t in range(periods):
        breach = np.zeros((2, runs), dtype=bool)
        for i, s in enumerate(strategies):
            intend = {"cooperate": np.zeros(runs, dtype=bool), "defect": np.ones(runs, dtype=bool),
                      "grim": angry[i], "tit-for-tat": seen[i],
                      "forgiving": seen[i] & (gen.random(runs) >= forgiveness)}[s]
            breach[i] = intend ^ (gen.random(runs) < noise)
        for i in range(2):
            other = breach[1 - i]
            seen[i] = np.where(other, gen.random(runs) < detection, gen.random(runs) < false_alarm)
            angry[i] |= seen[i]
        acts = [np.where(breach[i], d_idx[i], c_idx[i]) for i in range(2)]
        for i in range(2):
            totals[i] += u[i][acts[0], acts[1]]
        any_b, both = breach.any(axis=0), breach.all(axis=0)
        first = np.where((first == periods) & any_b, t, first)
        broken = np.where((broken == periods) & both, t, broken)
    return pd.DataFrame({"run": np.arange(runs), "first_breach": first, "breakdown": broken,
                         f"payoff_{stage.players[0]}": totals[0] / periods,
                         f"payoff_{stage.players[1]}": totals[1] / periods})
