"""Scenarios: parties, leverage parameters, parametric games and outcomes of one case.

A scenario is read from a YAML file (``games/*.yaml``), validated against the JSON
Schema ``scenario.schema.json`` and then against the rules a schema cannot state
(references between sections, every pure profile given once, payoff expressions in the
safe grammar of :mod:`negotiation.engine.expressions`, baselines within bounds).  A bad
file gets a :class:`~negotiation.errors.GameFormatError` naming the file, the line, the
key path and the reason.  :func:`save_scenario` writes it back; loading what was saved
gives an equal scenario.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jsonschema
import numpy as np
import sympy
import yaml

from negotiation.domain.leverage import (
    Distribution,
    Parameter,
    ParameterError,
    Provenance,
    Source,
    number,
    plain,
)
from negotiation.engine.bargaining import BargainingProblem
from negotiation.engine.expressions import ExpressionError, check_parameter_name, parse_expression, suggest
from negotiation.engine.extensive import ExtensiveFormGame, Node, chance, decision, leaf
from negotiation.engine.game import NormalFormGame
from negotiation.engine.numbers import finite_real, substitute, to_fraction
from negotiation.engine.parametric import ParametricGame, symbol_values
from negotiation.engine.repeated import Sustainability, sustainability
from negotiation.engine.sequential import tree_conditions, verify_profile
from negotiation.engine.solvers import SolveResult, solve
from negotiation.engine.solvers.tree import TreeSolveResult, solve_tree
from negotiation.engine.symbolic import Condition, conditions
from negotiation.errors import GameError, GameFormatError, VerificationError
from negotiation.io.atomic import atomic_write_text
from negotiation.io.text import compose_yaml, load_yaml, read_text

FORMAT = "negotiation-scenario/1"


@dataclass(frozen=True)
class Party:
    """A decision maker: ``id`` is used in games, ``name`` in tables and text."""

    id: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class GameSpec:
    """A normal-form game of the scenario, as written in the file.

    ``payoffs`` holds, for each pure profile (strategy names in player order), the
    payoff expression text of each player.
    """

    id: str
    title: str
    players: tuple[str, ...]
    strategies: tuple[tuple[str, ...], ...]
    payoffs: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]
    description: str = ""
    notes: tuple[tuple[tuple[str, ...], str], ...] = ()


@dataclass(frozen=True)
class RepeatedSpec:
    """A normal-form game of the scenario played repeatedly, as written in the file.

    ``target`` and ``punishment`` map parties to strategies (``punishment`` may also be
    ``"nash"`` or ``"minmax"``); ``enforce`` says what follows a deviation from the
    punishment (``"restart"``, ``"nash"`` or a profile); ``detection`` and ``false_alarm``
    are expression texts.
    """

    id: str
    title: str
    game: str
    target: tuple[tuple[str, str], ...]
    punishment: str | tuple[tuple[str, str], ...]
    periods: int | None = None
    detection: str = "1"
    false_alarm: str = "0"
    description: str = ""
    enforce: str | tuple[tuple[str, str], ...] = "restart"
    period: str = ""


@dataclass(frozen=True)
class BargainingSpec:
    """A split of a contested good between two parties, as written in the file.

    ``utilities`` maps each party to the expression text of its utility of its own share
    ``x``; ``disagreement`` to the text of its payoff if talks fail.
    """

    id: str
    title: str
    players: tuple[str, str]
    utilities: tuple[str, str]
    disagreement: tuple[str, str]
    description: str = ""


@dataclass(frozen=True)
class TreeSpec:
    """A game tree of the scenario, as written in the file.

    ``root`` is the file's nested node data (plain dicts: ``payoffs``; ``player``, ``at``
    and ``moves``; or ``chance``), kept for writing the file back; the parsed tree is
    :meth:`Scenario.tree`.
    """

    id: str
    title: str
    players: tuple[str, ...]
    root: Mapping[str, Any] = field(compare=False)
    description: str = ""


@dataclass(frozen=True)
class Intervention:
    """A named counterfactual: parameter values set to what the intervention would make them.

    ``values`` maps parameters to exact numbers; ``provenance`` says where the new values come
    from (a source's fact, or an assumption with its reason).
    """

    id: str
    description: str
    values: tuple[tuple[str, Fraction], ...]
    provenance: Provenance = field(default_factory=Provenance)


@dataclass(frozen=True)
class Explained:
    """A finding of the model checker that the modeller has answered in the file.

    ``finding`` is the check's code (``knife-edge``), ``at`` the key path it names
    (``outcomes.coercion_fails``), ``reason`` why the model stands regardless.
    """

    finding: str
    at: str
    reason: str


@dataclass(frozen=True)
class Outcome:
    """An outcome of interest: a set of pure profiles of one game (it holds if any is an equilibrium)."""

    id: str
    game: str
    profiles: tuple[tuple[str, ...], ...]
    description: str = ""
    historical: bool = False
    strategy: tuple[tuple[str, str], ...] = ()
    beliefs: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()

    @property
    def kind(self) -> str:
        """``"game"`` (a set of pure profiles of a normal-form game) or ``"tree"`` (a pure
        behaviour profile of a game tree: ``strategy`` maps each information set to an action,
        ``beliefs`` gives the beliefs at unreached information sets of several nodes)."""
        return "tree" if self.strategy else "game"


@dataclass(frozen=True)
class Scenario:
    """A case: parties, leverage parameters, games sharing them, outcomes and sources.

    Examples
    --------
    >>> from negotiation import catalog
    >>> idlib = catalog.load("idlib-2020")
    >>> sorted(idlib.games)
    ['ceasefire_stage']
    """

    name: str
    title: str
    description: str
    sources: Mapping[str, Source]
    parties: Mapping[str, Party]
    parameters: Mapping[str, Parameter]
    games: Mapping[str, GameSpec]
    outcomes: Mapping[str, Outcome]
    assumptions: tuple[str, ...] = ()
    repeated: Mapping[str, RepeatedSpec] = field(default_factory=dict)
    bargaining: Mapping[str, BargainingSpec] = field(default_factory=dict)
    trees: Mapping[str, TreeSpec] = field(default_factory=dict)
    interventions: Mapping[str, Intervention] = field(default_factory=dict)
    explained: tuple[Explained, ...] = ()
    origin: str = field(default="", compare=False, repr=False)
    lines: Mapping[tuple[Any, ...], int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("sources", "parties", "parameters", "games", "outcomes", "repeated", "bargaining", "trees",
                     "interventions"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        object.__setattr__(self, "assumptions", tuple(self.assumptions))
        object.__setattr__(self, "explained", tuple(self.explained))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scenario):
            return NotImplemented
        return to_dict(self) == to_dict(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        parts = [f"{len(self.parameters)} parameters"]
        for label, section in (("games", self.games), ("trees", self.trees), ("outcomes", self.outcomes),
                               ("repeated", self.repeated), ("bargaining", self.bargaining)):
            if section:
                parts.append(f"{label} {list(section)}")
        if self.interventions:  # named in full by the HTML table and `negotiation show`
            parts.append(f"{len(self.interventions)} interventions")
        return f"Scenario({self.name!r}: {'; '.join(parts)})"

    def _repr_html_(self) -> str:
        import html

        import pandas as pd

        rows = [{"parameter": k, "baseline": plain(p.baseline),
                 "bounds": f"[{plain(p.bounds[0])}, {plain(p.bounds[1])}]", "unit": p.unit,
                 "baseline from": p.baseline_provenance.kind, "description": p.description}
                for k, p in self.parameters.items()]
        lists = "".join(f"<li><b>{label}</b>: {html.escape(', '.join(section))}</li>" for label, section in (
            ("games", self.games), ("trees", self.trees), ("outcomes", self.outcomes), ("repeated", self.repeated),
            ("bargaining", self.bargaining), ("interventions", self.interventions)) if section)
        return (f"<p><b>{html.escape(self.name)}</b>: {html.escape(self.title)}</p><ul>{lists}</ul>"
                + pd.DataFrame(rows).to_html(index=False))

    def where(self, *keys: Any) -> str:
        """``file:line: key.path`` of a place in the file the scenario was read from (for messages)."""
        return _Context(self.origin or "<scenario>", self.lines).place(keys)

    def diagnose(self, **kwargs: Any) -> Any:
        """Check the model for faults a referee would find (see :func:`negotiation.domain.diagnostics.diagnose`)."""
        from negotiation.domain.diagnostics import diagnose

        return diagnose(self, **kwargs)

    # -------------------------------------------------------------------- values
    def baseline(self) -> dict[str, Fraction]:
        """Every parameter at its baseline."""
        return {name: p.baseline for name, p in self.parameters.items()}

    def values(self, overrides: Mapping[str, Any] | None = None, **kwargs: Any) -> dict[str, Fraction]:
        """Baseline values with some overridden; unknown names and out-of-bounds values are refused."""
        merged = self.baseline()
        for key, value in {**(overrides or {}), **kwargs}.items():
            if key not in self.parameters:
                raise GameError(
                    f"scenario {self.name!r} has no parameter {key!r}{suggest(key, self.parameters)}; "
                    f"parameters: {', '.join(self.parameters)}"
                )
            try:
                merged[key] = self.parameters[key].check(value)
            except ValueError as err:
                raise GameError(f"scenario {self.name!r}: {err}") from None
        return merged

    # --------------------------------------------------------------------- games
    def game_spec(self, game: str) -> GameSpec:
        if game not in self.games:
            raise GameError(
                f"scenario {self.name!r} has no game {game!r}{suggest(game, self.games)}; "
                f"games: {', '.join(self.games)}"
            )
        return self.games[game]

    def game(self, game: str) -> ParametricGame:
        """The parametric game (players named by their parties' names)."""
        return self._games[self.game_spec(game).id]

    @cached_property
    def _games(self) -> dict[str, ParametricGame]:
        return {gid: _build_game(self, spec) for gid, spec in self.games.items()}

    def tree(self, tree: str) -> ExtensiveFormGame:
        """The parametric game tree (players named by their parties' names)."""
        if tree not in self.trees:
            self.model_kind(tree)
            raise GameError(f"{tree!r} is not a game tree of scenario {self.name!r}")
        return self._trees[tree]

    @cached_property
    def _trees(self) -> dict[str, ExtensiveFormGame]:
        return {tid: _build_tree(self, spec) for tid, spec in self.trees.items()}

    def at(self, game: str, overrides: Mapping[str, Any] | None = None, **kwargs: Any
           ) -> NormalFormGame | ExtensiveFormGame:
        """The numeric game (or game tree) at the baseline with ``overrides``."""
        values = self.values(overrides, **kwargs)
        if game in self.trees:
            tree = self.tree(game)
            return tree.at({k: v for k, v in values.items() if k in tree.parameters})
        try:
            return self.game(game).at(values)
        except GameError:
            raise self._not_real(game, values) from None

    def _not_real(self, game: str, values: Mapping[str, Fraction]) -> GameError:
        """The error for a payoff that is not a finite real number at these values, naming its place."""
        spec, pgame = self.game_spec(game), self.game(game)
        subs = symbol_values(values)
        for k, (profile, texts) in enumerate(spec.payoffs):
            cell = pgame.profile_index(profile)
            for i, party in enumerate(spec.players):
                expr = substitute(pgame.payoff(i, cell), subs)
                if finite_real(expr) is None:
                    used = sorted(str(s) for s in pgame.payoff(i, cell).free_symbols)
                    at = ", ".join(f"{u}={plain(values[u])}" for u in used)
                    shown = {sympy.zoo: "a division by zero", sympy.nan: "undefined (nan)"}.get(expr) or (
                        f"{sympy.N(expr, 6)}")
                    return GameError(f"{self.where('games', game, 'payoffs', k, party)}: the payoff "
                                     f"{texts[i]!r} is {shown} at {at}, not a finite real number")
        return GameError(f"game {game!r} has a payoff that is not a finite real number at these values")

    def solve(self, game: str, overrides: Mapping[str, Any] | None = None, method: str = "auto",
              **kwargs: Any) -> SolveResult | TreeSolveResult:
        """Solve one game at the baseline with ``overrides`` (see :func:`negotiation.solve`; a
        game tree with :func:`negotiation.solve_tree`, ``"spe"`` by default)."""
        numeric = self.at(game, overrides)
        if isinstance(numeric, ExtensiveFormGame):
            return solve_tree(numeric, "spe" if method == "auto" else method)
        return solve(numeric, method, **kwargs)

    def outcome(self, outcome: str) -> Outcome:
        if outcome not in self.outcomes:
            raise GameError(
                f"scenario {self.name!r} has no outcome {outcome!r}{suggest(outcome, self.outcomes)}; "
                f"outcomes: {', '.join(self.outcomes) or 'none'}"
            )
        return self.outcomes[outcome]

    def outcome_profiles(self, outcome: str) -> list[dict[str, str]]:
        """The outcome's profiles as ``{player name: strategy}`` (for a tree outcome, one profile
        ``{information set: action}``)."""
        out = self.outcome(outcome)
        if out.kind == "tree":
            return [dict(out.strategy)]
        names = self.game(out.game).players
        return [dict(zip(names, prof, strict=True)) for prof in out.profiles]

    def outcome_conditions(self, outcome: str) -> list[tuple[tuple[str, ...], tuple[str, ...], tuple[Condition, ...]]]:
        """The equilibrium conditions of each profile of the outcome, in closed form.

        Returns ``(labels, profile, conditions)`` per profile: for a normal-form game the
        players and their strategies, with the Nash conditions
        (:func:`negotiation.engine.symbolic.conditions`); for a tree the information sets and
        their actions, with the sequential-rationality conditions
        (:func:`negotiation.engine.sequential.tree_conditions`).
        """
        return self._conditions[self.outcome(outcome).id]

    @cached_property
    def _conditions(self) -> dict[str, list[tuple[tuple[str, ...], tuple[str, ...], tuple[Condition, ...]]]]:
        out = {}
        for oid, o in self.outcomes.items():
            if o.kind == "tree":
                tree = self.tree(o.game)
                beliefs = {label: dict(b) for label, b in o.beliefs}
                labels = tuple(label for label, _ in o.strategy)
                out[oid] = [(labels, tuple(a for _, a in o.strategy), tree_conditions(tree, dict(o.strategy), beliefs))]
            else:
                game = self.game(o.game)
                out[oid] = [(game.players, prof, conditions(game, prof)) for prof in o.profiles]
        return out

    def outcome_parameters(self, outcome: str) -> list[str]:
        """The parameters the outcome's game or tree depends on, in the scenario's order."""
        out = self.outcome(outcome)
        model: Any = self.tree(out.game) if out.kind == "tree" else self.game(out.game)
        exprs = [v for _, nd in model.walk() for v in (*nd.payoffs, *nd.probs)] if out.kind == "tree" \
            else list(model.payoffs.flat)
        used = {str(s) for e in exprs if isinstance(e, sympy.Basic) for s in e.free_symbols}
        return [k for k in self.parameters if k in used]

    def holds(self, outcome: str, overrides: Mapping[str, Any] | None = None, **kwargs: Any) -> bool:
        """Whether some profile of the outcome is an equilibrium at these values: a Nash equilibrium of
        a normal-form game, or a sequentially rational profile of a tree (with its beliefs).

        For a tree the conditions are evaluated exactly and checked against
        :func:`negotiation.engine.sequential.verify_profile` (a sequentially rational profile
        must be a Nash equilibrium; with perfect information, a subgame-perfect one).
        """
        out = self.outcome(outcome)
        numeric = self.at(out.game, overrides, **kwargs)
        if out.kind == "game":
            return any(numeric.is_nash(numeric.profile(p)) for p in self.outcome_profiles(outcome))
        values = self.values(overrides, **kwargs)
        ((_, _, conds),) = self.outcome_conditions(outcome)
        symbolic = all(c.holds(values) for c in conds)
        verified = verify_profile(numeric, dict(out.strategy))
        if (symbolic and not verified) or (numeric.is_perfect_information() and verified != symbolic):
            raise VerificationError(f"outcome {outcome!r}: the conditions say {symbolic} but the independent check "
                                    f"of the tree says {verified}")
        return symbolic

    def party_name(self, party: str) -> str:
        return self.parties[party].name

    # ------------------------------------------------ repeated games and bargaining
    def model_kind(self, name: str) -> str:
        """``"game"``, ``"tree"``, ``"repeated"`` or ``"bargaining"``: which section defines ``name``."""
        sections = (("game", self.games), ("tree", self.trees), ("repeated", self.repeated),
                    ("bargaining", self.bargaining))
        for kind, section in sections:
            if name in section:
                return kind
        known = [k for _, section in sections for k in section]
        listed = "; ".join(f"{label}: {', '.join(section)}" for label, section in (
            ("games", self.games), ("trees", self.trees), ("repeated games", self.repeated),
            ("bargaining problems", self.bargaining)) if section)
        raise GameError(f"scenario {self.name!r} has no game {name!r}{suggest(name, known)}; {listed}")

    def sustainability(self, repeated: str, overrides: Mapping[str, Any] | None = None, symbolic: bool = False,
                       **kwargs: Any) -> Sustainability:
        """When the repeated game's trigger strategy sustains its target (see
        :func:`negotiation.engine.repeated.sustainability`): at the baseline with
        ``overrides``, or in closed form in the parameters with ``symbolic=True``."""
        if repeated not in self.repeated:
            self.model_kind(repeated)  # raises with the known names
            raise GameError(f"{repeated!r} is not a repeated game of scenario {self.name!r}")
        spec = self.repeated[repeated]
        params = tuple(self.parameters)
        detection = parse_expression(spec.detection, params, f"repeated.{spec.id}.detection")
        false_alarm = parse_expression(spec.false_alarm, params, f"repeated.{spec.id}.false_alarm")
        target = {self.party_name(p): s for p, s in spec.target}
        punishment, enforce = ((v if isinstance(v, str) else {self.party_name(p): s for p, s in v})
                               for v in (spec.punishment, spec.enforce))
        if symbolic:
            stage: Any = self.game(spec.game)
        else:
            values = self.values(overrides, **kwargs)
            subs = symbol_values(values)
            stage = self.game(spec.game).at(values)
            detection, false_alarm = detection.xreplace(subs), false_alarm.xreplace(subs)
        return sustainability(stage, target, punishment, spec.periods, detection, false_alarm, enforce)

    def bargaining_problem(self, bargaining: str, overrides: Mapping[str, Any] | None = None,
                           **kwargs: Any) -> BargainingProblem:
        """The bargaining problem at the baseline with ``overrides`` (exact where it can be)."""
        if bargaining not in self.bargaining:
            self.model_kind(bargaining)
            raise GameError(f"{bargaining!r} is not a bargaining problem of scenario {self.name!r}")
        spec = self.bargaining[bargaining]
        values = self.values(overrides, **kwargs)
        subs = symbol_values(values)
        names = (*self.parameters, "x")
        utilities = [parse_expression(u, names, f"bargaining.{spec.id}.utilities.{p}").xreplace(subs)
                     for p, u in zip(spec.players, spec.utilities, strict=True)]
        utilities = [u.xreplace({s: sympy.Symbol("x") for s in u.free_symbols if s.name == "x"}) for u in utilities]
        disagreement = [to_fraction(parse_expression(d, tuple(self.parameters),
                                                     f"bargaining.{spec.id}.disagreement.{p}").xreplace(subs))
                        for p, d in zip(spec.players, spec.disagreement, strict=True)]
        return BargainingProblem.split(utilities[0], utilities[1], disagreement,
                                       tuple(self.party_name(p) for p in spec.players))


def _build_game(scenario: Scenario, spec: GameSpec) -> ParametricGame:
    shape = tuple(len(s) for s in spec.strategies)
    payoffs = np.empty((len(spec.players), *shape), dtype=object)
    index = [{s: k for k, s in enumerate(labels)} for labels in spec.strategies]
    params = tuple(scenario.parameters)
    for k, (profile, texts) in enumerate(spec.payoffs):
        cell = tuple(index[i][s] for i, s in enumerate(profile))
        for i, (player, text) in enumerate(zip(spec.players, texts, strict=True)):
            where = f"games.{spec.id}.payoffs[{k}].{player}"
            payoffs[(i, *cell)] = parse_expression(text, params, where)
    return ParametricGame(
        payoffs, params, tuple(scenario.party_name(p) for p in spec.players), spec.strategies, spec.title
    )


def _build_tree(scenario: Scenario, spec: TreeSpec) -> ExtensiveFormGame:
    names = {p: scenario.party_name(p) for p in spec.players}
    params = tuple(scenario.parameters)

    def node(d: Mapping[str, Any], path: str) -> Node:
        if "payoffs" in d:
            return leaf(*(parse_expression(_payoff_text(d["payoffs"][p]), params, f"{path}.payoffs.{p}")
                          for p in spec.players), name=d.get("name", ""))
        if "chance" in d:
            return chance({o: (parse_expression(_payoff_text(m["probability"]), params, f"{path}.chance.{o}"),
                               node(m["then"], f"{path}.chance.{o}.then")) for o, m in d["chance"].items()},
                          name=d.get("name", ""))
        return decision(names[d["player"]], {a: node(c, f"{path}.moves.{a}") for a, c in d["moves"].items()},
                        infoset=d["at"], name=d.get("name", ""))

    return ExtensiveFormGame(tuple(names.values()), node(spec.root, f"trees.{spec.id}.root"), spec.title, params)


# ======================================================================== files
_SCHEMA_FILE = "scenario.schema.json"


def schema() -> dict[str, Any]:
    """The JSON Schema of scenario files."""
    text = resources.files("negotiation.domain").joinpath(_SCHEMA_FILE).read_text(encoding="utf-8")
    return json.loads(text)


def _key_path(parts: Sequence[Any]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


def _line_map(text: str) -> dict[tuple[Any, ...], int]:
    """1-based line of every key path in a YAML document (for error messages)."""
    lines: dict[tuple[Any, ...], int] = {}
    root = compose_yaml(text)

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(value, (*path, key.value))
                lines[(*path, key.value)] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for k, value in enumerate(node.value):
                walk(value, (*path, k))

    if root is not None:
        walk(root, ())
    return lines


class _Context:
    """Raises errors that name the file, the line and the key path."""

    def __init__(self, path: str, lines: Mapping[tuple[Any, ...], int]) -> None:
        self.path = path
        self.lines = lines

    def line(self, keys: Sequence[Any]) -> int | None:
        """The line of key path ``keys``, or of its nearest parent with one."""
        where = tuple(keys)
        return next((self.lines[where[:n]] for n in range(len(where), -1, -1) if where[:n] in self.lines), None)

    def place(self, keys: Sequence[Any]) -> str:
        line = self.line(keys)
        return f"{self.path}{'' if line is None else f':{line}'}: {_key_path(keys)}"

    def error(self, keys: Sequence[Any], reason: str, at: Sequence[Any] | None = None) -> GameFormatError:
        """The error at key path ``keys``; its line is that of ``at`` (default ``keys``) or its nearest parent."""
        return GameFormatError(reason, self.path, self.line(keys if at is None else at), _key_path(keys))


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file.

    Raises
    ------
    GameFormatError
        Naming the file, line, key path and reason when the file is not a valid scenario.
    """
    return parse_scenario(read_text(path), str(Path(path)))


def parse_scenario(text: str, path: str = "<scenario>") -> Scenario:
    """Validate and build a scenario from YAML text (``path`` is used in errors)."""
    return from_dict(load_yaml(text, path), path, _line_map(text))


def from_dict(data: Any, path: str = "<scenario>", lines: Mapping[tuple[Any, ...], int] | None = None) -> Scenario:
    """Validate plain data (as loaded from YAML) and build the scenario."""
    ctx = _Context(path, lines or {})
    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.path))))
    if errors:
        err = jsonschema.exceptions.best_match(errors)
        keys = list(err.absolute_path)
        extra = sorted(set(err.instance) - set(err.schema.get("properties", {}))) \
            if err.validator == "additionalProperties" and isinstance(err.instance, dict) else []
        raise ctx.error(keys, _schema_message(err), at=keys + extra[:1])
    return _Builder(data, ctx).scenario()


def _schema_message(err: jsonschema.ValidationError) -> str:
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = sorted(err.schema.get("properties", {}))
        extra = sorted(set(err.instance) - set(allowed))
        hint = suggest(extra[0], allowed) if extra else ""
        return f"unexpected key(s) {extra}{hint}; allowed keys: {allowed}"
    if err.validator == "oneOf" and "number" in json.dumps(err.schema):
        return f"{err.instance!r} is not a number (write 0.5, 2, 1e-3 or 1/3)"
    return err.message


class _Builder:
    def __init__(self, data: dict[str, Any], ctx: _Context) -> None:
        self.data = data
        self.ctx = ctx

    def scenario(self) -> Scenario:
        d = self.data
        sources = {k: Source(k, v["title"], v.get("location", ""), v.get("note", "")) for k, v in d["sources"].items()}
        self.sources = sources
        parties = {k: Party(k, v["name"], v.get("description", "")) for k, v in d["parties"].items()}
        self.parties = parties
        parameters = {k: self.parameter(k, v) for k, v in d["parameters"].items()}
        self.parameter_names = tuple(parameters)
        self._parameters = parameters
        games = {k: self.game(k, v) for k, v in (d.get("games") or {}).items()}
        self.trees = {k: self.tree(k, v) for k, v in (d.get("trees") or {}).items()}
        if not games and not self.trees:
            raise self.ctx.error([], "a scenario needs at least one game or tree")
        outcomes = {k: self.outcome(k, v, games) for k, v in (d.get("outcomes") or {}).items()}
        repeated = {k: self.repeated(k, v, games) for k, v in (d.get("repeated") or {}).items()}
        bargaining = {k: self.bargaining(k, v) for k, v in (d.get("bargaining") or {}).items()}
        interventions = {k: self.intervention(k, v, parameters) for k, v in (d.get("interventions") or {}).items()}
        seen: dict[str, str] = {}
        for section, names in (("games", games), ("trees", self.trees), ("repeated", repeated),
                               ("bargaining", bargaining)):
            for k in names:
                if k in seen:
                    raise self.ctx.error([section, k], f"the name {k!r} is already used in {seen[k]}")
                seen[k] = section
        return Scenario(
            d["name"], d["title"], d.get("description", ""), sources, parties, parameters, games, outcomes,
            tuple(d.get("assumptions", ())), repeated, bargaining, {k: v[0] for k, v in self.trees.items()},
            interventions, tuple(Explained(e["finding"], e["at"], e["reason"]) for e in d.get("explained") or ()),
            self.ctx.path, dict(self.ctx.lines),
        )

    def provenance(self, keys: list[Any], data: dict[str, Any]) -> Provenance:
        src = data.get("source", "")
        if src and src not in self.sources:
            raise self.ctx.error([*keys, "source"], f"unknown source {src!r}{suggest(src, self.sources)}; "
                                 f"sources: {', '.join(self.sources)}")
        return Provenance(src, data.get("fact", ""), data.get("assumption", ""))

    def parameter(self, name: str, d: dict[str, Any]) -> Parameter:
        keys = ["parameters", name]
        try:
            check_parameter_name(name)
        except ValueError as err:
            raise self.ctx.error(keys, str(err)) from None
        try:
            dist = Distribution.from_dict(d["distribution"])
        except ValueError as err:
            raise self.ctx.error([*keys, "distribution"], str(err)) from None
        prov = d["provenance"]
        provenance = (
            self.provenance([*keys, "provenance", "baseline"], prov["baseline"]),
            self.provenance([*keys, "provenance", "range"], prov["range"]),
        )
        values = {}
        for key in ("baseline", "bounds"):
            raw = d[key] if key == "baseline" else d[key][0]
            try:
                values[key] = number(raw)
                if key == "bounds":
                    values[key] = (values[key], number(d[key][1]))
            except ValueError as err:
                raise self.ctx.error([*keys, key], str(err)) from None
        try:
            return Parameter(name, d["description"], d["unit"], values["baseline"], values["bounds"], dist,
                             *provenance)
        except ParameterError as err:
            raise self.ctx.error([*keys, err.field], str(err)) from None

    def game(self, gid: str, d: dict[str, Any]) -> GameSpec:
        keys = ["games", gid]
        players = tuple(d["players"])
        for k, p in enumerate(players):
            if p not in self.parties:
                raise self.ctx.error([*keys, "players", k], f"unknown party {p!r}{suggest(p, self.parties)}; "
                                     f"parties: {', '.join(self.parties)}")
        strat = d["strategies"]
        if set(strat) != set(players):
            missing, extra = sorted(set(players) - set(strat)), sorted(set(strat) - set(players))
            raise self.ctx.error([*keys, "strategies"], f"strategies must be given for exactly the players; "
                                 f"missing {missing}, not players {extra}")
        strategies = tuple(tuple(strat[p]) for p in players)
        seen: dict[tuple[str, ...], int] = {}
        entries, notes = [], []
        for k, entry in enumerate(d["payoffs"]):
            ekeys = [*keys, "payoffs", k]
            prof = tuple(entry["profile"])
            if len(prof) != len(players):
                raise self.ctx.error([*ekeys, "profile"], f"a profile names one strategy per player "
                                     f"({', '.join(players)}); got {len(prof)}")
            for i, (p, s) in enumerate(zip(players, prof, strict=True)):
                if s not in strategies[i]:
                    raise self.ctx.error([*ekeys, "profile", i], f"{p} has no strategy {s!r}"
                                         f"{suggest(s, strategies[i])}; strategies: {list(strategies[i])}")
            if prof in seen:
                raise self.ctx.error([*ekeys, "profile"],
                                     f"profile {list(prof)} already given at payoffs[{seen[prof]}]")
            seen[prof] = k
            extra = sorted(set(entry) - {"profile", "note", *players})
            if extra:
                raise self.ctx.error([*ekeys, extra[0]], f"{extra[0]!r} is not a player of this game; "
                                     f"players: {', '.join(players)}")
            missing = [p for p in players if p not in entry]
            if missing:
                raise self.ctx.error(ekeys, f"no payoff for {', '.join(missing)}")
            texts = tuple(_payoff_text(entry[p]) for p in players)
            for p, text in zip(players, texts, strict=True):
                try:  # parsed here so that errors name the key; parsed again when the game is built
                    parse_expression(text, self.parameter_names)
                except ExpressionError as err:
                    raise self.ctx.error([*ekeys, p], f"{err.reason} in {text!r}") from None
            entries.append((prof, texts))
            if entry.get("note"):
                notes.append((prof, entry["note"]))
        absent = [list(c) for c in itertools.product(*strategies) if c not in seen]
        if absent:
            raise self.ctx.error([*keys, "payoffs"], f"{len(absent)} profile(s) have no payoffs, e.g. {absent[0]}")
        return GameSpec(gid, d["title"], players, strategies, tuple(entries), d.get("description", ""), tuple(notes))

    def outcome(self, oid: str, d: dict[str, Any], games: Mapping[str, GameSpec]) -> Outcome:
        keys = ["outcomes", oid]
        if "tree" in d:
            return self.tree_outcome(oid, d)
        gid = d["game"]
        if gid not in games:
            raise self.ctx.error([*keys, "game"],
                                 f"unknown game {gid!r}{suggest(gid, games)}; games: {', '.join(games)}")
        spec = games[gid]
        profiles = [tuple(s for _, s in self._profile([*keys, "profiles", k], prof, spec))
                    for k, prof in enumerate(d["profiles"])]
        return Outcome(oid, gid, tuple(profiles), d.get("description", ""), bool(d.get("historical", False)))


    def intervention(self, iid: str, d: dict[str, Any], parameters: Mapping[str, Parameter]) -> Intervention:
        keys = ["interventions", iid]
        values = []
        for name, raw in d["set"].items():
            if name not in parameters:
                raise self.ctx.error([*keys, "set", name], f"unknown parameter {name!r}{suggest(name, parameters)}")
            try:
                values.append((name, parameters[name].check(raw)))
            except ValueError as err:
                raise self.ctx.error([*keys, "set", name], str(err)) from None
        prov = self.provenance([*keys, "provenance"], d["provenance"]) if "provenance" in d else Provenance()
        return Intervention(iid, d["description"], tuple(values), prov)

    def tree(self, tid: str, d: dict[str, Any]) -> tuple[TreeSpec, ExtensiveFormGame]:
        """The tree's spec and its parsed game, every node checked with its key path in errors."""
        keys = ["trees", tid]
        players = tuple(d["players"])
        for k, p in enumerate(players):
            if p not in self.parties:
                raise self.ctx.error([*keys, "players", k], f"unknown party {p!r}{suggest(p, self.parties)}; "
                                     f"parties: {', '.join(self.parties)}")
        owner: dict[str, tuple[str, tuple[str, ...]]] = {}
        names: set[str] = set()
        stack: list[tuple[list[Any], dict[str, Any]]] = [([*keys, "root"], d["root"])]
        while stack:
            where, nd = stack.pop()
            if nd.get("name"):
                if nd["name"] in names:
                    raise self.ctx.error([*where, "name"], f"node name {nd['name']!r} is used twice")
                names.add(nd["name"])
            if "payoffs" in nd:
                if set(nd["payoffs"]) != set(players):
                    raise self.ctx.error([*where, "payoffs"], f"a leaf gives one payoff for each of "
                                         f"{', '.join(players)}; got {', '.join(nd['payoffs'])}")
                for p in players:
                    self._expression([*where, "payoffs", p], nd["payoffs"][p], self.parameter_names)
            elif "chance" in nd:
                for o, m in nd["chance"].items():
                    self._expression([*where, "chance", o, "probability"], m["probability"], self.parameter_names)
                    stack.append(([*where, "chance", o, "then"], m["then"]))
            else:
                if nd["player"] not in players:
                    raise self.ctx.error([*where, "player"], f"{nd['player']!r} is not a player of this tree"
                                         f"{suggest(nd['player'], players)}; players: {', '.join(players)}")
                acts = tuple(nd["moves"])
                label = nd["at"]
                if label in owner and owner[label] != (nd["player"], acts):
                    raise self.ctx.error([*where, "at"], f"information set {label!r} is {owner[label][0]}'s with "
                                         f"actions {list(owner[label][1])} elsewhere; here {nd['player']} with "
                                         f"{list(acts)}")
                owner[label] = (nd["player"], acts)
                stack += [([*where, "moves", a], c) for a, c in reversed(list(nd["moves"].items()))]
        spec = TreeSpec(tid, d["title"], players, d["root"], d.get("description", ""))
        stub = Scenario("check", "check", "", self.sources, self.parties, self._parameters, {}, {}, trees={tid: spec})
        try:
            tree = _build_tree(stub, spec)
        except (GameError, ExpressionError) as err:
            raise self.ctx.error([*keys, "root"], str(err)) from None
        return spec, tree

    def tree_outcome(self, oid: str, d: dict[str, Any]) -> Outcome:
        keys = ["outcomes", oid]
        tid = d["tree"]
        if tid not in self.trees:
            raise self.ctx.error([*keys, "tree"], f"unknown tree {tid!r}{suggest(tid, self.trees)}; "
                                 f"trees: {', '.join(self.trees) or 'none'}")
        tree = self.trees[tid][1]
        labels = [k[1] for k in tree.infosets]
        strategy = d["strategy"]
        if set(strategy) != set(labels):
            missing, extra = sorted(set(labels) - set(strategy)), sorted(set(strategy) - set(labels))
            raise self.ctx.error([*keys, "strategy"], f"a strategy names one action at every information set; "
                                 f"missing {missing}, not information sets {extra}")
        beliefs = {label: {node: _payoff_text(v) for node, v in b.items()}
                   for label, b in (d.get("beliefs") or {}).items()}
        try:
            tree_conditions(tree, strategy, beliefs)
        except (GameError, ExpressionError) as err:
            raise self.ctx.error([*keys, "beliefs" if "belief" in str(err) else "strategy"], str(err)) from None
        return Outcome(oid, tid, (), d.get("description", ""), bool(d.get("historical", False)),
                       tuple((label, strategy[label]) for label in labels),
                       tuple((label, tuple(b.items())) for label, b in beliefs.items()))

    def _profile(self, keys: list[Any], prof: dict[str, str], spec: GameSpec) -> tuple[tuple[str, str], ...]:
        if set(prof) != set(spec.players):
            raise self.ctx.error(keys, f"a profile gives a strategy for each of {', '.join(spec.players)}; "
                                 f"got {', '.join(prof) or 'none'}")
        for i, p in enumerate(spec.players):
            if prof[p] not in spec.strategies[i]:
                raise self.ctx.error([*keys, p], f"{p} has no strategy {prof[p]!r}"
                                     f"{suggest(prof[p], spec.strategies[i])}; strategies: {list(spec.strategies[i])}")
        return tuple((p, prof[p]) for p in spec.players)

    def _expression(self, keys: list[Any], value: Any, names: Sequence[str]) -> str:
        try:
            text = _payoff_text(value)
            parse_expression(text, names)
        except ExpressionError as err:
            raise self.ctx.error(keys, f"{err.reason} in {err.text!r}") from None
        return text

    def repeated(self, rid: str, d: dict[str, Any], games: Mapping[str, GameSpec]) -> RepeatedSpec:
        keys = ["repeated", rid]
        gid = d["game"]
        if gid not in games:
            raise self.ctx.error([*keys, "game"],
                                 f"unknown game {gid!r}{suggest(gid, games)}; games: {', '.join(games)}")
        spec = games[gid]
        target = self._profile([*keys, "target"], d["target"], spec)
        fields = (("punishment", d["punishment"]), ("enforce", d.get("enforce", "restart")))
        punishment, enforce = (v if isinstance(v, str) else self._profile([*keys, key], v, spec) for key, v in fields)
        texts = {f: self._expression([*keys, f], d.get(f, default), self.parameter_names)
                 for f, default in (("detection", 1), ("false_alarm", 0))}
        return RepeatedSpec(rid, d["title"], gid, target, punishment, d.get("periods"), texts["detection"],
                            texts["false_alarm"], d.get("description", ""), enforce, d.get("period", ""))

    def bargaining(self, bid: str, d: dict[str, Any]) -> BargainingSpec:
        keys = ["bargaining", bid]
        players = tuple(d["players"])
        for k, p in enumerate(players):
            if p not in self.parties:
                raise self.ctx.error([*keys, "players", k], f"unknown party {p!r}{suggest(p, self.parties)}; "
                                     f"parties: {', '.join(self.parties)}")
        out = {}
        for section, names in (("utilities", (*self.parameter_names, "x")), ("disagreement", self.parameter_names)):
            if set(d[section]) != set(players):
                raise self.ctx.error([*keys, section], f"give one expression for each of {', '.join(players)}")
            out[section] = tuple(self._expression([*keys, section, p], d[section][p], names) for p in players)
        return BargainingSpec(bid, d["title"], players, out["utilities"], out["disagreement"],  # type: ignore[arg-type]
                              d.get("description", ""))


def _payoff_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return str(plain(number(value)))
    except (ValueError, TypeError) as err:
        raise ExpressionError(str(err), repr(value)[:80]) from None


# -------------------------------------------------------------------------- save
def to_dict(sc: Scenario) -> dict[str, Any]:
    """The scenario as plain data in the file's layout (what :func:`save_scenario` writes)."""

    def prov(p: Provenance) -> dict[str, str]:
        out = {}
        if p.source:
            out |= {"source": p.source, "fact": p.fact}
        if p.assumption:
            out["assumption"] = p.assumption
        return out

    def drop_empty(d: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in d.items() if v not in ("", None, [], {})}

    out: dict[str, Any] = {
        "format": FORMAT,
        "name": sc.name,
        "title": sc.title,
        "description": sc.description,
        "assumptions": list(sc.assumptions),
        "sources": {k: drop_empty({"title": s.title, "location": s.location, "note": s.note})
                    for k, s in sc.sources.items()},
        "parties": {k: drop_empty({"name": p.name, "description": p.description}) for k, p in sc.parties.items()},
        "parameters": {
            k: {
                "description": p.description,
                "unit": p.unit,
                "baseline": plain(p.baseline),
                "bounds": [plain(b) for b in p.bounds],
                "distribution": p.distribution.to_dict(),
                "provenance": {"baseline": prov(p.baseline_provenance), "range": prov(p.range_provenance)},
            }
            for k, p in sc.parameters.items()
        },
        "games": {},
        "outcomes": {},
    }
    for gid, g in sc.games.items():
        notes = dict(g.notes)
        rows = []
        for prof, texts in g.payoffs:
            row: dict[str, Any] = {"profile": list(prof), **dict(zip(g.players, texts, strict=True))}
            if prof in notes:
                row["note"] = notes[prof]
            rows.append(row)
        out["games"][gid] = drop_empty({
            "title": g.title, "description": g.description, "players": list(g.players),
            "strategies": {p: list(s) for p, s in zip(g.players, g.strategies, strict=True)}, "payoffs": rows,
        })
    out["interventions"] = {iid: drop_empty({
        "description": i.description, "set": {k: plain(v) for k, v in i.values},
        "provenance": prov(i.provenance) or None}) for iid, i in sc.interventions.items()}
    out["explained"] = [{"finding": e.finding, "at": e.at, "reason": e.reason} for e in sc.explained]
    out["trees"] = {tid: drop_empty({"title": t.title, "description": t.description, "players": list(t.players),
                                     "root": _plain_tree(t.root)}) for tid, t in sc.trees.items()}
    for oid, o in sc.outcomes.items():
        if o.kind == "tree":
            out["outcomes"][oid] = drop_empty({
                "description": o.description, "tree": o.game, "historical": o.historical or None,
                "strategy": dict(o.strategy), "beliefs": {label: dict(b) for label, b in o.beliefs},
            })
            continue
        game = sc.games[o.game]
        out["outcomes"][oid] = drop_empty({
            "description": o.description, "game": o.game, "historical": o.historical or None,
            "profiles": [dict(zip(game.players, prof, strict=True)) for prof in o.profiles],
        })
    out["repeated"] = {rid: drop_empty({
        "title": r.title, "description": r.description, "game": r.game, "target": dict(r.target),
        "punishment": r.punishment if isinstance(r.punishment, str) else dict(r.punishment),
        "periods": r.periods, "enforce": None if r.enforce == "restart" else
        (r.enforce if isinstance(r.enforce, str) else dict(r.enforce)),
        "detection": r.detection, "false_alarm": r.false_alarm, "period": r.period,
    }) for rid, r in sc.repeated.items()}
    out["bargaining"] = {bid: drop_empty({
        "title": b.title, "description": b.description, "players": list(b.players),
        "utilities": dict(zip(b.players, b.utilities, strict=True)),
        "disagreement": dict(zip(b.players, b.disagreement, strict=True)),
    }) for bid, b in sc.bargaining.items()}
    return drop_empty(out)


def _plain_tree(node: Mapping[str, Any]) -> dict[str, Any]:
    """A tree's node data as plain dicts and texts (payoffs and probabilities as expression text)."""
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "payoffs":
            out[key] = {p: _payoff_text(v) for p, v in value.items()}
        elif key == "moves":
            out[key] = {a: _plain_tree(c) for a, c in value.items()}
        elif key == "chance":
            out[key] = {o: {"probability": _payoff_text(m["probability"]), "then": _plain_tree(m["then"])}
                        for o, m in value.items()}
        else:
            out[key] = value
    return out


def dump_scenario(sc: Scenario) -> str:
    """The scenario as YAML text."""
    return yaml.safe_dump(to_dict(sc), sort_keys=False, allow_unicode=True, width=100)


def save_scenario(sc: Scenario, path: str | Path) -> None:
    """Write the scenario to a YAML file atomically."""
    atomic_write_text(path, dump_scenario(sc))
