"""A linter for models: faults a referee would find, each with its place in the file and what to do.

:func:`diagnose` (also ``scenario.diagnose()`` and ``negotiation check SCENARIO``) reads a
scenario and returns a :class:`Diagnosis`, a table of :class:`Finding` objects.  The
checks, each with a code:

``inert-parameter``
    A parameter that cancels out of every comparison a player makes in a game (each of
    its payoff differences has derivative zero in it, exactly, after simplification), so
    that it cannot change any equilibrium of that game.
``unused-parameter``
    A declared parameter that no outcome condition, repeated game or bargaining problem
    depends on.
``non-credible-threat``
    A repeated game whose punishment is not itself an equilibrium (it fails subgame
    perfection, :mod:`negotiation.engine.repeated`), at the baseline or in a share of the
    parameter draws.
``repetition-explains-nothing``
    A repeated game whose target is a stage equilibrium at the baseline (delta* = 0).
``history-not-reproduced``, ``knife-edge``, ``fragile-outcome``
    An outcome marked ``historical: true`` that the model does not reproduce at the
    baseline, or reproduces with a slack below ``slack_share`` of the payoff range, a
    distance to breakdown below ``distance_share`` of a parameter's range, or in fewer than
    ``survival`` of the stress-test draws.
``rests-on-assumptions``
    The share of a historical outcome's total Sobol index (Saltelli et al. 2010) carried by
    parameters whose baseline is an assumption rather than read off a source, when it
    exceeds ``assumption_share``.
``not-a-document``, ``source-location``, ``source-undated``, ``fact-not-in-source``
    Provenance faults: a source that is a project issue or brief rather than a document;
    a location that is a local file rather than a citation; a source with no date; a
    number in a fact that the source's text (where given) does not contain.
``unit-contradiction``
    A unit that contradicts the description or the bounds (a share or probability outside
    [0, 1]; a description in thousands with a unit in millions).
``stale-explanation``
    An entry of the scenario's ``explained:`` section that answers no finding, or that
    tries to answer an error.

A warning or error may be answered in the scenario file: an entry of ``explained:`` names
the finding's code and key path and gives the reason the model stands regardless.  The
finding is still reported, with the answer in place of the advice
(:attr:`Diagnosis.unexplained` leaves it out).

Each finding's severity is ``error`` (the model says something false or cites what is no
source), ``warning`` (a fault a referee would raise) or ``note``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import sympy

from negotiation.domain.explain import explain
from negotiation.domain.scenario import Scenario
from negotiation.domain.stress import shadow_test, sobol_indices, stress_test
from negotiation.engine.expressions import parse_expression, symbol
from negotiation.engine.repeated import CATEGORIES
from negotiation.errors import GameError

SEVERITIES = ("error", "warning", "note")


@dataclass(frozen=True)
class Finding:
    """One fault of a model.

    Attributes
    ----------
    severity : str
        ``"error"``, ``"warning"`` or ``"note"``.
    code : str
        The check that found it (see the module docstring).
    where : str
        ``file:line: key.path``.
    message : str
        What is wrong, with the numbers behind it.
    advice : str
        What to do about it.
    explanation : str
        The modeller's answer, from the scenario's ``explained:`` section ("" if none).
    """

    severity: str
    code: str
    where: str
    message: str
    advice: str
    explanation: str = ""

    @property
    def at(self) -> str:
        """The key path of :attr:`where` (``outcomes.ceasefire``), without the file and line."""
        return self.where.rsplit(": ", 1)[-1]


@dataclass(frozen=True)
class CheckSettings:
    """The bounds the checks apply (each is stated in the finding it triggers).

    Attributes
    ----------
    slack_share : float
        A historical outcome's binding slack below this share of the game's payoff range
        (at baseline) is a knife edge.
    distance_share : float
        A distance to breakdown below this share of a parameter's range is a knife edge.
    survival : float
        A historical outcome holding in fewer than this share of stress-test draws is fragile.
    assumption_share : float
        A historical outcome whose total Sobol index rests more than this share on
        parameters with assumed baselines rests on assumptions.
    delta : float
        The discount factor at which repeated games are classified over the draws.
    n : int
        Draws of the stress and shadow tests.
    sobol : int
        Base sample of the Sobol indices.
    seed : int
        Root seed of every draw.
    """

    slack_share: float = 0.05
    distance_share: float = 0.10
    survival: float = 0.5
    assumption_share: float = 0.5
    delta: float = 0.9
    n: int = 4000
    sobol: int = 1024
    seed: int = 0


@dataclass(frozen=True)
class Diagnosis:
    """What :func:`diagnose` found.

    Attributes
    ----------
    scenario : str
    findings : tuple of Finding
        Errors first, then warnings, then notes; in file order within each.
    sensitivity : dict
        Historical outcome -> its Sobol table (:func:`negotiation.domain.stress.sobol_indices`).
    settings : CheckSettings
    """

    scenario: str
    findings: tuple[Finding, ...]
    sensitivity: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    settings: CheckSettings = field(default_factory=CheckSettings)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "warning")

    @property
    def unexplained(self) -> tuple[Finding, ...]:
        """The errors and warnings the scenario's ``explained:`` section does not answer."""
        return tuple(f for f in self.findings if f.severity != "note" and not f.explanation)

    def codes(self) -> set[str]:
        """The codes of the findings."""
        return {f.code for f in self.findings}

    def to_frame(self) -> pd.DataFrame:
        """One row per finding: ``severity, code, where, message, advice``."""
        columns = ["severity", "code", "where", "message", "advice", "explanation"]
        return pd.DataFrame([vars(f) for f in self.findings], columns=columns)

    def to_text(self) -> str:
        """The findings as a report for the terminal."""
        counts = ", ".join(f"{sum(f.severity == s for f in self.findings)} {s}s" for s in SEVERITIES)
        answered = sum(bool(f.explanation) for f in self.findings)
        lines = [f"{self.scenario}: {counts}" + (f" ({answered} explained in the file)" if answered else ""), ""]
        for f in self.findings:
            lines += [f"{f.where}: {f.severity} [{f.code}] {f.message}",
                      f"    explained: {f.explanation}" if f.explanation else f"    -> {f.advice}", ""]
        return "\n".join(lines).rstrip()

    def __len__(self) -> int:
        return len(self.findings)

    def __repr__(self) -> str:
        counts = ", ".join(f"{s}={sum(f.severity == s for f in self.findings)}" for s in SEVERITIES)
        return f"Diagnosis({self.scenario!r}: {counts})"

    def _repr_html_(self) -> str:
        return self.to_frame().to_html(index=False)


def diagnose(
    scenario: Scenario,
    settings: CheckSettings | None = None,
    texts: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Diagnosis:
    """Check a scenario for the faults listed in the module docstring.

    Parameters
    ----------
    scenario : Scenario
    settings : CheckSettings, optional
        The bounds; keyword ``overrides`` replace single fields (``n=10_000``).
    texts : mapping, optional
        Source id -> the source's text, to check that the facts attributed to it are there.

    Examples
    --------
    >>> from negotiation import catalog
    >>> report = catalog.load("idlib-2020").diagnose(n=500, sobol=128)
    >>> "inert-parameter" in report.codes()
    True
    """
    settings = settings or CheckSettings()
    if overrides:
        unknown = sorted(set(overrides) - set(CheckSettings.__dataclass_fields__))
        if unknown:
            raise GameError(f"unknown check setting(s) {unknown}; settings: {list(CheckSettings.__dataclass_fields__)}")
        settings = CheckSettings(**{**vars(settings), **overrides})
    where = _Places(scenario)
    findings: list[Finding] = []
    findings += _parameters(scenario, where)
    findings += _repeated(scenario, where, settings)
    sensitivity: dict[str, pd.DataFrame] = {}
    for oid, out in scenario.outcomes.items():
        if out.historical:
            found, table = _historical(scenario, oid, where, settings)
            findings += found
            if table is not None:
                sensitivity[oid] = table
    findings += _provenance(scenario, where, texts or {})
    findings += _units(scenario, where)
    findings = _answer(scenario, findings, where)
    order = {s: k for k, s in enumerate(SEVERITIES)}
    findings.sort(key=lambda f: (order[f.severity], where.line_of(f.where)))
    return Diagnosis(scenario.name, tuple(findings), sensitivity, settings)


def _answer(scenario: Scenario, findings: list[Finding], where: _Places) -> list[Finding]:
    """Attach the scenario's ``explained:`` answers to the findings they name; an answer that
    names no finding is itself reported (``stale-explanation``), so that answers cannot outlive
    the faults they were written for."""
    answers = {(e.finding, e.at): e.reason for e in scenario.explained}
    used = set()
    out = []
    for f in findings:
        reason = answers.get((f.code, f.at), "") if f.severity != "error" else ""
        if reason:
            used.add((f.code, f.at))
            f = Finding(f.severity, f.code, f.where, f.message, f.advice, reason)
        out.append(f)
    for k, e in enumerate(scenario.explained):
        if (e.finding, e.at) in used:
            continue
        error = any(f.severity == "error" and (f.code, f.at) == (e.finding, e.at) for f in findings)
        message = (f"the file explains the error {e.finding!r} at {e.at}; errors are faults, not choices, and "
                   "cannot be explained away" if error else
                   f"the file explains a {e.finding!r} finding at {e.at}, but the check finds none there")
        out.append(Finding("warning", "stale-explanation", where("explained", k), message + ".",
                           "Mend the error." if error else
                           "Remove the explanation, or correct its finding code or key path."))
    return out


class _Places:
    """Places in the scenario's file, with the path shown relative to the working directory."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        origin = scenario.origin
        if origin and not origin.startswith("<"):
            rel = os.path.relpath(origin)
            origin = rel if not rel.startswith("..") else origin
        self.shown = origin or "<scenario>"

    def __call__(self, *keys: Any) -> str:
        place = self.scenario.where(*keys)
        return self.shown + place[len(self.scenario.origin or "<scenario>"):]

    def line_of(self, place: str) -> int:
        m = re.match(r".*?:(\d+): ", place)
        return int(m.group(1)) if m else 0


# ------------------------------------------------------------------ parameters
def _depends(expr: sympy.Expr, name: str) -> bool:
    """Whether ``expr`` depends on parameter ``name``: its derivative is not identically zero."""
    sym = symbol(name)
    if sym not in expr.free_symbols:
        return False
    return sympy.simplify(sympy.diff(expr, sym)) != 0


def _parameters(sc: Scenario, where: _Places) -> list[Finding]:
    findings = []
    relevant: set[str] = set()  # parameters some outcome condition, repeated game or bargain depends on
    for oid in sc.outcomes:
        for _, _, conds in sc.outcome_conditions(oid):
            for c in conds:
                relevant |= {p for p in c.parameters if _depends(c.margin, p)}
    for spec in sc.repeated.values():
        game = sc.game(spec.game)
        relevant |= {str(s) for e in game.payoffs.flat for s in e.free_symbols}  # cancellations: the games' check
        relevant |= _names_in(sc, (spec.detection, spec.false_alarm))
    bargained: dict[str, str] = {}
    for bid, spec in sc.bargaining.items():
        for p in _names_in(sc, (*spec.utilities, *spec.disagreement), ("x",)):
            bargained.setdefault(p, bid)
    relevant |= set(bargained)
    inert_somewhere: set[str] = set()
    for gid in sc.games:
        game = sc.game(gid)
        appears = {str(s) for e in game.payoffs.flat for s in e.free_symbols}
        for name in [p for p in sc.parameters if p in appears]:
            if any(_depends(diff, name) for diff in _payoff_differences(game)):
                continue
            inert_somewhere.add(name)
            cells: dict[str, list[str]] = {}
            for i in range(game.n_players):
                for cell in game.profiles():
                    if symbol(name) in game.payoff(i, cell).free_symbols:
                        cells.setdefault(game.players[i], []).append(
                            "(" + ", ".join(game.strategies[j][k] for j, k in enumerate(cell)) + ")")
            shown = "; ".join(f"{p}'s payoff at {', '.join(c)}" for p, c in cells.items())
            elsewhere = f"; it matters only in bargaining problem '{bargained[name]}'" if name in bargained else ""
            findings.append(Finding(
                "warning", "inert-parameter", where("parameters", name),
                f"{name} cancels out of every comparison in game '{gid}': it enters {shown} so that no player's "
                f"payoff difference depends on it, and it cannot change any equilibrium of the game{elsewhere}.",
                "Make it differ between the strategies it should discourage or encourage (for example a cost "
                "that falls on pressing, not on halting), or drop it from the game."))
    for tid in sc.trees:
        tree = sc.tree(tid)
        appears = {s for _, nd in tree.walk() for v in (*nd.payoffs, *nd.probs)
                   if isinstance(v, sympy.Basic) for s in v.free_symbols}
        for name in sc.parameters:
            if symbol(name) not in appears or not _inert_in_tree(tree, name):
                continue
            inert_somewhere.add(name)
            findings.append(Finding(
                "warning", "inert-parameter", where("parameters", name),
                f"{name} shifts each player's payoffs in tree '{tid}' by the same amount at every leaf (and no "
                "chance probability depends on it), so it cannot change any choice in the tree.",
                "Make it differ between the outcomes it should make more or less attractive, or drop it."))
    for name in sc.parameters:
        if name not in relevant and name not in inert_somewhere:
            findings.append(Finding(
                "warning", "unused-parameter", where("parameters", name),
                f"no outcome condition, repeated game or bargaining problem depends on {name}.",
                "Use it in a payoff or remove it; a parameter that changes nothing invites a reader to think "
                "it does."))
    return findings


def _inert_in_tree(tree: Any, name: str) -> bool:
    """Whether ``name`` enters no chance probability and shifts each player's leaf payoffs uniformly."""
    sym = symbol(name)
    nodes = [nd for _, nd in tree.walk()]
    if any(_depends(sympy.sympify(p), name) for nd in nodes for p in nd.probs):
        return False
    leaves = [nd.payoffs for nd in nodes if nd.is_leaf]
    for i in range(tree.n_players):
        slopes = [sympy.diff(sympy.sympify(pay[i]), sym) for pay in leaves]
        if any(sympy.simplify(d - slopes[0]) != 0 for d in slopes[1:]):
            return False
    return True


def _names_in(sc: Scenario, texts: Sequence[str], extra: Sequence[str] = ()) -> set[str]:
    """The scenario's parameters that expression texts use (parsed by the safe parser)."""
    names = (*sc.parameters, *extra)
    return {str(s) for t in texts for s in parse_expression(t, names).free_symbols} & set(sc.parameters)


def _payoff_differences(game: Any) -> list[sympy.Expr]:
    """Every player's payoff difference between two of its strategies, the others' fixed."""
    out = []
    for i in range(game.n_players):
        for cell in game.profiles():
            if cell[i] != 0:
                out.append(game.payoff(i, cell) - game.payoff(i, (*cell[:i], 0, *cell[i + 1:])))
    return out


# ------------------------------------------------------------- repeated games
def _repeated(sc: Scenario, where: _Places, settings: CheckSettings) -> list[Finding]:
    findings = []
    for rid, spec in sc.repeated.items():
        at = sc.sustainability(rid)
        verdict = at.classify(0) if at.delta_star == 0 else at.classify(settings.delta)
        if verdict == CATEGORIES[0]:
            findings.append(Finding(
                "warning", "repetition-explains-nothing", where("repeated", rid, "target"),
                f"at the baseline ({', '.join(at.target)}) is a stage equilibrium of '{spec.game}': delta* = 0, so "
                f"the repeated game '{rid}' explains nothing there.",
                "Say what the repetition is for (the draws where the target is not a stage equilibrium), or "
                "drop it."))
        elif at.delta_star is None and at.cooperative_delta_star is not None:
            findings.append(Finding(
                "error", "non-credible-threat", where("repeated", rid, "punishment"),
                f"at the baseline '{rid}' {at.summary()[0].lower()}{at.summary()[1:]}",
                "Punish with a stage equilibrium, or for a fixed number of periods with enforce: restart "
                "(stick and carrot), and check again."))
        if spec.periods is not None:
            continue  # no closed form in the parameters: the baseline check above is what can be said
        shadow = shadow_test(sc, rid, n=settings.n, rng=settings.seed)
        share = float(np.mean(shadow.categories(settings.delta) == CATEGORIES[2]))
        if share > 0:
            table = shadow.by_category(settings.delta).set_index("category")["share"]
            findings.append(Finding(
                "warning", "non-credible-threat", where("repeated", rid, "punishment"),
                f"over {settings.n:,} draws (seed {settings.seed}) at delta = {settings.delta:g}, '{rid}' is sustained "
                f"only by a threat no one would carry out in {share:.1%} of them: the punishment "
                f"({at.punishment}) is not an equilibrium there. Credibly sustained: {table[CATEGORIES[1]]:.1%}; "
                f"one-shot equilibrium: {table[CATEGORIES[0]]:.1%}; not sustainable: {table[CATEGORIES[3]]:.1%}.",
                "Report the credible share only, or choose a punishment that is an equilibrium where it is "
                "used (a stage equilibrium, or a stick and carrot with enforce: restart)."))
    return findings


# ---------------------------------------------------------- historical outcomes
def _historical(sc: Scenario, oid: str, where: _Places, settings: CheckSettings
                ) -> tuple[list[Finding], pd.DataFrame | None]:
    findings = []
    place = where("outcomes", oid)
    out = sc.outcome(oid)
    ex = explain(sc, oid)
    if not ex.holds:
        findings.append(Finding("error", "history-not-reproduced", place,
                                f"the model does not reproduce historical outcome '{oid}' at the baseline. "
                                + ex.summary(),
                                "Recheck the payoffs and the proxies behind the baseline; do not tune weights "
                                "until history fits."))
    else:
        numeric = sc.at(out.game)
        payoffs = np.asarray(numeric.payoffs, dtype=float) if out.kind == "game" else \
            np.array([[float(v) for v in nd.payoffs] for _, nd in numeric.walk() if nd.is_leaf])
        scale = float(payoffs.max() - payoffs.min()) or 1.0
        b = ex.binding
        if b is not None and float(b.slack) < settings.slack_share * scale:
            findings.append(Finding(
                "warning", "knife-edge", place,
                f"'{oid}' holds at the baseline with slack {float(b.slack):.3g} in '{b.condition.label}', "
                f"{float(b.slack) / scale:.1%} of the payoff range {scale:.3g} (bound: {settings.slack_share:.0%}).",
                "Report the result as holding only near these values, and show where it breaks "
                "(negotiation explain)."))
        near = [(r, t) for r in ex.reports for t in r.thresholds
                if t.distance is not None and t.distance < settings.distance_share]
        if near:
            shown = "; ".join(f"{t.parameter} {float(t.baseline):.4g} -> {float(t.breaks_at):.4g} "  # type: ignore[arg-type]
                              f"({t.distance:.0%} of its range)" for _, t in sorted(near, key=lambda x: x[1].distance))
            findings.append(Finding(
                "warning", "knife-edge", place,
                f"'{oid}' breaks within {settings.distance_share:.0%} of a parameter's range: {shown}.",
                "Say so where the result is reported; source those parameters from measurable proxies before "
                "drawing conclusions."))
    stress = stress_test(sc, oid, n=settings.n, rng=settings.seed, sobol=None)
    if stress.probability < settings.survival:
        lo, hi = stress.interval
        findings.append(Finding(
            "warning", "fragile-outcome", place,
            f"'{oid}' holds in {stress.probability:.1%} of {settings.n:,} stress-test draws (95% interval "
            f"{lo:.1%} to {hi:.1%}; bound: {settings.survival:.0%}).",
            "The outcome rests on where the baselines were put; narrow the distributions only with evidence."))
    table = sobol_indices(sc, oid, settings.sobol, settings.seed)
    if table["ST"].notna().any():
        total = float(table["ST"].clip(lower=0).sum())
        assumed = float(table.loc[table["baseline"] != "source", "ST"].clip(lower=0).sum())
        share = assumed / total if total > 0 else 0.0
        if share > settings.assumption_share:
            top = table[table["baseline"] != "source"].head(3)
            sourced = table[table["baseline"] == "source"]
            named = ", ".join(f"{r.parameter} {r.ST:.2f}" for r in top.itertuples())
            findings.append(Finding(
                "warning", "rests-on-assumptions", place,
                f"{share:.1%} of the total Sobol index of '{oid}' is carried by parameters whose baseline is an "
                f"assumption (largest: {named}); parameters read off sources "
                f"({', '.join(sourced.parameter) or 'none'}) carry {1 - share:.1%} "
                f"(Sobol base sample {settings.sobol}, seed {settings.seed}).",
                "Code the assumed parameters from measurable proxies with cited sources, or report the result "
                "as conditional on them."))
    else:
        findings.append(Finding("note", "rests-on-assumptions", place,
                                f"'{oid}' holds at every Sobol sample point or at none: no variance to apportion.",
                                "Nothing to do unless the distributions are too narrow."))
    return findings, table


# ------------------------------------------------------------------ provenance
_NOT_A_DOCUMENT = re.compile(r"\b(issue|brief|ticket|this project|our project|chat|conversation|prompt)\b", re.I)
_LOCAL_PATH = re.compile(r"^(?!https?://|doi:)[\w./~-]*/[\w.-]+\.(txt|md|pdf|html?|docx?|csv|json|ya?ml)$", re.I)
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:,\d{3})*(?:\.\d+)?")
_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine",
          10: "ten", 11: "eleven", 12: "twelve", 15: "fifteen", 20: "twenty", 30: "thirty", 40: "forty",
          50: "fifty", 100: "hundred"}


def _provenance(sc: Scenario, where: _Places, texts: Mapping[str, str]) -> list[Finding]:
    findings = []
    for sid, src in sc.sources.items():
        place = where("sources", sid)
        blob = f"{src.title} {src.note}"
        if _NOT_A_DOCUMENT.search(blob):
            findings.append(Finding(
                "error", "not-a-document", place,
                f"source '{sid}' ({src.title}) is a project issue, brief or conversation, not a document.",
                "Cite the published document the number comes from (title, author or agency, date), or mark "
                "the number as an assumption."))
        if src.location and _LOCAL_PATH.match(src.location.strip()):
            findings.append(Finding(
                "warning", "source-location", where("sources", sid, "location"),
                f"source '{sid}' points to a local file ({src.location}) rather than to the published document.",
                "Give the publication (outlet, address or DOI); keep the text outside the repository."))
        if not _YEAR.search(f"{src.title} {src.note} {src.location}"):
            findings.append(Finding("warning", "source-undated", place, f"source '{sid}' has no date.",
                                    "Add the date of publication to its title or note."))
    by_source = _facts(sc)
    for sid, facts in by_source.items():
        text = texts.get(sid)
        if text is None:
            continue
        haystack = _normalise(text)
        for keys, fact in facts:
            missing = [n for n in _NUMBER.findall(fact) if not _number_in(n, haystack)]
            if missing:
                findings.append(Finding(
                    "warning", "fact-not-in-source", where(*keys),
                    f"the fact attributed to '{sid}' cites {', '.join(missing)}, which its text does not contain: "
                    f"\"{fact}\".",
                    "Cite the document that has the number, or correct the fact."))
    return findings


def _facts(sc: Scenario) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    out: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for name, p in sc.parameters.items():
        for part, prov in (("baseline", p.baseline_provenance), ("range", p.range_provenance)):
            if prov.source and prov.fact:
                out.setdefault(prov.source, []).append((("parameters", name, "provenance", part, "fact"), prov.fact))
    return out


def _normalise(text: str) -> str:
    return re.sub(r"(?<=\d),(?=\d{3})", "", text.lower())


def _number_in(number: str, haystack: str) -> bool:
    plain = number.replace(",", "")
    if re.search(rf"(?<![\d.]){re.escape(plain)}(?![\d])", haystack):
        return True
    try:
        value = float(plain)
    except ValueError:
        return False
    word = _WORDS.get(int(value)) if value.is_integer() else None
    return word is not None and re.search(rf"\b{word}\b", haystack) is not None


# ------------------------------------------------------------------------ units
_SHARE = re.compile(r"\b(share|probability|proportion|fraction)\b", re.I)
_SCALE = re.compile(r"\b(thousand|million|billion)s?\b", re.I)


def _units(sc: Scenario, where: _Places) -> list[Finding]:
    findings = []
    for name, p in sc.parameters.items():
        lo, hi = (float(b) for b in p.bounds)
        unit_share = bool(_SHARE.search(p.unit)) or "(0-1)" in p.unit
        if unit_share and (lo < 0 or hi > 1):
            findings.append(Finding(
                "error", "unit-contradiction", where("parameters", name, "unit"),
                f"{name} is a {p.unit} but its bounds [{lo:g}, {hi:g}] leave [0, 1].",
                "Fix the bounds or the unit."))
        elif _SHARE.search(p.description) and not unit_share and "%" not in p.unit and (lo < 0 or hi > 1):
            findings.append(Finding(
                "warning", "unit-contradiction", where("parameters", name, "unit"),
                f"{name} is described as a share or probability, but its unit is '{p.unit}' and its bounds "
                f"[{lo:g}, {hi:g}] leave [0, 1].",
                "Say what it is a share of in the unit, or fix the description."))
        in_desc = {m.lower().rstrip("s") for m in _SCALE.findall(p.description)}
        in_unit = {m.lower().rstrip("s") for m in _SCALE.findall(p.unit)}
        if in_desc and in_unit and not in_desc & in_unit:
            findings.append(Finding(
                "error", "unit-contradiction", where("parameters", name, "unit"),
                f"{name} is described in {', '.join(sorted(in_desc))}s but its unit is '{p.unit}'.",
                "Make the description and the unit agree."))
    return findings


def check_texts(pairs: Sequence[str]) -> dict[str, str]:
    """``ID=PATH`` pairs (the command line's ``--source-text``) read into ``{id: text}``."""
    out = {}
    for pair in pairs:
        sid, sep, path = pair.partition("=")
        if not sep or not sid.strip() or not path.strip():
            raise GameError(f"--source-text {pair!r}: expected ID=PATH, e.g. --source-text article=article.txt")
        try:
            with open(path.strip(), encoding="utf-8") as fh:
                out[sid.strip()] = fh.read()
        except (OSError, UnicodeDecodeError) as err:
            raise GameError(f"--source-text {pair!r}: cannot read {path.strip()}: {err}") from None
    return out
