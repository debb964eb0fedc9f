"""The Idlib scenario's repeated ceasefire and its bargaining problem, from the file to the command line."""

from __future__ import annotations

import json
from fractions import Fraction as F

import numpy as np
import pytest
import sympy
from conftest import FIRST_IDLIB, first_idlib

from negotiation.cli import main
from negotiation.domain.scenario import dump_scenario, parse_scenario
from negotiation.errors import GameError


@pytest.fixture(scope="module")
def idlib():
    return first_idlib()


def test_sections_load_and_round_trip(idlib):
    assert list(idlib.repeated) == ["ceasefire_holds"] and list(idlib.bargaining) == ["ceasefire_line"]
    assert parse_scenario(dump_scenario(idlib)) == idlib
    assert idlib.model_kind("ceasefire_holds") == "repeated" and idlib.model_kind("escalation") == "game"
    with pytest.raises(GameError, match="did you mean 'ceasefire_line'"):
        idlib.model_kind("ceasefire_lin")


def test_repeated_ceasefire_critical_discount_factor(idlib):
    """At baseline the ceasefire is a stage equilibrium, so it needs no patience (delta* = 0),
    as the one-shot analysis says.  With a larger prize (regime_gain 0.9) Russia's temptation is
    g = 0.9 - 0.4 - 0.5*0.3 = 0.35, war gives it 0.868 against 1 for the ceasefire, and the
    grim-trigger bound g / (q (u - w) + g) with q = monitoring = 1/2 is 175/208."""
    assert idlib.holds("ceasefire") and idlib.sustainability("ceasefire_holds").delta_star == 0
    tempted = idlib.sustainability("ceasefire_holds", regime_gain=F(9, 10))
    assert tempted.critical["Turkey"] == 0
    assert tempted.critical["Russia/Syria"] == sympy.Rational(175, 208)
    # The closed form in the parameters agrees at these values.
    symbolic = idlib.sustainability("ceasefire_holds", symbolic=True).critical["Russia/Syria"]
    values = idlib.values(regime_gain=F(9, 10))
    at = symbolic.xreplace({s: sympy.Rational(values[s.name].numerator, values[s.name].denominator)
                            for s in symbolic.free_symbols})
    assert sympy.simplify(at - sympy.Rational(175, 208)) == 0
    # Better monitoring lowers the bar.
    assert idlib.sustainability("ceasefire_holds", regime_gain=F(9, 10), monitoring=F(3, 4)).delta_star < \
        tempted.delta_star
    gains = tempted.one_shot_gains(0.85)
    assert gains.query("state == 'cooperate'").gain.max() <= 0
    assert tempted.one_shot_gains(0.83).query("state == 'cooperate'").gain.max() > 0


def test_ceasefire_line_is_the_midpoint_of_the_bargaining_range(idlib):
    """Fearon (1995) with linear utilities: the Nash split gives Turkey p + (c_R - c_T)/2."""
    problem = idlib.bargaining_problem("ceasefire_line")
    v = idlib.baseline()
    p = (1 - v["air_power"]) + v["air_power"] * v["nato_support"]
    c_t = v["casualties"] * v["casualty_cost"]
    c_r = v["press_cost"] + v["nato_support"] * v["nato_confrontation"]
    assert problem.disagreement == (p - c_t, 1 - p - c_r)
    assert problem.nash().share == p + (c_r - c_t) / 2
    # More NATO support moves the line toward Turkey.
    assert idlib.bargaining_problem("ceasefire_line", nato_support=F(1, 2)).nash().share > problem.nash().share


def test_command_line(capsys):
    assert main(["solve", FIRST_IDLIB, "--game", "ceasefire_holds", "--set", "regime_gain=0.9",
                 "--delta", "0.9", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["delta_star"]["exact"] == "175/208" and out["model"] == "repeated"
    assert all(row["gain"] <= 1e-12 for row in out["one_shot_gains"] if row["state"] == "cooperate")
    assert main(["solve", FIRST_IDLIB, "--game", "ceasefire_line"]) == 0
    text = capsys.readouterr().out
    assert "Nash" in text and "113/400" in text
    assert main(["solve", FIRST_IDLIB, "--game", "ceasefire_hold"]) == 2
    assert "no game 'ceasefire_hold' (did you mean 'ceasefire_holds'?)" in capsys.readouterr().err


def test_command_line_correlated_and_qre(capsys, tmp_path):
    """Aumann's chicken (6/6, 2/7, 7/2, 0/0) from a file: the welfare-maximising correlated
    equilibrium gives 21/4 each; the logit QRE at lambda = 0 is uniform."""
    from negotiation import NormalFormGame, write_nfg

    path = tmp_path / "chicken.nfg"
    write_nfg(NormalFormGame.from_arrays([[6, 2], [7, 0]], [[6, 7], [2, 0]], players=("Row", "Col")), path)
    assert main(["solve", str(path), "--method", "correlated", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["payoffs"] == {"Row": "21/4", "Col": "21/4"} and out["exact"]
    assert main(["solve", str(path), "--method", "correlated", "--objective", "Row"]) == 0
    assert "payoffs Row 7, Col 2" in capsys.readouterr().out
    assert main(["solve", str(path), "--method", "qre", "--lam", "0", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [row["probability"] for row in out["profile"]] == [0.5, 0.5, 0.5, 0.5]


def test_shadow_of_the_future_under_uncertainty(idlib, capsys):
    """Monte Carlo over the repeated ceasefire: the compiled closed form equals the exact
    per-draw computation, and delta* = 0 exactly where the one-shot stress test (same seed,
    hence the same draws) finds the ceasefire an equilibrium."""
    from negotiation.domain.stress import shadow_test, stress_test

    shadow = shadow_test(idlib, "ceasefire_holds", n=4000, rng=7)
    one_shot = stress_test(idlib, "ceasefire", n=4000, rng=7)
    assert np.array_equal(shadow.delta_star == 0, one_shot.draws["holds"].to_numpy())
    for k in range(12):
        row = shadow.draws.iloc[k]
        exact = idlib.sustainability("ceasefire_holds", {p: row[p] for p in idlib.parameters}).delta_star
        expected = np.inf if exact is None else float(exact)
        assert shadow.delta_star[k] == pytest.approx(expected, rel=1e-9, abs=1e-12)
    table = shadow.to_frame((0.0, 0.9))
    assert table.probability.is_monotonic_increasing and (table.low <= table.probability).all()
    assert main(["stress", FIRST_IDLIB, "--repeated", "ceasefire_holds", "-n", "2000", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n"] == 2000 and out["sustained"][0]["delta"] == 0.0


def test_a_threat_no_one_would_carry_out_does_not_sustain_the_ceasefire(idlib, capsys):
    """With casualty_cost 0.01 Turkey is tempted to escalate, and the cooperative state alone would be
    held by the threat of war from delta = 62/355.  But in the war (escalate, press) Russia/Syria gains
    by halting: press - halt = 0.8*0.9*0.5 - 0.4 < 0 at baseline, so the war threat is not credible and
    the grim-trigger profile is not subgame perfect at any delta."""
    result = idlib.sustainability("ceasefire_holds", casualty_cost=F(1, 100))
    assert result.cooperative_delta_star == sympy.Rational(62, 355)
    assert result.delta_star is None and result.classify(0.9) == "sustained only by a non-credible threat"
    assert result.one_shot_gains(0.9).query("state == 'punish' and player == 'Russia/Syria'").gain.min() > 0
    assert main(["solve", FIRST_IDLIB, "--game", "ceasefire_holds", "--set", "casualty_cost=0.01",
                 "--delta", "0.9", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["delta_star"] is None and out["verdict"] == "sustained only by a non-credible threat"
    assert out["cooperative_delta_star"]["exact"] == "62/355"
    assert main(["solve", FIRST_IDLIB, "--game", "ceasefire_holds", "--set", "casualty_cost=0.01",
                 "--delta", "0.9"]) == 0
    text = capsys.readouterr().out
    assert "not subgame perfect at any discount factor" in text and "non-credible threat" in text
    for bad in ("1.5", "nan", "-0.1"):
        with pytest.raises(SystemExit) as stop:
            main(["solve", FIRST_IDLIB, "--game", "ceasefire_holds", "--delta", bad])
        assert stop.value.code == 2 and "argument --delta" in capsys.readouterr().err


def test_shadow_test_separates_credible_from_non_credible(idlib):
    """Per draw, the categories partition the draws, agree with the exact per-draw verdict, and the
    credible share never exceeds what the cooperative state alone would report."""
    from negotiation.domain.stress import shadow_test
    from negotiation.engine.repeated import CATEGORIES

    shadow = shadow_test(idlib, "ceasefire_holds", n=3000, rng=11)
    table = shadow.by_category(0.9)
    assert list(table.category) == list(CATEGORIES) and table.draws.sum() == 3000
    assert table.set_index("category").loc[CATEGORIES[2], "share"] > 0.2  # the fault the check must catch
    cats = shadow.categories(0.9)
    for k in range(0, 3000, 250):
        row = shadow.draws.iloc[k]
        exact = idlib.sustainability("ceasefire_holds", {p: row[p] for p in idlib.parameters})
        assert exact.classify(F(9, 10)) == cats[k]
    credible = shadow.to_frame((0.9,)).probability[0]
    assert credible <= np.mean(shadow.cooperative_delta_star <= 0.9)
