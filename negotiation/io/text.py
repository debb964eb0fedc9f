"""Reading text files and YAML strictly: bounded size, UTF-8 only, no YAML aliases, no duplicate keys.

A YAML alias (``*name``) can expand a small file into an enormous document (the "billion
laughs"), so scenario files may not use them; a key given twice in one mapping is an error
naming both lines, where PyYAML would silently keep the last.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from negotiation import limits
from negotiation.errors import GameFormatError


def read_text(path: str | os.PathLike[str]) -> str:
    """The text of a file: at most ``limits.MAX_FILE_BYTES``, UTF-8 (a byte-order mark is fine)."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > limits.MAX_FILE_BYTES:
            raise GameFormatError(f"the file has {size:,} bytes, over the limit of {limits.MAX_FILE_BYTES:,} "
                                  "(raise negotiation.limits.MAX_FILE_BYTES to read it)", str(p))
        data = p.read_bytes()
    except OSError as err:
        raise GameFormatError(f"cannot read: {err.strerror or err}", str(p)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise GameFormatError(f"not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start})", str(p),
                              line) from None


class StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader without aliases, with duplicate keys refused and nesting bounded."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed here", mark)
        depth = getattr(self, "_depth", 0)
        if depth >= limits.MAX_YAML_DEPTH:
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, f"nested deeper than {limits.MAX_YAML_DEPTH} levels "
                                              "(negotiation.limits.MAX_YAML_DEPTH)", mark)
        self._depth = depth + 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth = depth

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:
                    continue  # an unhashable key: the base constructor reports it
                if first is not None:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r} (first given at line {first})", key_node.start_mark)
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def load_yaml(text: str, path: str) -> Any:
    """Parse YAML text with :class:`StrictLoader`; errors name the file and the line."""
    try:
        return yaml.load(text, Loader=StrictLoader)
    except yaml.reader.ReaderError as err:  # a character YAML does not allow: name it and its line
        line = text[: err.position].count("\n") + 1
        shown = f"#x{err.character:04x}" if isinstance(err.character, int) else repr(err.character)
        raise GameFormatError(f"not valid YAML: character {shown} is not allowed ({err.reason})", path, line) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        reason = getattr(err, "problem", None) or str(err)
        raise GameFormatError(f"not valid YAML: {reason}", path, mark.line + 1 if mark is not None else None) from None


def compose_yaml(text: str) -> Any:
    """The YAML node graph (for line numbers), or ``None`` if the text does not compose."""
    try:
        return yaml.compose(text, Loader=StrictLoader)
    except yaml.YAMLError:
        return None
