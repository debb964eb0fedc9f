"""sweep() and stress_test(): agreement with solve, reproducibility across chunking and
executors (a local process pool and a real Dask cluster), and resuming a killed run."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from conftest import FIRST_IDLIB, first_idlib

from negotiation import solve
from negotiation.domain import stress
from negotiation.domain.stress import distance_to_breakdown, stress_test, sweep, wilson_interval
from negotiation.errors import GameError, NegotiationError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def idlib():
    return first_idlib()


def test_sweep_rows_match_solve_at_each_point(idlib):
    grid = {"nato_support": np.linspace(0.01, 0.99, 9), "monitoring": np.linspace(0.05, 0.95, 7)}  # no exact ties
    frame = sweep(idlib, grid, game="escalation", chunk_size=10)
    assert frame["point"].nunique() == 63
    for point, rows in frame.groupby("point"):
        first = rows.iloc[0]
        game = idlib.at("escalation", nato_support=first["nato_support"], monitoring=first["monitoring"])
        expected = {tuple(round(float(p), 9) for v in eq.profile.probabilities for p in v)
                    for eq in solve(game, "all", exact=True)}
        got = {tuple(round(float(r[c]), 9) for c in ("Turkey: accept", "Turkey: escalate", "Russia/Syria: halt",
                                                     "Russia/Syria: press")) for _, r in rows.iterrows()}
        assert got == expected, point
    assert list(frame["equilibrium"][:2]) == [0, 0] or frame["point"].iloc[1] == frame["point"].iloc[0]


def test_outcome_sweep_fast_path_agrees_with_solving(idlib):
    grid = {"nato_support": np.linspace(0, 1, 41), "displaced": np.linspace(0, 3.5, 29)}
    fast = sweep(idlib, grid, outcome="ceasefire")
    solved = sweep(idlib, grid, outcome="ceasefire", method="solve")
    assert fast["holds"].equals(solved["holds"]) and fast["holds"].any() and not fast["holds"].all()
    assert bool(fast.loc[(fast.nato_support == 0.1) & (fast.displaced == 1.0), "holds"].iloc[0]) is True


def test_sweep_errors(idlib):
    with pytest.raises(GameError, match="unknown parameter"):
        sweep(idlib, {"nato_suport": [0.1]}, game="escalation")
    with pytest.raises(GameError, match="several games"):
        sweep(idlib, {"nato_support": [0.1]})


def test_wilson_interval_matches_newcombe_1998():
    """Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score)."""
    for (x, n), (lo, hi) in {(81, 263): (0.2553, 0.3662), (15, 148): (0.0624, 0.1605),
                             (0, 20): (0.0, 0.1611), (1, 29): (0.0061, 0.1718)}.items():
        got = wilson_interval(x, n)
        assert got == pytest.approx((lo, hi), abs=5e-5)


def test_stress_test_is_reproducible_whatever_the_chunking(idlib):
    a = stress_test(idlib, "ceasefire", n=20_000, rng=7, chunk_size=20_000)
    b = stress_test(idlib, "ceasefire", n=20_000, rng=7, chunk_size=3_001)
    assert a.draws.equals(b.draws) and a.probability == b.probability
    assert a.sensitivity.equals(b.sensitivity)
    c = stress_test(idlib, "ceasefire", n=20_000, rng=8)
    assert not a.draws.equals(c.draws)
    lo, hi = a.interval
    assert lo < a.probability < hi
    # Each draw's verdict is the regret check of the numeric game at that draw.
    for k in range(0, 20_000, 2_500):
        row = a.draws.iloc[k]
        values = {p: float(row[p]) for p in a.draws.columns if p != "holds"}
        assert idlib.holds("ceasefire", {**idlib.baseline(), **values}) == bool(row["holds"])


def test_stress_test_reports_sensitivity_tipping_points_and_breakdown(idlib):
    result = stress_test(idlib, "ceasefire", n=20_000, rng=1)
    assert set(result.sensitivity["parameter"]) == set(result.draws.columns) - {"holds"}
    tips = result.tipping_points.set_index("parameter")
    assert tips.loc["nato_support", "tipping_point"] == pytest.approx(43 / 224)
    assert tips.loc["monitoring", "tipping_point"] == pytest.approx(1 / 3)
    assert "stays an equilibrium" in result.summary()


def test_distance_to_breakdown_of_a_linear_condition_is_exact(idlib):
    """Russia/Syria halts while press_cost + monitoring*violation_cost - regime_gain >= 0.  Near
    baseline this margin (0.05) falls fastest along its normalised gradient
    (1, 0.3, 0.5, -1) over (press_cost, monitoring, violation_cost, regime_gain): the
    distance is 0.05/|gradient| to first order, and the breaking point is verified."""
    found = distance_to_breakdown(idlib, "ceasefire")
    assert found["condition"] == "Russia/Syria prefers halt to press"
    assert found["distance"] == pytest.approx(0.05 / np.sqrt(1 + 0.09 + 0.25 + 1), rel=0.02)
    point = found["point"]
    step = {k: v + 1e-6 * np.sign(v - float(idlib.baseline()[k])) for k, v in point.items()}
    assert not idlib.holds("ceasefire", step)
    assert distance_to_breakdown(idlib, "war")["distance"] == 0.0


def test_stress_test_on_a_process_pool_and_a_dask_cluster_matches_in_process(idlib):
    distributed = pytest.importorskip("distributed")
    reference = stress_test(idlib, "ceasefire", n=30_000, rng=11, chunk_size=5_000)
    pooled = stress_test(idlib, "ceasefire", n=30_000, rng=11, chunk_size=5_000, executor=2)
    assert pooled.draws.equals(reference.draws)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        on_dask = stress_test(idlib, "ceasefire", n=30_000, rng=11, chunk_size=4_000,
                              executor=cluster.scheduler_address)
        grid = {"nato_support": np.linspace(0, 1, 30), "monitoring": np.linspace(0, 1, 30)}
        swept = sweep(idlib, grid, game="escalation", chunk_size=100, executor=cluster.scheduler_address)
    assert on_dask.draws.equals(reference.draws) and on_dask.probability == reference.probability
    assert swept.equals(sweep(idlib, grid, game="escalation"))


KILLED_RUN = textwrap.dedent(
    """
    import os, signal, sys
    from negotiation.domain import stress
    from negotiation.domain.scenario import load_scenario

    real = stress._stress_chunk
    calls = []

    def dying(task):  # computes three chunks, then the process is killed inside the fourth
        if len(calls) == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        calls.append(1)
        return real(task)

    stress._stress_chunk = dying
    stress.stress_test(load_scenario(sys.argv[2]), "ceasefire", n=40_000, rng=5, chunk_size=5_000, store=sys.argv[1])
    """
)


def test_a_killed_run_resumes_without_recomputing_or_losing_chunks(idlib, tmp_path, monkeypatch):
    store = tmp_path / "store"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", KILLED_RUN, str(store), FIRST_IDLIB], env=env, capture_output=True,
                          check=False)
    assert proc.returncode == -9, proc.stderr.decode()  # SIGKILL
    saved = sorted(store.glob("chunk-*.npz"))
    assert [p.name for p in saved] == ["chunk-000000.npz", "chunk-000001.npz", "chunk-000002.npz"]
    assert not list(store.glob(".chunk-*"))  # no half-written file left behind
    stamps = {p.name: p.stat().st_mtime_ns for p in saved}

    computed = []
    real = stress._stress_chunk

    def counting(task):
        computed.append(1)
        return real(task)

    monkeypatch.setattr(stress, "_stress_chunk", counting)
    resumed = stress_test(idlib, "ceasefire", n=40_000, rng=5, chunk_size=5_000, store=str(store))
    assert len(computed) == 5  # only the eight chunks minus the three saved ones
    assert {p.name: p.stat().st_mtime_ns for p in saved} == stamps
    fresh = stress_test(idlib, "ceasefire", n=40_000, rng=5, chunk_size=5_000)
    assert resumed.draws.equals(fresh.draws) and resumed.probability == fresh.probability
    with pytest.raises(NegotiationError, match="different run"):
        stress_test(idlib, "ceasefire", n=40_000, rng=6, chunk_size=5_000, store=str(store))


def test_sweep_of_a_parametric_game_and_an_n_player_game(capsys):
    """Hawk-dove (Maynard Smith 1982, ch. 2): for C > V the mixed equilibrium plays hawk with
    probability V/C, beside the two pure asymmetric equilibria."""
    from negotiation import ParametricGame

    hawk_dove = ParametricGame.from_expressions(
        [[["(V - C)/2", "V"], ["0", "V/2"]], [["(V - C)/2", "0"], ["V", "V/2"]]],
        parameters=["V", "C"], players=("A", "B"), strategies=(("hawk", "dove"),) * 2)
    frame = sweep(hawk_dove, {"V": [1.0, 2.0, 3.0]}, values={"C": 4.0}, progress=True, chunk_size=1)
    mixed = frame[(frame["A: hawk"] > 0) & (frame["A: hawk"] < 1)]
    assert np.allclose(mixed["A: hawk"], mixed["V"] / 4) and len(frame) == 9
    assert "sweep" in capsys.readouterr().err  # the progress bar
    three = ParametricGame.from_expressions(
        np.array([[[["x", "0"], ["0", "1"]], [["0", "1"], ["1", "0"]]]] * 3), parameters=["x"])
    pure = sweep(three, {"x": [-1.0, 2.0]})
    assert set(pure.columns) >= {"P1: s1", "P3: s2"} and pure["regret"].max() == 0
    with pytest.raises(GameError, match="no value for parameter"):
        sweep(hawk_dove, {"V": [1.0]})


def test_an_outcome_sweep_derives_its_conditions_once(monkeypatch):
    """The conditions are simplified once per game, not once per chunk (they were 99.9% of the time
    of a 1000x1000 sweep in 40 chunks); the compiled result is the same in every chunk."""
    from negotiation.engine import symbolic

    calls = []
    real = symbolic.conditions

    def counting(game, cell):
        calls.append(cell)
        return real(game, cell)

    monkeypatch.setattr(symbolic, "conditions", counting)
    fresh = first_idlib()
    grid = {"nato_support": np.linspace(0, 1, 60), "monitoring": np.linspace(0, 1, 50)}
    chunked = sweep(fresh, grid, outcome="ceasefire", chunk_size=300)
    assert len(calls) == 4  # the four pure profiles of the escalation game, once
    whole = sweep(first_idlib(), grid, outcome="ceasefire")
    assert chunked.equals(whole)


def test_rank_correlation_with_a_binary_outcome_is_spearmans():
    """One sort per parameter reproduces scipy.stats.spearmanr (rho and p-value), ties included."""
    from scipy import stats as sps

    from negotiation.domain.stress import rank_correlation

    rng = np.random.default_rng(11)
    for n, digits in ((50, None), (4000, None), (4000, 1), (300, 0)):
        x = rng.normal(size=n)
        x = np.round(x, digits) if digits is not None else x
        y = (x + rng.normal(size=n) > 0.3).astype(float)
        rho, p = rank_correlation(x, y)
        ref = sps.spearmanr(x, y)
        assert rho == pytest.approx(ref.statistic, abs=1e-12) and p == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-300)


def test_sweeps_check_names_and_bounds_as_explain_does(idlib):
    with pytest.raises(GameError, match="did you mean 'nato_support'"):
        sweep(idlib, {"nato_suport": [0.1]}, outcome="ceasefire")
    with pytest.raises(GameError, match=r"nato_support=1.5 is outside its bounds \[0, 1\]"):
        sweep(idlib, {"nato_support": [0.5, 1.5]}, outcome="ceasefire")
    with pytest.raises(GameError, match="outside its bounds"):
        sweep(idlib, {"monitoring": [float("nan")]}, game="escalation")
