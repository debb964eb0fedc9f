"""negotiation: game-theoretic modelling of coercive negotiation and ceasefires.

The engine layer (:mod:`negotiation.engine`) holds game forms (numeric and parametric),
verified solvers and symbolic equilibrium conditions; the domain layer
(:mod:`negotiation.domain`) holds leverage parameters, scenarios and their explanation;
:mod:`negotiation.io` reads and writes game files; :mod:`negotiation.catalog` loads the
games and scenarios shipped in ``games/``.
"""

from negotiation import catalog, plot
from negotiation.domain import Parameter, Scenario, load_scenario, save_scenario
from negotiation.domain.explain import Explanation, explain
from negotiation.domain.stress import StressResult, stress_test, sweep
from negotiation.engine import (
    Condition,
    Equilibrium,
    ExtensiveFormGame,
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
from negotiation.engine.bargaining import BargainingProblem, crisis_bargaining, rubinstein
from negotiation.engine.bayesian import BayesianGame, SignalingGame
from negotiation.engine.correlated import correlated_equilibrium
from negotiation.engine.extensive import chance, decision, leaf
from negotiation.engine.gmcr import GraphModel
from negotiation.engine.qre import estimate_lambda, logit_qre
from negotiation.engine.repeated import sustainability
from negotiation.engine.solvers.tree import TreeSolveResult, solve_tree
from negotiation.io import read_efg_tree, read_game, write_efg, write_nfg

__version__ = "0.1.0"

__all__ = [
    "BargainingProblem",
    "BayesianGame",
    "Condition",
    "Equilibrium",
    "Explanation",
    "ExtensiveFormGame",
    "GraphModel",
    "MixedProfile",
    "NormalFormGame",
    "Parameter",
    "ParametricGame",
    "Scenario",
    "SignalingGame",
    "SolveResult",
    "StressResult",
    "TreeSolveResult",
    "__version__",
    "catalog",
    "chance",
    "conditions",
    "correlated_equilibrium",
    "crisis_bargaining",
    "decision",
    "estimate_lambda",
    "explain",
    "iterated_elimination",
    "leaf",
    "load_scenario",
    "logit_qre",
    "mixed_2x2",
    "plot",
    "read_efg_tree",
    "read_game",
    "region",
    "rubinstein",
    "save_scenario",
    "solve",
    "solve_tree",
    "stress_test",
    "sustainability",
    "sweep",
    "threshold",
    "write_efg",
    "write_nfg",
]
