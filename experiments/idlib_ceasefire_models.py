"""Figure 5: will the Idlib ceasefire hold, and where does the line fall?

Left: the repeated ceasefire (``repeated.ceasefire_holds`` of the scenario).  The
critical discount factor delta* that Russia/Syria needs for the ceasefire to be a
subgame-perfect equilibrium under grim trigger, as the prize of pressing on
(``regime_gain``) grows, for three levels of the joint patrols' detection probability
(``monitoring``).  Left of the kink the ceasefire holds even in one shot (delta* = 0);
where the war threat is not credible (Russia/Syria would rather halt than fight on) no
discount factor makes the strategy subgame perfect and the curve is absent; the thin
grey lines are what a check of the cooperative state alone would report there.  Computed
from the exact closed forms in the parameters, evaluated point by point in rationals.

Right: the ceasefire line as a bargain (``bargaining.ceasefire_line``).  Fearon's
bargaining range of Turkey's share (splits both prefer to war) as NATO support varies,
with the Nash and Kalai-Smorodinsky splits.

Table: over 100,000 draws of the parameters from their distributions (root seed 2020),
the share of draws at which grim trigger sustains the ceasefire credibly at each discount
factor, the share sustained only by a threat that is not credible, and the draws by
category at delta = 0.9 (``idlib_ceasefire_shadow_categories.csv``).

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

MONITORING = (Fraction(1, 4), Fraction(1, 2), Fraction(3, 4))
POINTS = 41


def main() -> None:
    idlib = catalog.load("idlib-2020")
    base = idlib.baseline()
    symbolic = idlib.sustainability("ceasefire_holds", symbolic=True)
    closed = symbolic.critical["Russia/Syria"]
    trusting = symbolic.cooperative_critical["Russia/Syria"]
    rows = []
    for q in MONITORING:
        for k in range(POINTS):
            gain = Fraction(k, POINTS - 1)
            subs = symbol_values({**base, "regime_gain": gain, "monitoring": q})
            rows.append({"panel": "repeated", "monitoring": float(q), "regime_gain": float(gain),
                         "delta_star": float(sympy.nsimplify(closed.xreplace(subs))),
                         "cooperative_delta_star": float(sympy.nsimplify(trusting.xreplace(subs)))})
    for k in range(POINTS):
        support = Fraction(k, POINTS - 1)
        problem = idlib.bargaining_problem("ceasefire_line", nato_support=support)
        d_turkey, d_russia = problem.disagreement
        rows.append({"panel": "bargaining", "nato_support": float(support), "range_low": float(d_turkey),
                     "range_high": float(1 - d_russia), "nash": float(problem.nash().share),
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
    for q, dash, colour in zip(MONITORING, ("-", "--", ":"), style.LINES, strict=True):
        sub = rep[rep["monitoring"] == float(q)]
        left.plot(sub["regime_gain"], sub["cooperative_delta_star"].where(sub["delta_star"] == float("inf")), dash,
                  color=style.GREY, lw=0.9)
        left.plot(sub["regime_gain"], sub["delta_star"].where(sub["delta_star"] < float("inf")), dash,
                  color=colour, lw=1.8, label=f"monitoring {q}")
    left.axvline(float(base["regime_gain"]), color=style.GREY, lw=0.8)
    left.set_xlabel(style.parameter_label(idlib, "regime_gain"))
    left.set_ylabel("critical discount factor δ* of Russia/Syria")
    left.set_ylim(-0.02, 1.02)
    left.set_title("Shadow of the future needed to hold the ceasefire\n(grey: only a non-credible threat holds it)",
                   fontsize=10)
    left.legend(frameon=False, fontsize=8, loc="upper left")
    bar = frame[frame["panel"] == "bargaining"]
    right.fill_between(bar["nato_support"], bar["range_low"].clip(lower=0), bar["range_high"].clip(upper=1),
                       color=style.GREY, alpha=0.3, hatch="...",
                       label="bargaining range, cut at the pie's edges 0 and 1")
    right.plot(bar["nato_support"], bar["nash"], color=style.LINES[1], lw=1.8, label="Nash split")
    right.plot(bar["nato_support"], bar["kalai_smorodinsky"], "--", color=style.LINES[2], lw=1.5,
               label="Kalai-Smorodinsky split")
    right.axvline(float(base["nato_support"]), color=style.GREY, lw=0.8)
    right.set_xlabel(style.parameter_label(idlib, "nato_support"))
    right.set_ylabel("Turkey's share of the contested ground")
    right.set_ylim(0, 1)
    right.set_title("Where the line falls")
    right.legend(frameon=False, fontsize=8, loc="upper left")
    fig.tight_layout()
    write_figure("idlib_ceasefire_models.png", fig)
    plt.close(fig)


if __name__ == "__main__":
    main()
