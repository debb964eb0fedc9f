"""The engine layer: game forms, equilibrium checks, solvers (one game, or batched in
:mod:`negotiation.engine.batch`) and symbolic conditions.

The engine never imports the domain layer (parties, leverage, scenarios).
"""

from negotiation._lazy import exports

_EXPORTS = {
    'iterated_elimination': '.dominance',
    'ExpressionError': '.expressions',
    'parse_expression': '.expressions',
    'ExtensiveFormGame': '.extensive',
    'NormalFormGame': '.game',
    'ParametricGame': '.parametric',
    'MixedProfile': '.profile',
    'Equilibrium': '.solvers',
    'SolveResult': '.solvers',
    'solve': '.solvers',
    'Condition': '.symbolic',
    'conditions': '.symbolic',
    'mixed_2x2': '.symbolic',
    'regime_masks': '.symbolic',
    'region': '.symbolic',
    'threshold': '.symbolic',
}

__getattr__, __dir__ = exports(__name__, _EXPORTS)

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
