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
class Sustainability:
    """Whether, and from which discount factor, a trigger strategy sustains a target profile.

    Attributes
    ----------
    target : tuple of str
        The stage profile to sustain.
    punishment : str
        ``"minmax"`` or the punishment profile's strategies joined by ``", "``.
    periods : int or None
        Length of the punishment; ``None`` for grim trigger.
    detection, false_alarm : sympy.Expr
    margins : dict
        Player -> the cooperative-state one-shot-deviation margin, a function of ``delta``
        (and of the stage game's parameters), ``>= 0`` where the player complies.
    critical : dict
        Player -> the smallest ``delta`` in ``[0, 1)`` from which the player complies
        (``0`` if always, ``None`` if never); with parameters, a closed form in them for
        grim trigger (infinite where no discount factor suffices).
    """

    stage: StageGame = field(repr=False)
    target: tuple[str, ...]
    punishment: str
    periods: int | None
    detection: sympy.Expr
    false_alarm: sympy.Expr
    margins: dict[str, sympy.Expr]
    critical: dict[str, sympy.Expr | None]
    _cells: tuple[tuple[int, ...], ...] = field(repr=False, default=())

    @property
    def delta_star(self) -> sympy.Expr | None:
        """The critical discount factor: the largest over the players (``None`` if never sustained)."""
        values = list(self.critical.values())
        if any(v is None for v in values):
            return None
        return sympy.Max(*values) if len(values) > 1 else values[0]

    def holds(self, delta: Any, values: Mapping[str, Any] | None = None) -> bool:
        """Whether every player's cooperative-state margin is non-negative at ``delta``."""
        subs = {DELTA: exact_value("delta", delta), **symbol_values(values)}
        return all(bool(m.xreplace(subs) >= 0) for m in self.margins.values())

    def one_shot_gains(self, delta: float, values: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """Each player's best one-shot gain in each state of the strategy, computed numerically.

        The values of the automaton's states come from solving its linear Bellman
        system; a deviation earns the best stage payoff now and, in the cooperative
        state, is signalled with probability ``detection``, which starts the punishment
        (signals during a punishment are ignored: it runs its course).  Independent of
        the closed form: the strategy profile is a subgame-perfect equilibrium when every
        gain is ``<= 0``.  With minmax punishment the punishers' gains are usually
        positive: that construction is a Nash, not a subgame-perfect, equilibrium.

        Returns
        -------
        DataFrame
            Columns ``state``, ``player``, ``gain``.
        """
        stage = self.stage.at(values or {}) if isinstance(self.stage, ParametricGame) else self.stage
        u = np.asarray(stage.payoffs, dtype=float)
        q = float(self.detection.xreplace(symbol_values(values)))
        a = float(self.false_alarm.xreplace(symbol_values(values)))
        target, punish = self._cells
        length = 1 if self.periods is None else self.periods
        size = 1 + length
        trans = np.zeros((size, size))
        trans[0, 0], trans[0, 1] = 1 - a, a
        for s in range(1, size):
            trans[s, s + 1 if s + 1 < size else (s if self.periods is None else 0)] = 1.0
        chains = [(None, punish[0])] if len(punish) == 1 else list(enumerate(punish))
        rows = []
        for k, cell in chains:
            cells = [target] + [cell] * length
            tag = "punish" if k is None else f"punish {stage.players[k]}"
            for i, name in enumerate(stage.players):
                stage_pay = np.array([u[(i, *c)] for c in cells])
                v = np.linalg.solve(np.eye(size) - delta * trans, (1 - delta) * stage_pay)
                for s, c in enumerate(cells):
                    if s == 0 and k not in (None, i):
                        continue  # in a minmax chain, only the punished player's deviation started it
                    best = max(u[(i, *c[:i], b, *c[i + 1:])] for b in range(stage.shape[i]))
                    comply = (1 - delta) * stage_pay[s] + delta * trans[s] @ v
                    after = (1 - q) * v[0] + q * v[1] if s == 0 else trans[s] @ v
                    state = "cooperate" if s == 0 else f"{tag} {s}"
                    rows.append({"state": state, "player": name,
                                 "gain": float((1 - delta) * best + delta * after - comply)})
        return pd.DataFrame(rows)

    def to_frame(self) -> pd.DataFrame:
        """One row per player: margin, critical delta (exact text and float)."""
        rows = []
        for name, margin in self.margins.items():
            crit = self.critical[name]
            rows.append({"player": name, "margin": str(margin), "critical_delta": None if crit is None else str(crit),
                         "critical_delta_float": None if crit is None or crit.free_symbols else float(crit)})
        return pd.DataFrame(rows)


def sustainability(
    stage: StageGame,
    target: Mapping[str, str] | Sequence[str | int],
    punishment: Mapping[str, str] | Sequence[str | int] | str = "nash",
    periods: int | None = None,
    detection: Any = 1,
    false_alarm: Any = 0,
) -> Sustainability:
    """The discount factors at which a trigger strategy sustains ``target`` (see the module docstring).

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
        Probability that a violation, respectively compliance, is signalled.

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
    if periods is not None and (not isinstance(periods, int) or periods < 1):
        raise GameError(f"periods must be a positive integer or None (grim trigger), not {periods!r}")
    n = stage.n_players
    if isinstance(punishment, str) and punishment == "minmax":
        if isinstance(stage, ParametricGame):
            raise GameError("minmax punishment needs numeric payoffs: use game.at(values)")
        if a != 0:
            raise GameError("with minmax punishment a false alarm would not say whom to punish; use false_alarm=0")
        pun_cells = []
        pun_values = []
        for i in range(n):
            value, strategies = minmax(stage, i)
            if any(np.count_nonzero(np.asarray(s, dtype=float)) > 1 for j, s in enumerate(strategies) if j != i):
                raise GameError(f"minmaxing {stage.players[i]} needs a mixed strategy; name a pure punishment "
                                "profile, or use punishment='nash'")
            pun_cells.append(tuple(int(np.argmax(np.asarray(s, dtype=float))) for s in strategies))
            pun_values.append(sympy.Rational(to_fraction(value)) if stage.exact else sympy.Float(value))
        label = "minmax"
    else:
        if isinstance(punishment, str) and punishment == "nash":
            cell = _unique_pure_nash(stage)
        else:
            cell = stage.profile_index(punishment)  # type: ignore[arg-type]
        pun_cells = [cell]
        pun_values = [_payoff(stage, i, cell) for i in range(n)]
        label = ", ".join(stage.strategies[i][k] for i, k in enumerate(cell))
    margins, critical = {}, {}
    t_pow = 0 if periods is None else DELTA**periods
    for i, name in enumerate(stage.players):
        u = _payoff(stage, i, target_cell)
        d = sympy.Max(*(_payoff(stage, i, (*target_cell[:i], b, *target_cell[i + 1:])) for b in range(stage.shape[i])))
        p = pun_values[i]
        margin = (u - d) * (1 - DELTA + DELTA * a * (1 - t_pow)) + DELTA * (q - a) * (1 - t_pow) * (u - p)
        margins[name] = sympy.simplify(margin) if not margin.free_symbols - {DELTA} else margin
        critical[name] = _critical(margin, u, d, p, q, a, periods)
    return Sustainability(stage, tuple(stage.strategies[i][k] for i, k in enumerate(target_cell)), label, periods,
                          q, a, margins, critical, (target_cell, tuple(pun_cells)))


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


def _critical(margin: sympy.Expr, u, d, p, q, a, periods: int | None) -> sympy.Expr | None:
    """The least ``delta`` in [0, 1) from which ``margin >= 0`` holds up to 1."""
    others = margin.free_symbols - {DELTA}
    if periods is None:  # the closed form
        gain = d - u
        crit = gain / ((q - a) * (u - p) + (1 - a) * gain)
        if others:  # infinite where no discount factor suffices
            return sympy.Piecewise((sympy.Integer(0), gain <= 0), (crit, (q - a) * (u - p) > a * gain),
                                   (sympy.oo, True))
        if gain <= 0:
            return sympy.Integer(0)
        return crit if (q - a) * (u - p) > a * gain else None
    if others:
        raise GameError("a punishment of a fixed length has no closed-form threshold in the parameters "
                        "(it is a root of a polynomial of that degree); use the numeric game: stage.at(values)")
    holds = sympy.solve_univariate_inequality(sympy.Ge(margin, 0), DELTA, relational=False,
                                              domain=sympy.Interval.Ropen(0, 1))
    if holds is sympy.S.EmptySet:
        return None
    last = holds.args[-1] if isinstance(holds, sympy.Union) else holds
    if not isinstance(last, sympy.Interval) or last.sup != 1:
        return None
    return last.inf


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
