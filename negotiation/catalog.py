"""The catalog of encoded games and scenarios in ``games/``, loadable by name.

In a source checkout the files are read from ``games/``; in an installed wheel they
are shipped inside the package (``negotiation/_catalog``).  ``.nfg``/``.efg`` files
load as games, ``.yaml`` files as :class:`~negotiation.domain.scenario.Scenario`.
"""

from __future__ import annotations

import builtins
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from negotiation.errors import GameError, suggest

if TYPE_CHECKING:  # the readers are imported when an entry is loaded, so that listing stays quick
    from negotiation.domain.scenario import Scenario
    from negotiation.engine.extensive import ExtensiveFormGame
    from negotiation.engine.game import NormalFormGame

_SUFFIXES = (".nfg", ".efg", ".yaml")


def directory() -> Path:
    """Where the catalog files are."""
    shipped = resources.files("negotiation") / "_catalog"
    if shipped.is_dir():
        return Path(str(shipped))
    return Path(__file__).resolve().parent.parent / "games"


def list(kind: str | None = None) -> builtins.list[str]:
    """Names of the catalog's entries, sorted: all, or only ``kind="game"`` (strategic form, .nfg),
    ``"tree"`` (extensive form, .efg) or ``"scenario"`` (.yaml)."""
    kinds = {None: _SUFFIXES, "game": (".nfg",), "tree": (".efg",), "scenario": (".yaml",)}
    if kind not in kinds:
        raise GameError(f"unknown kind {kind!r}; use 'game', 'tree', 'scenario' or None")
    return sorted(p.stem for p in directory().iterdir() if p.suffix in kinds[kind])


def path(name: str) -> Path:
    """The file of a catalog entry."""
    for suffix in _SUFFIXES:
        candidate = directory() / f"{name}{suffix}"
        if candidate.is_file():
            return candidate
    names = list()
    raise GameError(f"no catalog entry {name!r}{suggest(name, names)}; entries are {', '.join(names)}")


def load(name: str) -> NormalFormGame | ExtensiveFormGame | Scenario:
    """Load a catalog entry by name: ``load("chicken")`` (an .nfg game), ``load("entry-deterrence")``
    (an .efg game tree) or ``load("idlib-2020")`` (a scenario)."""
    from negotiation.domain.scenario import load_scenario
    from negotiation.io import read_efg_tree, read_game

    p = path(name)
    if p.suffix == ".yaml":
        return load_scenario(p)
    return read_efg_tree(p) if p.suffix == ".efg" else read_game(p)


def provenance(name: str) -> str:
    """The source and known answer recorded in the entry's file (the sources of a scenario)."""
    from negotiation.domain.scenario import load_scenario
    from negotiation.io.efg import parse_efg
    from negotiation.io.nfg import nfg_comment

    p = path(name)
    if p.suffix == ".nfg":
        return nfg_comment(p.read_text(encoding="utf-8"), str(p))
    if p.suffix == ".efg":
        return parse_efg(p.read_text(encoding="utf-8"), str(p)).comment
    sc = load_scenario(p)
    return "\n".join(f"[{s.id}] {s.title}" + (f" ({s.location})" if s.location else "") for s in sc.sources.values())
