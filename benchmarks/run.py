"""Benchmarks against nashpy and pygambit, measured side by side in one run.

Run with ``make bench`` (not part of ``make test``).  Prints median wall times and the
ratio of ours to each peer on the same seeded games.
"""

from __future__ import annotations

import statistics
import time
import warnings

import numpy as np

from negotiation import NormalFormGame, solve


def median_time(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    import nashpy
    import pygambit as gbt

    rng = np.random.default_rng(np.random.SeedSequence(2020))
    rows = []
    a, b = rng.integers(-1000, 1000, (10, 10)), rng.integers(-1000, 1000, (10, 10))
    game = NormalFormGame.from_arrays(a, b)
    g = gbt.Game.from_arrays(a, b)
    ours = median_time(lambda: solve(game, "all"))
    ours_exact = median_time(lambda: solve(game, "all", exact=True))
    gambit = median_time(lambda: gbt.nash.enummixed_solve(g, rational=False))
    rows.append(("10x10 all equilibria (float)", ours, {"pygambit enummixed": gambit}))
    rows.append(("10x10 all equilibria (exact)", ours_exact, {"pygambit enummixed rational": median_time(
        lambda: gbt.nash.enummixed_solve(g, rational=True))}))
    small = rng.integers(-1000, 1000, (2, 4, 4))
    sg = NormalFormGame(small)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nash_time = median_time(lambda: list(nashpy.Game(small[0], small[1]).support_enumeration()))
    ours_small = median_time(lambda: solve(sg, "all"))
    rows.append(("4x4 all equilibria (float)", ours_small, {"nashpy support enumeration": nash_time}))
    three = rng.integers(-1000, 1000, (3, 3, 3, 3))
    tg = NormalFormGame(three)
    g3 = gbt.Game.from_arrays(*three)
    rows.append(("3x3x3 all equilibria", median_time(lambda: solve(tg, "all"), repeat=1),
                 {"pygambit enumpoly": median_time(lambda: gbt.nash.enumpoly_solve(g3), repeat=1)}))
    print(f"{'workload':34} {'ours (s)':>10}  peer: time (s), ours/peer")
    for name, t, peers in rows:
        peer_text = "; ".join(f"{p}: {pt:.4f}, ratio {t / pt:.3g}" for p, pt in peers.items())
        print(f"{name:34} {t:10.4f}  {peer_text}")


if __name__ == "__main__":
    main()
