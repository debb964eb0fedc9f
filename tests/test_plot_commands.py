"""The tornado diagram and the `sweep` and `plot` subcommands."""

from __future__ import annotations

import io
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from negotiation import catalog, explain, sweep
from negotiation.cli import main
from negotiation.domain.stress import tornado


@pytest.fixture(scope="module")
def idlib():
    return catalog.load("idlib-2020")


@pytest.mark.parametrize("outcome", ["shield_then_ceasefire", "ceasefire"])
def test_tornado_agrees_with_exact_evaluation(idlib, outcome):
    """The baseline slack is explain's binding slack (exact), and at every bar's end the sign of the
    slack agrees with `Scenario.holds`, which evaluates the numeric game exactly (Nash regret, or the
    tree's conditions checked against a fresh policy evaluation)."""
    result = tornado(idlib, outcome)
    assert result.baseline == pytest.approx(float(explain(idlib, outcome).binding.slack))
    assert list(result.frame["swing"]) == sorted(result.frame["swing"], reverse=True)
    for row in result.frame.itertuples():
        for value, slack in ((row.low, row.slack_low), (row.high, row.slack_high)):
            if abs(slack) > 1e-9:
                exact = Fraction(value).limit_denominator(10**9)
                assert idlib.holds(outcome, **{row.parameter: exact}) == (slack > 0), (row.parameter, value)
    breaking = set(result.frame.loc[result.frame["breaks"], "parameter"])
    if outcome == "shield_then_ceasefire":  # the knife edge the checker reports (casualty_cost)
        assert "casualty_cost" in breaking
    else:
        assert not breaking


def test_tornado_refuses_bad_quantiles(idlib):
    from negotiation.errors import GameError

    with pytest.raises(GameError, match="quantiles"):
        tornado(idlib, "ceasefire", quantiles=(0.9, 0.1))


def test_sweep_command_equals_the_api(idlib, capsys):
    args = ["sweep", "idlib-2020", "--outcome", "ceasefire", "--grid", "revealed=0:1:5",
            "--grid", "resolve_prior=0.05:0.95:4"]
    assert main(args) == 0
    got = pd.read_csv(io.StringIO(capsys.readouterr().out))
    want = sweep(idlib, {"revealed": np.linspace(0, 1, 5), "resolve_prior": np.linspace(0.05, 0.95, 4)},
                 outcome="ceasefire")
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True), check_dtype=False)
    assert not got["holds"].all() and got["holds"].any()


@pytest.mark.parametrize("kind,extra", [
    ("tornado", ["--outcome", "shield_then_ceasefire"]),
    ("tree", ["--outcome", "shield_then_ceasefire"]),
    ("regime-map", ["--game", "ceasefire_stage", "--grid", "resolve_prior=0.05:0.95:11",
                    "--grid", "revealed=0:1:11"]),
    ("durability", ["--repeated", "ceasefire_holds", "-n", "200"]),
])
def test_plot_command_writes_the_same_bytes_twice(kind, extra, tmp_path, capsys):
    files = [tmp_path / f"a.{suffix}" for suffix in ("pdf", "pdf", "svg")]
    for path in files:
        assert main(["plot", kind, "idlib-2020", *extra, "-o", str(path)]) == 0
    assert files[0].read_bytes() == files[1].read_bytes() and files[0].read_bytes().startswith(b"%PDF")
    assert b"<svg" in files[2].read_bytes()


@pytest.mark.parametrize("args,message", [
    (["plot", "tornado", "idlib-2020", "--outcome", "ceasefire", "-o", "x.gif"], "ends in .pdf, .png or .svg"),
    (["plot", "tornado", "idlib-2020", "-o", "x.pdf"], "needs --outcome"),
    (["plot", "tree", "idlib-2020", "--outcome", "ceasefire", "-o", "x.pdf"], "needs a tree's outcome"),
    (["plot", "regime-map", "idlib-2020", "--game", "ceasefire_stage", "-o", "x.pdf"], "two --grid"),
    (["sweep", "idlib-2020", "--outcome", "ceasefire", "--grid", "revealed=0:1"], "expected PARAM=LOW:HIGH:N"),
    (["sweep", "idlib-2020", "--outcome", "ceasefire", "--grid", "revealedd=0:1:3"], "did you mean 'revealed'"),
])
def test_plot_and_sweep_refuse_bad_arguments_in_one_line(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and not list(tmp_path.iterdir())
