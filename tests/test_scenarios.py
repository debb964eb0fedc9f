"""Scenario files: validation errors, round trips, provenance (on the first Idlib model, a fixture;
the case itself is tested in test_idlib_case.py), and provenance rules every catalog scenario meets."""

from __future__ import annotations

import hashlib
import re
from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pytest
from conftest import FIRST_IDLIB, first_idlib

from negotiation import catalog, solve
from negotiation.domain import Distribution, dump_scenario, load_scenario, parse_scenario, save_scenario
from negotiation.errors import GameError, GameFormatError

ROOT = Path(__file__).resolve().parent.parent
IDLIB_FILE = Path(FIRST_IDLIB)
CASES = [name for name in catalog.list("scenario")]
SOURCE = ROOT.parent / "shared" / "sources" / "idlib-ceasefire-march-2020.txt"


@pytest.fixture(scope="module")
def idlib():
    return first_idlib()


def pure_equilibria(result):
    out = []
    for eq in result:
        probs = eq.profile.probabilities
        assert all(max(v) == 1 for v in probs), "a mixed equilibrium where the history has a pure outcome"
        out.append(tuple(eq.profile.strategies[i][int(np.argmax(v))] for i, v in enumerate(probs)))
    return out


def test_baseline_reproduces_the_historical_outcome(idlib):
    """At baseline the ceasefire on the current lines is the only equilibrium of the escalation
    game, and Turkey's release of refugees meets a sealed border (its leverage fails) as the
    only equilibrium of the refugee game; the source reports both."""
    escalation = solve(idlib.at("escalation"), "all", exact=True)
    assert escalation.complete and pure_equilibria(escalation) == [("accept", "halt")]
    refugee = solve(idlib.at("refugee"), "all", exact=True)
    assert refugee.complete and pure_equilibria(refugee) == [("release", "seal")]
    historical = [o for o, spec in idlib.outcomes.items() if spec.historical]
    assert historical == ["ceasefire", "leverage_fails"]
    assert all(idlib.holds(o) for o in historical)
    assert not idlib.holds("war") and not idlib.holds("leverage_works")


def test_games_share_parameters(idlib):
    used = {g: {str(s) for e in idlib.game(g).payoffs.flat for s in e.free_symbols} for g in idlib.games}
    assert {"refugees_hosted", "displaced", "burden_weight"} <= used["escalation"] & used["refugee"]
    assert {"air_power", "nato_support", "casualties", "casualty_cost", "monitoring"} <= used["escalation"]
    assert set().union(*used.values()) == set(idlib.parameters)  # no parameter is decorative


@pytest.mark.parametrize("name", CASES)
def test_every_number_of_the_catalog_has_its_provenance(name):
    sc = catalog.load(name)
    for p in sc.parameters.values():
        for prov in (p.baseline_provenance, p.range_provenance):
            assert prov.source or prov.assumption, p.name
            assert not prov.source or (prov.source in sc.sources and prov.fact)
    for i in sc.interventions.values():
        assert i.description and all(k in sc.parameters for k, _ in i.values)


def test_every_number_has_its_provenance(idlib):
    for p in idlib.parameters.values():
        for prov in (p.baseline_provenance, p.range_provenance):
            assert prov.source or prov.assumption, p.name
            assert not prov.source or (prov.source in idlib.sources and prov.fact)
    sourced = {name: p.baseline for name, p in idlib.parameters.items() if p.baseline_provenance.kind == "source"}
    assert sourced == {"refugees_hosted": 4, "displaced": 1}  # read off the article as they stand
    assert idlib.parameters["casualties"].baseline == 33
    assert idlib.parameters["displaced"].bounds[1] == F(7, 2)  # the population of Idlib


SHINGLES = Path(__file__).resolve().parent / "data" / "idlib-source-shingles.txt"


def _shingles(text: str, n: int = 8) -> set[str]:
    """Hashes of every run of ``n`` words (the source's sentences cannot be rebuilt from them)."""
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {hashlib.sha256(" ".join(words[i : i + n]).encode()).hexdigest()[:16] for i in range(len(words) - n + 1)}


@pytest.mark.skipif(not SOURCE.exists(), reason="the shared source text is not beside this checkout")
def test_shingle_file_matches_the_source():
    assert set(SHINGLES.read_text().split()) == _shingles(SOURCE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", [*CASES, FIRST_IDLIB])
def test_facts_paraphrase_the_source_without_copying_it(name):
    """No fact, description or assumption copies a run of eight or more of the article's words."""
    idlib = load_scenario(name) if name == FIRST_IDLIB else catalog.load(name)
    source = set(SHINGLES.read_text().split())
    texts = [prov.fact for p in idlib.parameters.values() for prov in (p.baseline_provenance, p.range_provenance)]
    texts += [idlib.description, *idlib.assumptions] + [g.description for g in idlib.games.values()]
    texts += [t.description for t in idlib.trees.values()] + [o.description for o in idlib.outcomes.values()]
    texts += [i.description for i in idlib.interventions.values()] + [e.reason for e in idlib.explained]
    for text in texts:
        assert not _shingles(text) & source, text


def test_round_trip_load_save_load_is_equal(idlib, tmp_path):
    target = tmp_path / "copy.yaml"
    save_scenario(idlib, target)
    again = load_scenario(target)
    assert again == idlib
    assert dump_scenario(again) == dump_scenario(idlib)
    for game in idlib.games:
        assert again.game(game) == idlib.game(game)


def test_catalog_lists_and_loads_scenarios(idlib):
    assert "idlib-2020" in catalog.list()
    assert "UNHCR, Turkey Operational Update, February 2020" in catalog.provenance("idlib-2020")
    with pytest.raises(GameError, match=r"no catalog entry 'idlib-2021' \(did you mean 'idlib-2020'\?\)"):
        catalog.load("idlib-2021")


def test_values_refuse_unknown_and_out_of_bounds(idlib):
    assert idlib.values(nato_support=0.8)["nato_support"] == F(4, 5)
    with pytest.raises(GameError, match=r"no parameter 'nato_suport' \(did you mean 'nato_support'\?\)"):
        idlib.values(nato_suport=0.8)
    with pytest.raises(GameError, match=r"nato_support=1.5 is outside its bounds \[0, 1\]"):
        idlib.values(nato_support=1.5)


def test_distributions_sample_within_their_support(idlib):
    rng = np.random.default_rng(np.random.SeedSequence(7))
    for p in idlib.parameters.values():
        draws = p.distribution.sample(rng, 2000)
        assert draws.min() >= p.distribution.low and draws.max() <= p.distribution.high
        assert float(p.bounds[0]) <= draws.min() and draws.max() <= float(p.bounds[1])
    beta = Distribution.from_dict({"kind": "beta", "a": 2, "b": 6, "low": 0, "high": 2})
    assert beta.scipy().mean() == pytest.approx(0.5)  # 2 * a/(a+b)
    trunc = Distribution.from_dict({"kind": "truncnormal", "mean": 0.5, "sd": 1, "low": 0, "high": 1})
    draws = trunc.sample(np.random.default_rng(np.random.SeedSequence(8)), 5000)
    assert 0 <= draws.min() and draws.max() <= 1 and abs(draws.mean() - 0.5) < 0.02  # symmetric truncation
    again = trunc.sample(np.random.default_rng(np.random.SeedSequence(8)), 5000)
    assert np.array_equal(draws, again)  # the same seed gives the same draws
    with pytest.raises(ValueError, match="takes low, high; unexpected mode"):
        Distribution.from_dict({"kind": "uniform", "low": 0, "high": 1, "mode": 0.5})
    with pytest.raises(ValueError, match="mode"):
        Distribution.from_dict({"kind": "triangular", "low": 0, "high": 1, "mode": 2})


# Each mutation of the Idlib file, the key path the error must name and a phrase of its reason.
BAD_FILES = [
    ("    baseline: 0.1\n    bounds: [0, 1]\n    distribution: {kind: beta, a: 2",
     "    baselin: 0.1\n    bounds: [0, 1]\n    distribution: {kind: beta, a: 2",
     "parameters.nato_support", "unexpected key(s) ['baselin'] (did you mean 'baseline'?)"),
    ("    baseline: 0.1\n    bounds: [0, 1]\n    distribution: {kind: beta, a: 2",
     "    baseline: 1.1\n    bounds: [0, 1]\n    distribution: {kind: beta, a: 2",
     "parameters.nato_support.baseline", "outside the bounds"),
    ("baseline: 33", "baseline: many", "parameters.casualties.baseline", "'many' is not a number"),
    ("{kind: triangular, low: 2, mode: 33, high: 72}", "{kind: triangular, low: 2, mode: 80, high: 72}",
     "parameters.casualties.distribution", "mode (80.0) must lie in [low, high]"),
    ("{kind: triangular, low: 2, mode: 33, high: 72}", "{kind: triangular, low: 2, mode: 33, high: 90}",
     "parameters.casualties.distribution", "leaves the bounds"),
    ("{source: article, fact: Roughly one million", "{source: articel, fact: Roughly one million",
     "parameters.displaced.provenance.baseline.source", "unknown source 'articel' (did you mean 'article'?)"),
    ("players: [turkey, eu]", "players: [turkey, europe]", "games.refugee.players[1]", "unknown party 'europe'"),
    ("      - profile: [block, seal]\n", "      - profile: [block, seel]\n", "games.refugee.payoffs[0].profile[1]",
     "eu has no strategy 'seel' (did you mean 'seal'?)"),
    ("      - profile: [block, seal]\n", "      - profile: [block, admit]\n", "games.refugee.payoffs[1].profile",
     "already given at payoffs[0]"),
    ('        russia_syria: "1"\n', '        russia_syria: "1 + air_powr"\n',
     "games.escalation.payoffs[0].russia_syria",
     "unknown parameter 'air_powr' (did you mean 'air_power'?)"),
    ('        russia_syria: "1"\n', "        russia_syria: \"__import__('os').system('x')\"\n",
     "games.escalation.payoffs[0].russia_syria", "not allowed (allowed functions: abs, exp, log, max, min, sqrt)"),
    ('        turkey: "0"\n', '        turkey: "x.__class__"\n', "games.refugee.payoffs[0].turkey",
     "attribute access not allowed"),
    ("      - {turkey: accept, russia_syria: halt}", "      - {turkey: accept, russia_syria: hallt}",
     "outcomes.ceasefire.profiles[0].russia_syria", "no strategy 'hallt' (did you mean 'halt'?)"),
    ("    game: escalation\n    historical: true", "    game: escalaton\n    historical: true",
     "outcomes.ceasefire.game", "unknown game 'escalaton' (did you mean 'escalation'?)"),
    ("format: negotiation-scenario/1", "format: negotiation-scenario/2", "format", "negotiation-scenario/1"),
    ("bounds: [0, 3.5]", "bounds: [0]", "parameters.displaced.bounds", "too short"),
    ("    game: escalation\n    target:", "    game: escalate\n    target:", "repeated.ceasefire_holds.game",
     "unknown game 'escalate' (did you mean 'escalation'?)"),
    ("target: {turkey: accept, russia_syria: halt}", "target: {turkey: accept, russia_syria: stop}",
     "repeated.ceasefire_holds.target.russia_syria", "no strategy 'stop'"),
    ("    detection: monitoring\n", "    detection: monitorin\n", "repeated.ceasefire_holds.detection",
     "unknown parameter 'monitorin' (did you mean 'monitoring'?)"),
    ("utilities: {turkey: x, russia_syria: x}", "utilities: {turkey: y, russia_syria: x}",
     "bargaining.ceasefire_line.utilities.turkey", "unknown parameter 'y'"),
    ("utilities: {turkey: x, russia_syria: x}", "utilities: {turkey: x}",
     "bargaining.ceasefire_line.utilities", "one expression for each of turkey, russia_syria"),
]


@pytest.mark.parametrize(("old", "new", "key_path", "reason"), BAD_FILES, ids=[b[2] for b in BAD_FILES])
def test_bad_files_name_the_file_line_key_path_and_reason(old, new, key_path, reason, tmp_path):
    text = IDLIB_FILE.read_text(encoding="utf-8")
    assert old in text, old
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(GameFormatError) as info:
        load_scenario(bad)
    err = info.value
    assert err.path == str(bad) and err.field == key_path, str(err)
    assert reason in err.reason, str(err)
    assert str(err).startswith(f"{bad}:{err.line}: {key_path}: ")
    line = bad.read_text(encoding="utf-8").splitlines()[err.line - 1]
    first_key = key_path.split(".")[-1].split("[")[0]
    assert first_key in line or new.strip().splitlines()[0].strip() in line or "- " in line, (line, str(err))


def test_not_yaml_and_missing_sections():
    with pytest.raises(GameFormatError, match=r"<scenario>:2: not valid YAML"):
        parse_scenario("a: [1,\nb: }")
    with pytest.raises(GameFormatError, match="'parties' is a required property"):
        parse_scenario("format: negotiation-scenario/1\nname: x\ntitle: X\nsources: {a: {title: A}}\n")
    with pytest.raises(GameFormatError, match="needs at least one game or tree"):
        parse_scenario("format: negotiation-scenario/1\nname: x\ntitle: X\nsources: {a: {title: A}}\n"
                       "parties: {p: {name: P}, q: {name: Q}}\nparameters: {c: {description: C, unit: u, "
                       "baseline: 1, bounds: [0, 2], distribution: {kind: uniform, low: 0, high: 2}, provenance: "
                       "{baseline: {assumption: A.}, range: {assumption: A.}}}}\n")
    with pytest.raises(GameFormatError, match="cannot read"):
        load_scenario("/nonexistent/file.yaml")
