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
Cho and Kreps (1987) can be applied.  :meth:`SignalingGame.perfect_bayesian_mixed`
enumerates supports to find the equilibria in behaviour strategies as well, hybrid
(semi-separating) ones included.

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
from negotiation.engine.numbers import exact_array, reduced_row_echelon, to_fraction
from negotiation.engine.solvers import solve
from negotiation.errors import BudgetError, GameError, VerificationError


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
        star = [self.sender_payoffs[t, send[t], respond[send[t]]] for t in range(len(self.types))]
        return self._passes_intuitive(star, set(range(len(self.messages))) - set(send))

    def _passes_intuitive(self, star: Sequence[Any], unused: set[int]) -> bool:
        """Cho and Kreps (1987): no off-path message that, once the types for which it is
        equilibrium-dominated are ruled out, makes some remaining type strictly better off
        whatever best response the receiver gives to beliefs on the remaining types.
        ``star`` is each type's equilibrium payoff, ``unused`` the messages off the path."""
        n_t = len(self.types)
        us = self.sender_payoffs
        for m in unused:
            all_best = [a for a in range(len(self.responses)) if self._supported(m, a, list(range(n_t)))[0]]
            remaining = [t for t in range(n_t) if max(us[t, m, a] for a in all_best) >= star[t]]
            if not remaining:
                continue
            replies = [a for a in range(len(self.responses)) if self._supported(m, a, remaining)[0]]
            if any(all(us[t, m, a] > star[t] for a in replies) for t in remaining):
                return False
        return True

    # ------------------------------------------------------- mixed strategies
    def perfect_bayesian_mixed(self, intuitive: bool = False) -> list[MixedPerfectBayesianEquilibrium]:
        """Perfect Bayesian equilibria in behaviour strategies, hybrid ones included.

        Supports are enumerated: for each choice of the messages each type may send and
        the responses the receiver may use after each message, the sender's mix must make
        the receiver indifferent over its support (and no better off elsewhere) at the
        Bayes beliefs, the receiver's mix must make each type indifferent over its
        messages (and no better off elsewhere), and each message off the path needs a
        belief under which the receiver's responses are best replies.  These are linear
        feasibility problems, solved exactly where the solution is (or is made) exact.
        One equilibrium is reported per support combination (in degenerate games a
        support may carry a continuum).  Every equilibrium is checked against the
        definition before it is returned.
        """
        found = _mixed_pbe(self)
        return [eq for eq in found if eq.intuitive] if intuitive else found

    def _mixed_record(self, send, respond, s_index, sigma, r_index, rho, off_beliefs
                      ) -> MixedPerfectBayesianEquilibrium:
        (xs, s_exact), (ys, r_exact) = sigma, rho
        exact = s_exact and r_exact and all(e for _, e in off_beliefs.values())
        zero = Fraction(0) if exact else 0.0
        n_t, n_m = len(self.types), len(self.messages)
        mix = [[zero] * n_m for _ in range(n_t)]
        for (t, m), k in s_index.items():
            mix[t][m] = xs[k]
        resp = [[zero] * len(self.responses) for _ in range(n_m)]
        for (m, a), k in r_index.items():
            resp[m][a] = ys[k]
        beliefs = []
        for m in range(n_m):
            mass = sum(self.prior[t] * mix[t][m] for t in range(n_t))
            if mass:
                beliefs.append([self.prior[t] * mix[t][m] / mass for t in range(n_t)])
            else:
                beliefs.append(list(off_beliefs[m][0]))
        _check_mixed_pbe(self, mix, resp, beliefs, exact)
        values = [[sum(resp[m][a] * self.sender_payoffs[t, m, a] for a in range(len(self.responses)))
                   for m in range(n_m)] for t in range(n_t)]
        star = [values[t][send[t][0]] for t in range(n_t)]
        receiver = sum(self.prior[t] * mix[t][m] * resp[m][a] * self.receiver_payoffs[t, m, a]
                       for t in range(n_t) for m in range(n_m) for a in range(len(self.responses)))
        if all(len(sup) == 1 for sup in send):
            distinct = len({sup[0] for sup in send})
            kind = "pooling" if distinct == 1 else "separating" if distinct == n_t else "partially pooling"
        else:
            kind = "hybrid"
        on_path = {m for sup in send for m in sup}
        return MixedPerfectBayesianEquilibrium(
            {t: {self.messages[m]: mix[k][m] for m in range(n_m)} for k, t in enumerate(self.types)},
            {self.messages[m]: {a: resp[m][j] for j, a in enumerate(self.responses)} for m in range(n_m)},
            {self.messages[m]: dict(zip(self.types, beliefs[m], strict=True)) for m in range(n_m)},
            kind, {**dict(zip(self.types, star, strict=True)), "receiver": receiver},
            self._passes_intuitive(star, set(range(n_m)) - on_path), exact,
        )


# ================================================================ mixed PBE
@dataclass(frozen=True)
class MixedPerfectBayesianEquilibrium:
    """A perfect Bayesian equilibrium of a signaling game in behaviour strategies.

    Attributes
    ----------
    sender : dict
        type -> {message: probability}.
    receiver : dict
        message -> {response: probability}.
    beliefs : dict
        message -> {type: probability}: Bayes' rule on the path; off the path, a belief
        that makes every response the receiver uses a best reply.
    kind : str
        ``"pooling"``, ``"separating"``, ``"partially pooling"`` (pure sender) or
        ``"hybrid"`` (some type mixes: semi-separating).
    payoffs : dict
        The sender's payoff by type, and the receiver's expected payoff.
    intuitive : bool
        Whether it survives the intuitive criterion (Cho and Kreps 1987).
    exact : bool
        Whether the probabilities are exact fractions (else floats checked to 1e-9).
    """

    sender: dict[str, dict[str, Any]]
    receiver: dict[str, dict[str, Any]]
    beliefs: dict[str, dict[str, Any]]
    kind: str
    payoffs: dict[str, Any]
    intuitive: bool
    exact: bool


def _check_mixed_pbe(game: SignalingGame, mix, resp, beliefs, exact: bool) -> None:
    """The definition, checked directly: sequential rationality of both players and Bayes' rule."""
    tol = 0 if exact else 1e-9
    n_t, n_m, n_a = len(game.types), len(game.messages), len(game.responses)
    for t in range(n_t):
        values = [sum(resp[m][a] * game.sender_payoffs[t, m, a] for a in range(n_a)) for m in range(n_m)]
        if any(mix[t][m] > tol and values[m] < max(values) - tol for m in range(n_m)):
            raise VerificationError(f"type {game.types[t]} sends a message that is not a best reply")
    for m in range(n_m):
        mass = sum(game.prior[t] * mix[t][m] for t in range(n_t))
        if mass > tol and any(abs(beliefs[m][t] - game.prior[t] * mix[t][m] / mass) > tol for t in range(n_t)):
            raise VerificationError(f"beliefs after {game.messages[m]} break Bayes' rule")
        values = [sum(beliefs[m][t] * game.receiver_payoffs[t, m, a] for t in range(n_t)) for a in range(n_a)]
        if any(resp[m][a] > tol and values[a] < max(values) - tol for a in range(n_a)):
            raise VerificationError(f"the receiver's response to {game.messages[m]} is not a best reply")


def _exact_point(eq_rows: list[list[Fraction]], eq_rhs: list[Fraction], ge_rows: list[list[Fraction]], n: int,
                 strict: bool) -> tuple[list[Any], bool] | None:
    """A point with ``eq_rows x = eq_rhs``, ``ge_rows x >= 0``, ``x >= 0`` (``> 0`` if ``strict``).

    A linear program (HiGHS) maximising the smallest coordinate finds one; it is made
    exact by fixing the free coordinates of the equality system at nearby fractions and
    solving for the others in rationals.  Returns the point and whether it is exact (the
    exact point passes every constraint exactly), or ``None`` if there is none.
    """
    if n == 0:
        return [], True
    # Variables x (n) and t: maximise t subject to the constraints and x_i >= t.
    cost = np.zeros(n + 1)
    cost[-1] = -1.0
    a_ub = [[-float(v) for v in row] + [0.0] for row in ge_rows] + \
        [[-1.0 if j == i else 0.0 for j in range(n)] + [1.0] for i in range(n)]
    a_eq = [[float(v) for v in row] + [0.0] for row in eq_rows] or None
    res = linprog(cost, A_ub=a_ub, b_ub=np.zeros(len(a_ub)), A_eq=a_eq,
                  b_eq=[float(v) for v in eq_rhs] or None, bounds=[(0, None)] * n + [(None, 1)], method="highs")
    if res.status != 0 or (strict and res.x[-1] <= 1e-9):
        return None
    approx = [Fraction(v).limit_denominator(10**6) for v in res.x[:n]]
    # Reduce the equality system; pivot variables follow from the free ones.
    rows, pivots = reduced_row_echelon([[*r, b] for r, b in zip(eq_rows, eq_rhs, strict=True)])
    x = list(approx)
    for i, c in enumerate(pivots):
        x[c] = rows[i][-1] - sum(rows[i][j] * x[j] for j in range(n) if j not in pivots)
    ok = all(v > 0 if strict else v >= 0 for v in x) and all(
        sum(a * v for a, v in zip(row, x, strict=True)) >= 0 for row in ge_rows) and all(
        row[-1] == 0 for row in rows[len(pivots):])
    if ok:
        return x, True
    return [float(v) for v in res.x[:n]], False


def _best_on_support(support: Sequence[int], options: int, gain: Any) -> tuple[list[list], list[list]]:
    """Rows ``gain(first, other)`` comparing the support's first option with every other:
    equalities (``= 0``) for options in the support, inequalities (``>= 0``) for the rest."""
    eq: list[list] = []
    ge: list[list] = []
    for other in range(options):
        if other != support[0]:
            (eq if other in support else ge).append(gain(support[0], other))
    return eq, ge


def _solve_mix(sums: list[list[Fraction]], eqs: list[list], ges: list[list], n: int,
               strict: bool) -> tuple[list[Any], bool] | None:
    """A point with each row of ``sums`` summing to 1, ``eqs`` at 0 and ``ges`` >= 0."""
    return _exact_point([*sums, *eqs], [Fraction(1)] * len(sums) + [Fraction(0)] * len(eqs), ges, n, strict)


def _mixed_pbe(game: SignalingGame) -> list[MixedPerfectBayesianEquilibrium]:
    n_t, n_m, n_a = len(game.types), len(game.messages), len(game.responses)
    us, ur, prior = game.sender_payoffs, game.receiver_payoffs, game.prior

    def supports(n: int) -> list[tuple[int, ...]]:
        return [s for k in range(1, n + 1) for s in itertools.combinations(range(n), k)]

    combos = len(supports(n_m)) ** n_t * len(supports(n_a)) ** n_m
    if combos > 200_000:
        raise BudgetError(f"{combos:,} support combinations; mixed PBE enumeration is for small signaling games")
    found: dict[tuple, MixedPerfectBayesianEquilibrium] = {}
    for send in itertools.product(supports(n_m), repeat=n_t):
        on_path = sorted({m for s in send for m in s})
        # Sender variables: sigma[t][m] for m in send[t].
        s_index = {(t, m): k for k, (t, m) in enumerate((t, m) for t in range(n_t) for m in send[t])}
        s_sums = [[Fraction(int(tt == t)) for (tt, _m) in s_index] for t in range(n_t)]
        for respond in itertools.product(supports(n_a), repeat=n_m):
            # --- sender's mix: the receiver must be willing to play its support on the path.
            eqs, ges = [], []
            for m in on_path:
                e, g = _best_on_support(respond[m], n_a, lambda a0, b, m=m, s_index=s_index: [
                    prior[t] * (ur[t, m, a0] - ur[t, m, b]) if mm == m else Fraction(0) for (t, mm) in s_index])
                eqs += e
                ges += g
            sigma = _solve_mix(s_sums, eqs, ges, len(s_index), strict=True)
            if sigma is None:
                continue
            # --- receiver's mix: each type indifferent on its support, no better message off it.
            r_index = {(m, a): k for k, (m, a) in enumerate((m, a) for m in range(n_m) for a in respond[m])}
            eqs, ges = [], []
            for t in range(n_t):
                # U(t, m0) - U(t, m), linear in the receiver's mix
                e, g = _best_on_support(send[t], n_m, lambda m0, m, t=t, r_index=r_index: [
                    us[t, mm, a] if mm == m0 else -us[t, mm, a] if mm == m else Fraction(0) for (mm, a) in r_index])
                eqs += e
                ges += g
            r_sums = [[Fraction(int(mm == m)) for (mm, _a) in r_index] for m in range(n_m)]
            rho = _solve_mix(r_sums, eqs, ges, len(r_index), strict=True)
            if rho is None:
                continue
            # --- beliefs off the path: some belief makes the receiver's whole support a best reply.
            off_beliefs = {}
            for m in set(range(n_m)) - set(on_path):
                eqs, ges = _best_on_support(respond[m], n_a, lambda a0, b, m=m: [
                    ur[t, m, a0] - ur[t, m, b] for t in range(n_t)])
                mu = _solve_mix([[Fraction(1)] * n_t], eqs, ges, n_t, strict=False)
                if mu is None:
                    break
                off_beliefs[m] = mu
            else:
                eq = game._mixed_record(send, respond, s_index, sigma, r_index, rho, off_beliefs)
                key = (tuple(sorted((t, tuple(sorted(d.items()))) for t, d in eq.sender.items())),
                       tuple(sorted((m, tuple(sorted(d.items()))) for m, d in eq.receiver.items())))
                found.setdefault(key, eq)
    return list(found.values())
