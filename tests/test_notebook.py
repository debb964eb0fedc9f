"""The tutorial notebook runs from top to bottom and shows HTML tables, not long reprs."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "tutorial-notebook.ipynb"


def test_tutorial_notebook_runs_and_shows_html():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit the notebook without outputs"
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": "."}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    shown = [o["data"] for o in outputs if o.output_type == "execute_result"]
    assert len(shown) == 5 and all("text/html" in d and "<table" in d["text/html"] for d in shown)
    assert all(len(d["text/plain"].splitlines()[0]) < 400 for d in shown)
    assert "Fraction(" not in "".join(d["text/plain"] for d in shown)
