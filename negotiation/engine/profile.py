"""Mixed profiles, expected payoffs, best responses and regret.

The functions at module level are pure algorithms on arrays (payoff tensor of shape
``(n_players, s_1, ..., s_n)`` and a list of probability vectors); :class:`MixedProfile`
is the thin labelled object above them.  With exact (Fraction) payoffs and
probabilities every quantity is exact.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from negotiation.engine.numbers import exact_array, float_array, is_exact
from negotiation.errors import GameError


def deviation_payoffs(payoffs: np.ndarray, sigma: Sequence[np.ndarray], player: int) -> np.ndarray:
    """Payoff of each pure strategy of ``player`` against the others' mixed strategies.

    Parameters
    ----------
    payoffs : ndarray of shape (n, s_1, ..., s_n)
    sigma : sequence of n probability vectors
    player : int

    Returns
    -------
    ndarray of shape (s_player,)
    """
    own = payoffs[player]
    tensor = own.transpose((player, *(k for k in range(own.ndim) if k != player)))  # np.moveaxis, without its overhead
    others = [j for j in reversed(range(len(sigma))) if j != player]  # the last remaining axis first
    if tensor.dtype == object:
        try:
            tensor, denominator = _integers(tensor)
            for j in others:
                numerators, scale = _integers(np.asarray(sigma[j], dtype=object))
                tensor = tensor @ numerators
                denominator *= scale
        except AttributeError:  # entries that are no rationals: contract them as they are
            pass
        else:
            return np.array([Fraction(int(v), denominator) for v in tensor], dtype=object)
    for j in others:
        tensor = tensor @ sigma[j]
    return tensor


def _integers(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Rationals as integers over one common denominator (integer products are several times
    faster than those of Fractions); AttributeError for an entry that is no rational."""
    denominator = math.lcm(*(v.denominator for v in values.flat))
    numerators = np.array([v.numerator * (denominator // v.denominator) for v in values.flat], dtype=object)
    return numerators.reshape(values.shape), denominator


def payoffs_and_regrets(payoffs: np.ndarray, sigma: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Every player's expected payoff under ``sigma`` and its regret (best deviation payoff
    minus that, >= 0), from one contraction per player."""
    devs = [deviation_payoffs(payoffs, sigma, i) for i in range(len(sigma))]
    values = np.array([dev.dot(s) for dev, s in zip(devs, sigma, strict=True)], dtype=payoffs.dtype)
    regrets = np.array([max(dev) - v for dev, v in zip(devs, values, strict=True)], dtype=payoffs.dtype)
    return values, regrets


def batch_payoffs_and_regrets(payoffs: np.ndarray, sigmas: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """:func:`payoffs_and_regrets` of many float profiles at once.

    Parameters
    ----------
    payoffs : ndarray of shape (n, s_1, ..., s_n), float
    sigmas : sequence of n arrays
        ``sigmas[i][e]`` is player i's vector in profile e, shape (profiles, s_i).

    Returns
    -------
    values, regrets : ndarray of shape (profiles, n)
    """
    n = len(sigmas)
    values = np.empty((len(sigmas[0]), n))
    regrets = np.empty((len(sigmas[0]), n))
    for i in range(n):  # axis n indexes the profiles: one contraction of the tensor with every other vector
        operands = [payoffs[i], list(range(n))]
        for j in range(n):
            if j != i:
                operands += [sigmas[j], [n, j]]
        devs = np.einsum(*operands, [n, i]) if n > 1 else np.broadcast_to(payoffs[i], sigmas[i].shape)
        values[:, i] = (devs * sigmas[i]).sum(axis=1)
        regrets[:, i] = devs.max(axis=1) - values[:, i]
    return values, regrets


def expected_payoffs(payoffs: np.ndarray, sigma: Sequence[np.ndarray]) -> np.ndarray:
    """Expected payoff of every player under the profile ``sigma``."""
    return payoffs_and_regrets(payoffs, sigma)[0]


def player_regrets(payoffs: np.ndarray, sigma: Sequence[np.ndarray]) -> np.ndarray:
    """For each player, best deviation payoff minus current expected payoff (>= 0)."""
    return payoffs_and_regrets(payoffs, sigma)[1]


def coerce_sigma(payoffs: np.ndarray, sigma: Sequence[object]) -> list[np.ndarray]:
    """Probability vectors in the number type of ``payoffs`` (exact stays exact)."""
    if is_exact(payoffs):
        return [exact_array(s) for s in sigma]
    return [float_array(s) for s in sigma]


@dataclass(frozen=True, eq=False)
class MixedProfile:
    """A labelled mixed-strategy profile: one probability vector per player.

    Parameters
    ----------
    players : tuple of str
    strategies : tuple of tuple of str
        The strategy names of each player.
    probabilities : tuple of ndarray
        One vector per player, float or exact (Fraction), each summing to one.

    Examples
    --------
    >>> p = MixedProfile.uniform(("Row", "Col"), (("U", "D"), ("L", "R")), exact=True)
    >>> p["Row"]
    {'U': Fraction(1, 2), 'D': Fraction(1, 2)}
    """

    players: tuple[str, ...]
    strategies: tuple[tuple[str, ...], ...]
    probabilities: tuple[np.ndarray, ...]

    def __post_init__(self) -> None:
        if len(self.probabilities) != len(self.players):
            raise GameError(
                f"profile has {len(self.probabilities)} vectors for {len(self.players)} players"
            )
        frozen = []
        for name, labels, vec in zip(self.players, self.strategies, self.probabilities, strict=True):
            arr = np.array(vec, dtype=object if _any_fraction(vec) else float, copy=True)
            if arr.shape != (len(labels),):
                raise GameError(
                    f"player {name!r}: {arr.shape[0] if arr.ndim else 0} probabilities "
                    f"for {len(labels)} strategies"
                )
            if arr.dtype == object:
                arr = exact_array(arr)
                if any(p < 0 for p in arr) or sum(arr) != 1:
                    raise GameError(f"player {name!r}: probabilities {list(arr)} are not a distribution")
            elif not distributions(arr[None, :])[0, 0]:
                raise GameError(f"player {name!r}: probabilities {arr.tolist()} are not a distribution")
            arr.setflags(write=False)
            frozen.append(arr)
        object.__setattr__(self, "probabilities", tuple(frozen))

    @classmethod
    def from_checked(cls, players: tuple[str, ...], strategies: tuple[tuple[str, ...], ...],
                     probabilities: tuple[np.ndarray, ...]) -> MixedProfile:
        """A profile of float vectors that are already checked: read-only, one per player, of
        its number of strategies, each passing :func:`distributions`.  For a batch of profiles
        checked at once (the batched verification of :func:`negotiation.engine.solve`), where
        checking each vector again would cost more than the rest of the work."""
        profile = object.__new__(cls)
        object.__setattr__(profile, "players", players)
        object.__setattr__(profile, "strategies", strategies)
        object.__setattr__(profile, "probabilities", probabilities)
        return profile

    @classmethod
    def uniform(
        cls, players: Sequence[str], strategies: Sequence[Sequence[str]], exact: bool = False
    ) -> MixedProfile:
        """The profile where every player mixes uniformly."""
        vecs = []
        for labels in strategies:
            k = len(labels)
            vecs.append(np.array([Fraction(1, k)] * k, dtype=object) if exact else np.full(k, 1 / k))
        return cls(tuple(players), tuple(tuple(s) for s in strategies), tuple(vecs))

    @property
    def exact(self) -> bool:
        """Whether the probabilities are exact Fractions."""
        return all(v.dtype == object for v in self.probabilities)

    def __getitem__(self, player: str | int) -> dict[str, object]:
        i = self._index(player)
        return dict(zip(self.strategies[i], self.probabilities[i].tolist(), strict=True))

    def _index(self, player: str | int) -> int:
        if isinstance(player, int):
            return player
        try:
            return self.players.index(player)
        except ValueError:
            raise KeyError(f"unknown player {player!r}; players are {list(self.players)}") from None

    def support(self, player: str | int) -> tuple[str, ...]:
        """Strategies played with positive probability."""
        i = self._index(player)
        return tuple(s for s, p in zip(self.strategies[i], self.probabilities[i], strict=True) if p > 0)

    def is_pure(self) -> bool:
        """Whether every player plays one strategy with probability one."""
        return all(max(v) == 1 for v in self.probabilities)

    def to_dict(self) -> dict[str, dict[str, object]]:
        """``{player: {strategy: probability}}``."""
        return {p: self[p] for p in self.players}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MixedProfile):
            return NotImplemented
        return (
            self.players == other.players
            and self.strategies == other.strategies
            and all(
                np.array_equal(a, b) for a, b in zip(self.probabilities, other.probabilities, strict=True)
            )
        )

    def __hash__(self) -> int:
        return hash((self.players, tuple(tuple(v.tolist()) for v in self.probabilities)))

    def __repr__(self) -> str:
        parts = []
        for name in self.players:
            inner = ", ".join(f"{s}: {_fmt(p)}" for s, p in self[name].items() if p != 0)
            parts.append(f"{name}: {{{inner}}}")
        return "MixedProfile(" + "; ".join(parts) + ")"


def distributions(vectors: np.ndarray, starts: Sequence[int] = (0,)) -> np.ndarray:
    """Which rows of a float array are probability vectors: finite, none below -1e-12, summing
    to one within 1e-9.  Each row may hold several vectors side by side, the k-th from column
    ``starts[k]`` on; the answer has a row per row and a column per vector."""
    at = np.asarray(starts, dtype=np.intp)
    sums = np.add.reduceat(vectors, at, axis=1)
    lowest = np.minimum.reduceat(vectors, at, axis=1)  # nan stays nan
    return (lowest >= -1e-12) & (np.abs(sums - 1) <= 1e-9) & np.isfinite(sums)


def _any_fraction(vec: object) -> bool:
    if isinstance(vec, np.ndarray) and vec.dtype.kind in "fiub":
        return False
    arr = np.asarray(vec, dtype=object)
    return any(isinstance(v, Fraction) for v in arr.flat)


def _fmt(p: object) -> str:
    if isinstance(p, Fraction):
        return str(p)
    return f"{float(p):.6g}"


def profile_from_mapping(
    players: Sequence[str],
    strategies: Sequence[Sequence[str]],
    mapping: Mapping[str, Mapping[str, object] | str],
) -> MixedProfile:
    """Build a profile from ``{player: {strategy: prob}}`` or ``{player: strategy}``."""
    vecs = []
    for name, labels in zip(players, strategies, strict=True):
        if name not in mapping:
            raise GameError(f"profile has no entry for player {name!r}")
        entry = mapping[name]
        if isinstance(entry, str):
            if entry not in labels:
                raise GameError(f"player {name!r} has no strategy {entry!r}; strategies are {list(labels)}")
            entry = {entry: 1}
        unknown = set(entry) - set(labels)
        if unknown:
            raise GameError(f"player {name!r} has no strategy {sorted(unknown)[0]!r}")
        vecs.append(np.array([entry.get(s, 0) for s in labels], dtype=object))
    exact = all(
        isinstance(v, (int, Fraction)) and not isinstance(v, bool) for vec in vecs for v in vec
    )
    vecs = [exact_array(v) if exact else float_array(v) for v in vecs]
    return MixedProfile(tuple(players), tuple(tuple(s) for s in strategies), tuple(vecs))
