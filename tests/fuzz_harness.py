"""Hostile input for the readers, run in a worker process under resource limits.

Every input must end in a result or in one clean error (a :class:`NegotiationError` whose
message is one line) within :data:`TIME_LIMIT` seconds, in a process whose address space is
capped at :data:`MEMORY_LIMIT` bytes.  Anything else (a traceback, a hang, a memory
blow-up, a crash) is a failure, and its input is written to the corpus in
``tests/data/fuzz-corpus/`` so that the default suite runs it from then on.

Inputs are mutations of seed files (the catalog's Gambit files and small scenarios, and
the payoff expressions of the Idlib model): byte flips, insertions, deletions and
duplications, truncation, huge counts and numbers, deep nesting, YAML aliases, other
encodings.  The same mutation operators serve the Hypothesis strategies of
``tests/test_fuzz.py`` and the long run of ``make fuzz``::

    python tests/fuzz_harness.py --count 10000 [--seed 0] [--workers 2]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import select
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "fuzz-corpus"
SEEDS = ROOT / "tests" / "data" / "fuzz-seeds"

TIME_LIMIT = 10.0
"""Seconds one input may take, reading and solving included (the solvers get a third of it)."""
MEMORY_LIMIT = 2 * 2**30
"""Bytes of address space of the worker process (``RLIMIT_AS``): 2 GiB."""
SOLVE_LIMIT = 3.0
"""Seconds the solvers get within one input (their own time limit)."""

READERS = ("scenario", "nfg", "efg", "expression")
OK, REFUSED, TRACEBACK, HANG, MEMORY, CRASH = "result", "refused", "traceback", "hang", "memory", "crash"
FAILURES = (TRACEBACK, HANG, MEMORY, CRASH)


# ============================================================================ seeds
def seeds(reader: str) -> list[bytes]:
    """The files the mutations start from."""
    if reader == "nfg":
        return [p.read_bytes() for p in sorted((ROOT / "games").glob("*.nfg"))]
    if reader == "efg":
        return [p.read_bytes() for p in sorted((ROOT / "games").glob("*.efg"))]
    if reader == "scenario":
        return [p.read_bytes() for p in sorted(SEEDS.glob("*.yaml"))]
    text = (ROOT / "games" / "idlib-2020.yaml").read_text(encoding="utf-8")
    found = sorted(set(re.findall(r'"([^"\n]*[a-z_][^"\n]*)"', text)))
    return [f.encode() for f in found if any(c in f for c in "+-*/(")][:200]


# ======================================================================== mutations
HOSTILE = [
    b"1" * 5000, b"-", b"1e999", b"-1e-999", b"nan", b"inf", b"0/0", b"1/0", b"99999999999999999999999",
    b"{" * 2000, b"}" * 50, b'"', b"\\", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\xe9", b"&a [1]", b"*a",
    b"!!python/object/apply:os.system ['true']", b"__import__('os')", b"a**a**a**a**a**a", b"9**9**9",
    b"(" * 500, b"[" * 200, b"sqrt(-1)", b"log(0)", b"1000000", b"4000000000", b"-5", b"0",
    b": : :", b"- - -", b"\t", b"\r\n", b"\n" * 3, b"p", b"t", b"c",
    b"**a**a**a", b"/(a - a)", b"*1e300", b"**0.5", b"**(1/3)", b"+sqrt(a - 3)", b"+log(a - 2)",
    b"+exp(exp(exp(exp(a))))", b"*(-8)**(1/3)", b"+min()", b"+max(a, b, a, b)", b" if a < b else ",
]
BOMB = b"a: &a [x, x, x, x, x, x, x, x, x]\n" + b"".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n".encode()
    for p, c in zip("abcdefgh", "bcdefghi", strict=True))


def _flip(data: bytes, a: int, b: int) -> bytes:
    if not data:
        return data
    k = a % len(data)
    return data[:k] + bytes([data[k] ^ (1 << (b % 8))]) + data[k + 1 :]


def _insert(data: bytes, a: int, b: int) -> bytes:
    k = a % (len(data) + 1)
    return data[:k] + HOSTILE[b % len(HOSTILE)] + data[k:]


def _delete(data: bytes, a: int, b: int) -> bytes:
    if not data:
        return data
    k = a % len(data)
    return data[:k] + data[k + 1 + b % 64 :]


def _truncate(data: bytes, a: int, b: int) -> bytes:
    return data[: a % (len(data) + 1)]


def _duplicate(data: bytes, a: int, b: int) -> bytes:
    if not data:
        return data
    k = a % len(data)
    piece = data[k : k + 1 + b % 200]
    return data[:k] + piece * (2 + b % 5) + data[k:]


_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?")


def _number(data: bytes, a: int, b: int) -> bytes:
    """Replace one number by a hostile one (a huge count, a negative, zero, an absurd exponent)."""
    found = list(_NUMBER.finditer(data))
    if not found:
        return _insert(data, a, b)
    m = found[a % len(found)]
    new = [b"0", b"-1", b"1000000", b"999999999999", b"1e400", b"1" + b"0" * 400, b"3/0", b"0.0000001",
           b"2147483648", b"-0"][b % 10]
    return data[: m.start()] + new + data[m.end() :]


def _encode(data: bytes, a: int, b: int) -> bytes:
    """Another encoding: UTF-16, Latin-1 bytes, or a byte-order mark in front."""
    choice = b % 3
    if choice == 0:
        return data.decode("utf-8", "replace").encode("utf-16")
    if choice == 1:
        return data.replace(b"e", b"\xe9", 1 + a % 3)
    return b"\xef\xbb\xbf" + data


def _nest(data: bytes, a: int, b: int) -> bytes:
    """Deep nesting (braces, brackets, YAML flow), or a YAML alias bomb."""
    depth = 100 + a % 3000
    k = b % 4
    if k == 0:
        return BOMB + data
    left, right = [(b"{", b"}"), (b"[", b"]"), (b"(", b")")][k - 1]
    return data + b"\nx: " + left * depth + b"1" + right * depth + b"\n"


MUTATIONS: tuple[Callable[[bytes, int, int], bytes], ...] = (
    _flip, _insert, _delete, _truncate, _duplicate, _number, _encode, _nest)


def mutate(data: bytes, ops: list[tuple[int, int, int]]) -> bytes:
    """Apply mutation operators ``(which, a, b)`` in turn."""
    for which, a, b in ops:
        data = MUTATIONS[which % len(MUTATIONS)](data, a, b)
    return data


_ATOMS = ("a", "b", "stake", "0", "1", "2", "-1", "0.5", "1e300", "1e-300", "64", "65", "1/3", "pi", "unknown")
_UNARY = ("-{}", "sqrt({})", "log({})", "exp({})", "abs({})", "({})")
_BINARY = ("{} + {}", "{} - {}", "{} * {}", "{} / {}", "{} ** {}", "min({}, {})", "max({}, {})",
           "{} if {} < 1 else 0")


def expression(rng: np.random.Generator, depth: int = 0) -> str:
    """A random expression of the payoff grammar, hostile constants and nestings included."""
    if depth > 8 or rng.random() < 0.25:
        return _ATOMS[int(rng.integers(len(_ATOMS)))]
    if rng.random() < 0.4:
        return _UNARY[int(rng.integers(len(_UNARY)))].format(expression(rng, depth + 1))
    return _BINARY[int(rng.integers(len(_BINARY)))].format(expression(rng, depth + 1), expression(rng, depth + 1))


def generate(reader: str, count: int, seed: int) -> Iterator[bytes]:
    """``count`` hostile inputs for ``reader``, from one root seed (numpy Generator); for
    expressions, every other input is built from the grammar instead of mutated."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, READERS.index(reader)]))
    base = seeds(reader)
    for k in range(count):
        if reader == "expression" and k % 2:
            yield expression(rng).encode()
            continue
        data = base[int(rng.integers(len(base)))]
        n_ops = int(rng.integers(1, 5))
        ops = [(int(rng.integers(len(MUTATIONS))), int(rng.integers(2**31)), int(rng.integers(2**31)))
               for _ in range(n_ops)]
        yield mutate(data, ops)


# =========================================================================== worker
def run_one(reader: str, data: bytes, workdir: Path) -> str:
    """Read (and solve) one input in this process; the result's description, or a raised error."""
    from negotiation.engine.expressions import parse_expression
    from negotiation.engine.extensive import ExtensiveFormGame

    if reader.startswith("_"):  # the harness's own test: failures it must catch
        if reader == "_hang":
            time.sleep(10**6)
        if reader == "_memory":
            return str(len(bytearray(2 * MEMORY_LIMIT)))
        raise KeyError(reader)
    if reader == "expression":  # parsed, then evaluated exactly at a few points
        import sympy

        from negotiation.engine.numbers import finite_real, substitute

        names = ["a", "b", "air_power", "stake", "war_cost"]
        expr = parse_expression(data.decode("utf-8", "replace"), names, where="fuzz")
        values = [finite_real(substitute(expr, {sympy.Symbol(n, real=True): sympy.Rational(v) for n in names}))
                  for v in (0, 1, 2, "1/3", -3)]
        finite = sum(v is not None for v in values)
        return f"expression with {len(expr.free_symbols)} parameters; finite at {finite} of 5 points"
    suffix = {"scenario": ".yaml", "nfg": ".nfg", "efg": ".efg"}[reader]
    path = workdir / f"input{suffix}"
    path.write_bytes(data)
    if reader == "scenario":
        from negotiation.domain.scenario import load_scenario

        sc = load_scenario(path)
        held = [sc.holds(name) for name in sc.outcomes]
        return f"scenario with {len(sc.parameters)} parameters, {sum(held)} of {len(held)} outcomes hold"
    from negotiation.engine.solvers import solve
    from negotiation.engine.solvers.tree import solve_tree
    from negotiation.io import read_efg_tree, read_game

    if reader == "efg":
        tree: ExtensiveFormGame = read_efg_tree(path)
        result = solve_tree(tree, "spe", time_limit=SOLVE_LIMIT)
        return f"tree with {len(result.equilibria)} equilibria"
    game = read_game(path)
    result = solve(game, "auto", time_limit=SOLVE_LIMIT)
    return f"{'x'.join(map(str, game.shape))} game with {len(result.equilibria)} equilibria"


def worker() -> None:
    """Serve inputs from stdin (JSON lines) until it closes, one verdict per line on stdout."""
    import resource
    import tempfile

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    import negotiation.domain.scenario  # noqa: F401 - import before the first input is timed
    from negotiation.engine import batch
    from negotiation.engine.solvers import homotopy
    from negotiation.errors import NegotiationError

    homotopy.warm()  # compile (or load) the numba kernels before the first input is timed, not within its limit
    batch.equilibria_2x2(np.zeros((1, 2, 2, 2)))

    out = sys.stdout
    sys.stdout = sys.stderr  # nothing the toolkit prints may break the protocol
    with tempfile.TemporaryDirectory() as tmp:
        for line in sys.stdin:
            job = json.loads(line)
            data = base64.b64decode(job["data"])
            try:
                verdict = {"class": OK, "message": run_one(job["reader"], data, Path(tmp))}
            except NegotiationError as err:
                message = str(err)
                one_line = bool(message) and "\n" not in message and len(message) < 2000
                verdict = {"class": REFUSED if one_line else TRACEBACK, "message": message[:500]}
            except MemoryError:
                verdict = {"class": MEMORY, "message": "MemoryError"}
            except BaseException as err:
                verdict = {"class": TRACEBACK, "message": f"{type(err).__name__}: {err}"[:500]}
            verdict["rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            out.write(json.dumps(verdict) + "\n")
            out.flush()


class Pool:
    """One worker process, restarted after a hang or a crash."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
        return subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--worker"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)

    def run(self, reader: str, data: bytes) -> dict:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = self._start()
        proc = self.proc
        assert proc.stdin is not None and proc.stdout is not None
        start = time.monotonic()
        try:
            proc.stdin.write(json.dumps({"reader": reader, "data": base64.b64encode(data).decode()}) + "\n")
            proc.stdin.flush()
        except BrokenPipeError:
            self.proc = None
            return {"class": CRASH, "message": "the worker died before reading the input"}
        # the first input also waits for the worker's imports
        limit = TIME_LIMIT + (30.0 if not getattr(proc, "_warm", False) else 0.0)
        ready, _, _ = select.select([proc.stdout], [], [], limit)
        if not ready:
            proc.kill()
            proc.wait()
            self.proc = None
            return {"class": HANG, "message": f"no answer within {TIME_LIMIT:g} s"}
        line = proc.stdout.readline()
        if not line:
            code = proc.wait()
            self.proc = None
            kind = MEMORY if code in (-9, -6) else CRASH
            return {"class": kind, "message": f"the worker died (exit status {code})"}
        proc._warm = True  # type: ignore[attr-defined]
        verdict = json.loads(line)
        verdict["seconds"] = time.monotonic() - start
        return verdict

    def close(self) -> None:
        if self.proc is not None:
            self.proc.stdin.close()  # type: ignore[union-attr]
            self.proc.wait(timeout=30)
            self.proc = None


def save_to_corpus(reader: str, data: bytes) -> Path:
    """Keep a failing input, named by its hash, so that the default suite runs it from then on."""
    folder = CORPUS / reader
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (hashlib.sha256(data).hexdigest()[:16] + ".bin")
    path.write_bytes(data)
    return path


def corpus() -> list[tuple[str, Path]]:
    """Every input kept in the corpus, with its reader."""
    return [(reader, p) for reader in READERS for p in sorted((CORPUS / reader).glob("*.bin"))]


# =========================================================================== make fuzz
def _run_reader(reader: str, count: int, seed: int, lane: int, lanes: int) -> tuple[Counter, list[dict]]:
    pool = Pool()
    counts: Counter = Counter()
    bad: list[dict] = []
    peak = 0
    slowest = 0.0
    for k, data in enumerate(generate(reader, count, seed)):
        if k % lanes != lane:
            continue
        verdict = pool.run(reader, data)
        counts[verdict["class"]] += 1
        peak = max(peak, verdict.get("rss_kib", 0))
        slowest = max(slowest, verdict.get("seconds", 0.0))
        if verdict["class"] in FAILURES:
            verdict["input"] = str(save_to_corpus(reader, data).relative_to(ROOT))
            bad.append(verdict)
    pool.close()
    counts["peak_rss_mib"] = peak // 1024  # type: ignore[assignment]
    counts["slowest_ms"] = int(slowest * 1000)  # type: ignore[assignment]
    return counts, bad


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=10_000, help="inputs per reader")
    parser.add_argument("--seed", type=int, default=0, help="root seed of the mutations")
    parser.add_argument("--workers", type=int, default=2, help="worker processes per reader, run side by side")
    parser.add_argument("--readers", default=",".join(READERS), help="comma-separated readers to fuzz")
    args = parser.parse_args(argv)
    if args.worker:
        worker()
        return 0
    from concurrent.futures import ThreadPoolExecutor

    print(f"{args.count:,} inputs per reader, seed {args.seed}; each within {TIME_LIMIT:g} s and "
          f"{MEMORY_LIMIT / 2**30:g} GiB of address space")
    print("| reader | inputs | result | refused | traceback | hang | memory | crash | peak RSS (MiB) | slowest (ms) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    failures = []
    for reader in args.readers.split(","):
        with ThreadPoolExecutor(args.workers) as ex:
            parts = list(ex.map(lambda lane, r=reader: _run_reader(r, args.count, args.seed, lane, args.workers),
                                range(args.workers)))
        total: Counter = Counter()
        for counts, bad in parts:
            peak, slow = counts.pop("peak_rss_mib"), counts.pop("slowest_ms")
            total["peak_rss_mib"] = max(total["peak_rss_mib"], peak)
            total["slowest_ms"] = max(total["slowest_ms"], slow)
            total.update(counts)
            failures += [{**b, "reader": reader} for b in bad]
        n = sum(total[c] for c in (OK, REFUSED, *FAILURES))
        print(f"| {reader} | {n:,} | " + " | ".join(f"{total[c]:,}" for c in (OK, REFUSED, *FAILURES))
              + f" | {total['peak_rss_mib']:,} | {total['slowest_ms']:,} |", flush=True)
    for f in failures[:50]:
        print(f"FAILED {f['reader']} [{f['class']}] {f['message'][:200]} ({f['input']})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
