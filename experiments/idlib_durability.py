"""Figure 6 and Table 4: how long do the three Idlib ceasefires last, by one model coded from proxies?

The Sochi memorandum (September 2018), the January 2020 truce and the Moscow protocol
(March 2020) are the same model (``games/idlib-2020.yaml``) with the parameters the coding
sheet derives from each one's measured proxies (``games/coding``).  For each, the survival
of the ceasefire month by month (:func:`negotiation.domain.case.durability`: subgame perfect
at delta = 0.95 a month, ended by a false alarm), over 10,000 draws of its parameters; and
the share of 10,000 joint draws (shared parameters in common, coded ones per case) at which
the expected months held within five years fall in the order history gave them
(:func:`negotiation.domain.case.compare_durability`).  The ticks on the axis mark how long
each lasted (Sochi until the offensive of late April 2019; January 2020 three days; March
2020 until late November 2024, beyond the axis).  Writes ``idlib_durability.png``, ``.csv``,
``.txt`` and ``idlib_durability.json``.
"""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
from _output import write_figure, write_text

from negotiation import catalog, plot, style
from negotiation.domain.case import compare_durability, durability

CASES = ("idlib-2020", "sochi-2018", "idlib-2020-january")  # the order history gave them
LASTED = {"idlib-2020": 56.7, "sochi-2018": 7.3, "idlib-2020-january": 0.1}  # months; docs/case-studies
DELTA = 0.95
HORIZON = 60
DRAWS = 10_000
SEED = 2020


def main() -> None:
    scenarios = [catalog.load(c) for c in CASES]
    compared = compare_durability(scenarios, "ceasefire_holds", delta=DELTA, horizon=HORIZON, n=DRAWS, rng=SEED)
    table = compared.table.assign(lasted_months=[LASTED[c] for c in CASES])
    write_text("idlib_durability.csv", table.to_csv(index=False, float_format="%.6g", lineterminator="\n"))
    write_text("idlib_durability.txt", compared.summary() + "\n")
    numbers = {"order_share": compared.order_share, "baseline_order_holds": compared.baseline_order_holds(),
               "delta": DELTA, "horizon": HORIZON, "draws": DRAWS, "seed": SEED,
               "cases": {r["case"]: {k: v for k, v in r.items() if k not in ("case", "period")}
                         for r in table.to_dict(orient="records")}}
    write_text("idlib_durability.json", json.dumps(numbers, indent=1, sort_keys=True) + "\n")

    horizons = tuple(range(1, HORIZON + 1))
    curves = {sc.name: durability(sc, "ceasefire_holds", horizons=horizons, delta=DELTA, n=DRAWS, rng=SEED)
              for sc in scenarios}
    fig, ax = plt.subplots(figsize=(7, 4.2))
    plot.durability(curves, ax=ax, title=f"Survival of three Idlib ceasefires (δ = {DELTA} a month)")
    for k, case in enumerate(CASES):
        if LASTED[case] <= HORIZON:
            ax.plot([LASTED[case]], [0.0], marker="v", ms=8, color=style.LINES[k % len(style.LINES)], clip_on=False)
    ax.text(HORIZON, 0.03, "▼ how long each lasted", ha="right", fontsize=8)
    fig.tight_layout()
    write_figure("idlib_durability.png", fig)
    plt.close(fig)


if __name__ == "__main__":
    main()
