"""Running chunked work: in-process, on a local process pool, or on a Dask cluster.

:func:`run_chunks` applies a function to a list of tasks through an executor, keeps the
results in task order (so results never depend on the executor or on completion
order), and, given a store directory, writes each completed chunk atomically so that a
killed run, rerun, resumes without recomputing or losing finished chunks.
"""

from negotiation.compute.chunks import ChunkStore, fingerprint, resolve_executor, run_chunks

__all__ = ["ChunkStore", "fingerprint", "resolve_executor", "run_chunks"]
