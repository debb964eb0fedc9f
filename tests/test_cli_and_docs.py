"""The command line, the catalog from an installed wheel, and the docs' code examples."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from negotiation.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_solve_json_exact(capsys):
    assert main(["solve", str(ROOT / "games" / "chicken.nfg"), "--exact", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["players"] == ["Row", "Column"]
    assert out["exact"] is True and out["degenerate"] is False and out["method"] == "all"
    mixed = [e for e in out["equilibria"] if e["profile"]["Row"]["Swerve"] == "1/2"]
    assert mixed and mixed[0]["payoffs"] == {"Row": "5/2", "Column": "5/2"}
    assert mixed[0]["payoffs_float"] == {"Row": 2.5, "Column": 2.5}
    assert mixed[0]["profile_float"]["Row"]["Swerve"] == 0.5


def test_solve_json_floats_and_csv_and_table(capsys):
    path = str(ROOT / "games" / "stengel-degenerate.nfg")
    assert main(["solve", path, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert isinstance(out["equilibria"][0]["profile"]["Row"]["T"], float)
    assert out["continuum"] is True
    assert main(["solve", path, "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("equilibrium,")
    assert main(["solve", path, "--method", "one", "--label", "2"]) == 0
    assert "Lemke-Howson" in capsys.readouterr().out


def test_errors_are_one_line_without_traceback(tmp_path):
    bad = tmp_path / "bad.nfg"
    bad.write_text('NFG 1 R "t" { "A" "B" } { 2 2 }\n1 2 3\n')
    proc = subprocess.run(
        [sys.executable, "-m", "negotiation.cli", "solve", str(bad)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert f"{bad}:2" in proc.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "negotiation.cli", "solve", "nope.nfg"], capture_output=True, text=True, check=False
    )
    assert missing.returncode == 2 and "nope.nfg" in missing.stderr and "Traceback" not in missing.stderr


def _python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


# A shown result: a comment after print(...) that starts with a value (a number, a fraction, an interval,
# True or False) says what the call prints; the test checks that the printed text contains it.
_SHOWN = re.compile(r"^(\s*)print\((.*)\)\s+#\s+(Interval\([^)]*\)|-?\d+(?:\.\d+)?(?:/\d+)?|True|False)(?![\w.(/])")


def _checked(block: str) -> tuple[str, int]:
    """The block with each shown result turned into a checked print, and how many there are."""
    lines, shown = [], 0
    for line in block.splitlines():
        m = _SHOWN.match(line)
        if m:
            indent, args, value = m.groups()
            line = f"{indent}__shown({value!r}, {args})"
            shown += 1
        lines.append(line)
    return "\n".join(lines) + "\n", shown


def _shown(expected: str, *values: object) -> None:
    text = " ".join(str(v) for v in values)
    print(text)
    assert expected in text, f"the docs say this prints {expected!r}; it prints {text!r}"


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_documentation_examples_run(path):
    """Each code block runs on its own, in a fresh namespace, unless it says it continues the one above;
    every result the docs show after a print (``print(x)  # 5/8``) is what it prints."""
    namespace: dict[str, object] = {}
    for k, block in enumerate(_python_blocks(path)):
        if not block.startswith("# (continued from the block above)"):
            namespace = {}
        namespace["__shown"] = _shown
        code, _ = _checked(block)
        exec(compile(code, f"{path}[block {k}]", "exec"), namespace)  # the docs' own examples


def test_shown_results_are_found_and_a_wrong_one_fails():
    """The check sees the docs' shown results, and would catch one that is wrong."""
    shown = sum(_checked(b)[1] for path in DOCS for b in _python_blocks(path))
    assert shown >= 8
    code, n = _checked("x = 5\nprint(x + 1)                # 7, off by one\n")
    assert n == 1
    with pytest.raises(AssertionError, match="the docs say this prints '7'"):
        exec(compile(code, "<wrong>", "exec"), {"__shown": _shown})


def test_catalog_ships_in_the_wheel(tmp_path):
    """Build the wheel and load a catalog game from the installed copy."""
    wheel_dir = tmp_path / "wheel"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheel_dir), str(ROOT)],
        capture_output=True, text=True, check=False,
    )
    assert build.returncode == 0, build.stderr
    wheel = next(wheel_dir.glob("negotiation-*.whl"))
    site = tmp_path / "site"
    install = [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)]
    subprocess.run(install, check=True)
    code = (
        "import negotiation as n; c = n.catalog; print(c.directory()); print('idlib-2020' in c.list());"
        "print(n.explain(c.load('idlib-2020'), 'ceasefire').holds); print(len(c.load('chicken').strategies))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path,
                         env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})
    assert "_catalog" in run.stdout and run.stdout.split()[1:] == ["True", "True", "2"]


@pytest.mark.parametrize(("args", "message"), [
    (["stress", "idlib-2020", "--outcome", "ceasefire", "-n", "0"], "argument -n: 0 is below the least allowed value"),
    (["stress", "idlib-2020", "--outcome", "ceasefire", "-n", "-5"], "argument -n: -5 is below"),
    (["stress", "idlib-2020", "--outcome", "ceasefire", "--seed", "-1"], "argument --seed: -1 is below"),
    (["stress", "idlib-2020", "--outcome", "ceasefire", "--workers", "-2"], "argument --workers: -2 is below"),
    (["stress", "idlib-2020", "--repeated", "ceasefire_holds", "--delta", "nan"], "'nan' is not a finite number"),
    (["solve", "idlib-2020", "--game", "ceasefire_holds", "--delta", "2"], "2 is not a discount factor in [0, 1)"),
    (["check", "idlib-2020", "--sobol", "1"], "argument --sobol: 1 is below"),
])
def test_bad_arguments_get_one_line_and_status_2(args, message, capsys):
    with pytest.raises(SystemExit) as stop:
        main(args)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and message in err and "Traceback" not in err


def test_version_help_and_a_closed_pipe():
    out = subprocess.run([sys.executable, "-m", "negotiation.cli", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("negotiation ")
    helped = subprocess.run([sys.executable, "-m", "negotiation.cli", "stress", "--help"], capture_output=True,
                            text=True)
    assert "(default: 10000)" in helped.stdout and "example: negotiation stress" in helped.stdout
    piped = subprocess.run(f"{sys.executable} -m negotiation.cli list | head -c 1", shell=True, capture_output=True,
                           text=True)
    assert "Traceback" not in piped.stderr and "BrokenPipe" not in piped.stderr


def test_start_up_imports_nothing_heavy():
    """`import negotiation`, `negotiation --help` and `negotiation list` load none of sympy, scipy.stats,
    pandas, jsonschema or matplotlib (they are imported where they are used); timed in `make bench`."""
    heavy = ("sympy", "scipy.stats", "pandas", "jsonschema", "matplotlib")
    probe = ("import sys, contextlib, io\n"
             "import negotiation\n"
             "from negotiation.cli import main\n"
             "with contextlib.redirect_stdout(io.StringIO()):\n"
             "    main(['list'])\n"
             f"print([m for m in {heavy!r} if m in sys.modules])\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
    import negotiation

    assert negotiation.NormalFormGame.__name__ == "NormalFormGame" and "solve" in dir(negotiation)


def test_notebook_representations_are_short_and_html():
    """Scenarios and results show a one-line repr and an HTML table in a notebook."""
    from negotiation import catalog, explain, solve
    from negotiation.domain.case import durability
    from negotiation.domain.stress import shadow_test, stress_test

    idlib = catalog.load("idlib-2020")
    objects = [idlib, explain(idlib, "ceasefire"), stress_test(idlib, "ceasefire", n=300, sobol=None),
               shadow_test(idlib, "ceasefire_holds", n=300), idlib.diagnose(n=200, sobol=64),
               durability(idlib, "ceasefire_holds", n=200), solve(catalog.load("chicken"), exact=True)]
    for obj in objects:
        assert len(repr(obj).splitlines()[0]) < 400, type(obj).__name__
        assert "<table" in obj._repr_html_(), type(obj).__name__
    assert repr(idlib).startswith("Scenario('idlib-2020': 32 parameters") and len(repr(idlib)) < 400
    assert repr(idlib).endswith("7 interventions)")
