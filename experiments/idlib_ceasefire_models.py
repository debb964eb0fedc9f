"""Figure 5: will an Idlib ceasefire hold, and where does the line fall?

Left: the repeated ceasefire (``repeated.ceasefire_holds``), coded for the Sochi memorandum
of September 2018 (``sochi-2018``), whose ceasefire is not an equilibrium of one month
alone.  The critical discount factor delta* that Russia needs for the ceasefire to be a
subgame-perfect equilibrium under grim trigger, as the patrols' ``attribution`` of
violations varies, for three degrees to which fighting has ``revealed`` Turkey's resolve
(Sochi's coded value is 0).  Where the war threat is not credible no discount factor
makes the strategy subgame perfect and the curve is absent; the thin grey lines are what
a check of the cooperative state alone would report there.  Computed from the exact
closed forms in the parameters, evaluated point by point in rationals.

Right: the ceasefire line as a bargain (``bargaining.ceasefire_line`` of ``idlib-2020``).
Fearon's bargaining range of Turkey's share (splits both prefer to war) as Russia's cost
of pressing on (``press_cost``) varies, with the Nash and Kalai-Smorodinsky splits.

Table: over 100,000 draws of the March 2020 parameters from their distributions (root
seed 2020), the share of draws at which grim trigger sustains the ceasefire credibly at
each discount factor, the share sustained only by a threat that is not credible, and the
draws by category at delta = 0.9 (``idlib_ceasefire_shadow_categories.csv``).

Writes ``experiments/output/idlib_ceasefire_models.png``, ``idlib_ceasefire_models.csv``,
``idlib_ceasefire_shadow.csv`` and ``idlib_ceasefire_shadow_categories.csv`` (with a summary
in ``idlib_ceasefire_shadow.txt``).
"""

from __future__ import annotations

from fractions import Fraction

import matplotlib.pyplot as plt
import pandas as pd
import sympy
from _output import write_figure, write_text

from negotiation import catalog, style
from negotiation.domain.stress import shadow_test
from negotiation.engine.parametric import symbol_values

REVEALED = (Fraction(0), Fraction(1, 10), Fraction(1, 5))
POINTS = 41


def main() -> None:
    sochi = catalog.load("sochi-2018")
    idlib = catalog.load("idlib-2020")
    symbolic = sochi.sustainability("ceasefire_holds", symbolic=True)
    closed, trusting = symbolic.critical["Russia"], symbolic.cooperative_critical["Russia"]
    rows = []
    for revealed in REVEALED:
        for k in range(POINTS):
            attribution = Fraction(k, POINTS - 1)
            subs = symbol_values({**sochi.baseline(), "revealed": revealed, "attribution": attribution})
            rows.append({"panel": "repeated", "revealed": float(revealed), "attribution": float(attribution),
                         "delta_star": float(sympy.nsimplify(closed.xreplace(subs))),
                         "cooperative_delta_star": float(sympy.nsimplify(trusting.xreplace(subs)))})
    for k in range(POINTS):
        cost = Fraction(k, POINTS - 1)
        problem = idlib.bargaining_problem("ceasefire_line", press_cost=cost)
        d_turkey, d_russia = problem.disagreement
        x = sympy.Symbol("x")  # Turkey's share: its utility is linear in x, Russia's in 1 - x
        whole_turkey, whole_russia = (u.subs(x, 1) - u.subs(x, 0) for u in problem.utilities)
        rows.append({"panel": "bargaining", "press_cost": float(cost), "range_low": float(d_turkey / whole_turkey),
                     "range_high": float(1 + d_russia / whole_russia), "nash": float(problem.nash().share),
                     "kalai_smorodinsky": float(problem.kalai_smorodinsky().share)})
    frame = pd.DataFrame(rows)
    write_text("idlib_ceasefire_models.csv", frame.to_csv(index=False, float_format="%.6g", lineterminator="\n"))

    shadow = shadow_test(idlib, "ceasefire_holds", n=100_000, rng=2020)
    write_text("idlib_ceasefire_shadow.csv", shadow.to_frame().to_csv(index=False, float_format="%.6g",
                                                                       lineterminator="\n"))
    write_text("idlib_ceasefire_shadow_categories.csv", shadow.by_category(0.9).to_csv(
        index=False, float_format="%.6g", lineterminator="\n"))
    write_text("idlib_ceasefire_shadow.txt", shadow.summary() + "\n")

    fig, (left, right) = plt.subplots(1, 2, figsize=(10.5, 4.2))
    rep = frame[frame["panel"] == "repeated"]
    for revealed, dash, colour in zip(REVEALED, ("-", "--", ":"), style.LINES, strict=True):
        sub = rep[rep["revealed"] == float(revealed)]
        left.plot(sub["attribution"], sub["cooperative_delta_star"].where(sub["delta_star"] == float("inf")), dash,
                  color=style.GREY, lw=0.9)
        left.plot(sub["attribution"], sub["delta_star"].where(sub["delta_star"] < float("inf")), dash,
                  color=colour, lw=1.8, label=f"revealed {revealed}")
    left.axvline(float(sochi.baseline()["attribution"]), color=style.GREY, lw=0.8)
    left.set_xlabel(style.parameter_label(sochi, "attribution"))
    left.set_ylabel("critical discount factor δ* of Russia")
    left.set_ylim(-0.02, 1.02)
    left.set_title("Shadow of the future needed to hold Sochi 2018\n(grey: only a non-credible threat holds it)",
                   fontsize=10)
    left.legend(frameon=False, fontsize=8, loc="upper right")
    bar = frame[frame["panel"] == "bargaining"]
    right.fill_between(bar["press_cost"], bar["range_low"].clip(lower=0), bar["range_high"].clip(upper=1),
                       color=style.GREY, alpha=0.3, hatch="...",
                       label="bargaining range, cut at the pie's edges 0 and 1")
    right.plot(bar["press_cost"], bar["nash"], color=style.LINES[1], lw=1.8, label="Nash split")
    right.plot(bar["press_cost"], bar["kalai_smorodinsky"], "--", color=style.LINES[2], lw=1.5,
               label="Kalai-Smorodinsky split")
    right.axvline(float(idlib.baseline()["press_cost"]), color=style.GREY, lw=0.8)
    right.set_xlabel(style.parameter_label(idlib, "press_cost"))
    right.set_ylabel("Turkey's share of the contested ground")
    right.set_ylim(0, 1.02)
    right.set_title("Where the line falls (March 2020)")
    right.legend(frameon=False, fontsize=8, loc="lower right")
    fig.tight_layout()
    write_figure("idlib_ceasefire_models.png", fig)
    plt.close(fig)


if __name__ == "__main__":
    main()
