"""Exceptions raised by the toolkit.

Every error about user input says *where* (file, line, field) and *why*, so that the
command line can print it as one line without a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class NegotiationError(Exception):
    """Base class of every error the toolkit raises on purpose."""


class GameError(NegotiationError, ValueError):
    """A game (or a profile of it) is malformed: shapes, names, non-finite payoffs."""


class GameFormatError(GameError):
    """A game file could not be parsed.

    Parameters
    ----------
    message : str
        Why the file is rejected.
    path : str, optional
        The file, when known.
    line : int, optional
        The 1-based line number where the problem was found.
    field : str, optional
        The part of the format that is wrong (e.g. ``"payoffs"``).
    """

    def __init__(
        self,
        message: str,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        message = message.replace("\r", " ").replace("\n", " ")  # one line, whatever the reason quotes
        if len(message) > 400:
            message = message[:397] + "..."
        self.reason = message
        self.path = path
        self.line = line
        self.field = field
        where = path or "<input>"
        if line is not None:
            where += f":{line}"
        if field:
            where += f": {field}"
        super().__init__(f"{where}: {message}")


class SolverError(NegotiationError):
    """A solver cannot be applied to this game (wrong kind of game, unknown method)."""


class BudgetError(SolverError):
    """An exhaustive method was asked for a game beyond its size budget."""


class TimeLimitError(BudgetError):
    """A computation reached its time limit (see :mod:`negotiation.deadline`); the message says how far it got."""


class CancelledError(NegotiationError):
    """A computation was stopped by its cancellation check (see :mod:`negotiation.deadline`)."""


class VerificationError(NegotiationError):
    """A solver produced a profile that fails the independent regret check.

    This is a bug in a solver, never an expected outcome: the toolkit refuses to
    return an unverified equilibrium.
    """


def suggest(name: str, known: Iterable[str]) -> str:
    """A ``" (did you mean ...?)"`` hint for a misspelt name, or ``""``."""
    lowered = {str(k).lower(): k for k in known}
    close = difflib.get_close_matches(str(name).lower(), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean {lowered[close[0]]!r}?)" if close else ""
