"""The names of the solving methods, without importing the solvers (for the command line's parser)."""

METHODS = ("auto", "pure", "all", "one", "zero_sum", "numeric")
"""Methods of :func:`negotiation.engine.solvers.solve` for strategic-form games."""

TREE_METHODS = ("spe", "all", "one", "pure", "sequence")
"""Methods of :func:`negotiation.engine.solvers.tree.solve_tree` for game trees."""
