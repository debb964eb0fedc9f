"""negotiation: game-theoretic modelling of coercive negotiation and ceasefires.

The engine layer (:mod:`negotiation.engine`) holds game forms (numeric and parametric),
verified solvers and symbolic equilibrium conditions; the domain layer
(:mod:`negotiation.domain`) holds leverage parameters, scenarios and their explanation;
:mod:`negotiation.io` reads and writes game files; :mod:`negotiation.catalog` loads the
games and scenarios shipped in ``games/``.
"""

from negotiation import catalog
from negotiation.domain import Parameter, Scenario, load_scenario, save_scenario
from negotiation.domain.explain import Explanation, explain
from negotiation.domain.stress import StressResult, stress_test, sweep
from negotiation.engine import (
    Condition,
    Equilibrium,
    MixedProfile,
    NormalFormGame,
    ParametricGame,
    SolveResult,
    conditions,
    iterated_elimination,
    mixed_2x2,
    region,
    solve,
    threshold,
)
from negotiation.io import read_game, write_nfg

__version__ = "0.1.0"

__all__ = [
    "Condition",
    "Equilibrium",
    "Explanation",
    "MixedProfile",
    "NormalFormGame",
    "Parameter",
    "ParametricGame",
    "Scenario",
    "SolveResult",
    "StressResult",
    "__version__",
    "catalog",
    "conditions",
    "explain",
    "iterated_elimination",
    "load_scenario",
    "mixed_2x2",
    "read_game",
    "region",
    "save_scenario",
    "solve",
    "stress_test",
    "sweep",
    "threshold",
    "write_nfg",
]
