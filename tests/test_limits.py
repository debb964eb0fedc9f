"""Limits, time limits and cancellation, values outside the real numbers, and long runs that
survive faults (issue 14): each refusal is one line naming the place and how to raise the
limit, each stop says how far the work got, and nothing a killed run wrote is lost or left."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from negotiation import NormalFormGame, limits, solve
from negotiation.compute.chunks import ChunkStore
from negotiation.deadline import bounded, checkpoint
from negotiation.domain.scenario import load_scenario, parse_scenario
from negotiation.domain.stress import distance_to_breakdown, stress_test, sweep
from negotiation.engine.solvers.tree import solve_tree
from negotiation.errors import CancelledError, GameFormatError, NegotiationError, TimeLimitError
from negotiation.io.efg import parse_efg, to_tree

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "tests" / "data" / "fuzz-seeds"
CLI = [sys.executable, "-m", "negotiation.cli"]


# ===================================================================== limits
def test_every_limit_is_documented_positive_and_raisable_for_a_block():
    table = limits.table()
    assert [name for name, _, _ in table] == list(limits.names())
    assert all(text and value > 0 for _, value, text in table)
    before = limits.MAX_TREE_DEPTH
    with limits.raised(MAX_TREE_DEPTH=5):
        assert limits.MAX_TREE_DEPTH == 5
    assert limits.MAX_TREE_DEPTH == before
    for bad in (0, -1, "x", True, float("nan")):
        with pytest.raises(NegotiationError, match="must be a positive"):
            limits.set_limit("MAX_TREE_DEPTH", bad)
    with pytest.raises(NegotiationError, match="did you mean 'MAX_TREE_DEPTH'"):
        limits.set_limit("MAX_TREE_DPTH", 5)


def _chain(n: int) -> str:
    """Players alternate; stopping gives the mover 1 and the other 0, going on to the end gives both 0."""
    lines = ['EFG 2 R "" { "a" "b" }']
    for k in range(n):
        pays = "1 0" if k % 2 == 0 else "0 1"
        lines += [f'p "" {k % 2 + 1} {k + 1} "" {{ "stop" "go" }} 0', f't "" {k + 1} "" {{ {pays} }}']
    return "\n".join([*lines, f't "" {n + 1} "" {{ 0 0 }}']) + "\n"


def test_deep_trees_are_read_without_recursion_and_refused_past_the_depth_limit():
    """At every node the mover gets 1 by stopping and 0 by going on (the next mover stops), so the
    unique subgame-perfect equilibrium stops everywhere (backward induction by hand)."""
    tree = to_tree(parse_efg(_chain(1999), "chain.efg"))
    (eq,) = solve_tree(tree, "spe").equilibria
    assert all(v == (1, 0) for v in eq.behavior.values())
    with pytest.raises(GameFormatError, match=r"chain.efg:\d+: nodes: depth of the tree, over the limit of 2,000 "
                                              r"\(raise negotiation.limits.MAX_TREE_DEPTH"):
        parse_efg(_chain(2001), "chain.efg")
    with limits.raised(MAX_TREE_DEPTH=3000):
        assert len(to_tree(parse_efg(_chain(2001), "chain.efg")).walk()) == 2 * 2001 + 1


def test_a_large_perfect_information_tree_is_read_and_solved_in_linear_passes():
    """2^14 leaves with random payoffs: the unique SPE of the tree equals the one found by
    comparing every child's value at every node from the leaves up (done here by hand)."""
    rng = np.random.default_rng(14)
    depth = 14
    leaves = rng.integers(0, 10**6, size=(2**depth, 2))
    lines, counter = ['EFG 2 R "" { "a" "b" }'], [0, 0]
    values: dict[tuple[int, int], tuple[int, int]] = {}
    stack = [(0, 0, False)]  # (depth, index at that depth), preorder
    while stack:
        d, i, _ = stack.pop()
        if d == depth:
            counter[1] += 1
            lines.append(f't "" {counter[1]} "" {{ {leaves[i][0]} {leaves[i][1]} }}')
            continue
        counter[0] += 1
        lines.append(f'p "" {d % 2 + 1} {counter[0]} "" {{ "l" "r" }} 0')
        stack += [(d + 1, 2 * i + 1, False), (d + 1, 2 * i, False)]
    for i in range(2**depth):
        values[(depth, i)] = tuple(leaves[i])
    for d in range(depth - 1, -1, -1):
        for i in range(2**d):
            left, right = values[(d + 1, 2 * i)], values[(d + 1, 2 * i + 1)]
            values[(d, i)] = left if left[d % 2] > right[d % 2] else right
    tree = to_tree(parse_efg("\n".join(lines) + "\n", "big.efg"))
    (eq,) = solve_tree(tree, "spe").equilibria
    assert tuple(int(v) for v in eq.payoffs) == values[(0, 0)]


def test_declared_sizes_and_huge_numbers_are_refused_before_any_work():
    from negotiation.io.nfg import parse_nfg

    start = time.monotonic()
    with pytest.raises(GameFormatError, match=r"strategies of one player: 1,000,000, over the limit of 100,000"):
        parse_nfg('NFG 1 R "" { "a" "b" } { 1000000 2 }', "huge.nfg")
    with pytest.raises(GameFormatError, match=r"payoff entries of a 2000x2000 game: 8,000,000"):
        parse_nfg('NFG 1 R "" { "a" "b" } { 2000 2000 }', "huge.nfg")
    assert time.monotonic() - start < 1.0
    big = parse_nfg('NFG 1 R "" { "a" "b" } { 2 2 }\n' + " ".join(["1" + "0" * 400] * 8), "big.nfg")
    assert solve(big, "all", exact=True).equilibria  # exact arithmetic has no trouble
    with pytest.raises(NegotiationError, match=r"too large for a float.*exact=True"):
        solve(big, "all")


# ========================================================== time limits and cancellation
def _three_player(seed: int = 0) -> NormalFormGame:
    return NormalFormGame(np.random.default_rng(seed).random((3, 4, 4, 4)))


def test_a_time_limit_stops_exhaustive_solving_and_says_how_far_it_got():
    start = time.monotonic()
    stop = (r"method 'all' on a 4x4x4 game: stopped at the time limit of 0.5 s, after "
            r"[\d,]+ of [\d,]+ (support profiles solved exactly|homotopy paths); use method 'numeric'")
    with pytest.raises(TimeLimitError, match=stop):
        solve(_three_player(), "all", time_limit=0.5)
    assert time.monotonic() - start < 3.0


def test_cancellation_stops_lemke_howson_and_auto_picks_what_finishes():
    game = NormalFormGame(np.random.default_rng(1).random((2, 120, 120)))
    calls = []
    with pytest.raises(CancelledError, match=r"method 'one' on a 120x120 game: cancelled after \d+ Lemke-Howson"):
        solve(game, "one", cancel=lambda: calls.append(1) or len(calls) > 5)
    assert solve(_three_player(), "auto", time_limit=60).method == "numeric"
    assert solve(NormalFormGame(np.random.default_rng(2).random((2, 14, 14))), "auto").method == "all"


def test_the_watchdog_stops_code_that_never_checks_and_nothing_fires_after_the_block():
    start = time.monotonic()
    with pytest.raises(TimeLimitError, match=r"busy loop: stopped at the time limit of 0\.2 s"):
        with bounded("busy loop", 0.2):
            while True:  # no checkpoint: the watchdog raises in this thread
                pass
    assert time.monotonic() - start < 2.0
    with bounded("quick", 0.2):
        pass
    time.sleep(1.0)  # a disarmed watchdog raises nothing later
    with bounded("outer", 30, hint="raise --time-limit"):  # an enclosing limit applies to inner calls
        with bounded("inner", None):
            checkpoint("step 1")
    with pytest.raises(ValueError, match="time_limit"):
        with bounded("bad", -1):
            pass


def test_a_time_limit_in_another_thread_stops_only_that_thread():
    errors = []

    def work():
        try:
            solve(_three_player(3), "all", time_limit=0.3)
        except TimeLimitError as err:
            errors.append(err)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(10)
    assert len(errors) == 1 and not thread.is_alive()


# ====================================================== values outside the real numbers
NONREAL = (SEEDS / "deterrence.yaml").read_text(encoding="utf-8").replace(
    'a: "-war_cost", b: "-war_cost"', 'a: "-sqrt(war_cost - 1)", b: "-war_cost"').replace(
    "baseline: 0.5", "baseline: 1.5")


def test_sweeps_and_stress_tests_mark_points_where_payoffs_are_not_real():
    """Payoff -sqrt(war_cost - 1) is undefined for war_cost < 1; peace (stay, resist) holds
    wherever it is defined (0 >= -sqrt(...)) and nowhere else."""
    sc = parse_scenario(NONREAL, "nonreal.yaml")
    frame = sweep(sc, {"war_cost": np.linspace(0, 2, 5)}, outcome="peace")
    assert frame["defined"].tolist() == [False, False, True, True, True]
    assert frame["holds"].tolist() == [False, False, True, True, True]
    assert frame.attrs["note"].startswith("2 of 5 points give a payoff or condition that is not a finite real "
                                          "number (first at war_cost=0)")
    games = sweep(sc, {"war_cost": np.linspace(0, 2, 5)}, game="crisis")
    assert set(games["point"]) == {2, 3, 4} and list(games.attrs["undefined_points"]) == [0, 1]
    result = stress_test(sc, "peace", n=2000, rng=3, sobol=None)
    drawn = result.draws["war_cost"].to_numpy()
    assert np.array_equal(result.undefined, drawn < 1)
    assert np.array_equal(result.draws["holds"].to_numpy(), drawn >= 1)
    assert f"{int((drawn < 1).sum()):,} of 2,000 draws" in result.summary()


def test_distance_to_breakdown_reports_only_points_where_the_outcome_fails():
    """Deterrence (how-to): peace holds iff war_cost >= 0, so no value in [0, 2] breaks it; the
    optimiser's boundary point war_cost = 0 (or 5.6e-17) still holds and must not be reported."""
    sc = load_scenario(SEEDS / "deterrence.yaml")
    assert distance_to_breakdown(sc, "peace")["distance"] is None
    assert sc.holds("peace", {"war_cost": 5.6e-17})
    assert stress_test(sc, "peace", n=500, rng=0, sobol=None).breakdown["distance"] is None


# ==================================================================== long runs
def test_a_store_is_locked_cleaned_of_half_written_files_and_resilient_to_damage(tmp_path):
    store = tmp_path / "store"
    first = ChunkStore(store, "abc")
    with pytest.raises(NegotiationError, match=r"the store is in use by another run \(process \d+\)"):
        ChunkStore(store, "abc")
    first.save(0, {"x": np.arange(3)})
    first.close()
    (store / ".chunk-000001.npz.tmp123").write_bytes(b"half")  # a write killed midway
    (store / "chunk-000002.npz").write_bytes(b"damaged")
    with ChunkStore(store, "abc") as again:
        assert not list(store.glob(".chunk-*"))
        assert again.load(0)["x"].tolist() == [0, 1, 2]
        assert again.load(2) is None  # damaged outside the toolkit: computed again
    with pytest.raises(NegotiationError, match="different run"):
        ChunkStore(store, "other")
    ChunkStore(store, "abc").close()  # a refused open released the lock


RACE = textwrap.dedent("""
    import sys, time
    from negotiation.domain.scenario import load_scenario
    from negotiation.domain.stress import stress_test
    from negotiation.errors import NegotiationError
    time.sleep(max(0.0, float(sys.argv[3]) - time.time()))  # both start at the same instant
    try:
        r = stress_test(load_scenario(sys.argv[2]), "peace", n=200_000, rng=int(sys.argv[4]), chunk_size=1_000,
                        store=sys.argv[1], sobol=None)
        print("ran", r.probability)
    except NegotiationError as err:
        print("refused", err)
""")


def test_two_runs_started_together_on_one_store_do_not_both_write(tmp_path):
    store, at = tmp_path / "store", time.time() + 3.0
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", RACE, str(store), str(SEEDS / "deterrence.yaml"), str(at),
                               str(seed)], env=env, stdout=subprocess.PIPE, text=True) for seed in (1, 2)]
    outs = sorted(p.communicate(timeout=120)[0].strip() for p in procs)
    assert outs[0].startswith("ran") and outs[1].startswith("refused"), outs
    assert "in use by another run" in outs[1] or "different run" in outs[1]


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text().split() if (task / "children").exists() else []
        found |= {int(c) for c in text}
    return found


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_pool_workers_die_with_their_parent_and_ctrl_c_says_how_to_resume(tmp_path):
    store = tmp_path / "store"
    args = [*CLI, "stress", str(SEEDS / "deterrence-repeated.yaml"), "--outcome", "peace", "-n", "3000000",
            "--seed", "1", "--workers", "2", "--store", str(store)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # as from a shell: Ctrl-C at its default, whatever this process inherited (a child inherits an ignored SIGINT)
    shell = {"env": env, "stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True,
             "preexec_fn": lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)}
    proc = subprocess.Popen(args, **shell)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(store.glob("chunk-*.npz")):
        time.sleep(0.2)
    workers = _children(proc.pid)
    assert len(workers) >= 2 and list(store.glob("chunk-*.npz"))
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.strip() == f"negotiation: interrupted; rerun the same command to resume from {store}"

    proc = subprocess.Popen(args, **shell)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(_children(proc.pid)) < 2:
        time.sleep(0.2)
    workers = _children(proc.pid)
    assert len(workers) >= 2
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.2)
    assert not any(_alive(w) for w in workers)


# ================================================================= command line
def _cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False)


def test_the_command_line_stops_at_its_time_limit_and_takes_limits(tmp_path):
    game = tmp_path / "g.nfg"
    from negotiation.io.nfg import write_nfg

    write_nfg(NormalFormGame(np.random.default_rng(0).integers(0, 9, size=(3, 4, 4, 4))), game)
    out = _cli("solve", str(game), "--method", "all", "--time-limit", "4")
    assert out.returncode == 2 and out.stdout == ""
    line, = out.stderr.splitlines()  # (a cold start may spend the time before the solver begins)
    assert re.fullmatch(r"negotiation: error: (method 'all' on a 4x4x4 game|negotiation solve): stopped at the time "
                        r"limit of 4 s, after .*; raise --time-limit to let it run longer", line), line
    deep = tmp_path / "deep.efg"
    deep.write_text(_chain(2001), encoding="utf-8")
    assert "MAX_TREE_DEPTH" in _cli("solve", str(deep)).stderr
    assert _cli("solve", str(deep), "--limit", "MAX_TREE_DEPTH=3000").returncode == 0
    bad = _cli("solve", str(deep), "--limit", "MAX_TREE_DEPTH=many")
    assert bad.returncode == 2 and len(bad.stderr.splitlines()) == 1


def test_json_output_is_strict_where_values_are_not_finite(tmp_path):
    """The stress test of a one-parameter scenario has NaN Sobol indices: written as null."""
    out = _cli("stress", str(SEEDS / "deterrence.yaml"), "--outcome", "peace", "-n", "200", "--format", "json")
    assert out.returncode == 0
    json.loads(out.stdout, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
