"""Benchmarks against nashpy, QuantEcon and pygambit, measured side by side in one run.

Run with ``make bench`` (not part of ``make test``).  For each workload it prints our
median wall time, each peer's time on the same seeded games (peers that solve one game
at a time run on a subsample and are compared per game), the ratio peer/ours (how many
times faster we are) and the peak memory traced by :mod:`tracemalloc`.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from fractions import Fraction

import numpy as np

from negotiation import NormalFormGame, catalog, solve, solve_tree
from negotiation.domain.stress import stress_test
from negotiation.engine import batch
from negotiation.engine.families import kuhn_poker
from negotiation.engine.qre import estimate_lambda, logit_qre
from negotiation.io import write_efg

ROOT_SEED = 2020


def measure(fn: Callable[[], object], repeat: int = 15) -> tuple[float, float]:
    """Median wall time (s) over ``repeat`` runs and the peak traced memory (MB) of one run."""
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return statistics.median(times), peak


def per_game(fn: Callable[[np.ndarray], object], games: np.ndarray) -> tuple[float, float]:
    """Time per game of a one-game-at-a-time solver, and its peak memory (MB)."""
    fn(games[0])  # warm-up (numba compilation for QuantEcon)
    start = time.perf_counter()
    for g in games:
        fn(g)
    elapsed = (time.perf_counter() - start) / len(games)
    tracemalloc.start()
    for g in games[: max(1, len(games) // 10)]:
        fn(g)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return elapsed, peak


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

    # 1. 100,000 parametric 2x2 games: the Idlib escalation game at random parameter points.
    idlib = catalog.load("idlib-2020")
    game = idlib.game("escalation")
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

    # 4. One 10x10 and one 12x12 nondegenerate game, all equilibria.
    for size, seed in ((10, seeds[3]), (12, seeds[4])):
        rng = np.random.default_rng(seed)
        a, b = rng.normal(size=(2, size, size))
        t, mem = measure(lambda a=a, b=b: batch.vertex_enumeration(a, b))
        qgame = qe.NormalFormGame((qe.Player(a), qe.Player(b.T)))
        qe.vertex_enumeration(qgame)  # numba warm-up
        peers = {
            "QuantEcon vertex enumeration": measure(lambda q=qgame: qe.vertex_enumeration(q)),
            "pygambit enummixed (float)": measure(
                lambda a=a, b=b: gbt.nash.enummixed_solve(gbt.StrategicGame.from_arrays(a, b), rational=False),
                repeat=1),
            "negotiation.solve exact": measure(lambda a=a, b=b: solve(NormalFormGame.from_arrays(a, b), "all"),
                                               repeat=1),
        }
        count = len(batch.vertex_enumeration(a, b).game)
        rows.append((f"one {size}x{size} game, all equilibria ({count})", t, mem, peers, "per game"))

    # 5. A 100,000-draw stress test of the Idlib escalation game.
    t, mem = measure(lambda: stress_test(idlib, "ceasefire", n=100_000, rng=ROOT_SEED), repeat=5)
    rows.append(("100,000-draw stress test, Idlib ceasefire", t, mem, {}, "whole run (target < 2 s)"))

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

    print("| workload | ours | ours peak MB | peer | peer time | peer peak MB | peer / ours |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, ours, mem, peers, unit in rows:
        if not peers:
            print(f"| {name} | {fmt(ours)} ({unit}) | {mem:.1f} | - | - | - | - |")
        for k, (pt, pm) in peers.items():
            print(f"| {name} | {fmt(ours)} ({unit}) | {mem:.1f} | {k} | {fmt(pt)} | {pm:.1f} | {pt / ours:,.1f}x |")


def fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.3g} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


if __name__ == "__main__":
    main()
