"""The model checker: each finding class fires on a small scenario built to trigger it, and not on
one built not to; the Idlib case's known faults are found; the command line prints the table."""

from __future__ import annotations

import copy
import json

import pytest
from conftest import FIRST_IDLIB, first_idlib

from negotiation.cli import main
from negotiation.domain.diagnostics import CheckSettings, diagnose
from negotiation.domain.scenario import dump_scenario, from_dict
from negotiation.errors import GameError

FAST = {"n": 600, "sobol": 256, "seed": 3}


def _parameter(description, unit, baseline, bounds, dist, fact="Measured in the survey.", assumption=""):
    prov = {"source": "survey", "fact": fact}
    if assumption:
        prov["assumption"] = assumption
    return {"description": description, "unit": unit, "baseline": baseline, "bounds": bounds,
            "distribution": dist, "provenance": {"baseline": prov, "range": {"assumption": "A plausible range."}}}


BASE = {
    "format": "negotiation-scenario/1",
    "name": "toy",
    "title": "A standoff and a trade",
    "sources": {"survey": {"title": "Survey of standoffs, Example Statistics Agency, 12 March 2020",
                           "location": "Example Statistics Agency report 2020/7"}},
    "parties": {"a": {"name": "A"}, "b": {"name": "B"}},
    "parameters": {
        "resolve": _parameter("A's value of holding its ground.", "utility", 1, [0.5, 1.5],
                              {"kind": "uniform", "low": 0.5, "high": 1.5}),
        "cost": _parameter("A's cost of a fight.", "utility", 0.3, [0, 1.5],
                           {"kind": "uniform", "low": 0, "high": 0.8}),
        "temptation": _parameter("Gain from cheating on a trade.", "utility", 1, [0.5, 1.5],
                                 {"kind": "uniform", "low": 0.5, "high": 1.5}),
    },
    "games": {
        "standoff": {
            "title": "Standoff", "players": ["a", "b"],
            "strategies": {"a": ["hold", "fold"], "b": ["push", "stop"]},
            "payoffs": [
                {"profile": ["hold", "push"], "a": "resolve - cost", "b": "-1"},
                {"profile": ["hold", "stop"], "a": "resolve", "b": "-2"},
                {"profile": ["fold", "push"], "a": "0", "b": "1"},
                {"profile": ["fold", "stop"], "a": "0", "b": "0"},
            ],
        },
        "trade": {
            "title": "Trade", "players": ["a", "b"],
            "strategies": {"a": ["keep", "cheat"], "b": ["keep", "cheat"]},
            "payoffs": [
                {"profile": ["keep", "keep"], "a": "2", "b": "2"},
                {"profile": ["keep", "cheat"], "a": "-1", "b": "2 + temptation"},
                {"profile": ["cheat", "keep"], "a": "2 + temptation", "b": "-1"},
                {"profile": ["cheat", "cheat"], "a": "0", "b": "0"},
            ],
        },
    },
    "outcomes": {"standoff": {"description": "A holds, B pushes.", "game": "standoff", "historical": True,
                              "profiles": [{"a": "hold", "b": "push"}]}},
    "repeated": {"trust": {"title": "Repeated trade", "game": "trade", "target": {"a": "keep", "b": "keep"},
                           "punishment": {"a": "cheat", "b": "cheat"}}},
}


def _scenario(mutate=None):
    data = copy.deepcopy(BASE)
    if mutate is not None:
        mutate(data)
    return from_dict(data)


def _codes(scenario, **kwargs):
    report = diagnose(scenario, **{**FAST, **kwargs})
    return {f.code for f in report.findings if f.severity != "note"}, report


def test_the_clean_scenario_has_no_finding():
    codes, report = _codes(_scenario())
    assert codes == set(), report.to_text()
    assert set(report.sensitivity) == {"standoff"}
    assert set(report.sensitivity["standoff"].baseline) == {"source"}


def _set_payoff(game, profile, player, text):
    def mutate(d):
        for row in d["games"][game]["payoffs"]:
            if row["profile"] == profile:
                row[player] = text
    return mutate


def _both(*mutations):
    def mutate(d):
        for m in mutations:
            m(d)
    return mutate


def _add_parameter(name, **kw):
    def mutate(d):
        d["parameters"][name] = _parameter(**{"description": "Prestige of B.", "unit": "utility", "baseline": 1,
                                              "bounds": [0, 2], "dist": {"kind": "uniform", "low": 0, "high": 2},
                                              **kw})
    return mutate


CASES = {
    # code: (mutation that triggers it, expected severity)
    "inert-parameter": (_both(_add_parameter("prestige"),
                              _set_payoff("standoff", ["hold", "push"], "b", "-1 + prestige"),
                              _set_payoff("standoff", ["hold", "stop"], "b", "-2 + prestige")), "warning"),
    "unused-parameter": (_add_parameter("extra"), "warning"),
    "non-credible-threat": (lambda d: (d["games"].update(chicken={
        "title": "Chicken", "players": ["a", "b"], "strategies": {"a": ["swerve", "straight"], "b": ["swerve",
                                                                                                 "straight"]},
        "payoffs": [{"profile": ["swerve", "swerve"], "a": "0", "b": "0"},
                    {"profile": ["swerve", "straight"], "a": "-1", "b": "1"},
                    {"profile": ["straight", "swerve"], "a": "1", "b": "-1"},
                    {"profile": ["straight", "straight"], "a": "-10", "b": "-10"}]}),
        d["repeated"].update(bluff={"title": "Bluff", "game": "chicken", "target": {"a": "swerve", "b": "swerve"},
                                    "punishment": {"a": "straight", "b": "straight"}})), "error"),
    "repetition-explains-nothing": (lambda d: d["repeated"]["trust"].update(
        target={"a": "cheat", "b": "cheat"}), "warning"),
    "history-not-reproduced": (lambda d: d["outcomes"]["standoff"].update(
        profiles=[{"a": "fold", "b": "push"}]), "error"),
    "knife-edge": (lambda d: d["parameters"]["cost"].update(baseline=0.95), "warning"),
    "fragile-outcome": (lambda d: d["parameters"]["cost"].update(
        distribution={"kind": "triangular", "low": 0.4, "mode": 1.4, "high": 1.5}), "warning"),
    "rests-on-assumptions": (lambda d: [d["parameters"][p]["provenance"]["baseline"].update(
        assumption="Our guess.") for p in ("resolve", "cost")], "warning"),
    "not-a-document": (lambda d: d["sources"]["survey"].update(
        title="Modelling brief of this project (issue 3), 2020"), "error"),
    "source-location": (lambda d: d["sources"]["survey"].update(location="shared/sources/survey.txt"), "warning"),
    "source-undated": (lambda d: d["sources"]["survey"].update(title="Survey of standoffs",
                                                               location="Example Statistics Agency"), "warning"),
    "unit-contradiction": (lambda d: d["parameters"]["temptation"].update(unit="share (0-1)"), "error"),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_finding_class_fires_when_built_to(code):
    mutate, severity = CASES[code]
    codes, report = _codes(_scenario(mutate))
    hits = [f for f in report.findings if f.code == code]
    assert hits, report.to_text()
    assert severity in {f.severity for f in hits}
    assert all(f.advice and f.where for f in hits)
    # Nothing else fires, except what the mutation implies (a cancelled parameter also leaves the outcome
    # conditions; a knife edge or a fragile outcome can also be the other; a harsh fault can shift Sobol shares).
    implied = {"knife-edge": {"fragile-outcome"}, "fragile-outcome": {"knife-edge"},
               "history-not-reproduced": {"fragile-outcome"}}.get(code, set())
    assert codes - {code} <= implied, report.to_text()


def test_fact_not_in_source_needs_the_text():
    """A number in a fact that the source's text does not contain is flagged; written as a word or as
    digits with a thousands separator it is found."""
    def mutate(d):
        d["parameters"]["resolve"]["provenance"]["baseline"]["fact"] = "12 of 1,500 respondents would hold."

    scenario = _scenario(mutate)
    assert "fact-not-in-source" not in _codes(scenario)[0]  # no text given: nothing to compare
    codes, report = _codes(scenario, texts={"survey": "Of 1500 people asked, twelve said they would hold."})
    assert "fact-not-in-source" not in codes, report.to_text()
    codes, report = _codes(scenario, texts={"survey": "Of 1500 people asked, a few said they would hold."})
    (hit,) = [f for f in report.findings if f.code == "fact-not-in-source"]
    assert "cites 12, which" in hit.message
    assert hit.where.endswith("parameters.resolve.provenance.baseline.fact")


def test_places_name_the_file_line_and_key(tmp_path):
    path = tmp_path / "toy.yaml"
    path.write_text(dump_scenario(_scenario(CASES["unused-parameter"][0])), encoding="utf-8")
    from negotiation.domain.scenario import load_scenario

    report = load_scenario(path).diagnose(**FAST)
    (hit,) = [f for f in report.findings if f.code == "unused-parameter"]
    line = next(k for k, text in enumerate(path.read_text().splitlines(), 1) if text.strip() == "extra:")
    assert hit.where.endswith(f"toy.yaml:{line}: parameters.extra")
    frame = report.to_frame()
    assert list(frame.columns) == ["severity", "code", "where", "message", "advice", "explanation"]


def test_a_finding_can_be_answered_in_the_file_but_not_an_error(tmp_path):
    """An ``explained:`` entry attaches its reason to the finding it names; one that names no finding
    is reported as stale; one that names an error is refused (the error stands)."""
    def answered(d):
        CASES["unused-parameter"][0](d)
        d["sources"]["brief"] = {"title": "Project brief, issue 12"}
        d["parameters"]["extra"]["provenance"]["baseline"] = {"source": "brief", "fact": "One."}
        d["explained"] = [
            {"finding": "unused-parameter", "at": "parameters.extra", "reason": "Kept for a later game."},
            {"finding": "knife-edge", "at": "outcomes.nowhere", "reason": "Stale."},
            {"finding": "not-a-document", "at": "sources.brief", "reason": "It is good enough."},
        ]

    path = tmp_path / "toy.yaml"
    path.write_text(dump_scenario(_scenario(answered)), encoding="utf-8")
    from negotiation.domain.scenario import load_scenario

    report = load_scenario(path).diagnose(**FAST)
    (hit,) = [f for f in report.findings if f.code == "unused-parameter"]
    assert hit.explanation == "Kept for a later game." and hit not in report.unexplained
    assert "explained: Kept for a later game." in report.to_text()
    stale, refused = [f for f in report.findings if f.code == "stale-explanation"]
    assert "outcomes.nowhere" in stale.message and stale.where.endswith("explained[1]")
    assert stale in report.unexplained
    (error,) = [f for f in report.findings if f.code == "not-a-document"]
    assert error.severity == "error" and not error.explanation and error in report.unexplained
    assert "cannot be explained away" in refused.message and refused.where.endswith("explained[2]")


def test_settings_are_stated_and_checked():
    scenario = _scenario(CASES["knife-edge"][0])
    strict = diagnose(scenario, CheckSettings(slack_share=0.0, distance_share=0.0), **{**FAST})
    assert "knife-edge" not in strict.codes()
    with pytest.raises(GameError, match="unknown check setting"):
        diagnose(scenario, slack=0.1)


def test_the_faults_of_the_first_idlib_model_are_found():
    """The faults a referee found in the first Idlib model: NATO's deterrence of Russia cancels out of
    every comparison, and the ceasefire rests on a knife edge of invented weights."""
    idlib = first_idlib()
    report = idlib.diagnose(n=2000, sobol=512)
    by_code = {}
    for f in report.findings:
        by_code.setdefault(f.code, []).append(f)
    assert any("parameters.nato_confrontation" in f.where for f in by_code["inert-parameter"])
    assert any("outcomes.ceasefire" in f.where for f in by_code["rests-on-assumptions"])
    assert all("idlib-first.yaml:" in f.where for f in report.findings)
    assert not report.unexplained == ()  # the first model explains none of its faults


def test_command_line_check(capsys):
    code = main(["check", FIRST_IDLIB, "-n", "500", "--sobol", "128", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert out["scenario"] == "idlib-first" and out["settings"]["n"] == 500
    assert code == (1 if any(f["severity"] == "error" for f in out["findings"]) else 0)
    with pytest.raises(SystemExit):
        main(["check", "idlib-2020", "-n", "0"])
    assert "argument -n: 0 is below the least allowed value, 1" in capsys.readouterr().err


def test_sobol_indices_in_the_stress_test():
    """Saltelli's estimators (SALib) on an outcome that one parameter alone decides (A holds iff
    resolve >= 1): its first-order and total indices are 1 within their intervals and the other's are
    0 exactly; the indices are reproducible from the root seed and change with it."""
    from negotiation.domain.stress import sobol_indices, stress_test

    scenario = _scenario(_set_payoff("standoff", ["hold", "push"], "a", "resolve - 1"))
    both = ["resolve", "cost"]
    table = sobol_indices(scenario, "standoff", 2048, rng=5, vary=both).set_index("parameter")
    assert abs(table.loc["resolve", "S1"] - 1) <= max(table.loc["resolve", "S1_conf"], 0.05)
    assert abs(table.loc["resolve", "ST"] - 1) <= max(table.loc["resolve", "ST_conf"], 0.05)
    assert table.loc["cost", "ST"] == 0 and table.loc["cost", "S1"] == 0
    again = sobol_indices(scenario, "standoff", 2048, rng=5, vary=both).set_index("parameter")
    assert again.equals(table)
    other = sobol_indices(scenario, "standoff", 2048, rng=6, vary=both).set_index("parameter")
    assert not other.equals(table)
    stress = stress_test(_scenario(), "standoff", n=500, rng=5, sobol=256)
    assert {"S1", "S1_conf", "ST", "ST_conf", "baseline"} <= set(stress.sensitivity.columns)
    assert "ST" not in stress_test(_scenario(), "standoff", n=500, rng=5, sobol=None).sensitivity
