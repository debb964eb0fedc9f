"""The ``negotiation`` command.

- ``negotiation list``: the catalog's games and scenarios;
- ``negotiation show NAME|FILE``: a game or scenario with its parameters and sources;
- ``negotiation solve NAME|FILE [--game G] [--set p=v ...] [--method ...] [--exact]
  [--format table|json|csv]``: the equilibria of a game file or of a scenario's game; for a
  game tree (.efg) ``--method spe|all|one|pure|sequence`` gives behaviour strategies; for a
  scenario's repeated game, the critical discount factors (``--delta D`` adds the one-shot
  deviation check at ``D``); for a scenario's bargaining problem, its solutions;
  ``--method correlated|coarse [--objective welfare|PLAYER]`` gives the best (coarse)
  correlated equilibrium and ``--method qre [--lam L]`` the logit QRE at ``L``;
- ``negotiation explain NAME|FILE --outcome O [--set p=v ...] [--format table|json|csv]``:
  the conditions that hold an outcome up, their slack and thresholds; without ``--outcome``,
  the pivotal levers across all the historical outcomes, with Sobol shares;
- ``negotiation code-ceasefire SHEET PROXIES [--row CASE] [--template SCENARIO --write OUT]``: a
  ceasefire's parameters derived from its measured proxies by a coding sheet's rules;
- ``negotiation counterfactual NAME|FILE [--delta D] [--format table|json|csv]``: the
  scenario's named interventions against every outcome and repeated game;
- ``negotiation check NAME|FILE [-n N] [--sobol N] [--seed S] [--source-text ID=PATH ...]
  [--format table|json|csv]``: the model's faults (inert parameters, threats that are not
  credible, knife-edge or fragile historical outcomes, results resting on assumptions,
  provenance and unit faults), each with its place in the file and what to do; exit 1
  when there are errors;
- ``negotiation stress NAME|FILE --outcome O [-n N] [--seed S] [--workers W | --dask ADDRESS]
  [--store DIR] [--format table|json]``: a Monte Carlo stress test of an outcome;
  ``--repeated R`` instead gives the share of draws at which a repeated game's target is
  sustained, for a range of discount factors;
- ``negotiation sweep NAME|FILE --game G | --outcome O --grid P=LOW:HIGH:N ... [--set p=v ...]
  [--format csv|json|table]``: a game's equilibria, or whether an outcome holds, over a grid;
- ``negotiation plot regime-map|stress|tornado|tree|durability NAME|FILE -o FILE [...]``: a
  figure of :mod:`negotiation.plot` in the house style, written as PDF, PNG (300 dpi) or SVG
  without time stamps.

Errors print one line on stderr and exit with status 2.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Sequence
from typing import Any

from negotiation import limits
from negotiation.deadline import bounded
from negotiation.engine.methods import METHODS, TREE_METHODS
from negotiation.errors import NegotiationError


def _count(least: int) -> Any:
    """An argparse type: an integer of at least ``least``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"{value} is below the least allowed value, {least}")
        return value

    parse.__name__ = f"integer >= {least}"
    return parse


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def _discount(text: str) -> float:
    """A discount factor in [0, 1)."""
    value = _finite(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"{value:g} is not a discount factor in [0, 1)")
    return value


def _nonnegative_float(text: str) -> float:
    value = _finite(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value:g} is negative")
    return value


_EXAMPLES = {
    "list": "negotiation list",
    "show": "negotiation show idlib-2020",
    "solve": "negotiation solve sochi-2018 --game ceasefire_holds --delta 0.95",
    "explain": "negotiation explain idlib-2020 --outcome ceasefire --set revealed=0 --set resolve_prior=0.05",
    "counterfactual": "negotiation counterfactual idlib-2020 --delta 0.9",
    "code-ceasefire": "negotiation code-ceasefire sheet.yaml proxies.yaml --row sochi-2018",
    "check": "negotiation check idlib-2020 -n 4000",
    "stress": "negotiation stress idlib-2020 --outcome ceasefire -n 100000 --seed 2020 --workers 2",
    "sweep": "negotiation sweep idlib-2020 --outcome ceasefire --grid revealed=0:1:11 --grid stake=0:1:11",
    "plot": "negotiation plot tornado idlib-2020 --outcome shield_then_ceasefire -o tornado.pdf",
}

PLOTS = ("regime-map", "stress", "tornado", "tree", "durability")


def _seconds(text: str) -> float:
    value = _finite(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{value:g} is not a positive number of seconds")
    return value


def _limit(text: str) -> tuple[str, str]:
    name, eq, value = text.partition("=")
    if not eq or not name.strip() or not value.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=VALUE (e.g. MAX_TREE_NODES=2000000)")
    return name.strip(), value.strip()


def _common() -> argparse.ArgumentParser:
    """The options every subcommand takes: how long it may run and the limits on input."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--time-limit", type=_seconds, default=limits.CLI_TIME_LIMIT, metavar="SECONDS",
                        help="stop with one line saying how far the work got after this many seconds")
    common.add_argument("--limit", type=_limit, action="append", default=[], metavar="NAME=VALUE",
                        help="raise one of negotiation.limits for this call, e.g. MAX_TREE_NODES=2000000 "
                             "(repeatable; the docs' Limits page lists them)")
    return common


def _command(sub: Any, name: str, **kwargs: Any) -> argparse.ArgumentParser:
    """A subcommand whose --help shows the defaults and an example."""
    return sub.add_parser(name, formatter_class=argparse.ArgumentDefaultsHelpFormatter, parents=[_common()],
                          epilog=f"example: {_EXAMPLES[name]}", description=kwargs.get("help"), **kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="negotiation", description="Game-theoretic models of coercive negotiation.",
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    _command(sub, "list", help="list the catalog's games and scenarios")
    p_show = _command(sub, "show", help="show a game or scenario (catalog name or file)")
    p_show.add_argument("target", metavar="NAME|FILE")

    p_solve = _command(sub, "solve", help="compute the equilibria of a game file or of a scenario's game")
    p_solve.add_argument("target", metavar="NAME|FILE")
    p_solve.add_argument("--game", help="the scenario's game, repeated game or bargaining problem to solve")
    p_solve.add_argument("--delta", type=_discount, help="for a repeated game: check one-shot deviations at this delta")
    p_solve.add_argument("--set", action="append", default=[], metavar="PARAM=VALUE",
                         help="override a parameter's baseline (repeatable)")
    p_solve.add_argument("--method", default="auto",
                         choices=tuple(dict.fromkeys((*METHODS, *TREE_METHODS, "correlated", "coarse", "qre"))),
                         help="for game trees (.efg): spe (default), all, one, pure or sequence; for strategic "
                              "forms also correlated, coarse (correlated equilibria) and qre (logit QRE)")
    p_solve.add_argument("--objective", default="welfare", help="correlated: 'welfare' or a player to favour")
    p_solve.add_argument("--lam", type=_nonnegative_float, default=1.0, help="qre: the precision lambda")
    p_solve.add_argument("--exact", action="store_true", help="rational arithmetic; fractions in the output")
    p_solve.add_argument("--format", default="table", choices=("table", "json", "csv"))
    p_solve.add_argument("--label", type=_count(0), default=0, help="first dropped label of Lemke-Howson")
    p_solve.add_argument("--seed", type=_count(0), default=0, help="seed of the numeric method")

    p_ex = _command(sub, "explain", help="the equilibrium conditions that hold an outcome up")
    p_ex.add_argument("target", metavar="NAME|FILE")
    p_ex.add_argument("--outcome", help="the outcome to explain; without it, the levers of the whole case")
    p_ex.add_argument("--sobol", type=_count(2), default=1024,
                      help="without --outcome: base sample of the Sobol shares")
    p_ex.add_argument("--set", action="append", default=[], metavar="PARAM=VALUE",
                      help="override a parameter's baseline (repeatable)")
    p_ex.add_argument("--format", default="table", choices=("table", "json", "csv"))
    p_cf = _command(sub, "counterfactual", help="the scenario's named interventions against every outcome")
    p_cf.add_argument("target", metavar="NAME|FILE")
    p_cf.add_argument("--delta", type=_discount, default=0.9, help="discount factor for the repeated games")
    p_cf.add_argument("--format", default="table", choices=("table", "json", "csv"))
    p_code = _command(sub, "code-ceasefire", help="derive a ceasefire's parameters from its proxies (coding sheet)")
    p_code.add_argument("sheet", metavar="SHEET", help="the coding sheet (YAML)")
    p_code.add_argument("proxies", metavar="PROXIES", help="rows of proxies (YAML or CSV)")
    p_code.add_argument("--row", help="the case to code (default: every row)")
    p_code.add_argument("--template", metavar="NAME|FILE", help="a scenario to write the coded baselines into")
    p_code.add_argument("--write", metavar="OUT", help="with --template: write the coded scenario here")
    p_code.add_argument("--format", default="table", choices=("table", "json", "csv"))
    p_ck = _command(sub, "check", help="check a scenario for faults a referee would find (exit 1 on errors)")
    p_ck.add_argument("target", metavar="NAME|FILE")
    p_ck.add_argument("-n", type=_count(1), default=4000, help="draws of the stress and shadow tests")
    p_ck.add_argument("--sobol", type=_count(2), default=1024, help="base sample of the Sobol indices")
    p_ck.add_argument("--seed", type=_count(0), default=0, help="root seed (same seed, same report)")
    p_ck.add_argument("--source-text", action="append", default=[], metavar="ID=PATH",
                      help="a source's text, to check the facts attributed to it (repeatable)")
    p_ck.add_argument("--format", default="table", choices=("table", "json", "csv"))
    p_st = _command(sub, "stress", help="Monte Carlo stress test of an outcome over the parameters' distributions")
    p_st.add_argument("target", metavar="NAME|FILE")
    what = p_st.add_mutually_exclusive_group(required=True)
    what.add_argument("--outcome", help="an outcome: how often it stays an equilibrium")
    what.add_argument("--repeated", help="a repeated game: how patient the parties must be, draw by draw")
    p_st.add_argument("-n", type=_count(1), default=10_000, help="number of draws")
    p_st.add_argument("--delta", type=_discount, help="--repeated: the discount factor of the table by category "
                                                  "(none given: 0.9)")
    p_st.add_argument("--seed", type=_count(0), default=0, help="root seed (same seed, same result)")
    where = p_st.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_count(1), help="run chunks on a local process pool of this size")
    where.add_argument("--dask", metavar="ADDRESS", help="run chunks on a Dask cluster (tcp://host:port)")
    p_st.add_argument("--store", metavar="DIR", help="keep completed chunks here; a rerun resumes from them")
    p_st.add_argument("--progress", action="store_true", default=None, help="show a progress bar")
    p_st.add_argument("--format", default="table", choices=("table", "json"))
    p_sw = _command(sub, "sweep", help="solve a scenario's game, or test an outcome, over a grid of parameters")
    p_sw.add_argument("target", metavar="NAME|FILE")
    on = p_sw.add_mutually_exclusive_group(required=True)
    on.add_argument("--game", help="a game: every equilibrium at every point")
    on.add_argument("--outcome", help="an outcome: whether it holds at every point")
    p_sw.add_argument("--grid", action="append", required=True, metavar="PARAM=LOW:HIGH:N",
                      help="N evenly spaced values of PARAM from LOW to HIGH (repeatable: the grid is their product)")
    p_sw.add_argument("--set", action="append", default=[], metavar="PARAM=VALUE",
                      help="override a parameter's baseline (repeatable)")
    p_sw.add_argument("--format", default="csv", choices=("csv", "json", "table"))
    p_pl = _command(sub, "plot", help="draw a figure in the house style (PDF, PNG or SVG, by the file's suffix)")
    p_pl.add_argument("kind", choices=PLOTS, help="regime-map (--game, two --grid), stress or tornado (--outcome), "
                                                  "tree (--outcome of a game tree), durability (--repeated)")
    p_pl.add_argument("target", metavar="NAME|FILE")
    p_pl.add_argument("-o", "--output", required=True, metavar="FILE", help="the figure file (.pdf, .png or .svg)")
    p_pl.add_argument("--game", help="regime-map: the scenario's game")
    p_pl.add_argument("--outcome", help="stress, tornado, tree: the outcome")
    p_pl.add_argument("--repeated", help="durability: the repeated game")
    p_pl.add_argument("--grid", action="append", default=[], metavar="PARAM=LOW:HIGH:N",
                      help="regime-map: the two axes (x first)")
    p_pl.add_argument("-n", type=_count(1), default=10_000, help="stress, durability: number of draws")
    p_pl.add_argument("--sobol", type=_count(2), default=512, help="stress: base sample of the Sobol indices")
    p_pl.add_argument("--delta", type=_discount, default=0.95, help="durability: the discount factor")
    p_pl.add_argument("--seed", type=_count(0), default=0, help="root seed (same seed, same figure)")
    return parser


class Failed(Exception):
    """A command that ran and printed its output but must exit with status 1 (``check`` found errors)."""

    def __init__(self, text: str) -> None:
        self.text = text


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("negotiation")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without installing
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _main(args)
    except BrokenPipeError:  # the reader went away (negotiation list | head): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        store = getattr(args, "store", None)
        hint = f"; rerun the same command to resume from {store}" if store else ""
        print(f"negotiation: interrupted{hint}", file=sys.stderr)
        return 130


def _main(args: argparse.Namespace) -> int:
    try:
        for name, value in args.limit:
            limits.set_limit(name, value)
        with bounded(f"negotiation {args.command}", args.time_limit, hint="raise --time-limit to let it run longer"):
            if args.command == "list":  # the catalog's names need none of the toolkit
                from negotiation import catalog

                text = "\n".join(catalog.list())
            else:
                from negotiation.commands import run  # the toolkit is imported here, not for --help

                text = run(args)
    except Failed as failed:
        sys.stdout.write(failed.text.rstrip("\n") + "\n")
        sys.stdout.flush()
        return 1
    except NegotiationError as err:
        print(f"negotiation: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"negotiation: error: {getattr(args, 'target', '')}: {err.strerror or err}", file=sys.stderr)
        return 2
    except (OverflowError, RecursionError, MemoryError, ZeroDivisionError) as err:  # a model past what can be computed
        reason = {OverflowError: "a number too large for a float", RecursionError: "nesting too deep to compute",
                  MemoryError: "out of memory", ZeroDivisionError: "a division by zero"}[type(err)]
        print(f"negotiation: error: {getattr(args, 'target', '')}: {args.command} failed on {reason} ({err}); "
              "see the Limits page of the docs", file=sys.stderr)
        return 2
    if text:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
