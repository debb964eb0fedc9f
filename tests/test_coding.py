"""The coding sheet: parameters from measurable proxies by stated rules, into a template scenario."""

from __future__ import annotations

import copy
import json
import textwrap
from dataclasses import replace
from fractions import Fraction as F

import pytest
from test_diagnostics import BASE

from negotiation.cli import main
from negotiation.domain.coding import parse_rows, parse_sheet
from negotiation.domain.scenario import dump_scenario, from_dict, load_scenario, parse_scenario
from negotiation.errors import GameError, GameFormatError

SHEET = textwrap.dedent("""\
    format: negotiation-coding-sheet/1
    name: toy
    proxies:
      troops: {description: Troops deployed, unit: thousand soldiers, bounds: [0, 50], error: 0.5}
      posts: {description: Observation posts, unit: posts, bounds: [0, 100]}
    rules:
      cost:
        expression: "troops/20"
        reason: Each 20,000 troops make a fight cost one unit (an assumption).
      resolve:
        expression: "min(1.5, 0.5 + posts/12)"
        reason: Twelve posts double the stake (an assumption).
        tolerance: 0.1
      temptation:
        expression: "1/2 + exp(-posts/12)"
        reason: Posts deter cheating (an assumption).
        tolerance: 0.1
    """)

ROWS = textwrap.dedent("""\
    format: negotiation-proxies/1
    rows:
      north:
        description: A deployment in the north.
        proxies:
          troops: {value: 6, source: "Deployment report, Example Agency, 1 May 2020", note: the agency's count}
          posts: {value: 12, source: "Posts list, Example Agency, 2 May 2020"}
      south:
        proxies:
          troops: {value: 2, source: "Deployment report, Example Agency, 1 May 2020"}
          posts: {value: 0, source: "Posts list, Example Agency, 2 May 2020"}
    """)


def _template():
    return from_dict(copy.deepcopy(BASE))


def test_rules_derive_exact_parameters_from_a_row():
    sheet, rows = parse_sheet(SHEET), parse_rows(ROWS)
    coding = sheet.code(rows["north"])
    assert coding.parameters["cost"] == F(3, 10) and coding.parameters["resolve"] == F(3, 2)
    assert coding.parameters["temptation"] == F("0.8679")  # 0.5 + 1/e, to four decimals
    # troops 6 give or take half: cost in [3/20, 9/20]; resolve 3/2 give or take the rule's tolerance
    assert coding.ranges["cost"] == (F(3, 20), F(9, 20)) and coding.ranges["resolve"] == (F(7, 5), F(8, 5))
    frame = coding.to_frame().set_index("parameter")
    assert frame.loc["cost", "proxies"] == "troops=6" and "assumption" in frame.loc["cost", "reason"]
    south = sheet.code(rows["south"])
    assert south.parameters["resolve"] == F(1, 2) and south.parameters["temptation"] == F(3, 2)


def test_coded_scenario_cites_the_proxies():
    sheet, rows = parse_sheet(SHEET), parse_rows(ROWS)
    coded = sheet.code(rows["north"]).scenario(_template())
    assert coded.name == "north" and coded.parameters["cost"].baseline == F(3, 10)
    prov = coded.parameters["cost"].baseline_provenance
    assert coded.sources[prov.source].title == "Deployment report, Example Agency, 1 May 2020"
    assert "troops = 6 thousand soldiers" in prov.fact and "coding sheet" in prov.assumption
    assert parse_scenario(dump_scenario(coded)) == coded
    assert coded.holds("standoff")  # resolve 1.5 against cost 0.3
    dist = coded.parameters["cost"].distribution
    assert (dist.kind, dist.low, dist.mode, dist.high) == ("triangular", 0.15, 0.3, 0.45)
    assert "troops in [3, 9]" in coded.parameters["cost"].range_provenance.fact


def test_a_row_range_and_the_models_a_case_keeps():
    """A row's own range replaces the proxy's error; ``keep`` drops the other models with the
    parameters only they use; ``historical`` sets which outcomes happened; an exactly coded
    value that the stress tests could not draw is refused."""
    rows = ROWS.replace("value: 6, source", "value: 6, low: 5, high: 8, source")
    rows = rows.replace("  north:\n", "  north:\n    keep: [standoff]\n    historical: []\n", 1)
    sheet, north = parse_sheet(SHEET), parse_rows(rows)["north"]
    assert north.keep == ("standoff",) and north.historical == () and north.ranges["troops"] == (5, 8)
    coded = sheet.code(north).scenario(_template())
    assert coded.parameters["cost"].distribution.low == 0.25 and coded.parameters["cost"].distribution.high == 0.4
    assert list(coded.games) == ["standoff"] and not coded.repeated and "temptation" not in coded.parameters
    assert not any(o.historical for o in coded.outcomes.values())
    with pytest.raises(GameError, match="keeps \\['nowhere'\\]"):
        sheet.code(replace(north, keep=("nowhere",))).scenario(_template())
    exact = parse_sheet(SHEET.replace("bounds: [0, 50], error: 0.5", "bounds: [0, 50]"))
    with pytest.raises(GameError, match="cost is coded exactly"):
        exact.code(parse_rows(ROWS)["north"]).scenario(_template())


def test_bad_rows_and_rules_are_refused():
    sheet = parse_sheet(SHEET)
    with pytest.raises(GameError, match="troops=60 is outside its bounds"):
        sheet.code(parse_rows(ROWS.replace("value: 6,", "value: 60,"))["north"])
    north = parse_rows(ROWS)["north"]
    with pytest.raises(GameError, match="proxies missing \\['posts'\\]"):
        sheet.code(replace(north, values={"troops": F(6)}))
    hot = sheet.code(parse_rows(ROWS.replace("value: 6,", "value: 40,"))["north"])
    with pytest.raises(GameError, match="cost=2 is outside its bounds"):
        hot.scenario(_template())
    unknown = r"<sheet>:\d+: rules\.cost\.expression: unknown parameter 'troop' \(did you mean 'troops'\?\)"
    with pytest.raises(GameFormatError, match=unknown):
        parse_sheet(SHEET.replace('"troops/20"', '"troop/20"'))
    with pytest.raises(GameFormatError, match=r"rules\.cost\.expression: "):
        parse_sheet(SHEET.replace('"troops/20"', '"__import__(1)"'))
    with pytest.raises(GameFormatError, match="no posts_source"):
        parse_rows("case,troops,troops_source,posts\nnorth,6,Report 2020,12\n", "rows.csv")


def test_csv_rows_and_command_line(tmp_path, capsys):
    csv_text = ("case,description,troops,troops_source,posts,posts_source\n"
                "north,A deployment,6,\"Deployment report, Example Agency, 1 May 2020\",12,\"Posts list, 2020\"\n")
    assert parse_rows(csv_text, "rows.csv")["north"].values == {"troops": 6, "posts": 12}
    sheet, rows, template = tmp_path / "sheet.yaml", tmp_path / "rows.yaml", tmp_path / "toy.yaml"
    sheet.write_text(SHEET, encoding="utf-8")
    rows.write_text(ROWS, encoding="utf-8")
    template.write_text(dump_scenario(_template()), encoding="utf-8")
    assert main(["code-ceasefire", str(sheet), str(rows), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {r["case"] for r in out} == {"north", "south"} and len(out) == 6
    written = tmp_path / "north.yaml"
    assert main(["code-ceasefire", str(sheet), str(rows), "--row", "north", "--template", str(template),
                 "--write", str(written)]) == 0
    assert load_scenario(written).parameters["resolve"].baseline == F(3, 2)
    assert main(["code-ceasefire", str(sheet), str(rows), "--row", "west"]) == 2
    assert "no row 'west'" in capsys.readouterr().err
