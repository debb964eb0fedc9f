"""Recode the Idlib ceasefires from games/coding: the coded parameters of games/idlib-2020.yaml in
place (the rest of the file, with its comments, is left as written), then sochi-2018 and
idlib-2020-january from their rows with idlib-2020 as the template.  ``make cases`` runs it; the
tests check that the files equal what it writes."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from negotiation.domain.coding import load_rows, load_sheet
from negotiation.domain.scenario import load_scenario, save_scenario, to_dict
from negotiation.io.atomic import atomic_write_text

GAMES = Path(__file__).resolve().parent.parent / "games"


def main() -> None:
    sheet = load_sheet(GAMES / "coding" / "idlib-sheet.yaml")
    rows = load_rows(GAMES / "coding" / "idlib-proxies.yaml")
    path = GAMES / "idlib-2020.yaml"
    coded = to_dict(sheet.code(rows["idlib-2020"]).scenario(load_scenario(path), name="idlib-2020"))
    text = path.read_text(encoding="utf-8")
    for name in sheet.rules:
        block = yaml.safe_dump({name: coded["parameters"][name]}, sort_keys=False, width=100, allow_unicode=True)
        block = "".join(f"  {line}\n" for line in block.splitlines())
        found = re.search(rf"^  {name}:\n(?:    .*\n)*", text, re.M)
        if found is None:
            raise SystemExit(f"{path}: no parameter {name!r} to recode")
        text = text[: found.start()] + block + text[found.end():]
    atomic_write_text(path, text)
    template = load_scenario(path)
    for case in rows:
        if case != "idlib-2020":
            save_scenario(sheet.code(rows[case]).scenario(template), GAMES / f"{case}.yaml")


if __name__ == "__main__":
    main()
