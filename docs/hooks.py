"""MkDocs hook: fill the generated reference pages (the command line's help, the scenario schema)."""

from __future__ import annotations

import json
from typing import Any


def _cli_help() -> str:
    from negotiation.cli import build_parser

    parser = build_parser()
    parts = ["```text", parser.format_help().rstrip(), "```"]
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, command in sub.choices.items():
        parts += ["", f"## negotiation {name}", "", "```text", command.format_help().rstrip(), "```"]
    return "\n".join(parts)


def _describe(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return f"see `{schema['$ref'].rsplit('/', 1)[-1]}`"
    if "oneOf" in schema:
        return " or ".join(_describe(s) for s in schema["oneOf"])
    if "enum" in schema:
        return "one of " + ", ".join(f"`{v}`" for v in schema["enum"])
    if "const" in schema:
        return f"`{schema['const']}`"
    kind = schema.get("type", "any")
    if kind == "object" and "additionalProperties" in schema and not schema.get("properties"):
        inner = schema["additionalProperties"]
        return "mapping to " + (_describe(inner) if isinstance(inner, dict) else "anything")
    if kind == "array":
        return "list of " + _describe(schema.get("items", {}))
    return str(kind)


def _table(schema: dict[str, Any]) -> list[str]:
    props = schema.get("properties", {})
    if not props:
        return [f"{_describe(schema)}.", ""]
    required = set(schema.get("required", []))
    rows = ["| key | required | value | description |", "|---|---|---|---|"]
    for key, sub in props.items():
        text = sub.get("description", "").replace("|", "\\|")
        rows.append(f"| `{key}` | {'yes' if key in required else ''} | {_describe(sub)} | {text} |")
    return [*rows, ""]


def _schema_pages() -> str:
    from negotiation.domain.scenario import schema

    doc = schema()
    parts = ["## The file", "", *_table(doc)]
    for name, sub in doc.get("$defs", {}).items():
        parts += [f"## `{name}`", ""]
        parts += _table(sub) if sub.get("type") == "object" or "properties" in sub else [f"{_describe(sub)}.", ""]
    parts += ["## The schema itself", "", "```json", json.dumps(doc, indent=2), "```"]
    return "\n".join(parts)


def _limits_table() -> str:
    from negotiation import limits

    rows = ["| limit | default | what it bounds |", "|---|---|---|"]
    for name, value, text in limits.table():
        shown = f"{value:,}" if isinstance(value, int) else f"{value:g}"
        escaped = text.replace("|", "\\|")
        rows.append(f"| `{name}` | {shown} | {escaped} |")
    return "\n".join(rows)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if "<!-- limits-table -->" in markdown:
        markdown = markdown.replace("<!-- limits-table -->", _limits_table())
    if "<!-- cli-help -->" in markdown:
        markdown = markdown.replace("<!-- cli-help -->", _cli_help())
    if "<!-- scenario-schema -->" in markdown:
        markdown = markdown.replace("<!-- scenario-schema -->", _schema_pages())
    return markdown
