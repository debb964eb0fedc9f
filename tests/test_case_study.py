"""The case-study page is what ``experiments/report_idlib.py`` renders from the committed outputs."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _report():
    spec = importlib.util.spec_from_file_location("report_idlib", ROOT / "experiments" / "report_idlib.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_page_equals_its_render_from_the_outputs():
    report = _report()
    assert report.PAGE.read_text(encoding="utf-8") == report.render(), "run `make figures` to regenerate the page"


def test_the_page_states_the_durability_outputs():
    """The headline numbers are those of idlib_durability.json (not typed into the page)."""
    page = (ROOT / "docs" / "case-studies" / "idlib-2020.md").read_text(encoding="utf-8")
    numbers = json.loads((ROOT / "experiments" / "output" / "idlib_durability.json").read_text(encoding="utf-8"))
    assert f"**{100 * numbers['order_share']:.1f}%**" in page
    for case in numbers["cases"].values():
        assert re.search(rf"\| {case['expected_baseline']:.1f} \| {case['expected']:.1f} \|", page)
