"""Safe payoff expressions: text parsed through a whitelist of Python ``ast`` nodes.

A payoff such as ``"-1 + p*g - casualties*casualty_cost"`` is parsed with
:func:`ast.parse` (which only builds a syntax tree and executes nothing) and the tree is
translated node by node into a sympy expression.  Only the nodes listed below are
accepted; everything else (attribute access, subscripts, other calls, lambdas,
comprehensions, strings, names starting with an underscore, absurd exponents) is
rejected with an :class:`ExpressionError` saying what and where.

Nothing is ever evaluated as code: neither :func:`eval` nor sympy's ``sympify`` /
``parse_expr`` (which call ``eval``) sees the text.

Grammar
-------
- numbers: integer and decimal literals (``2``, ``0.35``, ``1e-3``), read exactly as
  rationals;
- parameter names declared by the caller (plus the constant ``pi``);
- ``+ - * / **`` and unary ``-``/``+``;
- ``min(a, b, ...)``, ``max(a, b, ...)``, ``exp(x)``, ``log(x)``, ``sqrt(x)``, ``abs(x)``;
- conditionals ``a if test else b`` whose test is a comparison (``< <= > >= == !=``,
  chains allowed) combined with ``and``, ``or``, ``not``.
"""

from __future__ import annotations

import ast
import keyword
from collections.abc import Iterable, Mapping
from fractions import Fraction

import sympy

from negotiation import limits
from negotiation.engine.numbers import bottom_up, decimal_fraction, finite_real
from negotiation.errors import GameError, suggest

_FUNCTIONS = {
    "min": (sympy.Min, None),
    "max": (sympy.Max, None),
    "exp": (sympy.exp, 1),
    "log": (sympy.log, 1),
    "sqrt": (sympy.sqrt, 1),
    "abs": (sympy.Abs, 1),
}
_CONSTANTS = {"pi": sympy.pi}
RESERVED = frozenset(_FUNCTIONS) | frozenset(_CONSTANTS)
"""Names that cannot be used for parameters."""

_BINOPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}
_COMPARE = {
    ast.Lt: sympy.Lt,
    ast.LtE: sympy.Le,
    ast.Gt: sympy.Gt,
    ast.GtE: sympy.Ge,
    ast.Eq: sympy.Eq,
    ast.NotEq: sympy.Ne,
}
_NODE_NAMES = {
    ast.Attribute: "attribute access",
    ast.Subscript: "subscripts",
    ast.Lambda: "lambdas",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.NamedExpr: "assignment expressions",
    ast.JoinedStr: "strings",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Set: "sets",
    ast.Dict: "dictionaries",
    ast.Starred: "starred arguments",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "slices",
}


class ExpressionError(GameError):
    """A payoff expression is not in the accepted grammar.

    Parameters
    ----------
    message : str
        Why the expression is rejected.
    text : str
        The expression.
    where : str, optional
        Where it comes from (file and key path), prefixed to the message.
    """

    def __init__(self, message: str, text: str, where: str = "") -> None:
        self.reason = message
        self.text = text
        self.where = where
        shown = text if len(text) <= 80 else text[:77] + "..."
        prefix = f"{where}: " if where else ""
        super().__init__(f"{prefix}{message} in payoff expression {shown!r}")


def symbol(name: str) -> sympy.Symbol:
    """The sympy symbol of a parameter (real-valued)."""
    return sympy.Symbol(name, real=True)


def check_parameter_name(name: str) -> None:
    """Raise :class:`ValueError` unless ``name`` can name a parameter."""
    if not isinstance(name, str) or not name.isidentifier() or not name.isascii():
        raise ValueError(f"{name!r} is not a valid parameter name (letters, digits and _; not starting with a digit)")
    if name.startswith("_"):
        raise ValueError(f"parameter name {name!r} must not start with an underscore")
    if keyword.iskeyword(name) or name in RESERVED:
        raise ValueError(f"{name!r} is reserved and cannot name a parameter")


def parse_expression(text: str, parameters: Iterable[str], where: str = "") -> sympy.Expr:
    """Parse ``text`` into a sympy expression over the named ``parameters``.

    Parameters
    ----------
    text : str
        The expression, e.g. ``"(1 - air_power) + air_power*nato_cover"``.
    parameters : iterable of str
        The names that may appear; each becomes a real :class:`sympy.Symbol`.
    where : str, optional
        Where the text comes from, used in error messages (e.g. ``"idlib.yaml: games.x"``).

    Returns
    -------
    sympy.Expr

    Raises
    ------
    ExpressionError
        If the text is not in the grammar of this module, names an unknown parameter,
        or has a constant exponent larger than ``negotiation.limits.MAX_EXPONENT``.

    Examples
    --------
    >>> parse_expression("min(a, 1) - 2*b", ["a", "b"])
    -2*b + Min(1, a)
    """
    if isinstance(text, bool) or not isinstance(text, (str, int, float, Fraction)):
        raise ExpressionError(f"a payoff must be a number or a string, not {type(text).__name__}", repr(text), where)
    if not isinstance(text, str):
        return _number(text, repr(text), where)
    if len(text) > limits.MAX_EXPRESSION_LENGTH:
        raise ExpressionError(limits.over("characters in the expression", "MAX_EXPRESSION_LENGTH", len(text)),
                              text[:200], where)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        raise ExpressionError(f"syntax error ({err.msg})", text, where) from None
    except (ValueError, RecursionError, MemoryError) as err:
        raise ExpressionError(f"cannot parse ({type(err).__name__})", text, where) from None
    known = {name: symbol(name) for name in parameters}
    try:
        expr = _Translator(text, known, where).visit(tree.body, 0)
    except (ValueError, TypeError, ArithmeticError, RecursionError, MemoryError) as err:
        if isinstance(err, ExpressionError):
            raise
        reason = str(err).splitlines()[0][:120] if str(err) else type(err).__name__
        raise ExpressionError(f"cannot be computed ({reason})", text, where) from None
    nesting = _exponential_nesting(expr)
    if nesting > limits.MAX_EXP_NESTING:
        raise ExpressionError(limits.over("exponentials of the parameters nested in one another",
                                          "MAX_EXP_NESTING", nesting), text, where)
    for constant in expr.atoms(sympy.Rational):  # folded constants too (1e300 * 1e300)
        bits = max(int(constant.p).bit_length(), int(constant.q).bit_length())
        if bits > limits.MAX_CONSTANT_BITS:
            raise ExpressionError(limits.over("bits of a constant", "MAX_CONSTANT_BITS", bits), text, where)
    return expr


def _exponential_nesting(expr: sympy.Basic) -> int:
    """How deeply exponentials of the parameters nest: ``exp(a)`` and ``2**a`` count 1,
    ``exp(exp(a))`` 2, ``a**exp(a)`` 2; constants count 0 (:func:`~negotiation.engine.numbers.bottom_up`)."""
    def combine(node: sympy.Basic, inner: list[int]) -> int:
        grows = node.free_symbols and (isinstance(node, sympy.exp) or (
            isinstance(node, sympy.Pow) and node.exp.free_symbols))
        return max(inner, default=0) + (1 if grows else 0)

    return bottom_up(expr, combine)


def _number(value: object, text: str, where: str) -> sympy.Rational:
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)):
        raise ExpressionError(f"constant {value!r} is not a number", text, where)
    try:
        frac = decimal_fraction(value)  # a float literal is read as the decimal it is written as
    except ValueError as err:
        raise ExpressionError(str(err), text, where) from None
    return sympy.Rational(frac.numerator, frac.denominator)


class _Translator:
    def __init__(self, text: str, known: Mapping[str, sympy.Symbol], where: str) -> None:
        self.text = text
        self.known = known
        self.where = where

    def fail(self, message: str) -> ExpressionError:
        return ExpressionError(message, self.text, self.where)

    def visit(self, node: ast.AST, depth: int) -> sympy.Basic:
        result = self._visit(node, depth)
        if not result.free_symbols and not result.is_Rational:  # a constant part: a finite real number, or refused
            if finite_real(result) is None:
                raise self.fail(f"its constant part {sympy.sstr(result)[:60]} is not a finite real number")
        return result

    def _visit(self, node: ast.AST, depth: int) -> sympy.Basic:
        if depth > limits.MAX_EXPRESSION_DEPTH:
            raise self.fail(f"expression nested deeper than {limits.MAX_EXPRESSION_DEPTH} levels "
                            "(negotiation.limits.MAX_EXPRESSION_DEPTH)")
        d = depth + 1
        if isinstance(node, ast.Constant):
            return _number(node.value, self.text, self.where)
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.BinOp):
            left, right = self.visit(node.left, d), self.visit(node.right, d)
            if isinstance(node.op, ast.Pow):
                return self.power(left, right)
            op = _BINOPS.get(type(node.op))
            if op is None:
                raise self.fail(f"operator {type(node.op).__name__} is not allowed (use + - * / **)")
            if isinstance(node.op, ast.Div) and right == 0:
                raise self.fail("division by zero")
            return op(left, right)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return -self.visit(node.operand, d)
            if isinstance(node.op, ast.UAdd):
                return self.visit(node.operand, d)
            raise self.fail(f"operator {type(node.op).__name__} is only allowed in conditions")
        if isinstance(node, ast.Call):
            return self.call(node, d)
        if isinstance(node, ast.IfExp):
            test = self.condition(node.test, d)
            return sympy.Piecewise((self.visit(node.body, d), test), (self.visit(node.orelse, d), True))
        if isinstance(node, (ast.Compare, ast.BoolOp)):
            raise self.fail("a comparison is only allowed as the test of 'a if test else b'")
        kind = _NODE_NAMES.get(type(node), type(node).__name__)
        raise self.fail(f"{kind} not allowed")

    def name(self, ident: str) -> sympy.Basic:
        if ident.startswith("_"):
            raise self.fail(f"name {ident!r} is not allowed (names starting with an underscore are rejected)")
        if ident in self.known:
            return self.known[ident]
        if ident in _CONSTANTS:
            return _CONSTANTS[ident]
        if ident in _FUNCTIONS:
            raise self.fail(f"function {ident!r} must be called")
        known = ", ".join(sorted(self.known)) or "none"
        raise self.fail(f"unknown parameter {ident!r}{suggest(ident, self.known)}; known parameters: {known}")

    def power(self, base: sympy.Basic, exponent: sympy.Basic) -> sympy.Basic:
        if exponent.is_Number and abs(exponent) > limits.MAX_EXPONENT:
            raise self.fail(f"exponent {exponent} is larger than {limits.MAX_EXPONENT} in absolute value "
                            "(negotiation.limits.MAX_EXPONENT)")
        if not exponent.is_Number and not exponent.free_symbols:
            raise self.fail("constant exponents must be plain numbers")
        if exponent.is_Rational and exponent.q > limits.MAX_EXPONENT:
            order = str(exponent.q) if exponent.q < 10**12 else f"about 10^{len(str(exponent.q)) - 1}"
            raise self.fail(f"a root of order {order} is over {limits.MAX_EXPONENT} (negotiation.limits.MAX_EXPONENT)")
        if exponent.free_symbols and any(p.exp.free_symbols for p in exponent.atoms(sympy.Pow)):
            raise self.fail("a power tower (a power with a parameter in its exponent, inside an exponent) is not "
                            "allowed: its values outgrow any number")
        if base.is_Number and exponent.is_Number:
            if base == 0 and exponent < 0:
                raise self.fail("division by zero")
            num, den = sympy.fraction(base)
            bits = max(int(num).bit_length(), int(den).bit_length()) * abs(exponent)
            if bits > limits.MAX_CONSTANT_BITS:
                raise self.fail(limits.over("bits of a constant power", "MAX_CONSTANT_BITS", int(bits)))
        return base**exponent

    def call(self, node: ast.Call, depth: int) -> sympy.Basic:
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
            what = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise self.fail(f"call of {what!r} not allowed (allowed functions: {', '.join(sorted(_FUNCTIONS))})")
        name = node.func.id
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise self.fail(f"{name}() takes positional arguments only")
        func, arity = _FUNCTIONS[name]
        if (arity is not None and len(node.args) != arity) or not node.args:
            raise self.fail(f"{name}() takes {arity or 'at least one'} argument(s), got {len(node.args)}")
        args = [self.visit(a, depth) for a in node.args]
        if name == "log" and args[0].is_Number and args[0] <= 0:
            raise self.fail("log of a non-positive number")
        return func(*args)

    def condition(self, node: ast.AST, depth: int) -> sympy.Basic:
        if depth > limits.MAX_EXPRESSION_DEPTH:
            raise self.fail(f"expression nested deeper than {limits.MAX_EXPRESSION_DEPTH} levels "
                            "(negotiation.limits.MAX_EXPRESSION_DEPTH)")
        d = depth + 1
        if isinstance(node, ast.Compare):
            terms = [self.visit(node.left, d), *(self.visit(c, d) for c in node.comparators)]
            parts = []
            for op, a, b in zip(node.ops, terms, terms[1:], strict=False):
                rel = _COMPARE.get(type(op))
                if rel is None:
                    raise self.fail(f"comparison {type(op).__name__} not allowed")
                if a.free_symbols or b.free_symbols:
                    parts.append(rel(a, b))
                else:  # two constants: compare their values (sympy's exact comparison can take very long)
                    x, y = finite_real(a), finite_real(b)
                    parts.append(sympy.true if rel(sympy.Float(x), sympy.Float(y)) else sympy.false)
            return sympy.And(*parts)
        if isinstance(node, ast.BoolOp):
            combine = sympy.And if isinstance(node.op, ast.And) else sympy.Or
            return combine(*(self.condition(v, d) for v in node.values))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return sympy.Not(self.condition(node.operand, d))
        raise self.fail("the test of 'a if test else b' must be a comparison")
