"""Lazy exports (PEP 562): a package names what it exports and where, and imports it on first use.

``import negotiation`` then costs almost nothing; sympy, scipy, pandas and the rest load
when the first name that needs them is used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def exports(package: str, names: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: ``names`` maps each export to its module.

    A module path starting with ``.`` is relative to ``package``; the export is the module's
    attribute of the same name, or the module itself when the name is the module's last part.
    """

    def __getattr__(name: str) -> Any:
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        where = names[name]
        module = importlib.import_module(package + where if where.startswith(".") else where)
        value = module if module.__name__.rsplit(".", 1)[-1] == name and not hasattr(module, name) else \
            getattr(module, name)
        globals_of(package)[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*globals_of(package), *names})

    return __getattr__, __dir__


def globals_of(package: str) -> dict[str, Any]:
    import sys

    return vars(sys.modules[package])
