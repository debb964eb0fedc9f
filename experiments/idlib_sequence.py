"""Figure 7: the sequence of moves in the Spring Shield crisis, with its equilibrium path.

The tree ``spring_shield`` of ``idlib-2020`` at baseline: NATO/the US gives words or
Patriots; chance makes Turkey resolved or not (Russia's prior ``resolve_prior``); Turkey
fights or yields; Russia, seeing a fight but not Turkey's resolve (dashed lines join the
nodes of one information set), restrains the regime or backs it; a restrained regime halts
or advances alone.  Thick branches are the path of the perfect Bayesian outcome
``shield_then_ceasefire`` (its probability split by chance), grey ones its choices off the
path.  The outcome is verified as a perfect Bayesian equilibrium at baseline before it is
drawn.  Each leaf lists the payoffs of NATO/the US, Turkey, Russia and the regime, top to
bottom, to two significant digits.  Writes ``experiments/output/idlib_sequence.png`` and ``.pdf``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from _output import write_figure

from negotiation import catalog, explain, plot
from negotiation.engine.sequential import behavior_of

OUTCOME = "shield_then_ceasefire"


def main() -> None:
    idlib = catalog.load("idlib-2020")
    why = explain(idlib, OUTCOME)
    if not why.holds:
        raise SystemExit(f"{OUTCOME} is not an equilibrium at baseline: {why.summary()}")
    spec = idlib.outcome(OUTCOME)
    tree = idlib.at(spec.game)
    fig, ax = plt.subplots(figsize=(16, 7))
    plot.tree(tree, behavior_of(tree, dict(spec.strategy)), ax=ax, digits=2,
              title="Spring Shield, February-March 2020: escalate, then settle (perfect Bayesian path in bold)")
    fig.tight_layout()
    write_figure("idlib_sequence.png", fig)
    plt.close(fig)


if __name__ == "__main__":
    main()
