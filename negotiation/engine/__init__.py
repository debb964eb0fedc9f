"""The engine layer: game forms, equilibrium checks and solvers.

The engine never imports the domain layer (parties, leverage, scenarios).
"""

from negotiation.engine.dominance import iterated_elimination
from negotiation.engine.game import NormalFormGame
from negotiation.engine.profile import MixedProfile
from negotiation.engine.solvers import Equilibrium, SolveResult, solve

__all__ = [
    "Equilibrium",
    "MixedProfile",
    "NormalFormGame",
    "SolveResult",
    "iterated_elimination",
    "solve",
]
