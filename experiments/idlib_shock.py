"""Figure 8: when does the Idlib settlement stop being self-enforcing as displacement grows?

UNICEF and the World Food Programme counted more than half a million children displaced in
northern Idlib in the three months before the ceasefire, about 6,000 a day (cited in the
news explainer of 6 March 2020).  Read ``displaced`` as the stock of people an offensive has
driven toward Turkey's closed border (an assumption: the coded baseline is the 60 days
before the ceasefire), and let it grow from its coded value by 6,000 a day (children alone,
so a lower bound) for a year.  Along that path (:func:`negotiation.domain.case.shock_path`):
the slack of each on-path condition of the perfect Bayesian outcome ``shield_then_ceasefire``
and the day its first condition fails, and whether the monthly ceasefire
(``ceasefire_holds``) stays subgame perfect at delta = 0.95.  Writes
``experiments/output/idlib_shock.png``, ``.pdf``, ``.csv`` and ``idlib_shock.json``.
"""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import numpy as np
from _output import write_figure, write_text

from negotiation import catalog, style
from negotiation.domain.case import shock_path
from negotiation.domain.stress import evaluate_at

OUTCOME, REPEATED, PARAMETER = "shield_then_ceasefire", "ceasefire_holds", "displaced"
PER_DAY = 0.006  # million people a day: 6,000 children (UNICEF, WFP)
DAYS = np.arange(0, 366)
DELTA = 0.95


def main() -> None:
    idlib = catalog.load("idlib-2020")
    values = float(idlib.baseline()[PARAMETER]) + PER_DAY * DAYS
    crisis = shock_path(idlib, OUTCOME, PARAMETER, DAYS, values)
    month = shock_path(idlib, REPEATED, PARAMETER, DAYS, values, delta=DELTA)
    ((_, _, conds),) = idlib.outcome_conditions(OUTCOME)
    on_path = [c for c in conds if "(off the path)" not in c.label]
    point = {k: float(v) for k, v in idlib.baseline().items()} | {PARAMETER: values}
    margins = evaluate_at(idlib, [c.margin for c in on_path], point)
    frame = crisis.frame.assign(ceasefire_holds=month.frame["category"],
                                **{c.label: m for c, m in zip(on_path, margins, strict=True)})
    write_text("idlib_shock.csv", frame.to_csv(index=False, float_format="%.6g", lineterminator="\n"))
    numbers = {"per_day": PER_DAY, "days": int(DAYS[-1]), "delta": DELTA, "outcome": OUTCOME,
               "first_break_day": crisis.first_break,
               "displaced_at_break": None if crisis.first_break is None
               else float(values[int(crisis.first_break)]),
               "repeated_first_break_day": month.first_break, "summary": crisis.summary(),
               "repeated_summary": month.summary()}
    write_text("idlib_shock.json", json.dumps(numbers, indent=1, sort_keys=True) + "\n")

    fig, ax = plt.subplots(figsize=(8, 5.2))
    for k, cond in enumerate(on_path):
        ax.plot(DAYS, frame[cond.label], color=style.LINES[k % len(style.LINES)],
                ls=("-", "--", ":", "-.")[k % 4], lw=1.6, label=cond.label)
    ax.axhline(0, color="k", lw=0.8)
    if crisis.first_break is not None:
        ax.axvline(crisis.first_break, color=style.GREY, lw=1)
        ax.annotate(f"day {crisis.first_break:g}: {PARAMETER} = {numbers['displaced_at_break']:.2f} million",
                    (crisis.first_break, 0), xytext=(6, 8), textcoords="offset points", fontsize=8)
    ax.set_xlabel("days after 5 March 2020, displacement growing by 6,000 a day")
    ax.set_ylabel("slack of the condition (utility)")
    verdict = "stays" if month.first_break is None else f"stops at day {month.first_break:g} being"
    ax.set_title(f"Fight-then-settle as displacement grows (the monthly ceasefire {verdict} "
                 f"subgame perfect at δ = {DELTA})", fontsize=9)
    ax.legend(frameon=False, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    fig.tight_layout()
    write_figure("idlib_shock.png", fig)
    plt.close(fig)


if __name__ == "__main__":
    main()
