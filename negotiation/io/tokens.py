"""A tokenizer for Gambit's text formats (.nfg, .efg): quoted strings, braces, words."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from negotiation.engine.numbers import parse_number
from negotiation.errors import GameFormatError


@dataclass(frozen=True)
class Token:
    kind: str  # "str", "{", "}", "word"
    text: str
    line: int


class TokenStream:
    """Tokens of a Gambit file with their line numbers; errors name file and line."""

    def __init__(self, text: str, path: str) -> None:
        self.path = path
        self.tokens = self._lex(text)
        self.pos = 0

    def _lex(self, text: str) -> list[Token]:
        out: list[Token] = []
        i, line, n = 0, 1, len(text)
        while i < n:
            c = text[i]
            if c == "\n":
                line += 1
                i += 1
            elif c.isspace() or c == ",":
                i += 1
            elif c in "{}":
                out.append(Token(c, c, line))
                i += 1
            elif c == '"':
                start_line = line
                j = i + 1
                buf = []
                while j < n and text[j] != '"':
                    if text[j] == "\\" and j + 1 < n:
                        j += 1
                    if text[j] == "\n":
                        line += 1
                    buf.append(text[j])
                    j += 1
                if j >= n:
                    raise GameFormatError("unterminated string", self.path, start_line)
                out.append(Token("str", "".join(buf), start_line))
                i = j + 1
            else:
                j = i
                while j < n and not text[j].isspace() and text[j] not in '{},"':
                    j += 1
                out.append(Token("word", text[i:j], line))
                i = j
        return out

    @property
    def line(self) -> int:
        if self.pos < len(self.tokens):
            return self.tokens[self.pos].line
        return self.tokens[-1].line if self.tokens else 1

    def error(self, message: str, field: str | None = None) -> GameFormatError:
        return GameFormatError(message, self.path, self.line, field)

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def next(self, field: str) -> Token:
        tok = self.peek()
        if tok is None:
            raise self.error("the file ends too early (truncated?)", field)
        self.pos += 1
        return tok

    def expect(self, kind: str, field: str) -> Token:
        tok = self.next(field)
        if tok.kind != kind:
            shown = f'"{tok.text}"' if tok.kind == "str" else tok.text
            want = {"str": "a quoted string", "{": "'{'", "}": "'}'", "word": "a number"}[kind]
            self.pos -= 1
            raise self.error(f"expected {want}, found {shown}", field)
        return tok

    def number(self, field: str) -> Fraction:
        tok = self.expect("word", field)
        try:
            return parse_number(tok.text)
        except ValueError as err:
            raise GameFormatError(f"bad number: {err}", self.path, tok.line, field) from None

    def integer(self, field: str) -> int:
        tok = self.expect("word", field)
        try:
            return int(tok.text)
        except ValueError:
            raise GameFormatError(f"expected an integer, found {tok.text!r}", self.path, tok.line, field) from None

    def strings(self, field: str) -> list[str]:
        """A brace-delimited list of quoted strings."""
        self.expect("{", field)
        out = []
        while (tok := self.peek()) is not None and tok.kind == "str":
            out.append(self.next(field).text)
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
        return title, players

    def at_end(self) -> bool:
        return self.pos >= len(self.tokens)
