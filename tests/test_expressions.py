"""The safe payoff-expression parser: grammar, exactness, and a corpus of injection attempts."""

from __future__ import annotations

import builtins
import importlib
from fractions import Fraction

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from negotiation.engine.expressions import ExpressionError, parse_expression, symbol

sympify_module = importlib.import_module("sympy.core.sympify")  # the module, not the function
PARAMS = ["air_power", "nato_support", "x", "y"]


@pytest.fixture
def no_eval(monkeypatch):
    """Fail if eval/exec run on text, or if any string reaches sympy's sympify, while parsing.

    (Code objects are let through: the import machinery executes modules that way.)
    """
    real_eval, real_exec = builtins.eval, builtins.exec

    def guard(real):
        def refuse(source, *args, **kwargs):
            if isinstance(source, (str, bytes)):
                raise AssertionError(f"eval/exec called on text {source!r}")
            return real(source, *args, **kwargs)

        return refuse

    real = sympify_module.sympify

    def guarded(a, *args, **kwargs):
        if isinstance(a, str):
            raise AssertionError(f"sympify called on text {a!r}")
        return real(a, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", guard(real_eval))
    monkeypatch.setattr(builtins, "exec", guard(real_exec))
    monkeypatch.setattr(sympify_module, "sympify", guarded)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 - air_power + air_power*nato_support",
         1 - symbol("air_power") + symbol("air_power") * symbol("nato_support")),
        ("0.1", sympy.Rational(1, 10)),
        ("1e-3*x", symbol("x") / 1000),
        ("-x**2 / 4", -symbol("x") ** 2 / 4),
        ("min(x, y, 1)", sympy.Min(symbol("x"), symbol("y"), 1)),
        ("max(x, 0)", sympy.Max(symbol("x"), 0)),
        ("exp(x) + log(y) + sqrt(2) + abs(x)", sympy.exp(symbol("x")) + sympy.log(symbol("y")) + sympy.sqrt(2)
         + sympy.Abs(symbol("x"))),
        ("x if x < y else y", sympy.Piecewise((symbol("x"), symbol("x") < symbol("y")), (symbol("y"), True))),
        ("1 if 0 <= x <= 1 and not y > 2 else 0",
         sympy.Piecewise((1, sympy.And(symbol("x") >= 0, symbol("x") <= 1, symbol("y") <= 2)), (0, True))),
        ("2*pi*x", 2 * sympy.pi * symbol("x")),
        (3, sympy.Integer(3)),
        (0.25, sympy.Rational(1, 4)),
    ],
)
def test_accepted_grammar(text, expected, no_eval):
    assert sympy.simplify(parse_expression(text, PARAMS) - expected) == 0


INJECTIONS = [
    "__import__('os').system('touch PWNED')",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__",
    "x.real",
    "open('PWNED', 'w')",
    "exec('import os')",
    "eval('1')",
    "compile('1', 'f', 'eval')",
    "globals()",
    "getattr(x, 'y')",
    "sympify('x')",
    "lambda: 1",
    "[c for c in ()]",
    "{c: 1 for c in ()}",
    "(c for c in ())",
    "(z := 1)",
    "x[0]",
    "'text'",
    "b'bytes'",
    "f'{x}'",
    "import os",
    "x; import os",
    "x = 1",
    "__builtins__",
    "_x + 1",
    "True + x",
    "None",
    "...",
    "1j * x",
    "9**9**9",
    "2**100000",
    "x**(10**6)",
    "((9**64)**64)**64",
    "2**pi",
    "min",
    "min(x, key=abs)",
    "min(*x)",
    "exp(x, y)",
    "x if x else y",
    "x < y",
    "x and y",
    "~x",
    "x // 2",
    "x % 2",
    "x @ y",
    "x << 2",
    "1/0",
    "0**-1",
    "log(0)",
    "min(" * 300 + "x" + ")" * 300,
    "-" * 5000 + "x",
    "x" + " + x" * 1000,
    "await x",
    "yield x",
    "[x]",
    "(x, y)",
    "{x}",
    "float('nan')",
    "1e400",
    "x.__dict__['a']",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_attempts_are_rejected_and_nothing_runs(text, tmp_path, monkeypatch, no_eval):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ExpressionError):
        parse_expression(text, PARAMS)
    assert not (tmp_path / "PWNED").exists()


def test_unknown_name_lists_the_parameters_and_suggests_the_nearest():
    with pytest.raises(ExpressionError) as info:
        parse_expression("1 - air_powr", PARAMS, where="idlib.yaml: games.escalation")
    message = str(info.value)
    assert "unknown parameter 'air_powr'" in message
    assert "did you mean 'air_power'?" in message
    assert "air_power, nato_support, x, y" in message
    assert message.startswith("idlib.yaml: games.escalation:")


def test_decimals_are_read_exactly():
    assert parse_expression("0.1 + 0.2", []) == sympy.Rational(3, 10)


# A small expression language rendered to text, and valued exactly without eval.
_leaf = st.one_of(
    st.integers(-20, 20).map(lambda v: (str(v) if v >= 0 else f"({v})", Fraction(v))),
    st.sampled_from(["x", "y"]).map(lambda n: (n, n)),
)


def _combine(children):
    ops = st.sampled_from(["+", "-", "*", "min", "max"])
    return st.tuples(ops, children, children).map(lambda t: _node(*t))


def _node(op, a, b):
    if op in ("min", "max"):
        return (f"{op}({a[0]}, {b[0]})", (op, a[1], b[1]))
    return (f"({a[0]} {op} {b[0]})", (op, a[1], b[1]))


def _value(tree, env):
    if isinstance(tree, Fraction):
        return tree
    if isinstance(tree, str):
        return env[tree]
    op, a, b = tree
    va, vb = _value(a, env), _value(b, env)
    return {"+": va + vb, "-": va - vb, "*": va * vb, "min": min(va, vb), "max": max(va, vb)}[op]


@given(st.recursive(_leaf, _combine, max_leaves=12), st.fractions(-5, 5, max_denominator=7),
       st.fractions(-5, 5, max_denominator=7))
def test_parsed_expressions_value_like_the_exact_arithmetic(tree, x, y):
    text, structure = tree
    expr = parse_expression(text, ["x", "y"])
    got = expr.xreplace({symbol("x"): sympy.Rational(x.numerator, x.denominator),
                         symbol("y"): sympy.Rational(y.numerator, y.denominator)})
    assert Fraction(int(got.p), int(got.q)) == _value(structure, {"x": x, "y": y})
