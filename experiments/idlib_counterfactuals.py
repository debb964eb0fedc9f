"""Table 5: the named interventions of the Idlib case against every outcome and the repeated game.

Each intervention of ``games/idlib-2020.yaml`` (NATO grants Patriots or a no-fly zone, the EU
pays, Russian air power grounded, no strike like Balyun's, no joint patrols, HTS disarmed)
sets parameters; the table says whether each outcome's profile is still an equilibrium, the
ceasefire's category and critical discount factor at delta = 0.95 a month, and the months it
is expected to hold within five years (:func:`negotiation.domain.case.counterfactuals`).
Writes ``idlib_counterfactuals.csv``, ``.tex`` and ``.txt``.
"""

from __future__ import annotations

from _output import write_text

from negotiation import catalog
from negotiation.domain.case import counterfactuals
from negotiation.engine import latex

DELTA = 0.95
HORIZON = 60


def main() -> None:
    result = counterfactuals(catalog.load("idlib-2020"), delta=DELTA, horizon=HORIZON)
    table = result.table
    write_text("idlib_counterfactuals.csv", table.to_csv(index=False, float_format="%.6g", lineterminator="\n"))
    write_text("idlib_counterfactuals.txt", result.to_text() + "\n")
    outcomes = [c for c in table.columns if c.startswith("outcome:")]
    months = f"ceasefire_holds: months held of {HORIZON}"
    rows = [[r["intervention"].replace("_", " "), *("holds" if r[c] else "fails" for c in outcomes),
             r[f"ceasefire_holds: at delta={DELTA:g}"], f"{r[months]:.1f}"] for r in table.to_dict(orient="records")]
    body = latex.table(["intervention", *(c.split(":", 1)[1].replace("_", " ") for c in outcomes),
                        f"ceasefire at $\\delta={DELTA:g}$", f"months held of {HORIZON}"], rows,
                       "l" * (len(outcomes) + 2) + "r",
                       "Counterfactual interventions in the Idlib model of March 2020.", "tab:idlib-counterfactuals")
    write_text("idlib_counterfactuals.tex", body)


if __name__ == "__main__":
    main()
