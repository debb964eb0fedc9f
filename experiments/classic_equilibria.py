"""Table 1: every equilibrium of the catalog's classic games, exactly.

Writes ``experiments/output/classic_equilibria.csv`` and ``classic_equilibria.tex``.
Run: ``python experiments/classic_equilibria.py``.
"""

from __future__ import annotations

import pandas as pd
from _output import write_text

from negotiation import catalog, solve
from negotiation.engine import latex


def table() -> pd.DataFrame:
    rows = []
    for name in catalog.list("game"):
        game = catalog.load(name)
        result = solve(game, "all", exact=True)
        for k, eq in enumerate(result.equilibria):
            profile = "; ".join(
                f"{p}: " + ", ".join(f"{s} {v}" for s, v in eq.profile[p].items() if v != 0)
                for p in game.players
            )
            rows.append(
                {
                    "game": name,
                    "equilibrium": k + 1,
                    "profile": profile,
                    "payoffs": ", ".join(str(v) for v in eq.payoffs.values()),
                    "component": eq.component if eq.component is not None else "",
                    "degenerate": result.degenerate if result.degenerate is not None else "",
                    "continuum in game": result.has_continuum,
                }
            )
    return pd.DataFrame(rows)


def main() -> None:
    frame = table()
    write_text("classic_equilibria.csv", frame.to_csv(index=False, lineterminator="\n"))
    rows = frame.astype(str).values.tolist()
    tex = latex.table(list(frame.columns), rows, "l" * len(frame.columns),
                      "Equilibria of the classic games (exact).", "tab:classic-equilibria")
    write_text("classic_equilibria.tex", tex)


if __name__ == "__main__":
    main()
