"""negotiation: game-theoretic modelling of coercive negotiation and ceasefires.

The engine layer (:mod:`negotiation.engine`) holds game forms and verified solvers;
:mod:`negotiation.io` reads and writes game files; :mod:`negotiation.catalog` loads the
encoded games shipped in ``games/``.
"""

from negotiation.engine import (
    Equilibrium,
    MixedProfile,
    NormalFormGame,
    SolveResult,
    iterated_elimination,
    solve,
)
from negotiation.io import read_game, write_nfg

__version__ = "0.1.0"

__all__ = [
    "Equilibrium",
    "MixedProfile",
    "NormalFormGame",
    "SolveResult",
    "__version__",
    "iterated_elimination",
    "read_game",
    "solve",
    "write_nfg",
]
