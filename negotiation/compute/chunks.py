"""Chunked execution with atomic, resumable chunk files."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from negotiation.deadline import checkpoint
from negotiation.errors import NegotiationError
from negotiation.io.atomic import atomic_write_bytes, atomic_write_text

Result = dict[str, np.ndarray]


class ChunkStore:
    """A directory of completed chunks of one run.

    ``manifest.json`` records a fingerprint of the run (what is computed and how it is
    chunked); a store made by a different run is refused rather than mixed in.  Each
    chunk is an ``.npz`` file written atomically, so a file that exists is complete.

    One run at a time: the store is locked (``flock`` on ``.lock``) before its manifest
    is read, and a second run on it is refused while the first holds it.  Temporary files
    left by a write that was killed midway are removed when the store is opened.
    :func:`run_chunks` closes the store (releasing the lock) when it returns.
    """

    def __init__(self, path: str | os.PathLike[str], fingerprint: str) -> None:
        self.path = Path(path)
        self.fingerprint = fingerprint
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock = _lock(self.path / ".lock")
        try:
            for stale in self.path.glob(".chunk-*.npz.*"):  # half-written by a killed run (see atomic_write_bytes)
                stale.unlink(missing_ok=True)
            manifest = self.path / "manifest.json"
            if manifest.exists():
                try:
                    recorded = json.loads(manifest.read_text(encoding="utf-8")).get("fingerprint")
                except (ValueError, UnicodeDecodeError, AttributeError):
                    recorded = "unreadable"
                if recorded != fingerprint:
                    raise NegotiationError(
                        f"{self.path}: the store holds chunks of a different run (fingerprint {recorded}, "
                        f"this run {fingerprint}); use another directory or delete it"
                    )
            else:
                atomic_write_text(manifest, json.dumps({"fingerprint": fingerprint}) + "\n")
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Release the store's lock (idempotent)."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def __enter__(self) -> ChunkStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def file(self, index: int) -> Path:
        return self.path / f"chunk-{index:06d}.npz"

    def load(self, index: int) -> Result | None:
        f = self.file(index)
        if not f.exists():
            return None
        try:
            with np.load(f, allow_pickle=False) as data:
                return {k: data[k] for k in data.files}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile):  # damaged outside the toolkit: compute it again
            return None

    def save(self, index: int, result: Result) -> None:
        buf = io.BytesIO()
        np.savez(buf, **result)
        atomic_write_bytes(self.file(index), buf.getvalue())


def _lock(path: Path) -> Any:
    """An open file holding an exclusive lock on ``path``, or a refusal naming the run that holds it."""
    handle = open(path, "a+", encoding="utf-8")
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        return handle
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise NegotiationError(f"{path.parent}: the store is in use by another run ({holder}); wait for it to "
                               "finish, or use another directory") from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"process {os.getpid()}")
    handle.flush()
    return handle


def _worker_start(parent: int) -> None:
    """Initialiser of pool workers: they ignore Ctrl-C (the parent handles it) and die with their parent."""
    import signal
    import threading
    import time

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - an unusual libc
            pass

    def watch() -> None:  # portable fallback: poll for the parent
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def fingerprint(*parts: Any) -> str:
    """A short stable hash of the description of a run (arrays hashed by their bytes)."""
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, np.ndarray):
            h.update(str(part.dtype).encode() + str(part.shape).encode() + np.ascontiguousarray(part).tobytes())
        else:
            h.update(repr(part).encode())
        h.update(b"\x00")
    return h.hexdigest()[:16]


@contextmanager
def resolve_executor(executor: Any):
    """An executor from a spec.

    ``None`` or ``"inprocess"``: run in this process (yields ``None``);
    ``"processes"`` or an int: a local process pool (that many workers);
    ``"tcp://host:port"`` (or any address a Dask ``Client`` accepts): a Dask cluster
    (needs the ``dask`` extra); an existing :class:`concurrent.futures.Executor` or Dask
    ``Client`` is used as it is.
    """
    if executor is None or executor == "inprocess":
        yield None
    elif executor == "processes" or (isinstance(executor, int) and not isinstance(executor, bool)):
        workers = None if executor == "processes" else int(executor)
        if workers is not None and workers < 1:
            raise NegotiationError(f"a process pool needs at least one worker, not {workers}")
        pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_start, initargs=(os.getpid(),))
        try:
            yield pool
        except BaseException:  # Ctrl-C or an error: drop the queued chunks instead of finishing them
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
    elif isinstance(executor, str):
        try:
            from distributed import Client
        except ImportError:  # pragma: no cover - depends on the environment
            raise NegotiationError("a Dask address needs dask.distributed: pip install 'negotiation[dask]'") from None
        client = Client(executor)
        try:
            yield client
        finally:
            client.close()
    else:
        yield executor


def run_chunks(
    func: Callable[[Any], Result],
    tasks: Sequence[Any],
    *,
    executor: Any = None,
    store: ChunkStore | None = None,
    progress: bool | None = None,
    desc: str = "",
) -> list[Result]:
    """Apply ``func`` to every task; results in task order.

    Parameters
    ----------
    func : callable
        A module-level function (it is pickled for process pools and Dask) returning a
        dict of numpy arrays.
    tasks : sequence
    executor : see :func:`resolve_executor`
    store : ChunkStore, optional
        Completed chunks are read from it instead of being recomputed, and new ones are
        written to it as soon as they finish.
    progress : bool or None
        Show a progress bar (tqdm) on stderr; ``None`` shows one for runs of several
        chunks when stderr is a terminal.
    """
    try:
        return _run_chunks(func, tasks, executor, store, progress, desc)
    finally:
        if store is not None:
            store.close()


def _run_chunks(func: Callable[[Any], Result], tasks: Sequence[Any], executor: Any, store: ChunkStore | None,
                progress: bool | None, desc: str) -> list[Result]:
    results: list[Result | None] = [store.load(k) if store else None for k in range(len(tasks))]
    todo = [k for k, r in enumerate(results) if r is None]
    bar = _bar(len(tasks), len(tasks) - len(todo), progress, desc)

    def chunks_done() -> str:
        return f"{sum(r is not None for r in results):,} of {len(tasks):,} chunks"

    def done(k: int, result: Result) -> None:
        results[k] = result
        if store:
            store.save(k, result)
        if bar is not None:
            bar.update(1)

    with resolve_executor(executor) as ex:
        if ex is None:
            for k in todo:
                checkpoint(chunks_done)
                done(k, func(tasks[k]))
        elif isinstance(ex, Executor):
            futures = {ex.submit(func, tasks[k]): k for k in todo}
            for fut in as_completed(futures):
                done(futures[fut], fut.result())
                checkpoint(chunks_done)
        else:  # a Dask client
            from distributed import as_completed as dask_completed

            futures = {}
            for k in todo:
                futures[ex.submit(func, tasks[k], pure=False)] = k
            for fut in dask_completed(list(futures)):
                done(futures[fut], fut.result())
    if bar is not None:
        bar.close()
    return results  # type: ignore[return-value]


def _bar(total: int, initial: int, progress: bool | None, desc: str) -> Any:
    if progress is None:
        progress = total > 1 and sys.stderr.isatty()
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, desc=desc or "chunks", unit="chunk", file=sys.stderr)
