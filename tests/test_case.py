"""The case as a whole: named interventions, levers across the games, shocks over time."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from test_diagnostics import BASE

from negotiation.cli import main
from negotiation.domain.case import counterfactuals, levers, shock_path
from negotiation.domain.scenario import dump_scenario, from_dict, parse_scenario
from negotiation.errors import GameError, GameFormatError


def _scenario(**interventions):
    data = copy.deepcopy(BASE)
    data["interventions"] = interventions or {
        "costly_fight": {"description": "Fighting costs A more than its resolve.", "set": {"cost": 1.2},
                         "provenance": {"assumption": "A test value."}},
        "tempting": {"description": "Cheating pays more.", "set": {"temptation": 1.5}},
    }
    return from_dict(data)


def test_interventions_load_round_trip_and_are_checked():
    sc = _scenario()
    assert list(sc.interventions) == ["costly_fight", "tempting"]
    assert parse_scenario(dump_scenario(sc)) == sc
    bad = copy.deepcopy(BASE)
    bad["interventions"] = {"x": {"description": "Out of bounds.", "set": {"cost": 9}}}
    with pytest.raises(GameFormatError, match=r"interventions\.x\.set\.cost: cost=9 is outside its bounds"):
        from_dict(bad)
    bad["interventions"] = {"x": {"description": "Unknown.", "set": {"cots": 1}}}
    with pytest.raises(GameFormatError, match="did you mean 'cost'"):
        from_dict(bad)


def test_counterfactual_table():
    """A holds iff resolve >= cost: a fight costing 1.2 against resolve 1 ends the standoff.  The
    trade is sustained by Nash reversion from delta* = t / (t + 2): 1/3 at t = 1, 3/7 at t = 1.5."""
    table = counterfactuals(_scenario(), delta=0.9).table.set_index("intervention")
    assert table.loc["baseline", "outcome:standoff"] and not table.loc["costly_fight", "outcome:standoff"]
    assert table.loc["baseline", "trust: delta*"] == pytest.approx(1 / 3)
    assert table.loc["tempting", "trust: delta*"] == pytest.approx(3 / 7)
    assert table.loc["tempting", "trust: at delta=0.9"] == "sustained by a credible punishment"
    assert counterfactuals(_scenario(), delta=0.4).table.set_index("intervention").loc[
        "tempting", "trust: at delta=0.4"] == "not sustainable"
    with pytest.raises(GameError, match="no intervention 'patriots'"):
        counterfactuals(_scenario(), ["patriots"])


def test_levers_rank_the_nearest_threshold_across_the_case():
    """The standoff breaks when cost rises to resolve (1, from 0.3: 0.7 of the range [0, 1.5]); resolve
    would have to fall to 0.3, below its lower bound 0.5, so only cost has a threshold within bounds."""
    table = levers(_scenario(), sobol=256).table
    assert list(table.parameter) == ["cost"]
    row = table.iloc[0]
    assert row.threshold == pytest.approx(1.0) and row.distance == pytest.approx(0.7 / 1.5)
    assert 0 < row.sobol_share <= 1


def test_shock_path_finds_when_it_stops_holding():
    """cost grows by 0.1 a period from 0.3: the standoff holds while cost <= resolve = 1, so it
    breaks at the first period where cost exceeds 1 (t = 8, cost 1.1)."""
    sc = _scenario()
    times = np.arange(0, 12)
    path = shock_path(sc, "standoff", "cost", times, 0.3 + 0.1 * times)
    assert path.first_break == 8 and list(path.frame["holds"][:8]) == [True] * 8
    assert "at time 8" in path.summary()
    trust = shock_path(sc, "trust", "temptation", [0, 1, 2], [0.5, 1.0, 1.5], delta=0.35)
    assert list(trust.frame["category"]) == ["sustained by a credible punishment"] * 2 + ["not sustainable"]
    assert trust.first_break == 2
    with pytest.raises(GameError, match="leaves its bounds"):
        shock_path(sc, "standoff", "cost", [0, 1], [0.3, 2.0])


def test_command_line(tmp_path, capsys):
    path = tmp_path / "toy.yaml"
    path.write_text(dump_scenario(_scenario()), encoding="utf-8")
    assert main(["counterfactual", str(path), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [r["intervention"] for r in rows] == ["baseline", "costly_fight", "tempting"]
    assert main(["counterfactual", str(path)]) == 0
    assert "fails" in capsys.readouterr().out
    assert main(["explain", str(path), "--sobol", "128"]) == 0
    assert "cost" in capsys.readouterr().out


def test_durability_of_a_repeated_ceasefire():
    """Trade with false alarms a = 1/10 a period: self-enforcing at delta = 0.9 at every draw
    (delta* = t / (0.9 (2 + t)) <= 0.48), so it survives h periods with probability 0.9^h and holds
    0.9 (1 - 0.9^60) / 0.1 periods on average within 60.  At delta = 0.4 it is self-enforcing only
    where t <= 0.72/0.64 = 1.125, so survival is 0.9^h times that share of the uniform draws on
    [0.5, 1.5], about 5/8."""
    from negotiation.domain.case import durability

    data = copy.deepcopy(BASE)
    data["repeated"]["trust"].update(false_alarm=0.1, period="month")
    sc = from_dict(data)
    d = durability(sc, "trust", horizons=(1, 6, 60), delta=0.9, n=4000, rng=1)
    assert d.sustained == 1.0 and d.at(6) == pytest.approx(0.9**6) and d.at(60) == pytest.approx(0.9**60)
    assert d.expected == pytest.approx(0.9 * (1 - 0.9**60) / 0.1)
    assert "months" in d.summary()
    impatient = durability(sc, "trust", horizons=(1, 6), delta=0.4, n=4000, rng=1)
    assert impatient.sustained == pytest.approx(0.625, abs=0.03)
    assert impatient.at(6) == pytest.approx(impatient.sustained * 0.9**6)
    with pytest.raises(GameError, match="horizons"):
        durability(sc, "trust", horizons=(0,))
