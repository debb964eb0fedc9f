"""Games of incomplete information: Bayesian games and signaling games.

:class:`BayesianGame` has types per player, a common prior over type profiles and
type-dependent payoffs.  The Harsanyi transformation gives its strategic form (a
strategy picks an action for each of the player's types; payoffs are ex-ante
expectations) and its tree (a chance move draws the types; each player then moves
knowing only its own type).  Its Bayesian Nash equilibria are the equilibria of the
strategic form, reported type by type (Harsanyi 1967-68).

:class:`SignalingGame` is the sender-receiver game: nature draws the sender's type,
the sender sends a message, the receiver responds without seeing the type.
:meth:`SignalingGame.perfect_bayesian` enumerates its pure perfect Bayesian equilibria
(pooling, separating, or partly pooling): Bayes' rule on the path, and off the path the
whole set of beliefs that supports the receiver's response; the intuitive criterion of
Cho and Kreps (1987) can be applied.

References
----------
Harsanyi, J. C. (1967-68). Games with incomplete information played by "Bayesian"
players, I-III. *Management Science* 14.
Cho, I.-K. and Kreps, D. M. (1987). Signaling games and stable equilibria. *Quarterly
Journal of Economics* 102, 179-221.
Fudenberg, D. and Tirole, J. (1991). *Game Theory*, ch. 8 (perfect Bayesian equilibrium).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from scipy.optimize import linprog

from negotiation.engine.extensive import ExtensiveFormGame, Node, chance, decision, leaf
from negotiation.engine.game import NormalFormGame
from negotiation.engine.numbers import exact_array, to_fraction
from negotiation.engine.solvers import solve
from negotiation.errors import GameError, VerificationError


# ==================================================================== Bayesian
@dataclass(frozen=True, eq=False)
class BayesianGame:
    """A finite Bayesian game.

    Parameters
    ----------
    players : sequence of str
    types : sequence of sequence of str
        Each player's types.
    actions : sequence of sequence of str
        Each player's actions (the same for all its types).
    prior : array_like of shape (t_1, ..., t_n)
        The common prior over type profiles (exact; must sum to 1).
    payoffs : array_like of shape (n, t_1, ..., t_n, a_1, ..., a_n)
        ``payoffs[i][types][actions]``.
    title : str
    """

    players: tuple[str, ...]
    types: tuple[tuple[str, ...], ...]
    actions: tuple[tuple[str, ...], ...]
    prior: np.ndarray
    payoffs: np.ndarray
    title: str = ""

    def __post_init__(self) -> None:
        n = len(self.players)
        types = tuple(tuple(t) for t in self.types)
        actions = tuple(tuple(a) for a in self.actions)
        if len(types) != n or len(actions) != n:
            raise GameError(f"types and actions are needed for each of the {n} players")
        prior = exact_array(self.prior)
        if prior.shape != tuple(len(t) for t in types):
            raise GameError(f"the prior has shape {prior.shape}; the type profiles need {tuple(len(t) for t in types)}")
        if any(p < 0 for p in prior.flat) or sum(prior.flat) != 1:
            raise GameError("the prior must be a probability distribution over type profiles")
        payoffs = exact_array(self.payoffs)
        want = (n, *(len(t) for t in types), *(len(a) for a in actions))
        if payoffs.shape != want:
            raise GameError(f"payoffs have shape {payoffs.shape}, expected {want}")
        for name, value in (("players", tuple(self.players)), ("types", types), ("actions", actions),
                            ("prior", prior), ("payoffs", payoffs)):
            object.__setattr__(self, name, value)

    @property
    def n_players(self) -> int:
        return len(self.players)

    def _type_profiles(self) -> list[tuple[int, ...]]:
        return list(itertools.product(*(range(len(t)) for t in self.types)))

    def strategies(self, i: int) -> list[tuple[int, ...]]:
        """Player ``i``'s pure strategies: one action per type."""
        return list(itertools.product(range(len(self.actions[i])), repeat=len(self.types[i])))

    def strategic_form(self) -> NormalFormGame:
        """The Harsanyi transformation: ex-ante expected payoffs of type-contingent strategies."""
        strats = [self.strategies(i) for i in range(self.n_players)]
        shape = tuple(len(s) for s in strats)
        out = np.empty((self.n_players, *shape), dtype=object)
        profiles = [t for t in self._type_profiles() if self.prior[t]]
        for cell in itertools.product(*(range(s) for s in shape)):
            for i in range(self.n_players):
                total = Fraction(0)
                for t in profiles:
                    acts = tuple(strats[j][cell[j]][t[j]] for j in range(self.n_players))
                    total += self.prior[t] * self.payoffs[(i, *t, *acts)]
                out[(i, *cell)] = total
        names = tuple(
            tuple("/".join(f"{self.types[i][k]}:{self.actions[i][a]}" for k, a in enumerate(s)) for s in strats[i])
            for i in range(self.n_players)
        )
        return NormalFormGame(out, self.players, names, self.title, exact=True)

    def to_tree(self) -> ExtensiveFormGame:
        """The Harsanyi transformation as a tree: chance draws the types, then each player moves
        (in player order) knowing only its own type."""

        def moves(t: tuple[int, ...], i: int, acts: tuple[int, ...]) -> Node:
            if i == self.n_players:
                return leaf(*(self.payoffs[(j, *t, *acts)] for j in range(self.n_players)))
            label = f"{self.players[i]}: {self.types[i][t[i]]}"
            return decision(self.players[i], {a: moves(t, i + 1, (*acts, k)) for k, a in enumerate(self.actions[i])},
                            infoset=label)

        draws = {", ".join(self.types[i][k] for i, k in enumerate(t)): (self.prior[t], moves(t, 0, ()))
                 for t in self._type_profiles() if self.prior[t]}
        return ExtensiveFormGame(self.players, chance(draws), self.title)

    def equilibria(self, method: str = "all") -> list[dict[str, dict[str, dict[str, Any]]]]:
        """Bayesian Nash equilibria: ``{player: {type: {action: probability}}}`` each.

        Each is verified type by type: every type with positive probability best responds
        to the others' type-contingent strategies under its conditional beliefs.
        """
        nf = self.strategic_form()
        strats = [self.strategies(i) for i in range(self.n_players)]
        out = []
        for eq in solve(nf, method, exact=True):
            profile = {}
            for i, (p, vec) in enumerate(zip(self.players, eq.profile.probabilities, strict=True)):
                per_type = {}
                for k, t in enumerate(self.types[i]):
                    probs = [Fraction(0)] * len(self.actions[i])
                    for s, w in zip(strats[i], vec, strict=True):
                        probs[s[k]] += w
                    per_type[t] = dict(zip(self.actions[i], probs, strict=True))
                profile[p] = per_type
            if not self.is_equilibrium(profile):
                raise VerificationError("a Bayesian equilibrium failed the type-by-type check")
            out.append(profile)
        return out

    def is_equilibrium(self, profile: dict[str, dict[str, dict[str, Any]]]) -> bool:
        """Type-by-type best-response check under conditional beliefs (independent of any solver)."""
        n = self.n_players
        sigma = [[[to_fraction(profile[p][t][a]) for a in self.actions[i]] for t in self.types[i]]
                 for i, p in enumerate(self.players)]
        for i in range(n):
            for k in range(len(self.types[i])):
                values = []
                for a in range(len(self.actions[i])):
                    total = Fraction(0)
                    for t in self._type_profiles():
                        if t[i] != k or not self.prior[t]:
                            continue
                        for acts in itertools.product(*(range(len(x)) for x in self.actions)):
                            if acts[i] != a:
                                continue
                            w = self.prior[t]
                            for j in range(n):
                                if j != i:
                                    w *= sigma[j][t[j]][acts[j]]
                            if w:
                                total += w * self.payoffs[(i, *t, *acts)]
                    values.append(total)
                expected = sum(p * v for p, v in zip(sigma[i][k], values, strict=True))
                if expected < max(values):
                    return False
        return True


# ==================================================================== signaling
@dataclass(frozen=True)
class PerfectBayesianEquilibrium:
    """A pure perfect Bayesian equilibrium of a signaling game.

    Attributes
    ----------
    sender : dict
        type -> message.
    receiver : dict
        message -> response.
    beliefs : dict
        message -> {type: probability} on the path (Bayes' rule); off the path, one
        supporting belief.
    off_path : dict
        message -> the set of beliefs supporting the response, as text (for two types an
        interval of the first type's probability, exact).
    kind : str
        ``"pooling"``, ``"separating"`` or ``"partially pooling"``.
    payoffs : dict
        The sender's payoff by type, and the receiver's expected payoff under ``"receiver"``.
    intuitive : bool
        Whether it survives the intuitive criterion.
    """

    sender: dict[str, str]
    receiver: dict[str, str]
    beliefs: dict[str, dict[str, Fraction]]
    off_path: dict[str, str]
    kind: str
    payoffs: dict[str, Fraction]
    intuitive: bool


@dataclass(frozen=True, eq=False)
class SignalingGame:
    """A sender-receiver game.

    Parameters
    ----------
    types : sequence of str
    prior : sequence
        Exact probabilities of the types.
    messages, responses : sequence of str
    sender_payoffs, receiver_payoffs : array_like of shape (types, messages, responses)
    players : (str, str)
    title : str
    """

    types: tuple[str, ...]
    prior: tuple[Fraction, ...]
    messages: tuple[str, ...]
    responses: tuple[str, ...]
    sender_payoffs: np.ndarray
    receiver_payoffs: np.ndarray
    players: tuple[str, str] = ("Sender", "Receiver")
    title: str = ""

    def __post_init__(self) -> None:
        prior = tuple(to_fraction(p) for p in self.prior)
        if len(prior) != len(self.types) or any(p <= 0 for p in prior) or sum(prior) != 1:
            raise GameError("the prior must give each type a positive probability, summing to 1")
        shape = (len(self.types), len(self.messages), len(self.responses))
        us, ur = exact_array(self.sender_payoffs), exact_array(self.receiver_payoffs)
        if us.shape != shape or ur.shape != shape:
            raise GameError(f"payoffs need shape (types, messages, responses) = {shape}")
        for name, value in (("types", tuple(self.types)), ("prior", prior), ("messages", tuple(self.messages)),
                            ("responses", tuple(self.responses)), ("sender_payoffs", us), ("receiver_payoffs", ur),
                            ("players", tuple(self.players))):
            object.__setattr__(self, name, value)

    def to_tree(self) -> ExtensiveFormGame:
        """Nature draws the type; the sender's information set is its type, the receiver's the message."""
        s, r = self.players

        def reply(t: int, m: int) -> Node:
            return decision(r, {a: leaf(self.sender_payoffs[t, m, k], self.receiver_payoffs[t, m, k])
                                for k, a in enumerate(self.responses)}, infoset=f"after {self.messages[m]}")

        return ExtensiveFormGame(self.players, chance({
            t: (p, decision(s, {m: reply(k, j) for j, m in enumerate(self.messages)}, infoset=t))
            for k, (t, p) in enumerate(zip(self.types, self.prior, strict=True))
        }), self.title)

    # ------------------------------------------------------------ beliefs
    def _supported(self, m: int, a: int, types: Sequence[int]) -> tuple[bool, list[Fraction] | None]:
        """Whether some belief over ``types`` makes ``a`` a best response to ``m``, and one such belief."""
        ur = self.receiver_payoffs
        if len(types) == 1:
            t = types[0]
            ok = all(ur[t, m, a] >= ur[t, m, b] for b in range(len(self.responses)))
            return ok, ([Fraction(int(k == t)) for k in range(len(self.types))] if ok else None)
        if len(types) == 2:
            lo, _ = self._interval(m, a, types)
            if lo is None:
                return False, None
            mu = [Fraction(0)] * len(self.types)
            mu[types[0]], mu[types[1]] = lo, 1 - lo
            return True, mu
        # More types: a feasibility LP over the simplex (floats; the belief is rounded for display).
        k = len(types)
        a_ub = [[float(ur[t, m, b] - ur[t, m, a]) for t in types] for b in range(len(self.responses)) if b != a]
        res = linprog(np.zeros(k), A_ub=a_ub or None, b_ub=[0.0] * len(a_ub) or None, A_eq=[[1.0] * k], b_eq=[1.0],
                      bounds=[(0, 1)] * k, method="highs")
        if res.status != 0:
            return False, None
        mu = [Fraction(0)] * len(self.types)
        for t, v in zip(types, res.x, strict=True):
            mu[t] = Fraction(v).limit_denominator(10**6)
        return True, mu

    def _interval(self, m: int, a: int, types: Sequence[int]) -> tuple[Fraction | None, Fraction | None]:
        """For two types: the exact interval of P(first type) making ``a`` a best response to ``m``."""
        t0, t1 = types
        ur = self.receiver_payoffs
        lo, hi = Fraction(0), Fraction(1)
        for b in range(len(self.responses)):
            # mu*d0 + (1 - mu)*d1 >= 0 with d = u(a) - u(b)
            d0, d1 = ur[t0, m, a] - ur[t0, m, b], ur[t1, m, a] - ur[t1, m, b]
            slope = d0 - d1
            if slope == 0:
                if d1 < 0:
                    return None, None
                continue
            cut = -d1 / slope
            if slope > 0:
                lo = max(lo, cut)
            else:
                hi = min(hi, cut)
        return (lo, hi) if lo <= hi else (None, None)

    def _best(self, m: int, mu: Sequence[Fraction]) -> list[int]:
        values = [sum(p * self.receiver_payoffs[t, m, a] for t, p in enumerate(mu)) for a in range(len(self.responses))]
        top = max(values)
        return [a for a, v in enumerate(values) if v == top]

    # ----------------------------------------------------------- equilibria
    def perfect_bayesian(self, intuitive: bool = False) -> list[PerfectBayesianEquilibrium]:
        """Every pure perfect Bayesian equilibrium (only those passing the intuitive criterion
        when ``intuitive=True``; the ``intuitive`` field says which pass in any case)."""
        n_t, n_m, n_a = len(self.types), len(self.messages), len(self.responses)
        us = self.sender_payoffs
        found = []
        for send in itertools.product(range(n_m), repeat=n_t):
            for respond in itertools.product(range(n_a), repeat=n_m):
                beliefs: dict[str, dict[str, Fraction]] = {}
                off: dict[str, str] = {}
                ok = True
                for m in range(n_m):
                    senders = [t for t in range(n_t) if send[t] == m]
                    if senders:
                        mass = sum(self.prior[t] for t in senders)
                        mu = [self.prior[t] / mass if t in senders else Fraction(0) for t in range(n_t)]
                        if respond[m] not in self._best(m, mu):
                            ok = False
                            break
                        beliefs[self.messages[m]] = dict(zip(self.types, mu, strict=True))
                    else:
                        supported, mu = self._supported(m, respond[m], list(range(n_t)))
                        if not supported:
                            ok = False
                            break
                        beliefs[self.messages[m]] = dict(zip(self.types, mu, strict=True))  # type: ignore[arg-type]
                        off[self.messages[m]] = self._describe_off_path(m, respond[m])
                if not ok:
                    continue
                # The sender's types best respond to the receiver's strategy.
                if any(us[t, send[t], respond[send[t]]] < max(us[t, m, respond[m]] for m in range(n_m))
                       for t in range(n_t)):
                    continue
                eq = self._record(send, respond, beliefs, off)
                if not intuitive or eq.intuitive:
                    found.append(eq)
        return found

    def _describe_off_path(self, m: int, a: int) -> str:
        if len(self.types) == 2:
            lo, hi = self._interval(m, a, [0, 1])
            return f"P({self.types[0]}) in [{lo}, {hi}]"
        return "any belief making the response a best reply"

    def _record(self, send, respond, beliefs, off) -> PerfectBayesianEquilibrium:
        n_t = len(self.types)
        distinct = len(set(send))
        kind = "pooling" if distinct == 1 else "separating" if distinct == n_t else "partially pooling"
        pays: dict[str, Fraction] = {t: self.sender_payoffs[k, send[k], respond[send[k]]]
                                     for k, t in enumerate(self.types)}
        pays["receiver"] = sum((self.prior[k] * self.receiver_payoffs[k, send[k], respond[send[k]]]
                                for k in range(n_t)), Fraction(0))
        return PerfectBayesianEquilibrium(
            {t: self.messages[send[k]] for k, t in enumerate(self.types)},
            {m: self.responses[respond[j]] for j, m in enumerate(self.messages)},
            beliefs, off, kind, pays, self._intuitive(send, respond),
        )

    def _intuitive(self, send: tuple[int, ...], respond: tuple[int, ...]) -> bool:
        """Cho and Kreps (1987): no off-path message that, once the types for which it is
        equilibrium-dominated are ruled out, makes some remaining type strictly better off
        whatever best response the receiver gives to beliefs on the remaining types."""
        n_t = len(self.types)
        us = self.sender_payoffs
        star = [us[t, send[t], respond[send[t]]] for t in range(n_t)]
        for m in set(range(len(self.messages))) - set(send):
            all_best = [a for a in range(len(self.responses)) if self._supported(m, a, list(range(n_t)))[0]]
            remaining = [t for t in range(n_t) if max(us[t, m, a] for a in all_best) >= star[t]]
            if not remaining:
                continue
            replies = [a for a in range(len(self.responses)) if self._supported(m, a, remaining)[0]]
            if any(all(us[t, m, a] > star[t] for a in replies) for t in remaining):
                return False
        return True
