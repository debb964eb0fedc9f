"""Hostile input: every reader ends in a result or one clean line, within the harness's time and
memory limits (a worker process under RLIMIT_AS, see fuzz_harness.py).

The default suite runs a bounded number of Hypothesis examples per reader, every input of
the corpus of past failures, and the inputs named in issue 14 (the billion laughs, huge
declared sizes, deep trees, power towers, odd roots of negatives, other encodings,
redefinitions); ``make fuzz`` runs 10,000 generated inputs per reader.
"""

from __future__ import annotations

import fuzz_harness as fh
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = 25  # per reader in the default suite; `make fuzz` runs 10,000


@pytest.fixture(scope="module")
def pool():
    workers = fh.Pool()
    yield workers
    workers.close()


def _clean(pool: fh.Pool, reader: str, data: bytes) -> dict:
    verdict = pool.run(reader, data)
    if verdict["class"] in fh.FAILURES:
        kept = fh.save_to_corpus(reader, data)
        pytest.fail(f"{reader} input ended in {verdict['class']}: {verdict['message']} (kept in {kept})")
    return verdict


_ops = st.lists(st.tuples(st.integers(0, len(fh.MUTATIONS) - 1), st.integers(0, 2**31), st.integers(0, 2**31)),
                min_size=1, max_size=4)


@pytest.mark.parametrize("reader", fh.READERS)
def test_mutated_inputs_end_in_a_result_or_one_clean_line(pool, reader):
    base = fh.seeds(reader)

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.integers(0, len(base) - 1), _ops)
    def check(which, ops):
        _clean(pool, reader, fh.mutate(base[which], ops))

    check()


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.integers(0, 2**32 - 1))
def test_grammar_built_expressions_end_in_a_value_or_one_clean_line(pool, seed):
    import numpy as np

    _clean(pool, "expression", fh.expression(np.random.default_rng(seed)).encode())


@pytest.mark.parametrize(("reader", "path"), fh.corpus(), ids=lambda v: getattr(v, "name", v))
def test_every_input_that_ever_failed_now_ends_cleanly(pool, reader, path):
    _clean(pool, reader, path.read_bytes())


def _chain(n: int) -> bytes:
    lines = ['EFG 2 R "" { "a" "b" }']
    for k in range(n):
        lines += [f'p "" {k % 2 + 1} {k + 1} "" {{ "stop" "go" }} 0', f't "" {k + 1} "" {{ {k} {-k} }}']
    return ("\n".join([*lines, f't "" {n + 1} "" {{ 0 0 }}']) + "\n").encode()


DETERRENCE = (fh.SEEDS / "deterrence.yaml").read_bytes()
NAMED = {  # reader, input, the class it must end in, and a phrase of its message
    "billion laughs": ("scenario", fh.BOMB + DETERRENCE, fh.REFUSED, "aliases"),
    "a second baseline key": ("scenario", DETERRENCE.replace(b"    baseline: 0.5\n",
                                                             b"    baseline: 0.5\n    baseline: 0.7\n"),
                              fh.REFUSED, "duplicate key"),
    "a scenario in Latin-1": ("scenario", DETERRENCE.replace(b"Textbook", b"Textb\xf6ok"), fh.REFUSED, "UTF-8"),
    "a power tower": ("expression", b"a**a**a**a**a**a", fh.REFUSED, "power tower"),
    "an odd root of a negative number": ("expression", b"(-8)**(1/3) + a", fh.REFUSED, "finite real"),
    "10^6 declared strategies": ("nfg", b'NFG 1 R "" { "a" "b" } { 1000000 1000000 }\n', fh.REFUSED, "MAX_STRATEGIES"),
    "a payoff too large for a float": ("nfg", b'NFG 1 R "" { "a" "b" } { 2 2 }\n' + b" ".join([b"1" + b"0" * 400] * 8),
                                       fh.REFUSED, "too large for a float"),
    "10^6 actions at a node": ("efg", b'EFG 2 R "" { "a" "b" }\np "" 1 1 "" { ' + b'"x" ' * 200_000 + b"} 0\n",
                               fh.REFUSED, "MAX_STRATEGIES"),
    "a chain of 2,001 moves": ("efg", _chain(2001), fh.REFUSED, "MAX_TREE_DEPTH"),
    "a chain of 1,999 moves": ("efg", _chain(1999), fh.OK, "1 equilibria"),
    "an outcome redefined": ("efg", b'EFG 2 R "" { "a" "b" }\np "" 1 1 "" { "l" "r" } 0\nt "" 1 "x" { 1 2 }\n'
                                    b't "" 1 "y" { 3 4 }\n', fh.REFUSED, "other payoffs than at line 3"),
    "an .efg in Latin-1": ("efg", b'EFG 2 R "caf\xe9" { "a" "b" }\nt "" 1 "x" { 1 2 }\n', fh.REFUSED, "UTF-8"),
}


@pytest.mark.parametrize("name", NAMED)
def test_the_inputs_named_in_the_issue(pool, name):
    reader, data, expected, phrase = NAMED[name]
    verdict = _clean(pool, reader, data)
    assert verdict["class"] == expected, verdict
    assert phrase in verdict["message"], verdict["message"]


def test_the_harness_catches_a_traceback_a_hang_a_memory_blow_up_and_a_crash(monkeypatch):
    """The fuzzing can fail: a reader that raises something else, never answers, runs out of
    memory or dies is classified as a failure, not as a clean refusal."""
    monkeypatch.setattr(fh, "TIME_LIMIT", 2.0)
    pool = fh.Pool()
    try:
        assert pool.run("expression", b"a + 1")["class"] == fh.OK  # warms the worker up
        assert pool.run("_traceback", b"")["class"] == fh.TRACEBACK
        assert pool.run("_memory", b"")["class"] == fh.MEMORY
        assert pool.run("expression", b"a + 1")["class"] == fh.OK
        assert pool.run("_hang", b"")["class"] == fh.HANG
        assert pool.run("expression", b"a + 1")["class"] == fh.OK  # a new worker
        pool.proc.kill()  # type: ignore[union-attr]
        pool.proc.wait()  # type: ignore[union-attr]
        assert pool.run("expression", b"a")["class"] == fh.OK  # restarted after a crash
    finally:
        pool.close()
