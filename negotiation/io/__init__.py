"""Reading and writing games: Gambit .nfg/.efg, JSON and CSV results."""

from __future__ import annotations

import os
from pathlib import Path

from negotiation.engine.game import NormalFormGame
from negotiation.errors import GameFormatError
from negotiation.io.efg import format_efg, read_efg, read_efg_tree, write_efg
from negotiation.io.nfg import format_nfg, parse_nfg, read_nfg, write_nfg

__all__ = [
    "format_efg",
    "format_nfg",
    "parse_nfg",
    "read_efg",
    "read_efg_tree",
    "read_game",
    "read_nfg",
    "write_efg",
    "write_nfg",
]


def read_game(path: str | os.PathLike[str]) -> NormalFormGame:
    """Read a game file by its extension: ``.nfg``, or ``.efg`` (as its strategic form)."""
    p = Path(path)
    if not p.is_file():
        raise GameFormatError("no such file", str(p))
    suffix = p.suffix.lower()
    if suffix == ".nfg":
        return read_nfg(p)
    if suffix == ".efg":
        return read_efg(p)
    raise GameFormatError(f"unknown game file type {suffix or '(none)'!r}; expected .nfg or .efg", str(p))
