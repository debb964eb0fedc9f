"""Game trees in scenario files: chance, information sets and payoffs in the parameters, with
``at``, ``solve``, ``explain``, ``sweep``, ``stress_test`` and ``check`` working on them."""

from __future__ import annotations

import json
import textwrap
from fractions import Fraction as F

import numpy as np
import pytest

from negotiation.cli import main
from negotiation.domain.explain import explain
from negotiation.domain.scenario import dump_scenario, parse_scenario
from negotiation.domain.stress import stress_test, sweep
from negotiation.engine.extensive import ExtensiveFormGame
from negotiation.errors import GameFormatError

# Escalate, then settle: Turkey knows whether it is resolved to fight on (prior `resolve`); the
# regime sees only whether Turkey escalated.  A resolved Turkey fights at cost `cost_resolved`, an
# unresolved one at `cost_unresolved`; pressing on against a resolved Turkey costs the regime
# `loss`, against an unresolved one it gains `gain`.
TEXT = textwrap.dedent("""\
    format: negotiation-scenario/1
    name: crisis
    title: Escalate, then settle
    sources:
      survey: {title: "Survey of crises, Example Agency, 2020"}
    parties:
      turkey: {name: Turkey}
      regime: {name: Regime}
    parameters:
      resolve:
        description: Probability that Turkey is resolved to fight on.
        unit: probability
        baseline: 0.6
        bounds: [0.05, 0.95]
        distribution: {kind: uniform, low: 0.3, high: 0.9}
        provenance: {baseline: {source: survey, fact: Six crises in ten.}, range: {assumption: Wide.}}
      cost_resolved:
        description: A resolved Turkey's cost of fighting on.
        unit: utility
        baseline: 0.2
        bounds: [0, 1]
        distribution: {kind: uniform, low: 0, high: 0.6}
        provenance: {baseline: {source: survey, fact: Low.}, range: {assumption: Wide.}}
      cost_unresolved:
        description: An unresolved Turkey's cost of fighting on.
        unit: utility
        baseline: 1.5
        bounds: [0.5, 3]
        distribution: {kind: uniform, low: 0.8, high: 2.5}
        provenance: {baseline: {source: survey, fact: High.}, range: {assumption: Wide.}}
      loss:
        description: The regime's loss from pressing on against a resolved Turkey.
        unit: utility
        baseline: 1
        bounds: [0, 2]
        distribution: {kind: uniform, low: 0.5, high: 1.5}
        provenance: {baseline: {source: survey, fact: Heavy.}, range: {assumption: Wide.}}
      gain:
        description: The regime's gain from pressing on against an unresolved Turkey.
        unit: utility
        baseline: 0.5
        bounds: [0, 2]
        distribution: {kind: uniform, low: 0.2, high: 1}
        provenance: {baseline: {source: survey, fact: Some.}, range: {assumption: Wide.}}
    trees:
      crisis:
        title: Spring offensive
        players: [turkey, regime]
        root:
          chance:
            resolved:
              probability: resolve
              then:
                player: turkey
                at: turkey resolved
                moves:
                  accept: {payoffs: {turkey: "-1", regime: "1"}}
                  escalate:
                    player: regime
                    at: after escalation
                    name: resolved escalates
                    moves:
                      halt: {payoffs: {turkey: "0", regime: "0"}}
                      press: {payoffs: {turkey: "-cost_resolved", regime: "-loss"}}
            unresolved:
              probability: 1 - resolve
              then:
                player: turkey
                at: turkey unresolved
                moves:
                  accept: {payoffs: {turkey: "-1", regime: "1"}}
                  escalate:
                    player: regime
                    at: after escalation
                    name: unresolved escalates
                    moves:
                      halt: {payoffs: {turkey: "0", regime: "0"}}
                      press: {payoffs: {turkey: "-1 - cost_unresolved", regime: "1 + gain"}}
    outcomes:
      fight_then_settle:
        description: Turkey escalates whatever its resolve and the regime halts.
        tree: crisis
        historical: true
        strategy: {turkey resolved: escalate, turkey unresolved: escalate, after escalation: halt}
      separate:
        description: Only a resolved Turkey escalates; the regime then halts.
        tree: crisis
        strategy: {turkey resolved: escalate, turkey unresolved: accept, after escalation: halt}
    """)


@pytest.fixture(scope="module")
def crisis():
    return parse_scenario(TEXT, "crisis.yaml")


def test_tree_loads_solves_and_round_trips(crisis):
    assert crisis.model_kind("crisis") == "tree" and list(crisis.trees) == ["crisis"]
    tree = crisis.at("crisis")
    assert isinstance(tree, ExtensiveFormGame) and not tree.is_symbolic
    assert parse_scenario(dump_scenario(crisis)) == crisis
    spe = crisis.solve("crisis")
    assert len(spe) >= 1
    assert crisis.outcome("separate").kind == "tree"


def test_pooling_on_escalation_needs_a_likely_resolve(crisis):
    """Pooling on escalation with the regime halting: the regime halts iff
    resolve*(-loss) + (1 - resolve)(1 + gain) <= 0, i.e. resolve >= (1 + gain)/(1 + gain + loss) = 3/5
    at baseline, and each type prefers escalating (0) to accepting (-1)."""
    ((labels, prof, conds),) = crisis.outcome_conditions("fight_then_settle")
    assert labels == ("turkey resolved", "after escalation", "turkey unresolved")  # preorder
    assert prof == ("escalate", "halt", "escalate")
    regime = next(c for c in conds if c.at == "after escalation")
    assert regime.on_path and regime.slack(crisis.baseline()) == 0  # a knife edge at baseline
    ex = explain(crisis, "fight_then_settle")
    assert ex.holds
    resolve = next(t for r in ex.reports for t in r.thresholds if t.parameter == "resolve")
    assert resolve.breaks_at == F(3, 5) and resolve.text == "holds while resolve >= 0.6"
    assert not crisis.holds("fight_then_settle", resolve=F(1, 2))
    # Separating: the unresolved type would rather escalate too (0 > -1), so it is not an equilibrium.
    assert not crisis.holds("separate")
    failing = [r.condition.label for r in explain(crisis, "separate").reports if not r.holds]
    assert failing == ["Turkey prefers accept to escalate at turkey unresolved"]


def test_sweep_and_stress_on_a_tree_outcome(crisis):
    grid = {"resolve": np.linspace(0.05, 0.95, 19), "loss": [0.5, 1.0, 1.5]}
    frame = sweep(crisis, grid, outcome="fight_then_settle")
    for row in frame.itertuples():
        assert crisis.holds("fight_then_settle", resolve=F(row.resolve).limit_denominator(1000),
                            loss=F(row.loss)) == row.holds
    result = stress_test(crisis, "fight_then_settle", n=3000, rng=4, sobol=256)
    assert 0 < result.probability < 1
    for k in range(0, 3000, 500):
        row = result.draws.iloc[k]
        values = {p: row[p] for p in crisis.outcome_parameters("fight_then_settle")}
        assert crisis.holds("fight_then_settle", values) == row["holds"]
    sens = result.sensitivity.set_index("parameter")
    assert set(sens.index) == {"resolve", "cost_resolved", "cost_unresolved", "loss", "gain"}
    assert sens.loc["cost_resolved", "ST"] == 0 and sens.loc["cost_unresolved", "ST"] == 0  # pooling ignores costs
    assert sens.loc["resolve", "ST"] > 0.1
    assert result.breakdown["distance"] == 0.0 or result.breakdown["distance"] is not None


def test_check_and_command_line(crisis, tmp_path, capsys):
    report = crisis.diagnose(n=500, sobol=128)
    assert "knife-edge" in report.codes()  # the regime is indifferent at baseline
    path = tmp_path / "crisis.yaml"
    path.write_text(TEXT, encoding="utf-8")
    assert main(["solve", str(path), "--game", "crisis", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["method"] == "spe"
    assert main(["explain", str(path), "--outcome", "fight_then_settle"]) == 0
    assert "Regime prefers halt to press at after escalation" in capsys.readouterr().out


@pytest.mark.parametrize(("old", "new", "message"), [
    ("strategy: {turkey resolved: escalate, turkey unresolved: escalate, after escalation: halt}",
     "strategy: {turkey resolved: escalate, after escalation: halt}", "missing \\['turkey unresolved'\\]"),
    ("probability: 1 - resolve", "probability: 1 - 2*resolve", "must sum to 1"),
    ("at: after escalation\n", "at: turkey resolved\n", "information set 'turkey resolved' is turkey's"),
    ('press: {payoffs: {turkey: "-1 - cost_unresolved", regime: "1 + gain"}}',
     'press: {payoffs: {turkey: "-1 - cost_unresolved"}}', "one payoff for each"),
])
def test_bad_trees_name_the_place(old, new, message):
    assert old in TEXT
    with pytest.raises(GameFormatError, match=message) as err:
        parse_scenario(TEXT.replace(old, new, 1), "crisis.yaml")
    assert "crisis.yaml:" in str(err.value)


def test_beliefs_off_the_path_are_stated_and_checked():
    """Nobody escalates: the regime's information set is off the path, so its beliefs must be
    stated; with P(resolved | escalation) = 9/10 halting is rational there."""
    peace = TEXT + textwrap.indent(textwrap.dedent("""\
        quiet:
          tree: crisis
          strategy: {turkey resolved: accept, turkey unresolved: accept, after escalation: press}
        """), "  ")
    with pytest.raises(GameFormatError, match="off the path of play: state the beliefs"):
        parse_scenario(peace, "crisis.yaml")
    stated = peace + "    beliefs: {after escalation: {resolved escalates: 0.9, unresolved escalates: 0.1}}\n"
    sc = parse_scenario(stated, "crisis.yaml")
    ((_, _, conds),) = sc.outcome_conditions("quiet")
    regime = next(c for c in conds if c.at == "after escalation")
    assert regime.on_path is False and regime.slack(sc.baseline()) == F(9, 10) * -1 + F(1, 10) * F(3, 2)
    assert parse_scenario(dump_scenario(sc)) == sc
