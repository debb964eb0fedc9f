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
      buffer_km: {description: Depth of the demilitarised zone or corridor, unit: km, bounds: [0, 50]}
    rules:
      monitoring:
        expression: "1 - exp(-buffer_km/20)"
        reason: Why this form and these constants (an assumption, stated before running the model).

Rows file (YAML)::

    format: negotiation-proxies/1
    rows:
      sochi-2018:
        description: ...
        proxies:
          buffer_km: {value: 15, source: "Title, outlet, date", note: how it was measured}

Rule expressions use the safe grammar of :mod:`negotiation.engine.expressions` (nothing is
evaluated as code).  A derived value outside its parameter's bounds is an error, not
clipped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import pandas as pd
import sympy

from negotiation.domain.leverage import Provenance, Source, number, plain
from negotiation.domain.scenario import Scenario, _Context, _line_map
from negotiation.engine.expressions import ExpressionError, parse_expression, suggest
from negotiation.engine.numbers import finite_real, to_fraction
from negotiation.engine.parametric import symbol_values
from negotiation.errors import GameError, GameFormatError
from negotiation.io.text import load_yaml, read_text

SHEET_FORMAT = "negotiation-coding-sheet/1"
ROWS_FORMAT = "negotiation-proxies/1"


@dataclass(frozen=True)
class Proxy:
    """A measurable quantity: its description, unit and plausible bounds."""

    name: str
    description: str
    unit: str
    bounds: tuple[Fraction, Fraction]


@dataclass(frozen=True)
class Rule:
    """How one parameter follows from the proxies: an expression and the reason for it."""

    parameter: str
    expression: str
    reason: str
    parsed: sympy.Expr = field(repr=False, compare=False)

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
        subs = symbol_values(row.values)
        derived = {}
        for pname, rule in self.rules.items():
            value = rule.parsed.xreplace(subs)
            if value.is_Rational:
                derived[pname] = to_fraction(value)
                continue
            real = finite_real(value)
            if real is None:
                raise GameError(f"row {row.name!r}: the rule for {pname} ({rule.expression}) gives {value}, "
                                "not a finite real number")
            derived[pname] = Fraction(repr(real))
        return Coding(self, row, derived)


@dataclass(frozen=True)
class ProxyRow:
    """One case's proxies: values, and for each the document it was measured from."""

    name: str
    description: str
    values: Mapping[str, Fraction]
    sources: Mapping[str, str]
    notes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Coding:
    """The parameters a coding sheet derives from one row of proxies."""

    sheet: CodingSheet
    row: ProxyRow
    parameters: Mapping[str, Fraction]

    def to_frame(self) -> pd.DataFrame:
        """One row per derived parameter: value, rule, the proxies it uses, reason."""
        rows = []
        for pname, value in self.parameters.items():
            rule = self.sheet.rules[pname]
            used = rule.uses
            rows.append({"parameter": pname, "value": float(value), "exact": str(value), "rule": rule.expression,
                         "proxies": ", ".join(f"{u}={plain(self.row.values[u])}" for u in used),
                         "reason": rule.reason})
        return pd.DataFrame(rows)

    def scenario(self, template: Scenario, name: str | None = None, title: str | None = None) -> Scenario:
        """The template scenario with these parameters as baselines.

        Each coded baseline's provenance cites the proxies' documents (added as sources) and
        names the rule; values outside a parameter's bounds are refused.
        """
        sources = dict(template.sources)
        ids = {}
        for proxy, doc in sorted(self.row.sources.items()):
            sid = next((k for k, s in sources.items() if s.title == doc), None)
            if sid is None:
                sid = f"proxy_{len(ids) + 1}_{self.row.name}".replace("-", "_")
                sources[sid] = Source(sid, doc)
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
            facts = "; ".join(f"{u} = {plain(self.row.values[u])} {self.sheet.proxies[u].unit}" for u in used)
            first = ids.get(used[0], "") if used else ""
            prov = Provenance(first, f"Coded from proxies ({facts}) by the rule {pname} = {rule.expression}.",
                              f"The rule is the coding sheet's: {rule.reason}")
            params[pname] = replace(params[pname], baseline=value, baseline_provenance=prov)
        return replace(template, name=name or self.row.name, title=title or template.title, sources=sources,
                       parameters=params, origin="", lines={})


# --------------------------------------------------------------------- files
def _mapping(ctx: _Context, data: Any, keys: list[Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ctx.error(keys, "expected a mapping")
    for key in required:
        if key not in data:
            raise ctx.error(keys, f"{key!r} is a required key")
    return data


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
        proxies[name] = Proxy(name, d["description"], d["unit"], (lo, hi))
    rules = {}
    for pname, d in _mapping(ctx, data["rules"], ["rules"]).items():
        d = _mapping(ctx, d, ["rules", pname], ("expression", "reason"))
        try:
            parsed = parse_expression(str(d["expression"]), tuple(proxies), f"rules.{pname}.expression")
        except ExpressionError as err:
            raise ctx.error(["rules", pname, "expression"], err.reason) from None
        rules[pname] = Rule(pname, str(d["expression"]), d["reason"], parsed)
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
        values, sources, notes = {}, {}, {}
        for proxy, v in _mapping(ctx, d["proxies"], ["rows", case, "proxies"]).items():
            v = _mapping(ctx, v, ["rows", case, "proxies", proxy], ("value", "source"))
            try:
                values[proxy] = number(v["value"])
            except (ValueError, TypeError):
                raise ctx.error(["rows", case, "proxies", proxy, "value"], f"{v['value']!r} is not a number") from None
            sources[proxy] = str(v["source"])
            if v.get("note"):
                notes[proxy] = str(v["note"])
        out[case] = ProxyRow(case, d.get("description", ""), values, sources, notes)
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
