"""The ``negotiation`` command.

``negotiation solve FILE [--method ...] [--exact] [--format table|json|csv]`` prints the
equilibria of a game file.  Errors print one line on stderr and exit with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from negotiation.engine.solvers import METHODS, SolveResult, solve
from negotiation.errors import NegotiationError
from negotiation.io import read_game


def _table(result: SolveResult) -> str:
    frame = result.to_frame()
    lines = [
        f"method: {result.method} ({result.algorithm}); exact: {result.exact}; "
        f"complete: {result.complete}; degenerate: {result.degenerate}; "
        f"continuum: {result.has_continuum}"
    ]
    if frame.empty:
        lines.append("no equilibrium found")
    else:
        shown = frame.drop(columns=["regret"]).astype(str)
        lines.append(shown.to_string(index=False))
    for cont in result.continua:
        sup = "; ".join(f"{p}: {', '.join(s)}" for p, s in cont.supports.items())
        lines.append(f"continuum on supports [{sup}]: " + " and ".join(cont.equations))
    lines += [f"note: {n}" for n in result.notes]
    return "\n".join(lines)


def _csv(result: SolveResult) -> str:
    frame = result.to_frame()
    return frame.astype(str).to_csv(index=False, lineterminator="\n") if not frame.empty else ""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="negotiation", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_solve = sub.add_parser("solve", help="compute the equilibria of a .nfg or .efg game file")
    p_solve.add_argument("file")
    p_solve.add_argument("--method", default="auto", choices=METHODS)
    p_solve.add_argument("--exact", action="store_true", help="rational arithmetic; fractions in the output")
    p_solve.add_argument("--format", default="table", choices=("table", "json", "csv"))
    p_solve.add_argument("--label", type=int, default=0, help="first dropped label of Lemke-Howson")
    p_solve.add_argument("--seed", type=int, default=0, help="seed of the numeric method")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        game = read_game(args.file)
        result = solve(game, args.method, exact=args.exact, label=args.label, rng=args.seed)
    except NegotiationError as err:
        print(f"negotiation: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"negotiation: error: {args.file}: {err.strerror or err}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(result.to_dict(), indent=1))
    elif args.format == "csv":
        sys.stdout.write(_csv(result))
    else:
        print(_table(result))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
