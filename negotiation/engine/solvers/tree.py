"""Equilibria of extensive-form games, as behaviour strategies.

- ``"spe"``: subgame-perfect equilibria.  Subgames are solved bottom-up: each minimal
  subgame is solved, replaced by the payoffs of each of its equilibria in turn, and the
  truncated game above it is solved for each combination (Selten 1965; Osborne and
  Rubinstein 1994, ch. 6).  In a game of perfect information every node starts a
  subgame and this is backward induction; ties give every subgame-perfect equilibrium
  in pure strategies.  A truncated game in which several players move is solved through
  its reduced strategic form (all extreme equilibria, exact).
- ``"all"``: every extreme Nash equilibrium of the reduced strategic form, converted to
  behaviour strategies (Kuhn 1953).
- ``"one"``: one Nash equilibrium (Lemke-Howson on the reduced strategic form).
- ``"pure"``: every pure Nash equilibrium.
- ``"sequence"``: one equilibrium of a two-player tree from its sequence form (Koller,
  Megiddo and von Stengel 1996), whose size is linear in the tree: the linear programs
  when the game is zero-sum, Lemke's algorithm on the linear complementarity problem
  otherwise (exact when the payoffs are rational and the problem small).  It is
  checked by best responses computed on the tree, so it reaches trees whose strategic
  form is far too large.

Every profile returned is verified: its mixed equivalent has zero regret in the
reduced strategic form, and for ``"spe"`` in the strategic form of every subgame.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from negotiation import limits
from negotiation.deadline import checkpoint, limited
from negotiation.engine.extensive import CHANCE, ExtensiveFormGame, InfosetKey, Path
from negotiation.engine.game import NormalFormGame
from negotiation.engine.methods import TREE_METHODS
from negotiation.engine.numbers import fraction_str
from negotiation.engine.solvers import solve
from negotiation.engine.solvers.sequence import best_response_value, sequence_form_lcp, zero_sum_sequence_form
from negotiation.errors import BudgetError, SolverError, VerificationError

SMALL_TREE_INFOSETS = 12
"""Up to this many information sets, a backward-induction result is also checked in every subgame's strategic form."""

Behavior = dict[InfosetKey, tuple[Any, ...]]


@dataclass(frozen=True)
class BehaviorEquilibrium:
    """A verified equilibrium in behaviour strategies."""

    behavior: Behavior
    payoffs: tuple[Any, ...]


@dataclass(frozen=True)
class TreeSolveResult:
    """Equilibria of a tree, with how they were found."""

    game: ExtensiveFormGame
    method: str
    algorithm: str
    equilibria: tuple[BehaviorEquilibrium, ...]

    def __iter__(self):
        return iter(self.equilibria)

    def __len__(self) -> int:
        return len(self.equilibria)

    def path(self, eq: BehaviorEquilibrium) -> list[dict[str, Any]]:
        """The leaves reached with positive probability, with the actions leading there."""
        dist = self.game.outcome_distribution(eq.behavior)
        out = []
        for leaf_path, prob in sorted(dist.items()):
            if prob:
                out.append({"actions": self.game.action_names(leaf_path), "probability": _num(prob)})
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"method", "algorithm", "equilibria": [{"behavior", "payoffs", "path"}]}``."""
        return {
            "method": self.method,
            "algorithm": self.algorithm,
            "equilibria": [
                {
                    "behavior": {p: {s: {a: _num(v) for a, v in acts.items()} for s, acts in sets.items()}
                                 for p, sets in self.game.named(eq.behavior).items()},
                    "payoffs": dict(zip(self.game.players, (_num(v) for v in eq.payoffs), strict=True)),
                    "payoffs_float": dict(zip(self.game.players, (float(v) for v in eq.payoffs), strict=True)),
                    "path": self.path(eq),
                }
                for eq in self.equilibria
            ],
        }


def _num(v: Any) -> Any:
    return fraction_str(v) if isinstance(v, Fraction) else float(v)


def solve_tree(game: ExtensiveFormGame, method: str = "spe", *, time_limit: float | None = None,
               cancel: Callable[[], bool] | None = None, progress: bool | None = None) -> TreeSolveResult:
    """Equilibria of an extensive-form game (see the module docstring for the methods).

    ``time_limit``, ``cancel`` and ``progress`` bound the computation as in
    :func:`negotiation.engine.solvers.solve`.
    """
    what = f"method {method!r} on a game tree of {len(game.walk()):,} nodes"
    hint = "use method 'sequence' (sequence form) or 'one'" if method in ("spe", "all") else ""
    try:
        return limited(what, time_limit, cancel, hint, progress, lambda: _solve_tree(game, method))
    except RecursionError:
        raise BudgetError(f"{what}: the nesting of subgames is too deep for subgame enumeration; {hint}") from None


def _solve_tree(game: ExtensiveFormGame, method: str) -> TreeSolveResult:
    if method not in TREE_METHODS:
        raise SolverError(f"unknown method {method!r} for a game tree; methods: {', '.join(TREE_METHODS)}")
    if game.is_symbolic:
        raise SolverError(f"the payoffs depend on {list(game.parameters)}; solve game.at(...) at chosen values")
    if not game.has_perfect_recall():
        raise SolverError("the game lacks perfect recall; behaviour strategies need it (Kuhn 1953)")
    if method == "sequence":
        return _sequence(game)
    if method == "spe" and game.is_perfect_information():
        unique = _backward_induction(game)
        if unique is not None:  # no ties anywhere: one subgame-perfect equilibrium, found in linear time
            payoffs, behavior = unique
            _verify_perfect_information(game, behavior)
            if len(game.infosets) <= SMALL_TREE_INFOSETS:  # and, where it is small, in every subgame's strategic form
                _verify(game, behavior, subgames=True)
            eq = BehaviorEquilibrium(behavior, payoffs)
            return TreeSolveResult(game, method, "backward induction", (eq,))
        if len(game.walk()) > limits.MAX_TIED_TREE:
            raise BudgetError(f"backward induction meets ties in a tree of {len(game.walk()):,} nodes, so the "
                              f"subgame-perfect equilibria need not be unique; listing them all is limited to trees "
                              f"of {limits.MAX_TIED_TREE:,} nodes (raise negotiation.limits.MAX_TIED_TREE, break "
                              "the ties, or solve a subtree)")
    if method == "spe":
        found = _spe(game, ())
        algorithm = "backward induction" if game.is_perfect_information() else "subgames solved bottom-up"
    else:
        found = _nash(game, method)
        algorithm = {"all": "vertex enumeration of the reduced strategic form",
                     "one": "Lemke-Howson on the reduced strategic form",
                     "pure": "pure profiles of the reduced strategic form"}[method]
    unique: dict[tuple, BehaviorEquilibrium] = {}
    for payoffs, behavior in found:
        full = _complete(game, behavior)
        _verify(game, full, subgames=method == "spe")
        key = tuple(sorted((k, tuple(v)) for k, v in full.items()))
        unique.setdefault(key, BehaviorEquilibrium(full, tuple(payoffs)))
    return TreeSolveResult(game, method, algorithm, tuple(unique.values()))


def _sequence(game: ExtensiveFormGame, tol: float = 1e-7) -> TreeSolveResult:
    if len({sum(nd.payoffs) for _, nd in game.walk() if nd.is_leaf}) == 1:
        behavior, _ = zero_sum_sequence_form(game)
        algorithm = "sequence-form linear programs (zero-sum), checked by best responses"
    else:
        behavior = sequence_form_lcp(game)
        algorithm = "Lemke's algorithm on the sequence-form LCP, checked by best responses"
    payoffs = tuple(game.expected_payoffs(behavior))
    leaves = [v for _, nd in game.walk() if nd.is_leaf for v in nd.payoffs]
    scale = max(1.0, float(max(leaves)) - float(min(leaves)))
    for i in range(2):
        gain = best_response_value(game, behavior, i) - payoffs[i]
        if gain > (0 if isinstance(gain, Fraction) else tol * scale):
            raise VerificationError(f"sequence form: {game.players[i]} gains {float(gain):.3g} by deviating")
    eq = BehaviorEquilibrium(behavior, payoffs)
    return TreeSolveResult(game, "sequence", algorithm, (eq,))


def _complete(game: ExtensiveFormGame, behavior: Mapping[InfosetKey, Sequence[Any]]) -> Behavior:
    """Every information set gets a behaviour (those missing, unreachable ones, uniform)."""
    out = {}
    for key, actions in game.infosets.items():
        out[key] = tuple(behavior[key]) if key in behavior else tuple([Fraction(1, len(actions))] * len(actions))
    return out


# -------------------------------------------------------------------- Nash
def _movers(game: ExtensiveFormGame) -> list[int]:
    return sorted({k[0] for k in game.infosets})


def _nash(game: ExtensiveFormGame, method: str) -> list[tuple[tuple[Any, ...], Behavior]]:
    """Equilibria of a (truncated) game through its reduced strategic form."""
    if game.root.is_leaf:
        return [(tuple(game.root.payoffs), {})]
    movers = _movers(game)
    nf, plans = game.strategic_form()
    if len(movers) <= 1:
        return _optimal_plans(game, nf, plans, movers)
    sub = _restrict_to(nf, movers)
    result = solve(sub, {"all": "all", "one": "one", "pure": "pure"}[method], exact=sub.exact)
    out = []
    for eq in result:
        mixed = [[Fraction(1)]] * game.n_players
        for i, vec in zip(movers, eq.profile.probabilities, strict=True):
            mixed[i] = list(vec)
        behavior = game.behavior_from_mixed(plans, mixed)
        out.append((tuple(game.expected_payoffs(behavior)), behavior))
    return out


def _restrict_to(nf: NormalFormGame, movers: list[int]) -> NormalFormGame:
    """The strategic form of the movers only (the others have a single strategy)."""
    index = tuple(slice(None) if i in movers else 0 for i in range(nf.n_players))
    payoffs = np.stack([nf.payoffs[(i, *index)] for i in movers])
    return NormalFormGame(payoffs, tuple(nf.players[i] for i in movers), tuple(nf.strategies[i] for i in movers),
                          nf.title, exact=nf.exact)


def _optimal_plans(game: ExtensiveFormGame, nf: NormalFormGame, plans: list[list[dict[InfosetKey, int]]],
                   movers: list[int]) -> list[tuple[tuple[Any, ...], Behavior]]:
    """With one mover, the equilibria are its optimal pure plans (the extreme optimal mixes)."""
    if not movers:
        behavior: Behavior = {}
        return [(tuple(game.expected_payoffs(behavior)), behavior)]
    i = movers[0]
    index = tuple(slice(None) if j == i else 0 for j in range(game.n_players))
    own = list(nf.payoffs[(i, *index)])
    best = max(own)
    out = []
    for k, v in enumerate(own):
        if v == best:
            behavior = {key: tuple(Fraction(int(b == a)) for b in range(len(game.infosets[key])))
                        for key, a in plans[i][k].items()}
            out.append((tuple(game.expected_payoffs(_complete(game, behavior))), behavior))
    return out


# --------------------------------------------------------------------- SPE
def _spe(game: ExtensiveFormGame, root: Path) -> list[tuple[tuple[Any, ...], Behavior]]:
    checkpoint("subgames solved bottom-up")
    sub = game.subgame(root)
    roots = [r for r in sub.subgame_roots() if r]
    maximal = [r for r in roots if not any(r != q and r[: len(q)] == q for q in roots)]
    child = [_spe(sub, r) for r in maximal]
    combos = 1
    for c in child:
        combos *= max(1, len(c))
    if combos > limits.MAX_TREE_COMBINATIONS:
        raise BudgetError(limits.over("combinations of subgame equilibria", "MAX_TREE_COMBINATIONS", combos))
    out = []
    for combo in itertools.product(*child):
        truncated = sub.replace({r: pay for r, (pay, _) in zip(maximal, combo, strict=True)})
        for payoffs, behavior in _nash(truncated, "all"):
            merged: Behavior = {}
            for _, beh in combo:
                merged.update(beh)
            merged.update(behavior)
            out.append((payoffs, merged))
    return out


def _backward_induction(game: ExtensiveFormGame) -> tuple[tuple[Any, ...], Behavior] | None:
    """The subgame-perfect equilibrium of a perfect-information tree by one bottom-up pass, or ``None``
    if some mover is indifferent between two actions anywhere (then there may be several).

    Zermelo's backward induction (Osborne and Rubinstein 1994, Prop. 99.2), iterative and
    linear in the number of nodes: each node's value is its chosen child's, or the chance
    average of its children's.
    """
    values: dict[Path, tuple[Any, ...]] = {}
    behavior: Behavior = {}
    for path, node in reversed(game.walk()):  # children before parents
        if node.is_leaf:
            values[path] = tuple(node.payoffs)
            continue
        kids = [values.pop((*path, k)) for k in range(len(node.children))]
        if node.player == CHANCE:
            values[path] = tuple(sum(p * v[i] for p, v in zip(node.probs, kids, strict=True))
                                 for i in range(game.n_players))
            continue
        key = game.infoset_of(path)
        i = key[0]
        best = max(v[i] for v in kids)
        winners = [k for k, v in enumerate(kids) if v[i] == best]
        if len(winners) > 1:
            return None
        behavior[key] = tuple(Fraction(int(k == winners[0])) for k in range(len(kids)))
        values[path] = kids[winners[0]]
    return values[()], behavior


def _verify_perfect_information(game: ExtensiveFormGame, behavior: Behavior) -> None:
    """Check a pure profile of a perfect-information tree without the solver's pass.

    The profile's own continuation values are computed afresh (following its actions); at
    every decision node no other action may do better for the mover (the one-shot deviation
    principle, which characterises subgame perfection in finite trees), and no player's
    best response on the whole tree (dynamic programming over its own nodes) may beat the
    profile's payoff.
    """
    from negotiation.engine.sequential import continuation_values

    nodes = game.walk()
    leaves = [v for _, nd in nodes if nd.is_leaf for v in nd.payoffs]
    tol = 0 if all(isinstance(v, Fraction) for v in leaves) else \
        1e-9 * max(1.0, float(max(leaves)) - float(min(leaves)))
    chosen = {key: max(range(len(b)), key=lambda k, b=b: b[k]) for key, b in behavior.items()}
    follow = continuation_values(game, chosen)
    best: list[dict[Path, Any]] = [{} for _ in game.players]
    for path, node in reversed(nodes):
        if node.is_leaf:
            for i in range(game.n_players):
                best[i][path] = node.payoffs[i]
            continue
        kids = [(*path, k) for k in range(len(node.children))]
        if node.player == CHANCE:
            for i in range(game.n_players):
                best[i][path] = sum(p * best[i][c] for p, c in zip(node.probs, kids, strict=True))
            continue
        key = game.infoset_of(path)
        mover, a = key[0], chosen[key]
        for k, c in enumerate(kids):
            if k != a and follow[c][mover] > follow[kids[a]][mover] + tol:
                raise VerificationError(f"backward induction returned a profile in which {game.players[mover]} "
                                        f"gains by a one-shot deviation {game.describe(path)}")
        for i in range(game.n_players):
            best[i][path] = max(best[i][c] for c in kids) if i == mover else best[i][kids[a]]
    for i in range(game.n_players):
        if best[i][()] > follow[()][i] + tol:
            raise VerificationError(f"backward induction returned a profile that is not a Nash equilibrium: "
                                    f"{game.players[i]} has a better reply")


# ---------------------------------------------------------------- verification
def is_equilibrium(game: ExtensiveFormGame, behavior: Mapping[InfosetKey, Sequence[Any]],
                   subgame_perfect: bool = False) -> bool:
    """Whether a behaviour profile is a Nash equilibrium (in every subgame, if asked).

    Checked independently of any solver: the profile's mixed equivalent must have zero
    regret in the reduced strategic form of the game (and of each subgame).
    """
    try:
        _verify(game, _complete(game, behavior), subgames=subgame_perfect)
    except VerificationError:
        return False
    return True


def _verify(game: ExtensiveFormGame, behavior: Behavior, subgames: bool) -> None:
    roots = game.subgame_roots() if subgames else [()]
    for root in roots:
        sub = game.subgame(root) if root else game
        nf, plans = sub.strategic_form()
        restricted = {k: v for k, v in behavior.items() if k in sub.infosets}
        mixed = sub.mixed_from_behavior(plans, restricted)
        regret = nf.regret(nf.profile(mixed))
        if (nf.exact and regret != 0) or (not nf.exact and float(regret) > 1e-9 * nf.payoff_scale()):
            where = "the game" if not root else f"the subgame {game.describe(root)}"
            raise VerificationError(f"a tree solver returned a profile with regret {regret} in {where}")


