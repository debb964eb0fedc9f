"""Time limits, cancellation and progress for long computations.

A computation runs inside :func:`bounded`, which sets a deadline and an optional
cancellation check for the calling thread; the loops of the solvers and of the chunked
runs call :func:`checkpoint` (or iterate with :func:`steps`, which also shows a tqdm
progress bar on long runs).  At the first checkpoint past the deadline a
:class:`~negotiation.errors.TimeLimitError` says what was being done, how far it got and
what cheaper method to try; when the cancellation check returns true a
:class:`~negotiation.errors.CancelledError` does the same.

Code that never reaches a checkpoint (one large sympy computation, say) is stopped too:
a watchdog thread raises the same error in the computing thread shortly after the
deadline (``PyThreadState_SetAsyncExc``, which takes effect between Python bytecodes;
a call running in C, such as one qhull or LAPACK call, finishes first).

Without :func:`bounded` nothing is limited and :func:`checkpoint` costs one lookup.
"""

from __future__ import annotations

import ctypes
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TypeVar

from negotiation.errors import CancelledError, TimeLimitError

T = TypeVar("T")

GRACE = 0.5
"""Seconds past the deadline after which the watchdog stops code that has not checked."""

PROGRESS_AFTER = 2.0
"""Seconds after which a run with ``progress=None`` shows a bar (when stderr is a terminal)."""


class _HardStop(BaseException):
    """Raised asynchronously in a thread that passed its deadline without checking."""


@dataclass
class _Bound:
    what: str
    hint: str
    time_limit: float | None  # the limit shown in messages (an enclosing one, when it applies)
    end: float | None  # the deadline, on time.monotonic's clock
    cancel: Callable[[], bool] | None
    progress: bool | None
    start: float = field(default_factory=time.monotonic)
    done: str | Callable[[], str] = "nothing yet"

    def progress_made(self) -> str:
        return self.done if isinstance(self.done, str) else self.done()

    def stop_message(self) -> str:
        hint = f"; {self.hint}" if self.hint else ""
        return f"{self.what}: stopped at the time limit of {self.time_limit:g} s, after {self.progress_made()}{hint}"


_current: ContextVar[_Bound | None] = ContextVar("negotiation_deadline", default=None)


def _check_limit(time_limit: float | None) -> None:
    if time_limit is not None and (isinstance(time_limit, bool) or not time_limit > 0
                                   or time_limit == float("inf")):
        raise ValueError(f"time_limit must be a positive number of seconds or None, not {time_limit!r}")


@contextmanager
def bounded(what: str, time_limit: float | None = None, cancel: Callable[[], bool] | None = None, *,
            hint: str = "", progress: bool | None = None) -> Iterator[None]:
    """Run the block within ``time_limit`` seconds, stopping when ``cancel()`` returns true.

    Parameters
    ----------
    what : str
        What is computed, for the messages (e.g. ``"method 'all' on a 4x4x4 game"``).
    time_limit : float, optional
        Seconds of wall-clock time; ``None``: no limit (an enclosing limit still applies).
    cancel : callable, optional
        Polled at every checkpoint; a true value stops the computation.
    hint : str
        What to try instead, appended to the message of a stop.
    progress : bool or None
        Show progress bars of :func:`steps`; ``None``: when stderr is a terminal and the
        run has lasted :data:`PROGRESS_AFTER` seconds.

    Raises
    ------
    TimeLimitError, CancelledError
    """
    _check_limit(time_limit)
    outer = _current.get()
    end = None if time_limit is None else time.monotonic() + time_limit
    if outer is not None:
        if outer.end is not None and (end is None or outer.end < end):  # an enclosing limit comes first
            end, time_limit = outer.end, outer.time_limit
            hint = "; ".join(h for h in (hint, outer.hint) if h)
        cancel = cancel or outer.cancel
        progress = outer.progress if progress is None else progress
    bound = _Bound(what, hint, time_limit, end, cancel, progress)
    token = _current.set(bound)
    own_deadline = bound.end is not None and (outer is None or outer.end != bound.end)
    watchdog = _Watchdog(bound.end + GRACE) if own_deadline else None  # an inherited one is watched already
    try:
        yield
    except _HardStop:
        raise TimeLimitError(bound.stop_message()) from None
    finally:
        if watchdog is not None:
            watchdog.disarm()
        _current.reset(token)


def checkpoint(done: str | Callable[[], str] = "") -> None:
    """Stop here if the deadline has passed or the computation was cancelled.

    ``done`` says how far the computation has got (``"120 of 3,375 support profiles"``);
    a callable is only called when a message is needed.
    """
    bound = _current.get()
    if bound is None:
        return
    if done:
        bound.done = done
    if bound.cancel is not None and bound.cancel():
        raise CancelledError(f"{bound.what}: cancelled after {bound.progress_made()}")
    if bound.end is not None and time.monotonic() > bound.end:
        raise TimeLimitError(bound.stop_message())


def steps(items: Iterable[T], unit: str, total: int | None = None) -> Iterator[T]:
    """Iterate over ``items`` with a checkpoint before each, and a progress bar on long runs."""
    bound = _current.get()
    if bound is None:
        yield from items
        return
    total = total if total is not None else (len(items) if hasattr(items, "__len__") else None)  # type: ignore[arg-type]
    bar = None
    shown = f" of {total:,}" if total is not None else ""
    for k, item in enumerate(items):
        checkpoint(lambda k=k: f"{k:,}{shown} {unit}")
        if bar is None and _wants_bar(bound):
            from tqdm import tqdm

            bar = tqdm(total=total, initial=k, desc=bound.what, unit=unit.split()[-1], file=sys.stderr, leave=False)
        yield item
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()


def _wants_bar(bound: _Bound) -> bool:
    if bound.progress is None:
        return time.monotonic() - bound.start > PROGRESS_AFTER and sys.stderr.isatty()
    return bound.progress


class _Watchdog:
    """Raises :class:`_HardStop` in the calling thread at ``when`` unless disarmed first."""

    def __init__(self, when: float) -> None:
        self.thread_id = threading.get_ident()
        self.lock = threading.Lock()
        self.armed = True
        self.fired = False
        self.timer = threading.Timer(max(when - time.monotonic(), 0.0), self._fire)
        self.timer.daemon = True
        self.timer.start()

    def _fire(self) -> None:
        with self.lock:
            if self.armed:
                self.fired = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.thread_id), ctypes.py_object(_HardStop))

    def disarm(self) -> None:
        with self.lock:
            self.armed = False
            self.timer.cancel()
            if self.fired:  # a stop not yet delivered must not escape the block
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.thread_id), None)


def limited(what: str, time_limit: float | None, cancel: Callable[[], bool] | None, hint: str,
            progress: bool | None, func: Callable[[], T]) -> T:
    """``func()`` inside :func:`bounded` (nothing is set up when there is no limit, check or bar)."""
    if time_limit is None and cancel is None and progress is None and _current.get() is None:
        return func()
    with bounded(what, time_limit, cancel, hint=hint, progress=progress):
        return func()

