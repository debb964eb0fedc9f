"""Chunked execution with atomic, resumable chunk files."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from negotiation.errors import NegotiationError
from negotiation.io.atomic import atomic_write_bytes, atomic_write_text

Result = dict[str, np.ndarray]


class ChunkStore:
    """A directory of completed chunks of one run.

    ``manifest.json`` records a fingerprint of the run (what is computed and how it is
    chunked); a store made by a different run is refused rather than mixed in.  Each
    chunk is an ``.npz`` file written atomically, so a file that exists is complete.
    """

    def __init__(self, path: str | os.PathLike[str], fingerprint: str) -> None:
        self.path = Path(path)
        self.fingerprint = fingerprint
        self.path.mkdir(parents=True, exist_ok=True)
        manifest = self.path / "manifest.json"
        if manifest.exists():
            recorded = json.loads(manifest.read_text(encoding="utf-8")).get("fingerprint")
            if recorded != fingerprint:
                raise NegotiationError(
                    f"{self.path}: the store holds chunks of a different run (fingerprint {recorded}, "
                    f"this run {fingerprint}); use another directory or delete it"
                )
        else:
            atomic_write_text(manifest, json.dumps({"fingerprint": fingerprint}) + "\n")

    def file(self, index: int) -> Path:
        return self.path / f"chunk-{index:06d}.npz"

    def load(self, index: int) -> Result | None:
        f = self.file(index)
        if not f.exists():
            return None
        with np.load(f, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}

    def save(self, index: int, result: Result) -> None:
        buf = io.BytesIO()
        np.savez(buf, **result)
        atomic_write_bytes(self.file(index), buf.getvalue())


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
        with ProcessPoolExecutor(max_workers=workers) as pool:
            yield pool
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
    results: list[Result | None] = [store.load(k) if store else None for k in range(len(tasks))]
    todo = [k for k, r in enumerate(results) if r is None]
    bar = _bar(len(tasks), len(tasks) - len(todo), progress, desc)

    def done(k: int, result: Result) -> None:
        results[k] = result
        if store:
            store.save(k, result)
        if bar is not None:
            bar.update(1)

    with resolve_executor(executor) as ex:
        if ex is None:
            for k in todo:
                done(k, func(tasks[k]))
        elif isinstance(ex, Executor):
            futures = {ex.submit(func, tasks[k]): k for k in todo}
            for fut in as_completed(futures):
                done(futures[fut], fut.result())
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
