"""A coding sheet: model parameters derived from measurable proxies by stated rules.

A new ceasefire is coded by filling in a row of proxies (a YAML or CSV row: the depth of
the buffer zone, the number of observation posts, joint patrols a month, people displaced
in the 60 days before, ...), each with the document it was measured from; the sheet's
rules turn the row into parameter values, and :meth:`Coding.scenario` writes them as the
baselines of a template scenario, with provenance that names the proxies, their sources
and the rule.  The model itself is never edited to code a case.

Sheet file (YAML)::

    format: negotiation-coding-sheet/1
    name: idlib
    description: ...
    proxies:
      buffer_km: {description: Depth of the demilitarised zone or corridor, unit: km, bounds: [0, 50],
                  error: 0.1}             # relative measurement error where a row gives no range
    rules:
      monitoring:
        expression: "1 - exp(-buffer_km/20)"
        reason: Why this form and these constants (an assumption, stated before running the model).
        tolerance: 0.05                   # how far either way the constants may put the value

Rows file (YAML)::

    format: negotiation-proxies/1
    rows:
      sochi-2018:
        description: ...
        keep: [stage, ceasefire]          # the template's models that apply (default: all)
        historical: [ceasefire]           # the outcomes that happened (default: the template's)
        proxies:
          buffer_km: {value: 15, low: 15, high: 20, source: "Title, outlet, date", location: URL,
                      note: how it was measured}

A coded parameter's distribution is triangular over the rule's range: the rule at every
corner of its proxies' ranges (a row's ``low``/``high``, or the value give or take the
proxy's ``error``), widened by the rule's ``tolerance``, within the parameter's bounds.

Rule expressions use the safe grammar of :mod:`negotiation.engine.expressions` (nothing is
evaluated as code).  A derived value outside its parameter's bounds is an error, not
clipped.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import pandas as pd
import sympy

from negotiation.domain.leverage import Distribution, Provenance, Source, number, plain
from negotiation.domain.scenario import Scenario, _Context, _line_map, from_dict, to_dict
from negotiation.engine.expressions import ExpressionError, parse_expression, suggest
from negotiation.engine.numbers import finite_real, substitute, to_fraction
from negotiation.engine.parametric import symbol_values
from negotiation.errors import GameError, GameFormatError
from negotiation.io.text import load_yaml, read_text

SHEET_FORMAT = "negotiation-coding-sheet/1"
ROWS_FORMAT = "negotiation-proxies/1"


@dataclass(frozen=True)
class Proxy:
    """A measurable quantity: its description, unit, plausible bounds, and its relative
    measurement error where a row gives no range of its own (0: measured exactly)."""

    name: str
    description: str
    unit: str
    bounds: tuple[Fraction, Fraction]
    error: Fraction = Fraction(0)


@dataclass(frozen=True)
class Rule:
    """How one parameter follows from the proxies: an expression, the reason for it, and its
    tolerance (how far either way the coded value may lie for the rule's own constants)."""

    parameter: str
    expression: str
    reason: str
    parsed: sympy.Expr = field(repr=False, compare=False)
    tolerance: Fraction = Fraction(0)

    @property
    def uses(self) -> list[str]:
        """The proxies the rule reads, sorted."""
        return sorted(str(s) for s in self.parsed.free_symbols)


@dataclass(frozen=True)
class CodingSheet:
    """Proxies and the rules that map them to parameters (see the module docstring)."""

    name: str
    description: str
    proxies: Mapping[str, Proxy]
    rules: Mapping[str, Rule]

    def code(self, row: ProxyRow) -> Coding:
        """The parameters of one row of proxies."""
        missing = [p for p in self.proxies if p not in row.values]
        extra = [p for p in row.values if p not in self.proxies]
        if missing or extra:
            raise GameError(f"row {row.name!r}: proxies missing {missing}, unknown {extra}"
                            + (suggest(extra[0], self.proxies) if extra else ""))
        for name, value in row.values.items():
            lo, hi = self.proxies[name].bounds
            if not lo <= value <= hi:
                raise GameError(f"row {row.name!r}: {name}={plain(value)} is outside its bounds "
                                f"[{plain(lo)}, {plain(hi)}] ({self.proxies[name].unit})")
        derived, ranges = {}, {}
        for pname, rule in self.rules.items():
            derived[pname] = self._value(rule, row, row.values)
            used = rule.uses
            corners = [self._value(rule, row, {**row.values, **dict(zip(used, c, strict=True))})
                       for c in itertools.product(*(self.proxy_range(row, u) for u in used))]
            ranges[pname] = (min(corners) - rule.tolerance, max(corners) + rule.tolerance)
        return Coding(self, row, derived, ranges)

    def proxy_range(self, row: ProxyRow, proxy: str) -> tuple[Fraction, Fraction]:
        """The range of a row's proxy: the row's own ``low``/``high``, or the value give or take the
        proxy's relative error, within the proxy's bounds."""
        if proxy in row.ranges:
            return row.ranges[proxy]
        value, (lo, hi), err = row.values[proxy], self.proxies[proxy].bounds, self.proxies[proxy].error
        return max(lo, value - err * abs(value)), min(hi, value + err * abs(value))

    @staticmethod
    def _value(rule: Rule, row: ProxyRow, values: Mapping[str, Fraction]) -> Fraction:
        value = substitute(rule.parsed, symbol_values(values))
        if value.is_Rational:
            return to_fraction(value)
        real = finite_real(value)
        if real is None:
            raise GameError(f"row {row.name!r}: the rule for {rule.parameter} ({rule.expression}) gives {value}, "
                            "not a finite real number")
        return Fraction(f"{real:.4f}")  # a rule's irrational value, to four decimals (no proxy is more precise)


@dataclass(frozen=True)
class ProxyRow:
    """One case's proxies: values, the document each was measured from, and optional ranges.

    ``keep`` names the template's models (games, trees, repeated games, bargaining problems)
    that apply to the case (empty: all); ``historical`` names the outcomes that happened in
    it (``None``: the template's flags stand); ``explained`` replaces the template's answers
    to the model checker (``None``: those that still name a kept model stand).
    """

    name: str
    description: str
    values: Mapping[str, Fraction]
    sources: Mapping[str, str]
    notes: Mapping[str, str] = field(default_factory=dict)
    ranges: Mapping[str, tuple[Fraction, Fraction]] = field(default_factory=dict)
    locations: Mapping[str, str] = field(default_factory=dict)
    keep: tuple[str, ...] = ()
    historical: tuple[str, ...] | None = None
    explained: tuple[Mapping[str, str], ...] | None = None


@dataclass(frozen=True)
class Coding:
    """The parameters a coding sheet derives from one row of proxies."""

    sheet: CodingSheet
    row: ProxyRow
    parameters: Mapping[str, Fraction]
    ranges: Mapping[str, tuple[Fraction, Fraction]] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """One row per derived parameter: value, rule, the proxies it uses, reason."""
        rows = []
        for pname, value in self.parameters.items():
            rule = self.sheet.rules[pname]
            used = rule.uses
            lo, hi = self.ranges.get(pname, (value, value))
            rows.append({"parameter": pname, "value": float(value), "low": float(lo), "high": float(hi),
                         "exact": str(value), "rule": rule.expression,
                         "proxies": ", ".join(f"{u}={plain(self.row.values[u])}" for u in used),
                         "reason": rule.reason})
        return pd.DataFrame(rows)

    def scenario(self, template: Scenario, name: str | None = None, title: str | None = None) -> Scenario:
        """The template scenario with these parameters as baselines.

        Each coded parameter's baseline is the rule's value and its distribution is triangular
        over the rule's range (the proxies' ranges, widened by the rule's tolerance, within the
        parameter's bounds), with provenance that cites the proxies' documents (added as
        sources) and names the rule; values outside a parameter's bounds are refused.  The
        row's ``keep`` drops the template's other models (with their outcomes, the parameters
        only they use, and the interventions and explanations that name them); its
        ``historical`` sets which outcomes happened.
        """
        sources = dict(template.sources)
        ids = {}
        for proxy, doc in sorted(self.row.sources.items()):
            sid = next((k for k, s in sources.items() if s.title == doc), None)
            if sid is None:
                sid = f"proxy_{len(ids) + 1}_{self.row.name}".replace("-", "_")
                sources[sid] = Source(sid, doc, self.row.locations.get(proxy, ""))
            ids[proxy] = sid
        params = dict(template.parameters)
        for pname, value in self.parameters.items():
            if pname not in params:
                raise GameError(f"the template {template.name!r} has no parameter {pname!r}"
                                f"{suggest(pname, params)}")
            try:
                params[pname].check(value)
            except ValueError as err:
                raise GameError(f"row {self.row.name!r}: the rule gives {err}") from None
            rule = self.sheet.rules[pname]
            used = rule.uses
            first = ids.get(used[0], "") if used else ""
            facts = "; ".join(f"{u} = {plain(self.row.values[u])} {self.sheet.proxies[u].unit}" for u in used)
            prov = Provenance(first, f"Coded from proxies ({facts}) by the rule {pname} = {rule.expression}.",
                              f"The rule is the coding sheet's: {rule.reason}")
            lo, hi = params[pname].bounds
            low, high = max(lo, self.ranges[pname][0]), min(hi, self.ranges[pname][1])
            if not low < high:
                raise GameError(f"row {self.row.name!r}: {pname} is coded exactly ({plain(value)}); give the rule a "
                                "tolerance or its proxies a range, so that the stress tests can draw it")
            spans = "; ".join(f"{u} in [{plain(a)}, {plain(b)}]"
                              for u in used for a, b in [self.sheet.proxy_range(self.row, u)])
            range_prov = Provenance(first, f"The rule over the proxies' ranges ({spans}).",
                                    f"The coding sheet's proxy errors and rule tolerance ({plain(rule.tolerance)}).")
            dist = Distribution("triangular", float(low), float(high), mode=float(value))
            params[pname] = replace(params[pname], baseline=value, baseline_provenance=prov, distribution=dist,
                                    range_provenance=range_prov)
        coded = replace(template, name=name or self.row.name, title=title or template.title, sources=sources,
                        parameters=params, origin="", lines={})
        restrict = self.row.keep or self.row.historical is not None or self.row.explained is not None
        return _restricted(coded, self.row) if restrict else coded


def _restricted(sc: Scenario, row: ProxyRow) -> Scenario:
    """``sc`` with only the models ``row.keep`` names and the historical flags ``row.historical`` sets."""
    data = to_dict(sc)
    keep = set(row.keep) or {*sc.games, *sc.trees, *sc.repeated, *sc.bargaining}
    known = {*sc.games, *sc.trees, *sc.repeated, *sc.bargaining}
    unknown = sorted(keep - known)
    if unknown:
        raise GameError(f"row {row.name!r} keeps {unknown}, which the template {sc.name!r} does not have; "
                        f"models: {', '.join(sorted(known))}")
    for section in ("games", "trees", "repeated", "bargaining"):
        data[section] = {k: v for k, v in (data.get(section) or {}).items() if k in keep}
    data["repeated"] = {k: v for k, v in data["repeated"].items() if v["game"] in data["games"]}
    data["outcomes"] = {k: v for k, v in (data.get("outcomes") or {}).items()
                        if v.get("game", v.get("tree")) in {*data["games"], *data["trees"]}}
    if row.historical is not None:
        missing = sorted(set(row.historical) - set(data["outcomes"]))
        if missing:
            raise GameError(f"row {row.name!r}: no outcome {missing} among {', '.join(data['outcomes'])}")
        for oid, o in data["outcomes"].items():
            o.pop("historical", None)
            if oid in row.historical:
                o["historical"] = True
    texts: list[str] = []
    for section in ("games", "trees", "repeated", "bargaining"):
        _collect_texts(data[section], texts)
    used = set()
    for text in texts:
        used |= {str(s) for s in parse_expression(text, (*sc.parameters, "x")).free_symbols}
    data["parameters"] = {k: v for k, v in data["parameters"].items() if k in used}
    data["interventions"] = {k: v for k, v in (data.get("interventions") or {}).items()
                             if set(v["set"]) <= set(data["parameters"])}
    models = {*data["games"], *data["trees"], *data["repeated"], *data["bargaining"], *data["outcomes"],
              *data["parameters"], *data["interventions"]}
    data["explained"] = ([dict(e) for e in row.explained] if row.explained is not None else
                         [e for e in data.get("explained") or () if e["at"].split(".")[1] in models])
    return from_dict({k: v for k, v in data.items() if v not in ({}, [])})


def _collect_texts(node: Any, out: list[str]) -> None:
    """Every expression text in a section of scenario data (payoffs, probabilities, formulas)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in ("title", "description", "note", "name", "at", "players", "strategies", "profile",
                           "target", "punishment", "enforce", "period", "game", "periods"):
                    continue
                if isinstance(value, str):
                    out.append(value)
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)


# --------------------------------------------------------------------- files
def _mapping(ctx: _Context, data: Any, keys: list[Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ctx.error(keys, "expected a mapping")
    for key in required:
        if key not in data:
            raise ctx.error(keys, f"{key!r} is a required key")
    return data


def _fraction(ctx: _Context, keys: list[Any], value: Any) -> Fraction:
    try:
        return number(value)
    except (ValueError, TypeError):
        raise ctx.error(keys, f"{value!r} is not a number") from None


def parse_sheet(text: str, path: str = "<sheet>") -> CodingSheet:
    """Read a coding sheet from YAML text (``path`` is used in errors)."""
    ctx = _Context(path, _line_map(text))
    data = _mapping(ctx, load_yaml(text, path), [], ("format", "name", "proxies", "rules"))
    if data["format"] != SHEET_FORMAT:
        raise ctx.error(["format"], f"expected format {SHEET_FORMAT!r}")
    proxies = {}
    for name, d in _mapping(ctx, data["proxies"], ["proxies"]).items():
        d = _mapping(ctx, d, ["proxies", name], ("description", "unit", "bounds"))
        try:
            lo, hi = (number(b) for b in d["bounds"])
        except (ValueError, TypeError):
            raise ctx.error(["proxies", name, "bounds"], "bounds must be two numbers [low, high]") from None
        if not lo < hi:
            raise ctx.error(["proxies", name, "bounds"], "low must be below high")
        error = _fraction(ctx, ["proxies", name, "error"], d.get("error", 0))
        if error < 0:
            raise ctx.error(["proxies", name, "error"], "a measurement error is a share, not negative")
        proxies[name] = Proxy(name, d["description"], d["unit"], (lo, hi), error)
    rules = {}
    for pname, d in _mapping(ctx, data["rules"], ["rules"]).items():
        d = _mapping(ctx, d, ["rules", pname], ("expression", "reason"))
        try:
            parsed = parse_expression(str(d["expression"]), tuple(proxies), f"rules.{pname}.expression")
        except ExpressionError as err:
            raise ctx.error(["rules", pname, "expression"], err.reason) from None
        tolerance = _fraction(ctx, ["rules", pname, "tolerance"], d.get("tolerance", 0))
        if tolerance < 0:
            raise ctx.error(["rules", pname, "tolerance"], "a tolerance is not negative")
        rules[pname] = Rule(pname, str(d["expression"]), d["reason"], parsed, tolerance)
    return CodingSheet(data["name"], data.get("description", ""), proxies, rules)


def load_sheet(path: str | Path) -> CodingSheet:
    """Read a coding sheet file."""
    return parse_sheet(read_text(path), str(Path(path)))


def parse_rows(text: str, path: str = "<proxies>") -> dict[str, ProxyRow]:
    """Rows of proxies from YAML (``format: negotiation-proxies/1``) or CSV text.

    CSV: a header ``case, description, <proxy>, <proxy>_source, ...``, one row per case.
    """
    if path.endswith(".csv"):
        return _csv_rows(text, path)
    ctx = _Context(path, _line_map(text))
    data = _mapping(ctx, load_yaml(text, path), [], ("format", "rows"))
    if data["format"] != ROWS_FORMAT:
        raise ctx.error(["format"], f"expected format {ROWS_FORMAT!r}")
    out = {}
    for case, d in _mapping(ctx, data["rows"], ["rows"]).items():
        d = _mapping(ctx, d, ["rows", case], ("proxies",))
        values, sources, notes, ranges, locations = {}, {}, {}, {}, {}
        for proxy, v in _mapping(ctx, d["proxies"], ["rows", case, "proxies"]).items():
            keys = ["rows", case, "proxies", proxy]
            v = _mapping(ctx, v, keys, ("value", "source"))
            values[proxy] = _fraction(ctx, [*keys, "value"], v["value"])
            if "low" in v or "high" in v:
                lo, hi = (_fraction(ctx, [*keys, b], v.get(b, v["value"])) for b in ("low", "high"))
                if not lo <= values[proxy] <= hi:
                    raise ctx.error(keys, f"the value {plain(values[proxy])} lies outside [low, high] = "
                                          f"[{plain(lo)}, {plain(hi)}]")
                ranges[proxy] = (lo, hi)
            sources[proxy] = str(v["source"])
            if v.get("note"):
                notes[proxy] = str(v["note"])
            if v.get("location"):
                locations[proxy] = str(v["location"])
        listed = {}
        for key in ("keep", "historical"):
            if key in d and not (isinstance(d[key], list) and all(isinstance(x, str) for x in d[key])):
                raise ctx.error(["rows", case, key], "expected a list of names")
            listed[key] = tuple(d[key]) if key in d else None
        answers = None
        if "explained" in d:
            answers = tuple(_mapping(ctx, e, ["rows", case, "explained", k], ("finding", "at", "reason"))
                            for k, e in enumerate(d["explained"] or ()))
        out[case] = ProxyRow(case, d.get("description", ""), values, sources, notes, ranges, locations,
                             listed["keep"] or (), listed["historical"], answers)
    return out


def _csv_rows(text: str, path: str) -> dict[str, ProxyRow]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "case" not in reader.fieldnames:
        raise GameFormatError("a CSV of proxies needs a 'case' column", path, 1)
    names = [f for f in reader.fieldnames if f not in ("case", "description") and not f.endswith("_source")]
    out = {}
    for k, rec in enumerate(reader, start=2):
        values, sources = {}, {}
        for name in names:
            try:
                values[name] = number(rec[name])
            except (ValueError, TypeError):
                raise GameFormatError(f"{name}: {rec[name]!r} is not a number", path, k) from None
            src = rec.get(f"{name}_source") or ""
            if not src:
                raise GameFormatError(f"{name}: no {name}_source (the document it was measured from)", path, k)
            sources[name] = src
        out[rec["case"]] = ProxyRow(rec["case"], rec.get("description", ""), values, sources)
    return out


def load_rows(path: str | Path) -> dict[str, ProxyRow]:
    """Read a file of proxy rows (YAML or ``.csv``)."""
    return parse_rows(read_text(path), str(Path(path)))
