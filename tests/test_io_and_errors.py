"""Game files, conversions, and clear errors on bad input."""

from __future__ import annotations

import math
from pathlib import Path

import nashpy
import numpy as np
import pytest
from conftest import FIRST_IDLIB

from negotiation import NormalFormGame, catalog, limits, read_game, solve, write_nfg
from negotiation.errors import BudgetError, GameError, GameFormatError, SolverError
from negotiation.io import parse_nfg, read_efg_tree
from negotiation.io.efg import parse_efg, strategic_form
from tests.conftest import gambit_cell_payoffs

ROOT = Path(__file__).resolve().parent.parent

NAU_OUTCOME_FORMAT = """NFG 1 R "outcome version" { "" "" "" }

{ { "1" "2" }
{ "1" "2" }
{ "1" "2" }
}
""

{
{ "" 0, 0, 2 }
{ "" 3, 0, 0 }
{ "" 0, 3, 0 }
{ "" 0, 0, 0 }
{ "" 1, 1, 0 }
{ "" 0, 0, 0 }
{ "" 0, 0, 0 }
{ "" 0, 0, 3 }
}
1 2 3 4 5 6 7 8
"""


def test_outcome_format_equals_payoff_format():
    assert parse_nfg(NAU_OUTCOME_FORMAT).payoffs.tolist() == catalog.load("nau-2x2x2").payoffs.tolist()


@pytest.mark.parametrize("name", catalog.list("game"))
def test_nfg_round_trip(tmp_path, name):
    game = catalog.load(name)
    target = tmp_path / f"{name}.nfg"
    write_nfg(game, target, comment=catalog.provenance(name))
    again = read_game(target)
    assert again == game
    assert catalog.provenance(name).startswith("Source:")


def test_gambit_reads_what_we_write(tmp_path):
    gbt = pytest.importorskip("pygambit")
    game = catalog.load("stengel-degenerate")
    write_nfg(game, tmp_path / "g.nfg")
    g = gbt.read_nfg(str(tmp_path / "g.nfg"))
    assert [len(g.get_strategies(p)) for p in g.players] == [3, 2]
    assert gambit_cell_payoffs(g, (0, 1))[1] == game.payoffs[1, 0, 1]


def test_efg_strategic_form_matches_gambit(tmp_path):
    """A chance move and an information set: our strategic form equals pygambit's."""
    gbt = pytest.importorskip("pygambit")
    text = """EFG 2 R "entry with a chance move" { "Entrant" "Incumbent" }
""

c "" 1 "" { "strong" 1/3 "weak" 2/3 } 0
p "" 1 1 "" { "In" "Out" } 0
p "" 2 1 "" { "Fight" "Accommodate" } 0
t "" 1 "" { -1, 1 }
t "" 2 "" { 2, 2 }
t "" 3 "" { 0, 4 }
p "" 1 2 "" { "In" "Out" } 0
p "" 2 1 0
t "" 4 "" { -2, -1 }
t "" 5 "" { 3, 1 }
t "" 6 "" { 0, 4 }
"""
    path = tmp_path / "entry.efg"
    path.write_text(text)
    ours = read_game(path)
    theirs = gbt.read_efg(str(path))
    assert ours.shape == (4, 2)
    for idx in np.ndindex(*ours.shape):
        for i, payoff in enumerate(gambit_cell_payoffs(theirs, idx)):
            assert payoff == ours.payoffs[(i, *idx)]
    assert solve(ours, "all", exact=True).equilibria


def test_nashpy_and_frame_round_trips():
    game = catalog.load("battle-of-the-sexes")
    assert NormalFormGame.from_frame(game.to_frame()) == game
    back = NormalFormGame.from_nashpy(nashpy.Game(*[np.asarray(m, float) for m in game.bimatrix()]))
    assert np.array_equal(back.payoffs.astype(float), game.payoffs.astype(float))
    assert isinstance(game.to_nashpy(), nashpy.Game)


def test_game_is_immutable_and_rendered():
    game = catalog.load("chicken")
    with pytest.raises(ValueError):
        game.payoffs[0, 0, 0] = 7
    with pytest.raises(AttributeError):
        game.title = "x"  # type: ignore[misc]
    assert "Swerve" in repr(game) and "<table>" in game._repr_html_()
    assert r"\begin{tabular}" in game.to_latex()


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('NFG 1 R "t" { "A" "B" } { 2 2 }\n1 2 3 4 5 6 7', "truncated"),
        ('NFG 1 R "t" { "A" "B" } { 2 2 }\n1 2 3 4 5 6 7 8 9', "too many"),
        ('NFG 1 R "t" { "A" "B" } { 2 2 }\n1 2 x 4 5 6 7 8', "not a number"),
        ('NFG 1 R "t" { "A" "B" } { 2 2 }\n1 2 nan 4 5 6 7 8', "not a number"),
        ('NFG 1 R "t" { "A" "B" } { 2 2 }\n1 2 1e999 4 5 6 7 8', "absurd exponent"),
        ('NFG 1 R "t" { "A" "B" } { 2 }\n1 2', "strategy lists"),
        ('NFG 1 R "t" { "A" "B" } { { "x" } { } }\n', "no strategies"),
        ('NFG 1 R "t" { "A" "B" \n', "truncated"),
        ('XFG 1 R "t" { "A" }', "starts with 'NFG'"),
        ('NFG 1 R "t" { "A" "B" } { { "a" } { "b" } }\n""\n{ { "" 1, 2, 3 } }\n1', "exactly 2 payoffs"),
        ('NFG 1 R "t" { "A" "B" } { { "a" } { "b" } }\n""\n{ { "" 1, 2 } }\n4', "outcome index"),
    ],
)
def test_malformed_nfg_names_file_line_and_reason(tmp_path, text, needle):
    path = tmp_path / "bad.nfg"
    path.write_text(text)
    with pytest.raises(GameFormatError) as err:
        read_game(path)
    message = str(err.value)
    assert str(path) in message and needle in message
    assert err.value.line is not None or "no strategies" in needle


def test_bad_games_are_rejected():
    with pytest.raises(GameError, match="not finite"):
        NormalFormGame.from_arrays([[1.0, math.inf]], [[0.0, 0.0]])
    with pytest.raises(GameError, match="at least one strategy"):
        NormalFormGame(np.zeros((2, 0, 3)))
    with pytest.raises(GameError, match="inconsistent"):
        NormalFormGame(np.zeros((3, 2, 2)))
    with pytest.raises(GameError, match="different shapes"):
        NormalFormGame.from_arrays([[1, 2]], [[1], [2]])
    with pytest.raises(SolverError, match="unknown method"):
        solve(catalog.load("chicken"), "magic")
    with pytest.raises(SolverError, match="constant"):
        solve(catalog.load("chicken"), "zero_sum")


def test_exhaustive_methods_refuse_huge_games_and_suggest_one():
    big = NormalFormGame(np.zeros((2, 30, 30)))
    every = solve(big, "all")  # all 900 pure pairs are extreme, in one component: lexicographic pivoting
    assert len(every) == 900 and every.has_continuum and len(every.components) == 1
    degenerate = NormalFormGame(np.random.default_rng(0).integers(0, 3, size=(2, 9, 9)))
    with limits.raised(MAX_BASES_COMPILED=50), pytest.raises(BudgetError, match=r"COMPILED.*use method 'one'"):
        solve(degenerate, "all", exact=True)
    with limits.raised(MAX_SEARCH_BYTES=10**5), pytest.raises(BudgetError, match="MAX_SEARCH_BYTES"):
        solve(degenerate, "all", exact=True)
    big_entries = NormalFormGame(np.random.default_rng(0).integers(0, 3, size=(2, 9, 9)) * 10**6 + 1)
    with limits.raised(MAX_BASES=5), pytest.raises(BudgetError, match=r"MAX_BASES\b"):  # Python integers
        solve(big_entries, "all", exact=True)
    huge = NormalFormGame(np.zeros((3, 6, 6, 6)))
    with pytest.raises(BudgetError, match="'one' or 'numeric'"):
        solve(huge, "all")
    assert solve(big, "one")[0].regret == 0  # the suggested method works on it


def test_profiles_regret_and_dominance():
    from negotiation import iterated_elimination

    pd_game = catalog.load("prisoners-dilemma")
    coop = pd_game.profile({"Row": "Cooperate", "Column": "Cooperate"})
    assert pd_game.regret(coop) == 2 and not pd_game.is_nash(coop)
    assert pd_game.best_responses(coop) == {"Row": ("Defect",), "Column": ("Defect",)}
    assert iterated_elimination(pd_game).game.shape == (1, 1)
    # Only a mixture dominates the middle row (Myerson 1991, p. 57 style example).
    game = NormalFormGame.from_arrays([[3, 0], [1, 1], [0, 3]], [[0, 0], [0, 0], [0, 0]])
    assert iterated_elimination(game).game.shape == (3, 2)
    reduced = iterated_elimination(game, mixed=True)
    assert reduced.game.strategies[0] == ("s1", "s3")
    assert reduced.removed[0][:2] == ("P1", "s2")


def test_numeric_method_is_seeded_and_verified():
    game = catalog.load("nau-2x2x2")
    first = solve(game, "numeric", rng=7, starts=5)
    second = solve(game, "numeric", rng=7, starts=5)
    assert [e.profile for e in first] == [e.profile for e in second]
    assert first.complete is False and all(float(e.regret) <= 1e-9 for e in first)
    assert len(solve(game, "one", rng=3, starts=5)) == 1


def test_parse_efg_rejects_bad_probabilities():
    bad = 'EFG 2 R "t" { "A" }\n""\nc "" 1 "" { "x" 1/2 "y" 1/3 } 0\nt "" 1 "" { 1 }\nt "" 2 "" { 2 }\n'
    with pytest.raises(GameFormatError, match="not a distribution"):
        strategic_form(parse_efg(bad))


def test_the_engine_never_imports_the_domain_layer():
    """Layering: nothing under negotiation/engine imports negotiation.domain (or the CLI, catalog
    or compute layers), checked on the source's import statements."""
    import ast
    from pathlib import Path

    engine = Path(__file__).resolve().parents[1] / "negotiation" / "engine"
    forbidden = ("negotiation.domain", "negotiation.cli", "negotiation.catalog", "negotiation.compute")
    for path in engine.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n.startswith(forbidden) for n in names), (path, names)


# ------------------------------------------------------------------ strict readers
def test_yaml_aliases_duplicate_keys_and_deep_nesting_are_refused(tmp_path):
    """A "billion laughs" alias bomb is refused at its first alias, before anything expands; a key
    given twice names both lines; nesting is bounded."""
    import time

    from negotiation.domain.scenario import parse_scenario

    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    start = time.perf_counter()
    with pytest.raises(GameFormatError, match=r"<scenario>:2: not valid YAML: aliases \(\*name\) are not allowed"):
        parse_scenario(bomb)
    assert time.perf_counter() - start < 5  # refused, not expanded (9^9 leaves)
    text = Path(FIRST_IDLIB).read_text(encoding="utf-8")
    doubled = text.replace("    baseline: 4\n", "    baseline: 4\n    baseline: 5\n", 1)
    line = next(k for k, t in enumerate(doubled.splitlines(), 1) if t == "    baseline: 5")
    with pytest.raises(GameFormatError, match=rf":{line}: not valid YAML: duplicate key 'baseline' \(first given at "
                                              rf"line {line - 1}\)"):
        parse_scenario(doubled, "idlib.yaml")
    deep = "a: " + "[" * 200 + "]" * 200 + "\n"
    with pytest.raises(GameFormatError, match="nested deeper than 64 levels"):
        parse_scenario(deep)


def test_encodings_and_sizes_get_one_line(tmp_path, monkeypatch):
    from negotiation.domain.scenario import load_scenario

    text = Path(FIRST_IDLIB).read_text(encoding="utf-8")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(text.encode("utf-8").replace(b"Erdogan", b"Erdo\xf0an"))
    with pytest.raises(GameFormatError, match=r"latin\.yaml:\d+: not UTF-8 text \(byte 0xf0 at offset \d+\)"):
        load_scenario(latin)
    bom = tmp_path / "bom.yaml"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert load_scenario(bom).name == "idlib-first"
    efg = tmp_path / "bad.efg"
    efg.write_bytes(b'EFG 2 R "\xff" { "A" "B" }\n')
    with pytest.raises(GameFormatError, match=r"bad\.efg:1: not UTF-8 text"):
        read_efg_tree(efg)
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1000)
    with pytest.raises(GameFormatError, match=r"over the limit of 1,000 .*MAX_FILE_BYTES"):
        load_scenario(bom)


def test_power_towers_and_values_outside_the_reals_get_one_line(tmp_path):
    """A tower of powers is refused when parsed; a payoff that leaves the real numbers at some values
    (an odd root of a negative number, a division by zero) names the file, line, key and values."""
    from negotiation.domain.scenario import load_scenario
    from negotiation.engine.expressions import ExpressionError, parse_expression

    with pytest.raises(ExpressionError, match="power tower"):
        parse_expression("a**a**a**a**a**a", ["a"])
    assert str(parse_expression("a**b", ["a", "b"])) == "a**b"
    text = Path(FIRST_IDLIB).read_text(encoding="utf-8")
    odd = text.replace('        turkey: "-1"\n        russia_syria: "1"\n',
                       '        turkey: "-1"\n        russia_syria: "(0 - monitoring)**(1/3)"\n', 1)
    assert odd != text
    path = tmp_path / "odd.yaml"
    path.write_text(odd, encoding="utf-8")
    scenario = load_scenario(path)
    with pytest.raises(GameError, match=r"odd\.yaml:\d+: games\.escalation\.payoffs\[0\]\.russia_syria: the payoff "
                                        r"'\(0 - monitoring\)\*\*\(1/3\)' is .* at monitoring=0\.5, not a finite real"):
        scenario.at("escalation")
