"""The case-study page ``docs/case-studies/idlib-2020.md``, rendered from the outputs of the other scripts.

Run after them (``make figures`` runs the ``report_*.py`` scripts last).  Every number on the
page is read from ``experiments/output`` (the durability comparison, the counterfactual
table, the stress test, the explain table, the shock path) or from the coding sheet and
proxies in ``games/coding``; nothing is typed in.  ``tests/test_case_study.py`` checks that
the committed page equals :func:`render` of the committed outputs.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from negotiation.domain.coding import load_rows, load_sheet
from negotiation.io.atomic import atomic_write_text

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "experiments" / "output"
PAGE = ROOT / "docs" / "case-studies" / "idlib-2020.md"
CASES = {"idlib-2020": "Moscow protocol, March 2020", "sochi-2018": "Sochi memorandum, September 2018",
         "idlib-2020-january": "January 2020 truce"}


def _csv(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((OUTPUT / name).read_text(encoding="utf-8"))))


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _coding() -> str:
    sheet = load_sheet(ROOT / "games" / "coding" / "idlib-sheet.yaml")
    rows = load_rows(ROOT / "games" / "coding" / "idlib-proxies.yaml")
    rules = [[f"`{name}`", f"`{r.expression}`", "exact" if not r.tolerance else f"± {float(r.tolerance):g}",
              r.reason.strip()] for name, r in sheet.rules.items()]
    proxies = [[f"`{name}`", p.unit, "; ".join(f"{CASES[c]}: {float(rows[c].values[name]):g}" for c in CASES)]
               for name, p in sheet.proxies.items()]
    coded = {c: sheet.code(rows[c]).parameters for c in CASES}
    values = [[f"`{name}`", *(f"{float(coded[c][name]):.4g}" for c in CASES)] for name in sheet.rules]
    return "\n\n".join([
        "The rules, with the reason each was given before the model was run:",
        _table(["parameter", "rule", "tolerance", "reason"], rules),
        "The proxies of each ceasefire (sources and notes on [the proxies page](idlib-proxies.md)):",
        _table(["proxy", "unit", "values"], proxies),
        "The coded parameters:",
        _table(["parameter", *CASES.values()], values)])


def render() -> str:
    """The page's Markdown, from the outputs as they are on disk."""
    dur = json.loads((OUTPUT / "idlib_durability.json").read_text(encoding="utf-8"))
    shock = json.loads((OUTPUT / "idlib_shock.json").read_text(encoding="utf-8"))
    stress_text = (OUTPUT / "idlib_stress.txt").read_text(encoding="utf-8").strip()
    stress = _csv("idlib_stress.csv")
    counter = _csv("idlib_counterfactuals.csv")
    explained = {(r["outcome"], r["condition"], r["pivotal"] == "True"): r for r in _csv("idlib_explain.csv")
                 if r["pivotal"] == "True" or r["binding"] == "True"}  # one row per condition and role
    cases = dur["cases"]
    survival = [[CASES[c], f"{cases[c]['expected_baseline']:.1f}", f"{cases[c]['expected']:.1f}",
                 *(_pct(cases[c][f"survival_{h}"]) for h in (1, 6, 12, 24, 60)), _pct(cases[c]["sustained"]),
                 f"{cases[c]['lasted_months']:g}"] for c in CASES]
    cf_cols = [k for k in counter[0] if k not in ("intervention", "sets")]
    cf_rows = [[r["intervention"], r["sets"].replace("=", " = "),
                *(_cell(r[k]) for k in cf_cols)]
               for r in counter]
    top = sorted(stress, key=lambda r: -float(r["ST"]))[:6]
    bars = _csv("idlib_tornado.csv")
    breakers = ", ".join(f"`{r['parameter']}` (slack {float(r['slack_low']):.3g} at {float(r['low']):.4g}, "
                         f"{float(r['slack_high']):.3g} at {float(r['high']):.4g})"
                         for r in bars if r["breaks"] == "True") or "none of them"
    sobol = [[f"`{r['parameter']}`", r["baseline_x"], f"{float(r['ST']):.2f} ± {float(r['ST_conf']):.2f}",
              f"{float(r['rank_correlation']):+.2f}",
              "" if not r["tipping_point"] else f"{float(r['tipping_point']):.4g}"] for r in top]
    why = [[r["outcome"], r["condition"], f"{float(_number(r['slack'])):.3g}",
            r["holds_while"] if r["pivotal"] == "True" else "", "pivotal" if r["pivotal"] == "True" else "binding"]
           for r in explained.values()]
    assumed = [f"`{r['parameter']}`" for r in top if "assumption" in r["baseline_x"]]
    breaks = shock["first_break_day"]
    after = "" if breaks is None else (f"From day {breaks:g} an unresolved Turkey would fight too, so fighting "
                                       "no longer reveals resolve.")
    scale = "; ".join(f"{CASES[c]}: {cases[c]['expected_baseline']:.1f} months predicted, "
                      f"{cases[c]['lasted_months']:g} lasted" for c in CASES)
    return f"""# The Idlib ceasefires of 2018-2020: a case study

*This page is generated by `experiments/report_idlib.py` from the outputs of `make figures`;
every number below is read from `experiments/output` or `games/coding`. Do not edit it by hand.*

## Question

On 5 March 2020 Turkey and Russia agreed in Moscow to stop the fighting in Idlib on the
current front lines, with a security corridor along the M4 highway and joint patrols. The
lines held until the opposition offensive of late November 2024. The Sochi memorandum of
September 2018 had held until the regime offensive of late April 2019, and the truce of
January 2020 broke within days. Why did the March ceasefire hold, why did Turkey fight and
then accept the regime's gains, and why did Russia halt? How long should each of the three
ceasefires have been expected to last?

## Model

One scenario (`games/idlib-2020.yaml`) links six actors in games that share one parameter
set: Turkey, Russia and the Assad regime as separate players, NATO/the US deciding on
support for its own reasons, the EU as the target of refugee coercion, and HTS as a
spoiler whose attacks are noise in the monitoring.

- `ceasefire_stage`: one month; Turkey holds or strikes, Russia restrains the regime or
  backs an offensive, weighing it by its belief that Turkey is resolved.
- `spring_shield`: the crisis in sequence (NATO words or Patriots; Turkey, resolved or not,
  fights or yields; Russia, seeing a fight, restrains or backs the regime; the regime halts or
  advances alone), solved for its perfect Bayesian outcome (figure `idlib_sequence.png`).
- `refugee_coercion`: Greenhill's coercive engineered migration (threat, the EU's payment or
  refusal, release or backing down), with the EU's type unknown to Turkey.
- `ceasefire_holds`: the stage game repeated month by month under a grim trigger, violations
  seen only as far as the patrols attribute them and HTS attacks read as violations.
- `ceasefire_line`: the Nash bargain over the ground, with war valued as in the stage game.

`sochi-2018` and `idlib-2020-january` are the same model with the parameters the coding sheet
derives from their own proxies.

## Coding the three ceasefires

Four parameters are coded from measured proxies by the sheet `games/coding/idlib-sheet.yaml`.
The proxies were recorded from documents before the model was run on them; the rules were
written with the historical order known, so the durability comparison below is a check of
internal consistency, not an out-of-sample test.

{_coding()}

## Durability

Expected months held within {dur['horizon']} months at δ = {dur['delta']} a month (the ceasefire ends
at the first signalled violation, a false alarm included, or never starts where it is not
subgame perfect), at the coded baseline and averaged over {dur['draws']:,} draws of each
case's parameters (root seed {dur['seed']}); survival is the share of draws still holding at
each horizon (figure `idlib_durability.png`).

{_table(["ceasefire", "months (baseline)", "months (mean of draws)", "1 month", "6", "12", "24", "60",
         "subgame perfect", "months it lasted"], survival)}

The order March 2020 > Sochi 2018 > January 2020 {'holds' if dur['baseline_order_holds'] else 'fails'} at the
baselines, and holds in **{_pct(dur['order_share'])}** of {dur['draws']:,} joint draws (shared parameters
in common across the cases, coded ones per case). Predicted against actual months:
{scale}.

## Why it held

The conditions with least slack (binding) and nearest to breaking (pivotal) of each
historical outcome at baseline (table `idlib_explain.tex`):

{_table(["outcome", "condition", "slack", "breaks", "role"], why)}

## Sensitivity

{stress_text}

The six parameters with the largest total Sobol indices for the fight-then-settle outcome
(figure `idlib_stress.png`):

{_table(["parameter", "baseline from", "total Sobol index", "rank correlation", "tipping point"], sobol)}

One parameter at a time, each alone at the 5% and 95% quantiles of its distribution (figure
`idlib_tornado.png`), the outcome stops holding only through {breakers}.

## Counterfactuals

Each named intervention is a set of parameter changes declared in the scenario file;
`negotiation counterfactual idlib-2020` prints the table (`idlib_counterfactuals.tex`).
"holds" means the outcome is an equilibrium under the intervention.

{_table(["intervention", "sets", *cf_cols], cf_rows)}

## Shocks over time

UNICEF and the World Food Programme counted about 6,000 children displaced a day in
northern Idlib before the ceasefire. Letting the displaced grow at that rate from the coded
baseline (figure `idlib_shock.png`): {shock['summary']} {shock['repeated_summary']}
{after}

## What the model still assumes

The results rest on numbers that no document fixes: the largest Sobol shares among the
assumptions are {', '.join(assumed)}. The monthly discount factor (δ = {dur['delta']}), Turkey's
utility cost per soldier killed, how many times more war costs an unresolved Turkey (`irresolution`),
Russia's costs of pressing on and of confronting Turkey, the rate of HTS attacks (`spoiler_rate`)
and the constants of the coding rules are stated assumptions; each is labelled as such in the
scenario file with its reason, and `negotiation check idlib-2020` lists what they hold up.
The fight-then-settle outcome is on a knife edge in Turkey's casualty cost (see the pivotal
lever above): it holds only while an unresolved Turkey would rather yield than fight.
"""


def _cell(text: str) -> str:
    """A counterfactual table cell: holds/fails, a number to one decimal, or the text."""
    if text in ("True", "False"):
        return "holds" if text == "True" else "fails"
    try:
        return f"{float(text):.1f}"
    except ValueError:
        return text


def _number(text: str) -> float:
    """A slack written as a fraction (``1847/6875``) or a decimal."""
    num, _, den = text.partition("/")
    return float(num) / float(den or 1)


def main() -> None:
    atomic_write_text(PAGE, render())
    print(f"wrote {PAGE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
