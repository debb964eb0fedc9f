"""Limits on what the toolkit accepts, checked before any work starts.

Each limit is a module attribute with a default that suits any real model; a caller who
needs more raises it, for a whole session (``negotiation.limits.MAX_FILE_BYTES = 2**28``)
or for a block (``with negotiation.limits.raised(MAX_TREE_NODES=2_000_000): ...``); the
command line takes ``--limit NAME=VALUE``.  Input over a limit is refused with one line
naming the file or call, the limit and how to raise it.  The page "Limits" of the
documentation lists them all (it is generated from :func:`table`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

# ------------------------------------------------------------------------------ files
MAX_FILE_BYTES = 16 * 2**20
"""Largest scenario, coding-sheet or Gambit file read, in bytes (16 MiB)."""

MAX_YAML_DEPTH = 64
"""Deepest nesting of mappings and sequences in a YAML file."""

# ------------------------------------------------------------------------------ games
MAX_PLAYERS = 64
"""Most players of a game in a Gambit file (.nfg, .efg)."""

MAX_STRATEGIES = 100_000
"""Most strategies of one player in an .nfg file, or actions at one node of an .efg file."""

MAX_PAYOFF_ENTRIES = 4_000_000
"""Largest payoff table of an .nfg file (players times pure profiles)."""

MAX_TREE_NODES = 500_000
"""Most nodes of a game tree (read from an .efg file or built)."""

MAX_TREE_DEPTH = 2_000
"""Deepest game tree, in moves from the root to a leaf (read or built)."""

MAX_STRATEGIC_PROFILES = 1_000_000
"""Most pure profiles of the strategic form of a game tree."""

# -------------------------------------------------------------------------- expressions
MAX_EXPRESSION_LENGTH = 2_000
"""Longest payoff expression, in characters."""

MAX_EXPRESSION_DEPTH = 200
"""Deepest nesting of a payoff expression's syntax tree."""

MAX_EXPONENT = 64
"""Largest absolute value of a constant exponent in an expression."""

MAX_EXP_NESTING = 2
"""Deepest nesting of exponentials of the parameters in an expression (``exp(exp(a))`` is 2)."""

MAX_CONSTANT_BITS = 1_000
"""Largest constant of an expression, in bits of its numerator or denominator (2^1000 is about 1e301)."""

# ---------------------------------------------------------------------------- solvers
MAX_SUPPORT_PAIRS = 10**7
"""Two-player method 'auto': enumerate exactly (method 'all') up to this many equal-size support pairs,
C(m + n, m), else qhull (a nondegenerate float game) or Lemke-Howson."""

MAX_SUPPORT_PROFILES = 4_000
"""n-player enumeration (method 'all'): most support profiles, prod(2^s_i - 1)."""

AUTO_SUPPORT_PROFILES = 400
"""n-player method 'auto': enumerate (method 'all') up to this many support profiles, else 'numeric'."""

MAX_PURE_CELLS = 10**8
"""Method 'pure': largest payoff tensor, in entries."""

MAX_QHULL_STRATEGIES = 32
"""Two-player enumeration by qhull (nondegenerate games): most strategies of both players together; qhull runs in
C, which a time limit cannot stop, and its time grows about threefold per added strategy past 30."""

MAX_BASES = 300_000
"""Exact two-player enumeration on Python integers (entries past 64-bit words): most
lexicographically feasible bases visited in one polytope (about half a minute of pivoting, and
a few hundred MB of bookkeeping)."""

MAX_BASES_COMPILED = 2_000_000
"""Exact two-player enumeration, compiled on 64-bit words: most lexicographically feasible bases
visited in one polytope (about 20 s at 15x15)."""

MAX_SEARCH_BYTES = 2**31
"""Exact two-player enumeration, compiled: most memory for the tableaux on the search path."""

MAX_TREE_COMBINATIONS = 100_000
"""Game trees with ties: most combinations of tied subgame equilibria."""

MAX_TIED_TREE = 2_000
"""Game trees with ties: most nodes of a tree solved by subgame enumeration."""

CLI_TIME_LIMIT = 600.0
"""Time limit of one command-line call, in seconds (``--time-limit``); the library has none."""

_NAMES = tuple(name for name in dict(globals()) if name.isupper())


def names() -> tuple[str, ...]:
    """The names of every limit."""
    return _NAMES


def table() -> list[tuple[str, object, str]]:
    """``(name, current value, description)`` of every limit, for the docs and ``--help``."""
    import ast
    import inspect
    import itertools
    import sys

    module = sys.modules[__name__]
    docs: dict[str, str] = {}
    body = ast.parse(inspect.getsource(module)).body
    for here, after in itertools.pairwise(body):
        if (isinstance(here, ast.Assign) and isinstance(here.targets[0], ast.Name) and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)):
            docs[here.targets[0].id] = str(after.value.value)
    return [(name, getattr(module, name), docs.get(name, "")) for name in _NAMES]


def check_value(name: str, value: object) -> float | int:
    """``value`` checked as a setting of the limit ``name`` (a positive number of its type)."""
    import sys

    from negotiation.errors import NegotiationError, suggest

    if name not in _NAMES:
        raise NegotiationError(f"unknown limit {name!r}{suggest(name, _NAMES)}; limits: {', '.join(_NAMES)}")
    current = getattr(sys.modules[__name__], name)
    kind = float if isinstance(current, float) else int
    try:
        number = kind(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError, OverflowError):
        number = None
    if number is None or not number > 0 or (kind is float and number == float("inf")):
        raise NegotiationError(f"limit {name} must be a positive {'number' if kind is float else 'whole number'}, "
                               f"not {value!r}")
    return number


def set_limit(name: str, value: object) -> None:
    """Set the limit ``name`` for the rest of the session (checked as in :func:`check_value`)."""
    import sys

    setattr(sys.modules[__name__], name, check_value(name, value))


@contextmanager
def raised(**values: object) -> Iterator[None]:
    """Set some limits for the duration of a ``with`` block, then restore them."""
    import sys

    module = sys.modules[__name__]
    checked = {name: check_value(name, value) for name, value in values.items()}
    before = {name: getattr(module, name) for name in checked}
    try:
        for name, value in checked.items():
            setattr(module, name, value)
        yield
    finally:
        for name, value in before.items():
            setattr(module, name, value)


def over(what: str, name: str, count: int | None = None) -> str:
    """The message of a refusal: ``what`` (with its ``count``) is over the limit ``name``; how to raise it."""
    import sys

    limit = getattr(sys.modules[__name__], name)
    found = f": {count:,}" if count is not None else ""
    return (f"{what}{found}, over the limit of {limit:,} (raise negotiation.limits.{name}, or --limit "
            f"{name}=N on the command line)")
