"""Figure 3 and Table 3: how robust is the Idlib ceasefire to what we do not know?

A 100,000-draw Monte Carlo stress test (root seed 2020) of the perfect Bayesian outcome of
the Spring Shield crisis (a resolved Turkey fights, an unresolved one yields, Russia then
restrains the regime and the regime halts) over every parameter it depends on, each drawn
from the distribution its scenario entry gives.  Writes the
probability that the outcome stays an equilibrium with its Wilson interval, each
parameter's sensitivity (rank correlation, and first-order and total Sobol indices from
SALib on a base sample of 1024, i.e. 1024·(D + 2) model runs for D parameters) and tipping point, and the distance
to breakdown (``experiments/output/idlib_stress.txt`` and ``.csv``), and a sensitivity chart
(``idlib_stress.png``): rank correlations beside the total Sobol indices, coloured by whether
the parameter's baseline is read off a source or assumed; and a tornado diagram of the same
outcome's slack, each parameter alone at the 5% and 95% quantiles of its distribution
(``idlib_tornado.png``, ``.csv``).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from _output import write_figure, write_text

from negotiation import catalog, plot, stress_test
from negotiation.domain.stress import tornado

SEED = 2020
DRAWS = 100_000
OUTCOME = "shield_then_ceasefire"  # fight, then settle: the outcome every lever of the crisis bears on


def main() -> None:
    idlib = catalog.load("idlib-2020")
    result = stress_test(idlib, OUTCOME, n=DRAWS, rng=SEED)
    table = result.sensitivity.merge(result.tipping_points, on="parameter", how="left")
    write_text("idlib_stress.csv", table.to_csv(index=False, float_format="%.6g", lineterminator="\n"))
    point = ", ".join(f"{k}={v:.4g}" for k, v in result.breakdown["point"].items()
                      if abs(v - float(idlib.baseline()[k])) > 1e-9)
    write_text("idlib_stress.txt", result.summary() + f"\nNearest breaking point: {point}.\n")

    fig = plot.stress(result, title=f"Fight-then-settle holds in {result.probability:.1%} of {DRAWS:,} draws "
                                    f"(95% CI {result.interval[0]:.1%} to {result.interval[1]:.1%})")
    write_figure("idlib_stress.png", fig)
    plt.close(fig)

    bars = tornado(idlib, OUTCOME)  # one parameter at a time, at the 5% and 95% quantiles
    write_text("idlib_tornado.csv", bars.frame.to_csv(index=False, float_format="%.6g", lineterminator="\n"))
    fig = plot.tornado(bars)
    write_figure("idlib_tornado.png", fig)
    plt.close(fig)


if __name__ == "__main__":
    main()
