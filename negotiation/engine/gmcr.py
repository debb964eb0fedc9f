"""The graph model for conflict resolution (GMCR).

Decision makers (DMs) control options; a *state* says which options are taken.  A DM
can move unilaterally between states that differ only in its own options (an option
may be irreversible); a move to a state it prefers is a *unilateral improvement*.
Preferences are ordinal: tiers of equally preferred states, given explicitly or by
*option prioritization*, where a DM lists statements about options in order of
importance and a state scores ``2^(K-k)`` for each statement ``k`` it satisfies
(Fang, Hipel, Kilgour and Peng 2003, *IEEE Trans. SMC-A* 33, 106-119).

A state is stable for DM ``i`` when each of its unilateral improvements can be
sanctioned by the other DMs (Fang, Hipel and Kilgour 1993, *Interactive Decision
Making: The Graph Model for Conflict Resolution*, ch. 3; Xu, Hipel, Kilgour and Fang
2018, *Conflict Resolution Using the Graph Model*, ch. 4):

- **Nash (R)**: ``i`` has no unilateral improvement.
- **GMR**: every improvement can be answered by moves of the others to a state ``i``
  does not prefer to the original.
- **SMR**: as GMR, and ``i`` cannot escape the sanction by a further move of its own.
- **SEQ**: as GMR, but the sanctioning moves must be improvements for those who make them.

With more than two DMs the others' answers are *legal sequences* of moves in which no
DM moves twice in a row.  A state stable for every DM under a concept is an equilibrium.
"""

from __future__ import annotations

import itertools
import re
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from negotiation.errors import GameError

CONCEPTS = ("Nash", "GMR", "SMR", "SEQ")


# ------------------------------------------------------------- option statements
_TOKEN = re.compile(r"\s*(\(|\)|&|\||-|[A-Za-z_][A-Za-z0-9_]*)")


def _tokens(text: str) -> list[str]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise GameError(f"statement {text!r}: unexpected {text[pos:].strip()[:10]!r}")
        out.append(m.group(1))
        pos = m.end()
    return out


def parse_statement(text: str, options: Sequence[str]) -> Any:
    """Parse a statement about options into a predicate on option vectors.

    Grammar: option names, ``not``/``-``, ``and``/``&``, ``or``/``|``, parentheses, and
    at the top level ``A if B`` and ``A iff B``.  Nothing is evaluated as code.
    """
    toks = _tokens(text)
    pos = [0]
    index = {name: k for k, name in enumerate(options)}

    def peek() -> str | None:
        return toks[pos[0]] if pos[0] < len(toks) else None

    def take() -> str:
        tok = peek()
        if tok is None:
            raise GameError(f"statement {text!r}: ends too early")
        pos[0] += 1
        return tok

    def atom():
        tok = take()
        if tok in ("not", "-"):
            inner = atom()
            return lambda s: not inner(s)
        if tok == "(":
            inner = disjunction()
            if peek() != ")":
                raise GameError(f"statement {text!r}: missing ')'")
            take()
            return inner
        if tok in index:
            k = index[tok]
            return lambda s: bool(s[k])
        raise GameError(f"statement {text!r}: unknown option {tok!r}; options: {list(options)}")

    def conjunction():
        parts = [atom()]
        while peek() in ("and", "&"):
            take()
            parts.append(atom())
        return lambda s: all(p(s) for p in parts)

    def disjunction():
        parts = [conjunction()]
        while peek() in ("or", "|"):
            take()
            parts.append(conjunction())
        return lambda s: any(p(s) for p in parts)

    main = disjunction()
    tok = peek()
    if tok in ("if", "iff"):
        take()
        cond = disjunction()
        main = (lambda a, b: (lambda s: a(s) or not b(s)))(main, cond) if tok == "if" else \
            (lambda a, b: (lambda s: a(s) == b(s)))(main, cond)
    if peek() is not None:
        raise GameError(f"statement {text!r}: unexpected {peek()!r}")
    return main


# ------------------------------------------------------------------ the model
@dataclass(frozen=True)
class GraphModel:
    """A conflict in graph form.

    Build it with :meth:`from_options`.

    Attributes
    ----------
    decision_makers : tuple of str
    options : tuple of str
        All options, in order; ``owner[k]`` is the DM that controls option ``k``.
    owner : tuple of int
    states : tuple of tuple of bool
        The feasible states (option vectors), numbered from 1 in tables.
    tiers : tuple of tuple of tuple of int
        For each DM, its preference tiers (state indices), most preferred first.
    irreversible : dict
        Option -> ``"forward"`` (once taken it stays) or ``"backward"`` (once dropped it
        cannot be taken again).
    """

    decision_makers: tuple[str, ...]
    options: tuple[str, ...]
    owner: tuple[int, ...]
    states: tuple[tuple[bool, ...], ...]
    tiers: tuple[tuple[tuple[int, ...], ...], ...]
    irreversible: dict[str, str]

    @classmethod
    def from_options(
        cls,
        options: Mapping[str, Sequence[str]],
        preferences: Mapping[str, Sequence[str]] | None = None,
        rankings: Mapping[str, Sequence[Any]] | None = None,
        infeasible: Sequence[str] = (),
        irreversible: Mapping[str, str] | None = None,
    ) -> GraphModel:
        """Build a graph model from options.

        Parameters
        ----------
        options : ``{dm: [option, ...]}``
        preferences : ``{dm: [statement, ...]}``, optional
            Option prioritization, most important statement first.
        rankings : ``{dm: [state or [states equally preferred], ...]}``, optional
            Explicit rankings, most preferred first; a state is its 1-based number in
            :attr:`states` or the set of options taken, written ``"A & B"`` (``"-"``:
            none).  Every feasible state must appear once.
        infeasible : sequence of statements
            States satisfying any of them are removed.
        irreversible : ``{option: "forward" | "backward"}``
        """
        dms = tuple(options)
        names = [o for dm in dms for o in options[dm]]
        if len(set(names)) != len(names):
            raise GameError(f"option names must be unique: {names}")
        owner = tuple(i for i, dm in enumerate(dms) for _ in options[dm])
        rules = [parse_statement(s, names) for s in infeasible]
        states = tuple(s for s in itertools.product((False, True), repeat=len(names))
                       if not any(rule(s) for rule in rules))
        if not states:
            raise GameError("every state is infeasible")
        irr = dict(irreversible or {})
        for option, way in irr.items():
            if option not in names or way not in ("forward", "backward"):
                raise GameError(f"irreversible: {option!r}: need a known option and 'forward' or 'backward'")
        if (preferences is None) == (rankings is None):
            raise GameError("give either preferences (option prioritization) or rankings, for every DM")
        tiers = []
        for dm in dms:
            if preferences is not None:
                if dm not in preferences:
                    raise GameError(f"preferences: no statements for {dm!r}")
                tiers.append(_prioritize(states, [parse_statement(s, names) for s in preferences[dm]]))
            else:
                if dm not in rankings:  # type: ignore[operator]
                    raise GameError(f"rankings: no ranking for {dm!r}")
                tiers.append(_ranking(states, names, rankings[dm], dm))  # type: ignore[index]
        return cls(dms, tuple(names), owner, states, tuple(tiers), irr)

    # -------------------------------------------------------------- structure
    def state_label(self, k: int) -> str:
        """Options taken at state ``k``, e.g. ``"Modify & Insist"`` (``"-"`` if none)."""
        taken = [o for o, on in zip(self.options, self.states[k], strict=True) if on]
        return " & ".join(taken) or "-"

    def _rank(self, i: int) -> dict[int, int]:
        return {s: r for r, tier in enumerate(self.tiers[i]) for s in tier}

    def moves(self, i: int, k: int) -> list[int]:
        """States DM ``i`` can reach from state ``k`` in one move."""
        here = self.states[k]
        out = []
        for t, there in enumerate(self.states):
            if t == k or any(a != b and self.owner[o] != i for o, (a, b) in enumerate(zip(here, there, strict=True))):
                continue
            if any(self._blocked(o, a, b) for o, (a, b) in enumerate(zip(here, there, strict=True))):
                continue
            out.append(t)
        return out

    def _blocked(self, o: int, was: bool, now: bool) -> bool:
        way = self.irreversible.get(self.options[o])
        return (way == "forward" and was and not now) or (way == "backward" and not was and now)

    def improvements(self, i: int, k: int) -> list[int]:
        """DM ``i``'s unilateral improvements from state ``k``."""
        rank = self._rank(i)
        return [t for t in self.moves(i, k) if rank[t] < rank[k]]

    def _reachable(self, coalition: Sequence[int], k: int, improving: bool) -> set[int]:
        """States the coalition reaches from ``k`` by legal sequences (no DM twice in a row)."""
        seen: set[tuple[int, int]] = set()
        out: set[int] = set()
        queue = deque([(k, -1)])
        while queue:
            state, last = queue.popleft()
            for j in coalition:
                if j == last:
                    continue
                for t in (self.improvements(j, state) if improving else self.moves(j, state)):
                    if (t, j) not in seen:
                        seen.add((t, j))
                        out.add(t)
                        queue.append((t, j))
        return out

    # -------------------------------------------------------------- stability
    def is_stable(self, k: int, i: int, concept: str) -> bool:
        """Whether state ``k`` is stable for DM ``i`` under ``concept`` (see the module docstring)."""
        if concept not in CONCEPTS:
            raise GameError(f"unknown stability concept {concept!r}; concepts: {', '.join(CONCEPTS)}")
        rank = self._rank(i)
        ups = self.improvements(i, k)
        if concept == "Nash" or not ups:
            return not ups
        others = [j for j in range(len(self.decision_makers)) if j != i]
        for s1 in ups:
            answers = self._reachable(others, s1, improving=concept == "SEQ")
            sanctions = [s2 for s2 in answers if rank[s2] >= rank[k]]
            if concept == "SMR":
                sanctions = [s2 for s2 in sanctions if all(rank[s3] >= rank[k] for s3 in self.moves(i, s2))]
            if not sanctions:
                return False
        return True

    def stability(self) -> pd.DataFrame:
        """The stability table: one row per state; for each concept and DM whether the
        state is stable for it, and whether it is an equilibrium (stable for all)."""
        rows = []
        for k, state in enumerate(self.states):
            row: dict[str, Any] = {"state": k + 1}
            for o, on in zip(self.options, state, strict=True):
                row[o] = "Y" if on else "N"
            for concept in CONCEPTS:
                flags = [self.is_stable(k, i, concept) for i in range(len(self.decision_makers))]
                for dm, flag in zip(self.decision_makers, flags, strict=True):
                    row[f"{concept} {dm}"] = flag
                row[f"{concept} equilibrium"] = all(flags)
            rows.append(row)
        return pd.DataFrame(rows)

    def equilibria(self, concept: str = "Nash") -> list[int]:
        """The 1-based numbers of the states stable for every DM under ``concept``."""
        return [k + 1 for k in range(len(self.states))
                if all(self.is_stable(k, i, concept) for i in range(len(self.decision_makers)))]


def _prioritize(states: Sequence[tuple[bool, ...]], statements: Sequence[Any]) -> tuple[tuple[int, ...], ...]:
    n = len(statements)
    scores = [sum(2 ** (n - 1 - k) for k, st in enumerate(statements) if st(s)) for s in states]
    return tuple(tuple(k for k, sc in enumerate(scores) if sc == level) for level in sorted(set(scores), reverse=True))


def _ranking(states: Sequence[tuple[bool, ...]], names: Sequence[str], ranking: Sequence[Any],
             dm: str) -> tuple[tuple[int, ...], ...]:
    def resolve(item: Any) -> int:
        if isinstance(item, int) and not isinstance(item, bool):
            if not 1 <= item <= len(states):
                raise GameError(f"rankings[{dm!r}]: state {item} does not exist (1..{len(states)})")
            return item - 1
        taken = set() if str(item).strip() == "-" else {p.strip() for p in str(item).split("&")}
        unknown = taken - set(names)
        if unknown:
            raise GameError(f"rankings[{dm!r}]: unknown option(s) {sorted(unknown)}")
        vec = tuple(o in taken for o in names)
        if vec not in states:
            raise GameError(f"rankings[{dm!r}]: state {item!r} is not feasible")
        return states.index(vec)

    tiers = []
    for entry in ranking:
        group = entry if isinstance(entry, list | tuple) else [entry]
        tiers.append(tuple(resolve(x) for x in group))
    flat = [s for t in tiers for s in t]
    if sorted(flat) != list(range(len(states))):
        missing = sorted(set(range(len(states))) - set(flat))
        raise GameError(f"rankings[{dm!r}]: every feasible state must appear exactly once "
                        f"(missing {[m + 1 for m in missing]})")
    return tuple(tiers)
