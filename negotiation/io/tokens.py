"""A tokenizer for Gambit's text formats (.nfg, .efg): quoted strings, braces, words."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from typing import NamedTuple

from negotiation import limits
from negotiation.engine.numbers import parse_number
from negotiation.errors import GameFormatError


class Token(NamedTuple):
    kind: str  # "str", "{", "}", "word"
    text: str
    line: int


_TOKEN = re.compile(r'([{}])|"((?:[^"\\]|\\.)*)"|([^\s{},"]+)|(")', re.S)  # white space and commas between
_ESCAPE = re.compile(r"\\(.)", re.S)


class TokenStream:
    """Tokens of a Gambit file with their line numbers, read lazily; errors name file and line.

    The lexer is one regular expression applied as the parser asks for tokens, so a file
    of any size is read in memory proportional to the text, not to its number of tokens.
    """

    def __init__(self, text: str, path: str) -> None:
        self.path = path
        self._text = text
        self._matches = _TOKEN.finditer(text)
        self._line = 1
        self._at = 0  # where line counting has reached
        self._ahead: Token | None = None
        self._last_line = 1
        self._advance()

    def _advance(self) -> None:
        """Read the next token into ``self._ahead`` (``None`` at the end)."""
        for m in self._matches:
            kind = m.lastindex
            self._line += self._text.count("\n", self._at, m.start())
            self._at = m.start()
            line = self._line
            if kind == 1:
                self._ahead = Token(m.group(1), m.group(1), line)
            elif kind == 2:
                raw = m.group(2)
                self._ahead = Token("str", _ESCAPE.sub(r"\1", raw) if "\\" in raw else raw, line)
            elif kind == 3:
                self._ahead = Token("word", m.group(3), line)
            else:
                raise GameFormatError("unterminated string", self.path, line)
            return
        self._ahead = None

    @property
    def line(self) -> int:
        return self._ahead.line if self._ahead is not None else self._last_line

    def error(self, message: str, field: str | None = None) -> GameFormatError:
        return GameFormatError(message, self.path, self.line, field)

    def peek(self) -> Token | None:
        return self._ahead

    def next(self, field: str) -> Token:
        tok = self._ahead
        if tok is None:
            raise self.error("the file ends too early (truncated?)", field)
        self._last_line = tok.line
        self._advance()
        return tok

    def expect(self, kind: str, field: str) -> Token:
        tok = self.peek()
        if tok is None:
            raise self.error("the file ends too early (truncated?)", field)
        if tok.kind != kind:
            shown = json.dumps(tok.text[:40]) if tok.kind == "str" else tok.text[:40]
            want = {"str": "a quoted string", "{": "'{'", "}": "'}'", "word": "a number"}[kind]
            raise self.error(f"expected {want}, found {shown}", field)
        return self.next(field)

    def number(self, field: str) -> Fraction:
        tok = self.expect("word", field)
        try:
            return parse_number(tok.text)
        except ValueError as err:
            raise GameFormatError(f"bad number: {err}", self.path, tok.line, field) from None

    def integer(self, field: str) -> int:
        tok = self.expect("word", field)
        try:
            if len(tok.text) > 20:
                raise ValueError
            return int(tok.text)
        except ValueError:
            raise GameFormatError(f"expected an integer, found {tok.text!r}", self.path, tok.line, field) from None

    def strings(self, field: str) -> list[str]:
        """A brace-delimited list of quoted strings."""
        self.expect("{", field)
        out = []
        while (tok := self.peek()) is not None and tok.kind == "str":
            out.append(self.next(field).text)
            if len(out) > limits.MAX_STRATEGIES:
                raise self.error(limits.over("names in one list", "MAX_STRATEGIES"), field)
        self.expect("}", field)
        return out

    def header(self, magic: str, version: int) -> tuple[str, list[str]]:
        """The common head of Gambit files: magic word, version, number type, title, players."""
        head = self.expect("word", "header")
        if head.text != magic:
            message = f"a {magic} file starts with {magic!r}, not {head.text!r}"
            raise GameFormatError(message, self.path, head.line, "header")
        found = self.integer("version")
        if found != version:
            raise self.error(f"only version {version} of the {magic} format is supported, not {found}", "version")
        kind = self.expect("word", "number type")
        if kind.text not in ("R", "D"):
            raise GameFormatError(f"number type must be R or D, not {kind.text!r}", self.path, kind.line, "number type")
        title = self.expect("str", "title").text
        players = self.strings("players")
        if not players:
            raise self.error("the game has no players", "players")
        if len(players) > limits.MAX_PLAYERS:
            raise self.error(limits.over("players", "MAX_PLAYERS", len(players)), "players")
        return title, players

    def at_end(self) -> bool:
        return self._ahead is None
