"""The catalog of encoded games in ``games/``, loadable by name.

In a source checkout the files are read from ``games/``; in an installed wheel they
are shipped inside the package (``negotiation/_catalog``).
"""

from __future__ import annotations

import builtins
from importlib import resources
from pathlib import Path

from negotiation.engine.game import NormalFormGame
from negotiation.errors import GameFormatError
from negotiation.io import read_game
from negotiation.io.nfg import nfg_comment

_SUFFIXES = (".nfg", ".efg")


def directory() -> Path:
    """Where the catalog files are."""
    shipped = resources.files("negotiation") / "_catalog"
    if shipped.is_dir():
        return Path(str(shipped))
    return Path(__file__).resolve().parent.parent / "games"


def list() -> builtins.list[str]:
    """Names of the catalog's games, sorted."""
    return sorted(p.stem for p in directory().iterdir() if p.suffix in _SUFFIXES)


def path(name: str) -> Path:
    """The file of a catalog entry."""
    for suffix in _SUFFIXES:
        candidate = directory() / f"{name}{suffix}"
        if candidate.is_file():
            return candidate
    raise GameFormatError(f"no catalog entry {name!r}; entries are {', '.join(list())}", str(directory()))


def load(name: str) -> NormalFormGame:
    """Load a catalog game by name, e.g. ``load("chicken")``."""
    return read_game(path(name))


def provenance(name: str) -> str:
    """The source and known answer recorded in the entry's file."""
    p = path(name)
    return nfg_comment(p.read_text(encoding="utf-8"), str(p)) if p.suffix == ".nfg" else ""
