"""Integer pivoting on a linear system kept in integer form.

The tableau represents ``C M^T z + C s = C 1`` where ``C`` is the inverse of the basis
matrix times its determinant, so every entry stays an integer and no fraction is ever
reduced (von Stengel 2007, *Algorithmic Game Theory* ch. 3, Section 3.5, eq. 3.17).
"""

from __future__ import annotations

from fractions import Fraction


class IntegerTableau:
    """A basis of the system ``M^T z + s = 1`` for ``z`` in R^d and ``s`` in R^k.

    Variables ``0..d-1`` are ``z`` and ``d..d+k-1`` the slacks ``s``; the last column of
    each row is the right-hand side.  ``det`` is the current basis determinant, and the
    value of the basic variable of row ``r`` is ``rows[r][-1] / det``.

    Parameters
    ----------
    matrix : list of list of int
        ``M`` with ``d`` rows and ``k`` columns; positive entries keep the polytope
        ``{z >= 0 : M^T z <= 1}`` bounded.
    """

    __slots__ = ("basis", "d", "det", "k", "rows")

    def __init__(self, matrix: list[list[int]]) -> None:
        self.d = len(matrix)
        self.k = len(matrix[0])
        self.rows = [
            [matrix[i][j] for i in range(self.d)]
            + [1 if jj == j else 0 for jj in range(self.k)]
            + [1]
            for j in range(self.k)
        ]
        self.basis = [self.d + j for j in range(self.k)]
        self.det = 1

    def copy(self) -> IntegerTableau:
        new = object.__new__(IntegerTableau)
        new.d, new.k, new.det = self.d, self.k, self.det
        new.rows = [row[:] for row in self.rows]
        new.basis = self.basis[:]
        return new

    @property
    def n_vars(self) -> int:
        return self.d + self.k

    def pivot(self, row: int, col: int) -> int:
        """Make variable ``col`` basic in ``row``; return the variable that left."""
        prow = self.rows[row]
        p = prow[col]
        if p <= 0:
            raise ArithmeticError("integer pivoting needs a positive pivot element")
        det = self.det
        for i, r in enumerate(self.rows):
            if i == row:
                continue
            f = r[col]
            if f:
                self.rows[i] = [(p * a - f * b) // det for a, b in zip(r, prow, strict=True)]
            else:
                self.rows[i] = [(p * a) // det for a in r]
        self.det = p
        left = self.basis[row]
        self.basis[row] = col
        return left

    def ratio_rows(self, col: int) -> list[int]:
        """Rows that attain the minimum ratio test for entering variable ``col``."""
        best: list[int] = []
        for r, row in enumerate(self.rows):
            a = row[col]
            if a <= 0:
                continue
            if not best:
                best = [r]
                continue
            b = self.rows[best[0]]
            lhs, rhs = row[-1] * b[col], b[-1] * a  # compare row[-1]/a with b[-1]/b[col]
            if lhs < rhs:
                best = [r]
            elif lhs == rhs:
                best.append(r)
        return best

    def lex_ratio_row(self, col: int) -> int:
        """The unique lexico-minimum ratio row (von Stengel 2007, Section 3.6).

        Ties in the ordinary ratio test are broken by comparing the rows of ``C`` (the
        slack columns), which are linearly independent, so the choice is unique.
        """
        cands = self.ratio_rows(col)
        if not cands:
            raise ArithmeticError(f"variable {col} can increase without bound")
        if len(cands) == 1:
            return cands[0]
        slack_cols = range(self.d, self.d + self.k)

        def key_less(r1: int, r2: int) -> bool:
            a1, a2 = self.rows[r1][col], self.rows[r2][col]
            for c in slack_cols:
                lhs, rhs = self.rows[r1][c] * a2, self.rows[r2][c] * a1
                if lhs != rhs:
                    return lhs < rhs
            return False

        best = cands[0]
        for r in cands[1:]:
            if key_less(r, best):
                best = r
        return best

    def values(self) -> list[Fraction]:
        """Values of all variables at this basic solution."""
        out = [Fraction(0)] * self.n_vars
        for r, var in enumerate(self.basis):
            out[var] = Fraction(self.rows[r][-1], self.det)
        return out

    def zero_mask(self) -> int:
        """Bit mask of the variables that are zero (nonbasic, or basic at zero)."""
        mask = (1 << self.n_vars) - 1
        for r, var in enumerate(self.basis):
            if self.rows[r][-1] != 0:
                mask &= ~(1 << var)
        return mask
