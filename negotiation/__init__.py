"""negotiation: game-theoretic modelling of coercive negotiation and ceasefires.

Every name below is imported on first use (PEP 562), so ``import negotiation`` is quick.

The engine layer (:mod:`negotiation.engine`) holds game forms (numeric and parametric),
verified solvers and symbolic equilibrium conditions; the domain layer
(:mod:`negotiation.domain`) holds leverage parameters, scenarios and their explanation;
:mod:`negotiation.io` reads and writes game files; :mod:`negotiation.catalog` loads the
games and scenarios shipped in ``games/``.
"""

from negotiation._lazy import exports

__version__ = "0.1.0"

_EXPORTS = {
    'catalog': '.catalog',
    'plot': '.plot',
    'Parameter': '.domain.leverage',
    'Scenario': '.domain.scenario',
    'load_scenario': '.domain.scenario',
    'save_scenario': '.domain.scenario',
    'Explanation': '.domain.explain',
    'explain': '.domain.explain',
    'StressResult': '.domain.stress',
    'stress_test': '.domain.stress',
    'sweep': '.domain.stress',
    'Condition': '.engine.symbolic',
    'conditions': '.engine.symbolic',
    'mixed_2x2': '.engine.symbolic',
    'region': '.engine.symbolic',
    'threshold': '.engine.symbolic',
    'Equilibrium': '.engine.solvers',
    'SolveResult': '.engine.solvers',
    'solve': '.engine.solvers',
    'ExtensiveFormGame': '.engine.extensive',
    'chance': '.engine.extensive',
    'decision': '.engine.extensive',
    'leaf': '.engine.extensive',
    'MixedProfile': '.engine.profile',
    'NormalFormGame': '.engine.game',
    'ParametricGame': '.engine.parametric',
    'iterated_elimination': '.engine.dominance',
    'BargainingProblem': '.engine.bargaining',
    'crisis_bargaining': '.engine.bargaining',
    'rubinstein': '.engine.bargaining',
    'BayesianGame': '.engine.bayesian',
    'SignalingGame': '.engine.bayesian',
    'correlated_equilibrium': '.engine.correlated',
    'GraphModel': '.engine.gmcr',
    'estimate_lambda': '.engine.qre',
    'logit_qre': '.engine.qre',
    'sustainability': '.engine.repeated',
    'TreeSolveResult': '.engine.solvers.tree',
    'solve_tree': '.engine.solvers.tree',
    'read_efg_tree': '.io',
    'read_game': '.io',
    'write_efg': '.io',
    'write_nfg': '.io',
}

__getattr__, __dir__ = exports(__name__, _EXPORTS)

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
