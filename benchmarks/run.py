"""Benchmarks against nashpy, QuantEcon, pygambit and lrsnash, measured side by side in one run.

Run with ``make bench`` (not part of ``make test``).  For each workload it prints our
median wall time, each peer's time on the same seeded games (peers that solve one game
at a time run on a subsample and are compared per game), the ratio peer/ours (how many
times faster we are) and the growth of the peak resident set size while one run goes on,
measured in a forked child (C libraries' memory included).  lrsnash, from Debian's lrslib,
runs as a process on the same games (integer payoffs: the normal ones times 1000, rounded;
the degenerate ones as they are), its peak RSS that of a process started from a shell; its
rows are skipped with a message where it is not installed.  n-player games are compared
with pygambit's enumpoly on 20 seeded games per shape (medians and the slowest game).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import numpy as np

from negotiation import ExtensiveFormGame, NormalFormGame, catalog, decision, leaf, limits, solve, solve_tree
from negotiation.domain.stress import stress_test, sweep
from negotiation.engine import batch
from negotiation.engine.families import kuhn_poker
from negotiation.engine.qre import estimate_lambda, logit_qre
from negotiation.io import write_efg

ROOT_SEED = 2020


def peak_rss(fn: Callable[[], object]) -> float:
    """The growth of the peak resident set size (MB) while ``fn()`` runs, in a forked child.

    The child resets its high-water mark (``/proc/self/clear_refs``), runs ``fn`` once and
    reports ``VmHWM`` minus its resident size before the call, so memory allocated by C
    libraries (qhull, numpy, numba) counts too.  ``nan`` where /proc is not available.
    """
    if not os.path.exists("/proc/self/clear_refs"):
        return float("nan")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        try:
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")
            before = _status_kib("VmRSS")
            fn()
            os.write(write, str(_status_kib("VmHWM") - before).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as fh:
        text = fh.read()
    os.waitpid(pid, 0)
    return int(text) / 1024 if text else float("nan")


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as fh:
        line = next(x for x in fh if x.startswith(field + ":"))
    return int(line.split()[1])


def measure(fn: Callable[[], object], repeat: int = 15) -> tuple[float, float]:
    """Median wall time (s) over ``repeat`` runs and the peak memory (MB, :func:`peak_rss`) of one run."""
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), peak_rss(fn)


def per_game(fn: Callable[[np.ndarray], object], games: np.ndarray) -> tuple[float, float]:
    """Time per game of a one-game-at-a-time solver, and its peak memory (MB) over a tenth of the games."""
    fn(games[0])  # warm-up (numba compilation for QuantEcon)
    start = time.perf_counter()
    for g in games:
        fn(g)
    elapsed = (time.perf_counter() - start) / len(games)

    def some() -> None:
        for g in games[: max(1, len(games) // 10)]:
            fn(g)

    return elapsed, peak_rss(some)


def peers_2p():
    import nashpy
    import pygambit as gbt
    import quantecon.game_theory as qe

    def nash(g):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return list(nashpy.Game(g[0], g[1]).support_enumeration())

    def quant(g):
        return qe.support_enumeration(qe.NormalFormGame((qe.Player(g[0]), qe.Player(g[1].T))))

    def gambit(g):
        return gbt.nash.enummixed_solve(gbt.StrategicGame.from_arrays(g[0], g[1]), rational=False)

    return {"nashpy support enumeration": nash, "QuantEcon support enumeration": quant,
            "pygambit enummixed (float)": gambit}


def main() -> None:
    import pygambit as gbt
    import quantecon.game_theory as qe

    seeds = np.random.SeedSequence(ROOT_SEED).spawn(7)
    rows: list[tuple[str, float, float, dict[str, tuple[float, float]], str]] = []

    # 1. 100,000 parametric 2x2 games: the Idlib monthly game at random parameter points.
    idlib = catalog.load("idlib-2020")
    game = idlib.game("ceasefire_stage")
    rng = np.random.default_rng(seeds[0])
    n = 100_000
    values = {k: rng.uniform(float(p.bounds[0]), float(p.bounds[1]), n) for k, p in idlib.parameters.items()}
    tensor = game.tensor(values)
    t, mem = measure(lambda: game.tensor(values))
    rows.append(("payoff tensor of 100,000 parametric 2x2 games", t / n, mem, {}, "per game"))
    t, mem = measure(lambda: batch.equilibria_2x2(tensor))
    sample = tensor[:1000]  # the peers solve the same numeric games
    rows.append(("100,000 parametric 2x2 games, all equilibria", t / n, mem,
                 {k: per_game(f, sample[: 300 if "nashpy" in k else 1000]) for k, f in peers_2p().items()},
                 "per game"))

    # 2. 10,000 3x3 games.
    rng = np.random.default_rng(seeds[1])
    threes = rng.normal(size=(10_000, 2, 3, 3))
    t, mem = measure(lambda: batch.bimatrix_equilibria(threes))
    rows.append(("10,000 3x3 games, all equilibria", t / 10_000, mem,
                 {k: per_game(f, threes[: 200 if "nashpy" in k else 1000]) for k, f in peers_2p().items()},
                 "per game"))

    # 3. 10,000 2x2x2 games, pure equilibria.
    rng = np.random.default_rng(seeds[2])
    cubes = rng.normal(size=(10_000, 3, 2, 2, 2))
    t, mem = measure(lambda: batch.pure_equilibria(cubes))

    def qe_pure(g):
        players = tuple(qe.Player(np.transpose(g[i], [(i + k) % 3 for k in range(3)])) for i in range(3))
        return qe.pure_nash_brute(qe.NormalFormGame(players))

    def gbt_pure(g):
        return gbt.nash.enumpure_solve(gbt.StrategicGame.from_arrays(*g))

    rows.append(("10,000 2x2x2 games, pure equilibria", t / 10_000, mem,
                 {"QuantEcon pure_nash_brute": per_game(qe_pure, cubes[:1000]),
                  "pygambit enumpure": per_game(gbt_pure, cubes[:1000])}, "per game"))

    # 4. Bimatrix games, all equilibria: ours is negotiation.solve(game, "all") (float: qhull where the game is
    #    nondegenerate) and solve(game, "all", exact=True) (integer pivoting); lrsnash is exact.
    for size, seed in ((8, seeds[3]), (10, seeds[3]), (12, seeds[4]), (15, seeds[5]), (18, seeds[5])):
        rng = np.random.default_rng(seed)
        a, b = rng.normal(size=(2, size, size))
        game = NormalFormGame.from_arrays(a, b)
        with limits.raised(MAX_QHULL_STRATEGIES=2 * size):  # past the default at 18x18: our scaling
            t, mem = measure(lambda g=game: solve(g, "all"), repeat=3)
            count = len(solve(game, "all"))
        qgame = qe.NormalFormGame((qe.Player(a), qe.Player(b.T)))
        qe.vertex_enumeration(qgame)  # numba warm-up
        if size > 15:  # beyond the peers' range: our scaling only
            rows.append((f'solve(game, "all"), {size}x{size} normal payoffs ({count} equilibria)', t, mem, {},
                         "per game"))
            continue
        peers = {"QuantEcon vertex_enumeration": measure(lambda q=qgame: qe.vertex_enumeration(q), repeat=3)}
        if size <= 12:
            peers["pygambit enummixed_solve (float)"] = measure(
                lambda a=a, b=b: gbt.nash.enummixed_solve(gbt.StrategicGame.from_arrays(a, b), rational=False),
                repeat=1)
        peers |= lrsnash_peer(np.round(a * 1000).astype(int), np.round(b * 1000).astype(int))
        rows.append((f'solve(game, "all"), {size}x{size} normal payoffs ({count} equilibria)', t, mem, peers,
                     "per game"))
        if size <= 15:
            ints = (np.round(a * 1000).astype(int), np.round(b * 1000).astype(int))
            exact_game = NormalFormGame.from_arrays(*ints)
            t, mem = measure(lambda g=exact_game: solve(g, "all", exact=True), repeat=1)
            rows.append((f'solve(game, "all", exact=True), {size}x{size} integer payoffs', t, mem,
                         lrsnash_peer(*ints), "per game"))

    # 4b. Degenerate bimatrix games (payoffs 0..3, ties everywhere): exact and float, against lrsnash.
    for size, seed in ((8, seeds[3]), (10, seeds[4]), (12, seeds[5]), (15, seeds[6])):
        rng = np.random.default_rng(seed)
        a, b = rng.integers(0, 4, size=(2, size, size))
        game = NormalFormGame.from_arrays(a, b)
        count = len(solve(game, "all", exact=True))
        peers = lrsnash_peer(a, b)
        for exact in (True, False) if size < 15 else (True,):  # float mode pivots the same way here
            t, mem = measure(lambda g=game, e=exact: solve(g, "all", exact=e), repeat=1)
            call = 'solve(game, "all", exact=True)' if exact else 'solve(game, "all")'
            rows.append((f"{call}, {size}x{size} degenerate payoffs 0..3 ({count} extreme equilibria)", t, mem,
                         peers, "per game"))

    # 4c. n-player games, all equilibria: 20 seeded games per shape, against Gambit's enumpoly.
    for shape in ((3, 3, 3), (2, 2, 2, 2)):
        label = "x".join(map(str, shape))
        games = [np.random.default_rng(child).normal(size=(len(shape), *shape))
                 for child in np.random.SeedSequence(ROOT_SEED + len(shape)).spawn(20)]
        solve(NormalFormGame(games[0]), "all")  # warm-up: loads the compiled path tracker
        ours, theirs, found, listed, hard = [], [], 0, 0, 0
        for payoffs in games:
            game = NormalFormGame(payoffs)
            start = time.perf_counter()
            result = solve(game, "all")
            ours.append(time.perf_counter() - start)
            found += len(result)
            hard += "Groebner" in result.algorithm
            ggame = gbt.StrategicGame.from_arrays(*payoffs)
            start = time.perf_counter()
            listed += len(gbt.nash.enumpoly_solve(ggame).equilibria)
            theirs.append(time.perf_counter() - start)
        one = games[1]
        mem = peak_rss(lambda one=one: solve(NormalFormGame(one), "all"))
        gmem = peak_rss(lambda one=one: gbt.nash.enumpoly_solve(gbt.StrategicGame.from_arrays(*one)))
        rows.append((f'solve(game, "all"), {label} normal payoffs, median of 20 seeded games '
                     f"(slowest {fmt(max(ours))}; {found} equilibria, each certified; "
                     f"{hard} games needed Groebner bases)",
                     statistics.median(ours), mem,
                     {f"pygambit enumpoly_solve, median (slowest {fmt(max(theirs))}; {listed} equilibria)":
                      (statistics.median(theirs), gmem)}, "per game"))

    # 5. Stress tests and sweeps of the Idlib scenario; start-up; a large game tree.
    t, mem = measure(lambda: stress_test(idlib, "ceasefire", n=100_000, rng=ROOT_SEED), repeat=5)
    rows.append(("stress_test(idlib, 'ceasefire', n=100_000) with Sobol indices", t, mem, {}, "whole run"))
    t, mem = measure(lambda: stress_test(idlib, "ceasefire", n=1_000_000, rng=ROOT_SEED), repeat=1)
    rows.append(("stress_test(idlib, 'ceasefire', n=1_000_000) with Sobol indices", t, mem, {},
                 "whole run (target < 5 s)"))
    grid = {k: np.linspace(float(idlib.parameters[k].bounds[0]), float(idlib.parameters[k].bounds[1]), 1000)
            for k in ("revealed", "resolve_prior")}
    t, mem = measure(lambda: sweep(catalog.load("idlib-2020"), grid, outcome="ceasefire"), repeat=1)
    rows.append(("sweep(idlib, 1000 x 1000 grid, outcome='ceasefire'), conditions derived afresh", t, mem, {},
                 "whole run (target < 2 s)"))
    for what, code, target in (("import negotiation", "import negotiation", "0.5 s"),
                               ("negotiation list", "from negotiation.cli import main; main(['list'])", "0.7 s")):
        t = statistics.median(_wall([sys.executable, "-c", code]) for _ in range(5))
        rows.append((f"{what} (a fresh interpreter, start-up included)", t, float("nan"), {},
                     f"whole run (target < {target})"))
    big = _balanced_tree(16)
    t, mem = measure(lambda: solve_tree(big, "spe"), repeat=1)
    rows.append(("solve_tree(131,071-node perfect-information tree, 'spe')", t, mem, {}, "whole run"))

    # 6. One equilibrium of a general-sum tree (raked 6-card Kuhn poker) in the sequence form.
    raked = kuhn_poker(6, rake=Fraction(1, 10))
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/raked.efg"
        write_efg(raked, path)
        gtree = gbt.read_efg(path)
    t, mem = measure(lambda: solve_tree(raked, "sequence"), repeat=3)
    peers = {"pygambit lcp_solve (sequence form, exact)":
             measure(lambda: gbt.nash.lcp_solve(gtree, rational=True), repeat=3),
             "pygambit lcp_solve (sequence form, float)":
             measure(lambda: gbt.nash.lcp_solve(gtree, rational=False), repeat=3)}
    rows.append(("raked 6-card Kuhn poker, one equilibrium", t, mem, peers, "per game"))

    # 7. Logit QRE on a seeded 5x5 game: the principal branch to its Nash limit, and an MLE of lambda.
    rng = np.random.default_rng(seeds[6])
    a, b = rng.integers(-9, 10, size=(2, 5, 5))
    qgame = NormalFormGame.from_arrays(a.tolist(), b.tolist())
    ggame = gbt.StrategicGame.from_arrays(a.astype(int).tolist(), b.astype(int).tolist())
    t, mem = measure(lambda: logit_qre(qgame, lambda_max=1e5), repeat=5)
    rows.append(("logit QRE branch of a 5x5 game to its Nash limit", t, mem,
                 {"pygambit logit_solve": measure(lambda: gbt.nash.logit_solve(ggame, use_strategic=True),
                                                  repeat=5)}, "per game"))
    branch = logit_qre(qgame, lambda_max=100)
    counts = [rng.multinomial(500, p) for p in branch.at(1.0)]
    data = ggame.mixed_strategy_profile([[float(c) for c in row] for row in counts], rational=False)
    t, mem = measure(lambda: estimate_lambda(qgame, counts), repeat=5)
    rows.append(("MLE of lambda from 500 choices per player (5x5)", t, mem,
                 {"pygambit logit_estimate": measure(lambda: gbt.qre.logit_estimate(data), repeat=5)}, "per fit"))

    lines = ["| workload | ours | ours peak RSS MB | peer | peer time | peer peak RSS MB | peer / ours |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    records = []
    for name, ours, mem, peers, unit in rows:
        if not peers:
            lines.append(f"| {name} | {fmt(ours)} ({unit}) | {mem:.1f} | - | - | - | - |".replace("| nan |", "| - |"))
            records.append({"workload": name, "unit": unit, "ours_s": ours, "ours_peak_rss_mb": mem})
        for k, (pt, pm) in peers.items():
            lines.append(f"| {name} | {fmt(ours)} ({unit}) | {mem:.1f} | {k} | {fmt(pt)} | {pm:.1f} | "
                         f"{pt / ours:,.1f}x |".replace("| nan |", "| - |"))
            records.append({"workload": name, "unit": unit, "ours_s": ours, "ours_peak_rss_mb": mem, "peer": k,
                            "peer_s": pt, "peer_peak_rss_mb": pm, "peer_over_ours": pt / ours})
    print("\n".join(lines))
    import pandas as pd

    from negotiation.io.atomic import atomic_write_text

    out = Path(__file__).resolve().parent / "results"
    atomic_write_text(out / "results.md", "\n".join(lines) + "\n")
    atomic_write_text(out / "results.csv", pd.DataFrame(records).to_csv(index=False, float_format="%.6g"))
    print(f"wrote {out / 'results.md'} and {out / 'results.csv'}", file=sys.stderr)


def lrsnash_peer(a: np.ndarray, b: np.ndarray) -> dict[str, tuple[float, float]]:
    """lrsnash (Avis's lrslib, exact) on an integer bimatrix game: its wall time, or nothing if absent."""
    exe = shutil.which("lrsnash")
    if exe is None:
        if not _WARNED:
            print("lrsnash not found (Debian package lrslib): its rows are skipped", file=sys.stderr)
            _WARNED.append(True)
        return {}
    m, n = a.shape
    text = f"{m} {n}\n\n" + "\n".join(" ".join(map(str, r)) for r in a) + "\n\n" + \
        "\n".join(" ".join(map(str, r)) for r in b) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/game"
        with open(path, "w", encoding="ascii") as fh:
            fh.write(text)
        runs = [_wall_and_rss([exe, path]) for _ in range(3)]
    return {"lrsnash (exact, a process)": (statistics.median(t for t, _ in runs), max(r for _, r in runs))}


_WARNED: list[bool] = []


def _wall(cmd: list[str]) -> float:
    return _wall_and_rss(cmd)[0]


def _wall_and_rss(cmd: list[str]) -> tuple[float, float]:
    """Wall time (s) and peak resident set size (MB) of a process.

    The peak is taken from a second run started by ``/bin/sh``: a process forked from this
    (large) interpreter would count the interpreter's pages before its ``exec`` in its peak, while
    one forked from the shell counts only the shell's (about a megabyte); the shell then execs a
    bare Python that reads its children's peak (``RUSAGE_CHILDREN``)."""
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    elapsed = time.perf_counter() - start
    script = ('"$@" >/dev/null 2>&1 || exit 1; exec "$0" -S -c '
              '"import resource; print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"')
    out = subprocess.run(["/bin/sh", "-c", script, sys.executable, *cmd], capture_output=True, text=True, check=True)
    return elapsed, int(out.stdout) / 1024


def _balanced_tree(depth: int) -> ExtensiveFormGame:
    rnd = np.random.default_rng(ROOT_SEED)
    counter = iter(range(10**7))

    def build(d: int):
        if d == 0:
            return leaf(*(int(v) for v in rnd.integers(0, 10**9, 2)))
        label = f"n{next(counter)}"
        return decision("AB"[d % 2], {"l": build(d - 1), "r": build(d - 1)}, infoset=label)

    return ExtensiveFormGame(("A", "B"), build(depth))


def fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.3g} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


if __name__ == "__main__":
    main()
