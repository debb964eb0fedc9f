"""Table 2: why the Idlib ceasefire held and why Turkey's refugee leverage failed.

For each historical outcome of the ``idlib-2020`` scenario, every Nash condition that
holds it up at baseline, its slack, and its threshold in each parameter (the others at
baseline), pivotal and binding conditions first.  Writes
``experiments/output/idlib_explain.csv``, ``idlib_explain.tex`` and ``idlib_explain.txt``.
"""

from __future__ import annotations

import pandas as pd
from _output import write_text

from negotiation import catalog, explain
from negotiation.engine import latex


def main() -> None:
    idlib = catalog.load("idlib-2020")
    historical = [name for name, o in idlib.outcomes.items() if o.historical]
    explanations = [explain(idlib, name) for name in historical]
    frame = pd.concat(
        [ex.to_frame().assign(outcome=ex.outcome) for ex in explanations], ignore_index=True
    )
    frame = frame[["outcome", *(c for c in frame.columns if c != "outcome")]]
    exact = frame.copy()
    for col in ("slack", "baseline", "threshold"):
        exact[col] = exact[col].map(lambda v: "" if v is None else str(v))
    write_text("idlib_explain.csv", exact.to_csv(index=False, float_format="%.6g", lineterminator="\n"))
    write_text("idlib_explain.txt", "\n\n".join(ex.to_text() for ex in explanations) + "\n")

    rows = []
    for _, r in frame.iterrows():
        distance = "" if pd.isna(r["distance"]) else f"{r['distance']:.0%}"
        rows.append([r["outcome"], r["condition"], f"{float(r['slack']):.4g}", r["holds_while"], distance])
    body = latex.table(
        ["outcome", "condition", "slack", "threshold (others at baseline)", "distance"],
        rows, "lllll",
        "Conditions holding up the historical outcomes of the Idlib model at baseline "
        "(distance: change needed to break the condition, as a share of the parameter's range).",
        "tab:idlib-explain",
    )
    write_text("idlib_explain.tex", body)


if __name__ == "__main__":
    main()
