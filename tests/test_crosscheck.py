"""Cross-checks against pygambit (the reference oracle) and nashpy on seeded random games."""

from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import pytest

from negotiation import NormalFormGame, solve
from tests.conftest import as_key, gambit_enummixed, gambit_game, gambit_probabilities

ROOT_SEED = 20260305  # one root seed; each game's generator is spawned from it


def _random_bimatrix(count: int, low: int, high: int, max_size: int):
    children = np.random.SeedSequence(ROOT_SEED).spawn(count)
    for child in children:
        rng = np.random.default_rng(child)
        m, n = rng.integers(1, max_size + 1, size=2)
        yield rng.integers(low, high + 1, size=(m, n)), rng.integers(low, high + 1, size=(m, n))


def test_contains_every_gambit_extreme_equilibrium_on_300_games():
    """300 seeded games up to 7x7 with payoffs in 0..3 (mostly degenerate): our set of
    extreme equilibria contains all of Gambit's enummixed (rational) and is verified."""
    pytest.importorskip("pygambit")
    counts = {"games": 0, "degenerate": 0, "with continuum": 0, "gambit equilibria": 0, "ours": 0}
    for a, b in _random_bimatrix(300, 0, 3, 7):
        game = NormalFormGame.from_arrays(a, b)
        result = solve(game, "all", exact=True)
        ours = {as_key(eq.profile) for eq in result}
        theirs = gambit_enummixed(a, b)
        assert theirs <= ours, (a, b, theirs - ours)
        assert all(eq.regret == 0 for eq in result)
        assert len(ours) == len(result)  # no duplicates
        counts["games"] += 1
        counts["degenerate"] += bool(result.degenerate)
        counts["with continuum"] += result.has_continuum
        counts["gambit equilibria"] += len(theirs)
        counts["ours"] += len(ours)
    print("cross-check counts:", counts)
    assert counts["degenerate"] >= 100  # the sample really exercises degenerate games


def test_float_mode_agrees_with_exact_mode():
    for a, b in _random_bimatrix(60, -5, 5, 5):
        game = NormalFormGame.from_arrays(a, b)
        exact = sorted(as_key(eq.profile) for eq in solve(game, "all", exact=True))
        floats = solve(game, "all")
        assert len(floats) == len(exact)
        for eq in floats:
            assert any(
                all(
                    np.allclose(np.asarray(v, float), np.asarray(w, float))
                    for v, w in zip(eq.profile.probabilities, k, strict=True)
                )
                for k in exact
            )


def test_agrees_with_nashpy_on_nondegenerate_games():
    """On games with continuous random payoffs (nondegenerate with probability one)
    every equilibrium nashpy's support enumeration finds is ours, and our count is odd.

    nashpy can miss equilibria here through its floating-point tolerances (it then warns
    of an even count); ours are exact for the float payoffs as given and verified."""
    nash = pytest.importorskip("nashpy")
    children = np.random.SeedSequence(ROOT_SEED + 1).spawn(40)
    for child in children:
        rng = np.random.default_rng(child)
        m, n = rng.integers(2, 5, size=2)
        a, b = rng.normal(size=(m, n)), rng.normal(size=(m, n))
        result = solve(NormalFormGame.from_arrays(a, b), "all")
        assert result.degenerate is False
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            theirs = list(nash.Game(a, b).support_enumeration())
        assert len(result) % 2 == 1
        assert len(theirs) <= len(result)
        for x, y in theirs:
            assert any(
                np.allclose(x, eq.profile.probabilities[0], atol=1e-8)
                and np.allclose(y, eq.profile.probabilities[1], atol=1e-8)
                for eq in result
            )


def test_lemke_howson_matches_gambit_set_from_every_label():
    pytest.importorskip("pygambit")
    for a, b in _random_bimatrix(60, 0, 4, 5):
        game = NormalFormGame.from_arrays(a, b)
        everything = {as_key(eq.profile) for eq in solve(game, "all", exact=True)}
        for label in range(sum(game.shape)):
            found = solve(game, "one", exact=True, label=label)
            assert found[0].regret == 0
            assert as_key(found[0].profile) in everything


def test_three_player_games_against_gambit_enumpoly():
    """Seeded 2x2x2 and 2x2x3 games with wide integer payoffs (generic): every
    equilibrium Gambit's enumpoly finds is one of ours, and ours are all verified."""
    gbt = pytest.importorskip("pygambit")
    children = np.random.SeedSequence(ROOT_SEED + 2).spawn(12)
    compared = 0
    for k, child in enumerate(children):
        rng = np.random.default_rng(child)
        shape = (2, 2, 2) if k % 2 == 0 else (2, 2, 3)
        payoffs = rng.integers(-(10**6), 10**6, size=(3, *shape))
        game = NormalFormGame(payoffs)
        result = solve(game, "all")
        assert not result.continua
        g = gambit_game(*[payoffs[i].astype(int) for i in range(3)])
        theirs = gbt.nash.enumpoly_solve(g).equilibria
        for eq in theirs:
            vec = [np.array(probs, dtype=float) for probs in gambit_probabilities(eq)]
            assert any(
                all(np.allclose(v, w, atol=1e-6) for v, w in zip(vec, e.profile.probabilities, strict=True))
                for e in result
            ), (payoffs, vec)
            compared += 1
        for e in result:
            assert float(game.as_float().regret(e.profile)) <= 1e-9 * game.payoff_scale()
    assert compared >= 12


def test_pure_equilibria_of_a_four_player_game_match_brute_force():
    rng = np.random.default_rng(np.random.SeedSequence(ROOT_SEED + 3))
    payoffs = rng.integers(0, 3, size=(4, 2, 3, 2, 2))
    game = NormalFormGame(payoffs)
    found = {tuple(int(np.argmax(v)) for v in eq.profile.probabilities) for eq in solve(game, "pure")}
    brute = set()
    for cell in np.ndindex(*game.shape):
        if all(
            payoffs[(i, *cell)] >= max(payoffs[(i, *cell[:i], s, *cell[i + 1 :])] for s in range(game.shape[i]))
            for i in range(4)
        ):
            brute.add(cell)
    assert found == brute


def test_fractions_in_payoffs_stay_exact():
    a = [[Fraction(1, 3), 0], [0, Fraction(2, 3)]]
    result = solve(NormalFormGame.from_arrays(a, a), "all", exact=True)
    assert all(isinstance(v, Fraction) for eq in result for vec in eq.profile.probabilities for v in vec)


def _lrsnash(a: np.ndarray, b: np.ndarray, exe: str, tmp) -> set[tuple[tuple[Fraction, ...], tuple[Fraction, ...]]]:
    """lrsnash's extreme equilibria: in each output block, every player-1 line with every player-2
    line (a degenerate block lists several vertices of one player matched to the other's)."""
    import subprocess

    m, n = a.shape
    path = tmp / "game"
    path.write_text(f"{m} {n}\n\n" + "\n".join(" ".join(map(str, r)) for r in a) + "\n\n"
                    + "\n".join(" ".join(map(str, r)) for r in b) + "\n", encoding="ascii")
    out = subprocess.run([exe, str(path)], capture_output=True, text=True, check=True, timeout=120).stdout
    found = set()
    for block in out.split("\n\n"):
        rows = [line.split() for line in block.splitlines() if line[:1] in "12" and not line.startswith("*")]
        xs = [tuple(Fraction(v) for v in r[1:-1]) for r in rows if r[0] == "1"]
        ys = [tuple(Fraction(v) for v in r[1:-1]) for r in rows if r[0] == "2"]
        found |= {(x, y) for x in xs for y in ys}
    return found


def test_extreme_equilibria_equal_lrsnash_on_degenerate_games(tmp_path):
    """80 seeded games up to 8x8 with payoffs in 0..3 (mostly degenerate): the set of extreme
    equilibria of solve(..., "all", exact=True) is lrsnash's (Avis' lrslib, reverse search in
    exact arithmetic), pair for pair. Skipped where lrslib is not installed."""
    import shutil

    exe = shutil.which("lrsnash")
    if exe is None:
        pytest.skip("lrsnash (Debian package lrslib) is not installed")
    compared = 0
    for a, b in _random_bimatrix(80, 0, 3, 8):
        if min(a.shape) < 2:
            continue
        result = solve(NormalFormGame.from_arrays(a, b), "all", exact=True)
        ours = {tuple(tuple(v) for v in eq.profile.probabilities) for eq in result}
        theirs = _lrsnash(a, b, exe, tmp_path)
        assert ours == theirs, (a, b, ours ^ theirs)
        compared += len(theirs)
    assert compared > 100


def test_the_compiled_vertex_search_equals_the_python_one(monkeypatch):
    """40 seeded matrices, degenerate (entries 0..3) and with large entries: the compiled
    lexicographic search returns the vertices of the Python integer search, in its order;
    where an entry would outgrow 64-bit words it declines (None) and vertices_exact answers
    on Python integers."""
    from negotiation.engine.numbers import integer_matrix
    from negotiation.engine.solvers import bimatrix

    rng = np.random.default_rng(np.random.SeedSequence(ROOT_SEED + 7))
    declined = compared = 0
    for trial in range(40):
        d, k = (int(v) for v in rng.integers(2, 9, size=2))
        matrix = integer_matrix(rng.integers(0, 4 if trial % 4 else 10**6, size=(d, k)))
        compiled = bimatrix._vertices_compiled(matrix)
        with monkeypatch.context() as patch:
            patch.setattr(bimatrix, "_vertices_compiled", lambda _: None)
            python = bimatrix.vertices_exact(matrix)
        if compiled is None:
            declined += 1
            assert bimatrix.vertices_exact(matrix) == python
        else:
            assert list(compiled.items()) == list(python.items())
            compared += len(python)
    assert 0 < declined < 20 and compared > 500


def test_completely_labelled_pairs_equal_a_double_loop():
    """Random label masks (most vertices carry extra labels, as in degenerate games): the
    compiled matching by the rarest missing label finds exactly the pairs that carry every
    label, in the order of a double loop."""
    from negotiation.engine.solvers import bimatrix

    rng = np.random.default_rng(np.random.SeedSequence(ROOT_SEED + 8))
    for labels in (4, 9, 20, 63):
        xs = [int(v) for v in rng.integers(0, 2, size=(300, labels)) @ (1 << np.arange(labels, dtype=object))]
        ys = [int(v) for v in rng.integers(0, 2, size=(200, labels)) @ (1 << np.arange(labels, dtype=object))]
        ys += [((1 << labels) - 1) & ~x for x in xs[:20]]  # some exact complements
        full = (1 << labels) - 1
        expected = [(i, j) for i, x in enumerate(xs) for j, y in enumerate(ys) if x | y == full]
        assert bimatrix._completely_labelled(xs, ys, labels) == expected
        assert len(expected) >= 20
