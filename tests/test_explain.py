"""explain(): slack and thresholds of the conditions that hold an outcome up, and the CLI."""

from __future__ import annotations

import json
from fractions import Fraction as F

import pytest
from conftest import FIRST_IDLIB, first_idlib

from negotiation import explain, solve
from negotiation.cli import main


@pytest.fixture(scope="module")
def idlib():
    return first_idlib()


@pytest.fixture(scope="module")
def ceasefire(idlib):
    return explain(idlib, "ceasefire")


def is_equilibrium(scenario, outcome, values):
    """Independent of the symbolic layer: solve the numeric game and look for the profile."""
    spec = scenario.outcome(outcome)
    result = solve(scenario.game(spec.game).at(values), "all", exact=True)
    found = {
        tuple(eq.profile.strategies[i][k] for i, v in enumerate(eq.profile.probabilities) for k in range(len(v))
              if v[k] == 1)
        for eq in result
    }
    return any(prof in found for prof in spec.profiles)


def test_slack_at_baseline_is_exact(ceasefire):
    """Hand derivation at baseline: Russia/Syria halts while press_cost + monitoring*violation_cost
    - regime_gain = 0.4 + 0.15 - 0.5 >= 0; Turkey accepts while casualties*casualty_cost
    - p*(1 + burden) = 0.495 - 0.28*1.4 >= 0."""
    slack = {r.condition.label: r.slack for r in ceasefire.reports}
    assert slack == {"Russia/Syria prefers halt to press": F(1, 20), "Turkey prefers accept to escalate": F(103, 1000)}
    assert ceasefire.holds and ceasefire.binding.condition.label == "Russia/Syria prefers halt to press"


def test_every_threshold_flips_the_numeric_equilibrium(idlib, ceasefire):
    checked = 0
    for report in ceasefire.reports:
        for t in report.thresholds:
            if t.breaks_at is None:
                continue
            p = idlib.parameters[t.parameter]
            step = p.width / 1000
            toward = 1 if t.breaks_at > t.baseline else -1
            before = {**ceasefire.values, t.parameter: F(t.breaks_at) - toward * step}
            after = {**ceasefire.values, t.parameter: F(t.breaks_at) + toward * step}
            assert is_equilibrium(idlib, "ceasefire", before), t.text
            assert not is_equilibrium(idlib, "ceasefire", after), t.text
            checked += 1
    assert checked >= 8


def test_pivotal_and_binding_come_first(ceasefire):
    frame = ceasefire.to_frame()
    assert frame.iloc[0]["pivotal"] and frame.iloc[0]["binding"]
    assert frame["distance"].dropna().iloc[0] == min(frame["distance"].dropna())
    _, lever = ceasefire.pivotal
    assert lever.distance == pytest.approx(float(abs(F(lever.breaks_at) - lever.baseline) /
                                                 first_idlib().parameters[lever.parameter].width))
    assert "Pivotal lever" in ceasefire.summary() and lever.parameter in ceasefire.summary()


def test_nato_support_threshold_is_readable(ceasefire):
    (turkey,) = [r for r in ceasefire.reports if r.condition.player == "Turkey"]
    nato = next(t for t in turkey.thresholds if t.parameter == "nato_support")
    assert nato.breaks_at == F(99, 280) / F(4, 5) - F(1, 4)  # (99/280 - 1/5) / (4/5)
    assert nato.text == "holds while nato_support <= 0.192"


def test_an_outcome_that_fails_says_what_would_restore_it(idlib):
    ex = explain(idlib, "ceasefire", monitoring=0.2)
    assert not ex.holds
    (failing,) = [r for r in ex.reports if not r.holds]
    mon = next(t for t in failing.thresholds if t.parameter == "monitoring")
    assert mon.text == "would hold if monitoring >= 0.3333" and mon.breaks_at == F(1, 3)
    assert "Failing: Russia/Syria prefers halt to press" in ex.summary()


def test_refugee_leverage_explained(idlib):
    ex = explain(idlib, "leverage_fails")
    assert ex.holds
    eu = next(r for r in ex.reports if r.condition.player == "EU/Greece")
    clash = next(t for t in eu.thresholds if t.parameter == "clash_cost")
    # The EU seals while clash_cost <= eu_reluctance*release_share*refugees_hosted*(1 - border_leak) = 0.19.
    assert clash.breaks_at == F(19, 100)


def test_cli_explain_prints_the_table(capsys):
    assert main(["explain", FIRST_IDLIB, "--outcome", "ceasefire"]) == 0
    out = capsys.readouterr().out
    assert "Russia/Syria prefers halt to press" in out and "Turkey prefers accept to escalate" in out
    assert "holds while nato_support <= 0.192" in out and "pivotal" in out and "Pivotal lever" in out
    assert main(["explain", FIRST_IDLIB, "--outcome", "ceasefire", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["holds"] is True and len(data["conditions"]) == 2
    assert main(["explain", FIRST_IDLIB, "--outcome", "ceasefire", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("profile,condition,player,slack")


def test_cli_solve_and_show_a_scenario(capsys):
    assert main(["solve", FIRST_IDLIB, "--game", "escalation", "--set", "nato_support=0.8", "--exact",
                 "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (eq,) = data["equilibria"]
    assert eq["profile"]["Turkey"] == {"accept": "0", "escalate": "1"}
    assert main(["show", "idlib-2020"]) == 0
    out = capsys.readouterr().out
    assert "nato_cover" in out and "U.S. Department of State" in out
    assert "ceasefire [ceasefire_stage, historical]" in out and "-> equilibrium" in out
    assert main(["list"]) == 0 and "idlib-2020" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["solve", "idlib-2021"], "no catalog entry 'idlib-2021' (did you mean 'idlib-2020'?)"),
        (["solve", FIRST_IDLIB], "choose one with --game (escalation, refugee)"),
        (["solve", FIRST_IDLIB, "--game", "escalaton"], "no game 'escalaton' (did you mean 'escalation'?)"),
        (["solve", FIRST_IDLIB, "--game", "escalation", "--set", "nato_suport=0.8"],
         "no parameter 'nato_suport' (did you mean 'nato_support'?)"),
        (["solve", FIRST_IDLIB, "--game", "escalation", "--set", "nato_support=1.8"],
         "nato_support=1.8 is outside its bounds [0, 1]"),
        (["solve", FIRST_IDLIB, "--game", "escalation", "--set", "nato_support"], "expected NAME=VALUE"),
        (["solve", FIRST_IDLIB, "--game", "escalation", "--set", "nato_support=high"], "'high' is not a number"),
        (["explain", FIRST_IDLIB, "--outcome", "ceasfire"], "no outcome 'ceasfire' (did you mean 'ceasefire'?)"),
        (["explain", "chicken", "--outcome", "x"], "is a game, not a scenario"),
        (["solve", "chicken", "--set", "a=1"], "--game and --set apply to scenarios"),
        (["show", "missing.yaml"], "missing.yaml: no such file"),
    ],
)
def test_cli_errors_are_one_clear_line(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err


def test_a_failing_outcome_is_not_given_a_pivotal_lever(idlib):
    """When the outcome is not an equilibrium nothing can break it: the summary says which conditions
    fail, by how much, and what would restore each; it names no pivotal lever and no breaking point."""
    ex = explain(idlib, "ceasefire", monitoring=0.2, casualty_cost=0.005)
    assert not ex.holds and ex.pivotal is None and ex.binding is None
    assert len(ex.restoring) == 2 and all(t is not None for _, t in ex.restoring)
    text = ex.summary()
    assert "Pivotal" not in text and "breaks if" not in text
    assert "To restore it (each failing condition of a profile must be restored)" in text
    assert "casualty_cost rose to 0.01188" in text and "short by 0.227" in text
    assert not ex.to_frame()["pivotal"].any()
    held = explain(idlib, "ceasefire")
    assert held.pivotal is not None and held.restoring == [] and "breaks if" in held.summary()
