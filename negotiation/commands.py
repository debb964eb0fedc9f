"""The work behind each ``negotiation`` subcommand (:mod:`negotiation.cli` parses the arguments).

Kept apart from the parser so that ``negotiation --help`` and ``negotiation list`` do not
import the toolkit's heavy dependencies.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from negotiation import catalog
from negotiation.cli import Failed
from negotiation.domain.case import counterfactuals, levers
from negotiation.domain.coding import load_rows, load_sheet
from negotiation.domain.diagnostics import check_texts, diagnose
from negotiation.domain.explain import explain
from negotiation.domain.leverage import number, plain
from negotiation.domain.scenario import Scenario, load_scenario, save_scenario
from negotiation.domain.stress import shadow_test, stress_test, sweep
from negotiation.engine.correlated import correlated_equilibrium
from negotiation.engine.extensive import ExtensiveFormGame
from negotiation.engine.game import NormalFormGame
from negotiation.engine.qre import logit_qre
from negotiation.engine.solvers import SolveResult, solve
from negotiation.engine.solvers.tree import TREE_METHODS, TreeSolveResult, solve_tree
from negotiation.errors import GameError
from negotiation.io import read_efg_tree, read_game
from negotiation.io.atomic import atomic_write_bytes


def _json(data: object, indent: int | None = 1, default: Callable[[Any], Any] | None = None) -> str:
    """Strict JSON: a number that is not finite (NaN, infinity) is written as null; ``default``
    converts what JSON has no type for (as in :func:`json.dumps`)."""
    def plain(v: object) -> object:
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        if default is not None and not isinstance(v, (str, int, float, bool, type(None))):
            v = default(v)
        if isinstance(v, float) and not math.isfinite(v):
            return None
        return v

    return json.dumps(plain(data), indent=indent, allow_nan=False)


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


def _tree_table(result: TreeSolveResult) -> str:
    data = result.to_dict()
    lines = [f"method: {data['method']} ({data['algorithm']}); {len(data['equilibria'])} equilibria"]
    for k, eq in enumerate(data["equilibria"], start=1):
        pays = ", ".join(f"{p} {v}" for p, v in eq["payoffs"].items())
        path = "; ".join(" > ".join(step["actions"]) + f" (p={step['probability']})" for step in eq["path"])
        lines.append(f"equilibrium {k}: payoffs {pays}; path {path}")
        for player, sets in eq["behavior"].items():
            for infoset, acts in sets.items():
                shown = ", ".join(f"{a}: {v}" for a, v in acts.items())
                lines.append(f"  {player} at {infoset}: {shown}")
    return "\n".join(lines)


def _tree_csv(result: TreeSolveResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["equilibrium", "player", "infoset", "action", "probability"])
    for k, eq in enumerate(result.to_dict()["equilibria"]):
        for player, sets in eq["behavior"].items():
            for infoset, acts in sets.items():
                writer.writerows([k, player, infoset, a, v] for a, v in acts.items())
    return out.getvalue()


def _csv(frame: object) -> str:
    return frame.astype(str).to_csv(index=False, lineterminator="\n") if not frame.empty else ""  # type: ignore[attr-defined]


def _load(target: str) -> NormalFormGame | ExtensiveFormGame | Scenario:
    """A file path (by its extension) or a catalog name."""
    p = Path(target)
    if p.is_file():
        suffix = p.suffix.lower()
        if suffix in (".yaml", ".yml"):
            return load_scenario(p)
        return read_efg_tree(p) if suffix == ".efg" else read_game(p)
    if p.suffix or "/" in target:
        raise GameError(f"{target}: no such file")
    return catalog.load(target)


def _overrides(pairs: Sequence[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise GameError(f"--set {pair!r}: expected NAME=VALUE, e.g. --set nato_cover=0.5")
        try:
            out[name.strip()] = number(value.strip())
        except ValueError as err:
            raise GameError(f"--set {pair!r}: {err}") from None
    return out


def _num(v: object) -> object:
    """An exact number as text and a float, for JSON."""
    return {"exact": str(v), "float": float(v)} if v is not None else None  # type: ignore[arg-type]


def _repeated(sc: Scenario, rid: str, args: argparse.Namespace) -> str:
    result = sc.sustainability(rid, _overrides(args.set))
    spec = sc.repeated[rid]
    if args.delta is not None and not 0 <= args.delta < 1:
        raise GameError(f"--delta {args.delta}: a discount factor must be in [0, 1)")
    gains = result.one_shot_gains(float(args.delta)) if args.delta is not None else None
    verdict = result.classify(args.delta) if args.delta is not None else None
    if args.format == "json":
        out = {
            "model": "repeated", "id": rid, "game": spec.game, "target": list(result.target),
            "punishment": result.punishment, "periods": result.periods, "enforce": result.enforce,
            "detection": _num(result.detection), "false_alarm": _num(result.false_alarm),
            "critical_delta": {p: _num(v) for p, v in result.critical.items()},
            "delta_star": _num(result.delta_star),
            "cooperative_delta_star": _num(result.cooperative_delta_star),
            "constraints": [{"state": c.state, "player": c.player, "critical_delta": _num(c.critical)}
                            for c in result.constraints],
            "summary": result.summary(),
        }
        if gains is not None:
            out |= {"delta": args.delta, "verdict": verdict, "one_shot_gains": gains.to_dict(orient="records")}
        return _json(out, indent=1)
    if args.format == "csv":
        return _csv(result.to_frame() if gains is None else gains)

    def shown(crit: object) -> str:
        return "never, at any discount factor" if crit is None else f"delta >= {crit} ({float(crit):.4g})"

    length = f"for {result.periods} periods" if result.periods else "for ever"
    lines = [f"{spec.title}: keep ({', '.join(result.target)}); after a signalled violation play "
             f"({result.punishment}) {length}; a deviation from the punishment: "
             + ("it starts again" if result.enforce == "restart" else f"({result.enforce}) for ever"),
             f"detection {result.detection}, false alarms {result.false_alarm}", "",
             "each state's one-shot deviation constraint (subgame perfection):"]
    width = max(len(c.state) for c in result.constraints)
    lines += [f"  {c.state.ljust(width)}  {c.player}: {shown(c.critical)}" for c in result.constraints]
    lines += ["", result.summary()]
    if gains is not None:
        lines += ["", f"at delta = {args.delta}: {verdict}",
                  "one-shot deviation gains (<= 0: no profitable deviation):",
                  gains.to_string(index=False, float_format=lambda v: f"{v:.4g}")]
    return "\n".join(lines)


def _bargaining(sc: Scenario, bid: str, args: argparse.Namespace) -> str:
    problem = sc.bargaining_problem(bid, _overrides(args.set))
    frame = problem.solutions()
    if args.format == "json":
        rows = [{k: (_num(v) if k != "concept" else v) for k, v in row.items()} for row in frame.to_dict("records")]
        return _json({"model": "bargaining", "id": bid, "players": list(problem.players),
                           "disagreement": dict(zip(problem.players, (_num(d) for d in problem.disagreement),
                                                    strict=True)),
                           "solutions": rows}, indent=1)
    if args.format == "csv":
        return _csv(frame)
    d = ", ".join(f"{p} {v}" for p, v in zip(problem.players, problem.disagreement, strict=True))
    return "\n".join([f"{sc.bargaining[bid].title}: share x of the first party ({problem.players[0]})",
                      f"disagreement (war): {d}", "", frame.astype(str).to_string(index=False)])


def _mediated(game: NormalFormGame, args: argparse.Namespace) -> str:
    ce = correlated_equilibrium(game, args.objective, coarse=args.method == "coarse")
    frame = ce.to_frame()
    if args.format == "json":
        return _json({"method": args.method, "objective": ce.objective, "exact": ce.exact,
                           "distribution": [{k: str(v) for k, v in row.items()} for row in frame.to_dict("records")],
                           "payoffs": {p: str(v) for p, v in ce.payoffs.items()}}, indent=1)
    if args.format == "csv":
        return _csv(frame)
    kind = "coarse correlated" if ce.coarse else "correlated"
    pays = ", ".join(f"{p} {v}" for p, v in ce.payoffs.items())
    return "\n".join([f"the {kind} equilibrium maximising {ce.objective}: payoffs {pays}",
                      frame.astype(str).to_string(index=False)])


def _qre(game: NormalFormGame, args: argparse.Namespace) -> str:
    branch = logit_qre(game.as_float(), lambda_max=max(1e5, args.lam))
    profile = branch.at(args.lam)
    rows = [{"player": p, "strategy": s, "probability": float(v)}
            for p, strategies, mix in zip(game.players, game.strategies, profile, strict=True)
            for s, v in zip(strategies, mix, strict=True)]
    limit = branch.limit.profile.to_dict() if branch.limit is not None else None
    if args.format == "json":
        return _json({"method": "qre", "lambda": args.lam, "profile": rows, "limit": limit,
                           "limit_regret": branch.limit_regret}, indent=1, default=float)
    if args.format == "csv":
        return _csv(pd.DataFrame(rows))
    shown = "the branch ends inside a continuum of equilibria" if limit is None else str(branch.limit.profile)
    return "\n".join([f"logit QRE at lambda = {args.lam:g}:",
                      pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.6g}"),
                      f"as lambda grows the principal branch reaches: {shown}"])


def _scenario_game(sc: Scenario, game: str | None) -> str:
    if game is not None:
        sc.game_spec(game)
        return game
    if len(sc.games) == 1:
        return next(iter(sc.games))
    raise GameError(f"scenario {sc.name!r} has several games; choose one with --game ({', '.join(sc.games)})")


def _show_scenario(sc: Scenario) -> str:
    lines = [f"{sc.name}: {sc.title}", ""]
    if sc.description:
        lines += [sc.description, ""]
    lines.append("parties: " + "; ".join(f"{k} ({p.name})" for k, p in sc.parties.items()))
    lines += ["", "parameters:"]
    width = max(len(k) for k in sc.parameters)
    for k, p in sc.parameters.items():
        lo, hi = p.bounds
        lines.append(
            f"  {k.ljust(width)}  {plain(p.baseline)!s:>6} in [{plain(lo)}, {plain(hi)}] {p.unit}; "
            f"{p.distribution.kind}; baseline: {p.baseline_provenance.kind}"
        )
    for gid, spec in sc.games.items():
        game = sc.game(gid)
        lines += ["", f"game {gid}: {spec.title}", f"  players: {', '.join(game.players)}"]
        for prof, texts in spec.payoffs:
            pays = "; ".join(f"{p}: {t}" for p, t in zip(game.players, texts, strict=True))
            lines.append(f"  ({', '.join(prof)}) -> {pays}")
    for tid, t in sc.trees.items():
        tree = sc.tree(tid)
        lines += ["", f"tree {tid}: {t.title}", f"  players: {', '.join(tree.players)}; "
                  f"{len(tree.infosets)} information sets; {sum(nd.is_leaf for _, nd in tree.walk())} leaves"]
    for rid, r in sc.repeated.items():
        punish = r.punishment if isinstance(r.punishment, str) else ", ".join(s for _, s in r.punishment)
        lines += ["", f"repeated game {rid}: {r.title}",
                  f"  stage game {r.game}; keep ({', '.join(s for _, s in r.target)}); punish with ({punish})"
                  + (f" for {r.periods} periods" if r.periods else " for ever")
                  + f"; detection {r.detection}, false alarms {r.false_alarm}"]
    for bid, b in sc.bargaining.items():
        lines += ["", f"bargaining problem {bid}: {b.title}"]
        lines += [f"  {sc.party_name(p)}: utility {u} of its share x; if talks fail {d}"
                  for p, u, d in zip(b.players, b.utilities, b.disagreement, strict=True)]
    if sc.outcomes:
        lines += ["", "outcomes (status at baseline):"]
        for oid, o in sc.outcomes.items():
            status = ("equilibrium" if o.kind == "game" else "sequentially rational") if sc.holds(oid) else \
                "not an equilibrium"
            hist = ", historical" if o.historical else ""
            lines.append(f"  {oid} [{o.game}{hist}]: {o.description} -> {status}")
    lines += ["", "sources:"] + [f"  [{s.id}] {s.title}" + (f" ({s.location})" if s.location else "")
                                 for s in sc.sources.values()]
    if sc.assumptions:
        lines += ["", "assumptions:"] + [f"  - {a}" for a in sc.assumptions]
    return "\n".join(lines)


def _shadow(sc: Scenario, args: argparse.Namespace) -> str:
    result = shadow_test(sc, args.repeated, n=args.n, rng=args.seed)
    frame = result.to_frame()
    delta = 0.9 if args.delta is None else args.delta
    if not 0 <= delta < 1:
        raise GameError(f"--delta {delta}: a discount factor must be in [0, 1)")
    categories = result.by_category(delta)
    if args.format == "json":
        return _json({"scenario": result.scenario, "repeated": result.repeated, "n": result.n,
                           "seed": result.seed, "sustained": frame.to_dict(orient="records"),
                           "categories": categories.to_dict(orient="records")}, indent=1)
    fmt = {"float_format": lambda v: f"{v:.4g}", "index": False}
    return "\n\n".join([result.summary(delta), f"draws by category at delta = {delta:g}:\n"
                         + categories.to_string(**fmt),
                         "share of draws sustaining it in a subgame-perfect equilibrium at each discount factor "
                         "(non_credible: the share that only a threat no one would carry out sustains):\n"
                         + frame.to_string(**fmt)])


def _stress(sc: Scenario, args: argparse.Namespace) -> str:
    if args.repeated:
        return _shadow(sc, args)
    executor = args.workers if args.workers else args.dask
    result = stress_test(sc, args.outcome, n=args.n, rng=args.seed, executor=executor, store=args.store,
                         progress=args.progress)
    if args.format == "json":
        return _json({
            "scenario": result.scenario, "outcome": result.outcome, "n": result.n, "seed": result.seed,
            "probability": result.probability, "interval": list(result.interval),
            "sensitivity": result.sensitivity.to_dict(orient="records"),
            "tipping_points": result.tipping_points.to_dict(orient="records"),
            "breakdown": result.breakdown, "note": result.note,
        }, indent=1)
    return "\n\n".join([
        result.summary(),
        "sensitivity:\n" + result.sensitivity.to_string(index=False, float_format=lambda v: f"{v:.4g}"),
        "tipping points (others at baseline):\n"
        + result.tipping_points.to_string(index=False, float_format=lambda v: f"{v:.4g}"),
    ])


def _check(sc: Scenario, args: argparse.Namespace) -> str:
    report = diagnose(sc, texts=check_texts(args.source_text), n=args.n, sobol=args.sobol, seed=args.seed)
    if args.format == "json":
        text = _json({"scenario": report.scenario, "findings": report.to_frame().to_dict(orient="records"),
                           "settings": vars(report.settings)}, indent=1)
    elif args.format == "csv":
        text = _csv(report.to_frame())
    else:
        text = report.to_text()
    if report.errors:
        raise Failed(text)
    return text


def _code(args: argparse.Namespace) -> str:
    sheet = load_sheet(args.sheet)
    rows = load_rows(args.proxies)
    if args.row is not None and args.row not in rows:
        raise GameError(f"{args.proxies} has no row {args.row!r}; rows: {', '.join(rows)}")
    chosen = [rows[args.row]] if args.row else list(rows.values())
    codings = [sheet.code(r) for r in chosen]
    if args.write:
        if not args.template or len(codings) != 1:
            raise GameError("--write needs --template and one row (--row)")
        template = _load(args.template)
        if not isinstance(template, Scenario):
            raise GameError(f"{args.template} is not a scenario")
        save_scenario(codings[0].scenario(template), args.write)
    frame = pd.concat([c.to_frame().assign(case=c.row.name) for c in codings], ignore_index=True)
    frame = frame[["case", *[c for c in frame.columns if c != "case"]]]
    if args.format == "json":
        return _json(frame.to_dict(orient="records"), indent=1)
    if args.format == "csv":
        return _csv(frame)
    return frame.drop(columns=["exact", "reason"]).to_string(index=False, float_format=lambda v: f"{v:.4g}")


def _grid(specs: Sequence[str]) -> dict[str, object]:
    """``PARAM=LOW:HIGH:N`` specs as a sweep grid."""
    import numpy as np

    out: dict[str, object] = {}
    for spec in specs:
        name, sep, rng = spec.partition("=")
        parts = rng.split(":")
        if not sep or not name.strip() or len(parts) != 3:
            raise GameError(f"--grid {spec!r}: expected PARAM=LOW:HIGH:N, e.g. --grid revealed=0:1:11")
        try:
            low, high, count = float(number(parts[0])), float(number(parts[1])), int(parts[2])
        except ValueError as err:
            raise GameError(f"--grid {spec!r}: {err}") from None
        if count < 1 or count > 10_000:
            raise GameError(f"--grid {spec!r}: N must be between 1 and 10000, not {count}")
        out[name.strip()] = np.linspace(low, high, count)
    return out


def _sweep(sc: Scenario, args: argparse.Namespace) -> str:
    frame = sweep(sc, _grid(args.grid), game=args.game, outcome=args.outcome, values=_overrides(args.set) or None)
    if frame.attrs.get("note"):
        print(f"negotiation: note: {frame.attrs['note']}", file=sys.stderr)
    if args.format == "json":
        return _json(json.loads(frame.to_json(orient="records", default_handler=str)), indent=1)
    return _csv(frame) if args.format == "csv" else frame.to_string(index=False)


def _plot(sc: Scenario, args: argparse.Namespace) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from negotiation import plot, style
    from negotiation.domain.case import durability
    from negotiation.domain.stress import tornado
    from negotiation.engine.sequential import behavior_of

    out = Path(args.output)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in plot.FIGURE_METADATA:  # refused before anything is computed
        raise GameError(f"-o: a figure file ends in .pdf, .png or .svg, not {out.suffix or 'nothing'!r}")
    style.apply()

    def need(flag: str) -> str:
        value = getattr(args, flag)
        if value is None:
            raise GameError(f"plot {args.kind} needs --{flag}")
        return value

    if args.kind == "regime-map":
        grid = _grid(args.grid)
        if len(grid) != 2:
            raise GameError("plot regime-map needs two --grid axes, x first")
        (x_name, xs), (y_name, ys) = grid.items()
        game = sc.game(need("game"))
        swept = sweep(sc, {y_name: ys, x_name: xs}, game=need("game"))
        fig, ax = plt.subplots(figsize=(6.4, 4.8))
        labels = plot.regimes(swept, game).to_numpy().reshape(len(ys), len(xs))  # type: ignore[union-attr]
        _, handles, names = plot.regime_map(xs, ys, labels, ax=ax, xlabel=style.parameter_label(sc, x_name),
                                            ylabel=style.parameter_label(sc, y_name))
        ax.legend(handles, [f"equilibria: {n}" for n in names], fontsize=8, loc="best")
        fig.tight_layout()
    elif args.kind == "stress":
        fig = plot.stress(stress_test(sc, need("outcome"), n=args.n, rng=args.seed, sobol=args.sobol))
    elif args.kind == "tornado":
        fig = plot.tornado(tornado(sc, need("outcome")))
    elif args.kind == "tree":
        spec = sc.outcome(need("outcome"))
        if spec.kind != "tree":
            raise GameError(f"outcome {spec.id!r} is in a strategic-form game; plot tree needs a tree's outcome")
        tree = sc.at(spec.game)
        fig, ax = plt.subplots(figsize=(max(6.0, 0.9 * sum(1 for _, n in tree.walk() if n.is_leaf)), 6.0))
        plot.tree(tree, behavior_of(tree, dict(spec.strategy)), ax=ax, digits=2)
        fig.tight_layout()
    else:
        result = durability(sc, need("repeated"), horizons=tuple(range(1, 61)), delta=args.delta, n=args.n,
                            rng=args.seed)
        fig, ax = plt.subplots(figsize=(7, 4.2))
        plot.durability({sc.name: result}, ax=ax, title=f"{sc.title} (δ = {args.delta:g})")
        fig.tight_layout()
    atomic_write_bytes(out, plot.figure_bytes(fig, fmt))
    plt.close(fig)  # type: ignore[arg-type]
    return f"wrote {out}"


def run(args: argparse.Namespace) -> str:
    """The output of the subcommand ``args.command``."""
    if args.command == "list":
        return "\n".join(catalog.list())
    if args.command == "code-ceasefire":
        return _code(args)
    obj = _load(args.target)
    if args.command == "show":
        if isinstance(obj, Scenario):
            return _show_scenario(obj)
        return repr(obj)
    if args.command == "solve" and isinstance(obj, Scenario) and args.game in obj.trees:
        obj = obj.at(args.game, _overrides(args.set))
    if args.command == "solve" and isinstance(obj, ExtensiveFormGame):
        method = "spe" if args.method == "auto" else args.method
        if method not in TREE_METHODS:
            raise GameError(f"method {method!r} does not apply to a game tree; use {', '.join(TREE_METHODS)}")
        tree_result = solve_tree(obj, method)
        if args.format == "json":
            return _json(tree_result.to_dict(), indent=1)
        return _tree_csv(tree_result) if args.format == "csv" else _tree_table(tree_result)
    if args.command == "solve" and isinstance(obj, Scenario) and args.game is not None:
        kind = obj.model_kind(args.game)
        if kind == "repeated":
            return _repeated(obj, args.game, args)
        if kind == "bargaining":
            return _bargaining(obj, args.game, args)
    if args.command == "solve":
        if isinstance(obj, Scenario):
            game = obj.at(_scenario_game(obj, args.game), _overrides(args.set))
        elif args.game or args.set:
            raise GameError(f"{args.target} is a game file; --game and --set apply to scenarios")
        else:
            game = obj
        if args.method == "spe":
            raise GameError("method 'spe' applies to game trees (.efg); a strategic-form game has no subgames")
        if args.method in ("correlated", "coarse", "qre"):
            return _mediated(game, args) if args.method != "qre" else _qre(game, args)
        result = solve(game, args.method, exact=args.exact, label=args.label, rng=args.seed)
        if args.format == "json":
            return _json(result.to_dict(), indent=1)
        return _csv(result.to_frame()) if args.format == "csv" else _table(result)
    if not isinstance(obj, Scenario):
        raise GameError(f"{args.target} is a game, not a scenario; {args.command} needs a scenario with outcomes")
    if args.command == "stress":
        return _stress(obj, args)
    if args.command == "sweep":
        return _sweep(obj, args)
    if args.command == "plot":
        return _plot(obj, args)
    if args.command == "check":
        return _check(obj, args)
    if args.command == "counterfactual":
        result = counterfactuals(obj, delta=args.delta)
        if args.format == "json":
            return _json({"delta": result.delta, "rows": result.table.to_dict(orient="records")}, indent=1)
        return _csv(result.table) if args.format == "csv" else result.to_text()
    if args.outcome is None:
        if args.set:
            raise GameError("--set applies to one outcome: name it with --outcome")
        found = levers(obj, sobol=args.sobol)
        if args.format == "json":
            return _json(found.table.to_dict(orient="records"), indent=1)
        return _csv(found.table) if args.format == "csv" else found.to_text()
    ex = explain(obj, args.outcome, _overrides(args.set))
    if args.format == "json":
        return _json(ex.to_dict(), indent=1)
    return _csv(ex.to_frame()) if args.format == "csv" else ex.to_text()


