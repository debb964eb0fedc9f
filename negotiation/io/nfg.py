"""Read and write Gambit's strategic-form format (.nfg), payoff and outcome versions.

Format reference: The Gambit Project, "Game representation formats", section
"The strategic game (.nfg) file format, version 1" (gambit.sourceforge.net).
Contingencies are listed with the first player's strategy changing fastest.
"""

from __future__ import annotations

import itertools
import math
import os
from fractions import Fraction
from pathlib import Path

import numpy as np

from negotiation import limits
from negotiation.engine.game import NormalFormGame
from negotiation.errors import GameError, GameFormatError
from negotiation.io.text import read_text
from negotiation.io.tokens import TokenStream


def _contingencies(shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    """All pure profiles with player 1's strategy varying fastest (Gambit order)."""
    return [tuple(reversed(c)) for c in itertools.product(*(range(s) for s in reversed(shape)))]


def parse_nfg(text: str, path: str = "<string>") -> NormalFormGame:
    """Parse the text of an .nfg file.

    Raises
    ------
    GameFormatError
        With the file, line and part of the format that is wrong.
    """
    ts = TokenStream(text, path)
    title, players = ts.header("NFG", 1)
    ts.expect("{", "strategies")
    tok = ts.peek()
    if tok is not None and tok.kind == "word":
        shape = []
        while (t := ts.peek()) is not None and t.kind == "word":
            count = ts.integer("strategies")
            if not 0 <= count <= limits.MAX_STRATEGIES:
                raise ts.error("a negative number of strategies" if count < 0 else
                               limits.over("strategies of one player", "MAX_STRATEGIES", count), "strategies")
            shape.append(count)
        ts.expect("}", "strategies")
        strategies = [[str(k + 1) for k in range(c)] for c in shape]
    else:
        strategies = []
        while (t := ts.peek()) is not None and t.kind == "{":
            strategies.append(ts.strings("strategies"))
        ts.expect("}", "strategies")
    if len(strategies) != len(players):
        raise ts.error(f"{len(players)} players but strategy lists for {len(strategies)}", "strategies")
    for name, labels in zip(players, strategies, strict=True):
        if not labels:
            raise ts.error(f"player {name!r} has no strategies", "strategies")
    shape = [len(s) for s in strategies]
    entries = math.prod(shape) * len(players)
    if entries > limits.MAX_PAYOFF_ENTRIES:
        raise ts.error(limits.over(f"payoff entries of a {'x'.join(map(str, shape))} game", "MAX_PAYOFF_ENTRIES",
                                   entries), "strategies")
    if (t := ts.peek()) is not None and t.kind == "str":
        ts.next("comment")  # the comment; see nfg_comment()
    n = len(players)
    cells = _contingencies(tuple(shape))
    payoffs = np.empty((n, *shape), dtype=object)
    if (t := ts.peek()) is not None and t.kind == "{":
        ts.expect("{", "outcomes")
        outcomes: list[list[Fraction]] = []
        while (t := ts.peek()) is not None and t.kind == "{":
            ts.expect("{", "outcomes")
            ts.expect("str", "outcome name")
            values = [ts.number(f"outcome {len(outcomes) + 1}") for _ in range(n)]
            if (t := ts.peek()) is None or t.kind != "}":
                raise ts.error(f"outcome {len(outcomes) + 1} must have exactly {n} payoffs", "outcomes")
            ts.expect("}", "outcomes")
            outcomes.append(values)
        ts.expect("}", "outcomes")
        for cell in cells:
            k = ts.integer("outcome index")
            if not 0 <= k <= len(outcomes):
                raise ts.error(f"outcome index {k} is not between 0 and {len(outcomes)}", "outcome index")
            values = outcomes[k - 1] if k else [Fraction(0)] * n
            for i in range(n):
                payoffs[(i, *cell)] = values[i]
    else:
        for cell in cells:
            for i in range(n):
                payoffs[(i, *cell)] = ts.number("payoffs")
    if not ts.at_end():
        raise ts.error(
            f"unexpected {ts.peek().text!r} after {math.prod(shape)} contingencies: too many payoffs?",  # type: ignore[union-attr]
            "payoffs",
        )
    players = blank_to_default(players, "P")
    strategies = [blank_to_default(labels, "s") for labels in strategies]
    try:
        game = NormalFormGame(payoffs, tuple(players), tuple(tuple(s) for s in strategies), title, exact=True)
    except GameError as err:
        raise GameFormatError(str(err), path) from None
    return game


def blank_to_default(names: list[str], prefix: str) -> list[str]:
    """Gambit allows blank names; give them the toolkit's default names instead."""
    return [name if name.strip() else f"{prefix}{k + 1}" for k, name in enumerate(names)]


def read_nfg(path: str | os.PathLike[str]) -> NormalFormGame:
    """Read an .nfg file (payoff or outcome format) as an exact game."""
    p = Path(path)
    return parse_nfg(read_text(p), str(p))


def nfg_comment(text: str, path: str = "<string>") -> str:
    """The comment string of an .nfg file (where the catalog keeps provenance)."""
    ts = TokenStream(text, path)
    for _ in range(3):
        ts.next("header")
    ts.expect("str", "title")
    ts.strings("players")
    depth = 0
    while True:
        tok = ts.next("strategies")
        depth += {"{": 1, "}": -1}.get(tok.kind, 0)
        if depth == 0:
            break
    tok = ts.peek()
    return tok.text if tok is not None and tok.kind == "str" else ""


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _num(v: object) -> str:
    if isinstance(v, Fraction):
        return str(v)
    f = float(v)  # type: ignore[arg-type]
    return str(int(f)) if f.is_integer() else repr(f)


def format_nfg(game: NormalFormGame, comment: str = "") -> str:
    """The .nfg text (payoff format) of a game."""
    lines = [
        f"NFG 1 R {_quote(game.title)} {{ {' '.join(_quote(p) for p in game.players)} }}",
        "",
        "{ " + "\n  ".join("{ " + " ".join(_quote(s) for s in labels) + " }" for labels in game.strategies) + "\n}",
        _quote(comment),
        "",
    ]
    body = []
    for cell in _contingencies(game.shape):
        body.append(" ".join(_num(game.payoffs[(i, *cell)]) for i in range(game.n_players)))
    lines.append("\n".join(body))
    return "\n".join(lines) + "\n"


def write_nfg(game: NormalFormGame, path: str | os.PathLike[str], comment: str = "") -> None:
    """Write a game as .nfg, atomically (a temporary file renamed into place)."""
    from negotiation.io.atomic import atomic_write_text

    atomic_write_text(path, format_nfg(game, comment))
