"""The engine layer: game forms, equilibrium checks, solvers (one game, or batched in
:mod:`negotiation.engine.batch`) and symbolic conditions.

The engine never imports the domain layer (parties, leverage, scenarios).
"""

from negotiation.engine.dominance import iterated_elimination
from negotiation.engine.expressions import ExpressionError, parse_expression
from negotiation.engine.extensive import ExtensiveFormGame
from negotiation.engine.game import NormalFormGame
from negotiation.engine.parametric import ParametricGame
from negotiation.engine.profile import MixedProfile
from negotiation.engine.solvers import Equilibrium, SolveResult, solve
from negotiation.engine.symbolic import Condition, conditions, mixed_2x2, regime_masks, region, threshold

__all__ = [
    "Condition",
    "Equilibrium",
    "ExpressionError",
    "ExtensiveFormGame",
    "MixedProfile",
    "NormalFormGame",
    "ParametricGame",
    "SolveResult",
    "conditions",
    "iterated_elimination",
    "mixed_2x2",
    "parse_expression",
    "regime_masks",
    "region",
    "solve",
    "threshold",
]
