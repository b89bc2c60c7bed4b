"""Which settings meet the three impact targets at once? delta against the permanent part.

Reads the outputs of `impact_persistence.py --part metaorders --months 1` (one directory per
setting: its metaorders.parquet) and puts each setting on one chart: the impact exponent delta
(x, with its 95% interval) against the share of the peak left a week and a month after the
sale (y: the median over the sale sizes from 0.5M up, the bar from their lowest to their highest;
0.25M's share is too noisy on 40 seeds to place), the target box shaded (delta 0.4-0.7,
square-root impact; a share of 0.4-0.8, fair pricing's decay to a permanent part). A setting
meets the targets when delta's point and its whole vertical bar sit in the box in both
panels. The report's table has every size's share (the 95% intervals are in each
directory's own report).

    .venv/bin/python experiments/impact_persistence.py --part metaorders --months 1 --seeds 40 \
        --sale-hours 12 --out out/probes/h12
    .venv/bin/python experiments/impact_persistence.py --part metaorders --months 1 --seeds 40 \
        --sale-hours 12 --set latent.width=0.25 --out out/probes/h12_width25
    .venv/bin/python experiments/impact_frontier.py out/probes/h12 out/probes/h12_width25
"""
from __future__ import annotations

import argparse
import math
import re
import sys
from pathlib import Path

import _common
import numpy as np
import pandas as pd
from _persistence import exponent, permanent_fraction
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

DELTA = (0.4, 0.7)          # square-root impact (Toth et al. 2011; Donier & Bonart 2015)
SHARE = (0.4, 0.8)          # fair pricing: about 2/3 of the peak stays (Farmer et al. 2013)
PLACED = 500_000.0          # the smallest size whose share the chart places


def settings(directory: Path, meta: pd.DataFrame) -> dict:
    """The run's sale length, seller and --set changes: the parquet's own record, else
    (outputs from before it kept one) its report's header lines."""
    if "sale_hours" in meta.attrs:
        return {"hours": float(meta.attrs["sale_hours"]), "seller": meta.attrs["seller"],
                "sets": dict(meta.attrs.get("sets", {}))}
    if not (directory / "report.md").exists():
        return {"hours": math.nan, "seller": "maker", "sets": {"(no record of the run)": "?"}}
    report = (directory / "report.md").read_text()
    hours = re.search(r"over ([0-9.]+) hours by (the market maker|an outside seller)", report)
    sets = re.search(r"\(--set\): (.*)\.$", report, re.M)
    return {"hours": float(hours.group(1)) if hours else 24.0,
            "seller": "outside" if hours and hours.group(2) == "an outside seller" else "maker",
            "sets": dict(re.findall(r"`([^=`]+)=([^`]*)`", sets.group(1))) if sets else {}}


def label_of(s: dict) -> str:
    """A short name of a setting: its sale length and its changes."""
    changes = ", ".join(f"{k.split('.')[-1]}={v}" for k, v in s["sets"].items())
    who = "outside seller, " if s["seller"] == "outside" else ""
    hours = f"{s['hours']:g} h" if s["hours"] == s["hours"] else "? h"
    return f"{who}{hours}" + (f", {changes}" if changes else "")


def measure(directory: Path) -> dict:
    """One setting's delta and its shares of the peak left a week and a month on, per size."""
    path = directory / "metaorders.parquet"
    if not path.exists():
        sys.exit(f"impact_frontier: {path} not found (run impact_persistence.py --part "
                 f"metaorders --out {directory} first)")
    try:
        meta = pd.read_parquet(path)
    except Exception as err:                       # a truncated or foreign file
        sys.exit(f"impact_frontier: {path} is not a readable Parquet file ({err})")
    missing = {"q", "seed", "peak", "1w", "1m"} - set(meta.columns)
    if missing:
        sys.exit(f"impact_frontier: {path} has no {', '.join(sorted(missing))} column (not "
                 "an impact_persistence.py --part metaorders output?)")
    if meta.empty:
        sys.exit(f"impact_frontier: {path} has no runs")
    if meta.groupby("q")["1m"].count().min() < 2:
        sys.exit(f"impact_frontier: {path}: the runs do not reach a month after the sale "
                 "on two seeds of every size (impact_persistence.py --months 1)")
    if not (meta["q"] >= PLACED).any():
        sys.exit(f"impact_frontier: {path}: no sale of {PLACED / 1e6:g}M or more to place "
                 "(impact_persistence.py's default --sizes)")
    s = settings(directory, meta)
    fit = exponent(meta)
    rng = np.random.default_rng(0)
    shares = {}
    for later in ("1w", "1m"):
        part = permanent_fraction(meta, later, rng)
        shares[later] = part.set_index("Q (tokens)")[f"{later} / peak"]
    return {"directory": directory, "label": label_of(s), **s, "fit": fit,
            "seeds": int(meta["seed"].nunique()), "shares": shares}


def placed(m: dict, later: str) -> np.ndarray:
    """The shares of the sizes the chart places."""
    share = m["shares"][later]
    return share[share.index >= PLACED].to_numpy(float)


def meets(m: dict) -> bool:
    """delta's point in the target, and every placed size's share in it at a week and a month."""
    d = m["fit"]["exponent"]
    shares = [placed(m, x) for x in ("1w", "1m")]
    return bool(DELTA[0] <= d <= DELTA[1] and all(
        len(y) and ((SHARE[0] <= y) & (y <= SHARE[1])).all() for y in shares))


def frontier_figure(measured: list[dict]) -> Figure:
    """delta against the week's and the month's share, the target box shaded (every
    setting has a placed size: measure() refused the others)."""
    fig = Figure(figsize=(12, 6.4), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    tab20 = colormaps["tab20"].colors             # the dark ten first, then the light ten
    styles = [(tab20[(2 * i) % 20 + (i // 10) % 2], "osD^v<>"[i // 20 % 7])
              for i in range(len(measured))]
    fitted = [m["fit"] for m in measured if m["fit"]["exponent"] == m["fit"]["exponent"]]
    for ax, later, title in zip(axes, ("1w", "1m"), ("a week after the sale",
                                                     "a month after the sale")):
        ax.add_patch(Rectangle((DELTA[0], SHARE[0]), DELTA[1] - DELTA[0],
                               SHARE[1] - SHARE[0], color="tab:green", alpha=0.12, lw=0,
                               label="targets"))
        for m, (colour, marker) in zip(measured, styles):
            y = placed(m, later)
            d, lo, hi = (m["fit"][k] for k in ("exponent", "ci_low", "ci_high"))
            mid = float(np.median(y))
            ax.errorbar([d], [mid], xerr=[[d - lo], [hi - d]],
                        yerr=[[mid - y.min()], [y.max() - mid]], fmt=marker, color=colour,
                        capsize=3, label=f"{m['label']} ({m['seeds']} seeds)")
        ax.set_xlabel("impact exponent δ (peak gap ∝ Q^δ; bar: 95% CI)")
        ax.set_title(f"Share of the peak left {title}")
        ax.set_xlim(min(DELTA[0] - 0.05, *(f["ci_low"] - 0.03 for f in fitted)),
                    max(0.95, *(f["ci_high"] + 0.03 for f in fitted)))
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(f"gap later / peak (median over the sizes from {PLACED / 1e6:g}M; "
                       "bar: their range)")
    ys = np.concatenate([placed(m, x) for m in measured for x in ("1w", "1m")])
    axes[0].set_ylim(min(-0.1, ys.min() - 0.05), max(1.2, ys.max() + 0.05))
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize=8)
    fig.suptitle("A sale of Q tokens against hold: each setting against the square-root and "
                 "fair-pricing targets (green)")
    return fig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directories", nargs="+", type=Path,
                        help="impact_persistence.py --part metaorders --months 1 outputs")
    parser.add_argument("--out", type=Path, default=_common.ROOT / "out" / "experiments"
                        / "impact_frontier", help="output directory")
    args = parser.parse_args()
    measured = [measure(d) for d in args.directories]
    args.out.mkdir(parents=True, exist_ok=True)
    figure = args.out / "impact_frontier.png"
    frontier_figure(measured).savefig(figure, dpi=110)     # its own layout: legend below
    rows, sizes = [], {tuple(m["shares"]["1w"].index) for m in measured}
    common = len(sizes) == 1 and all(tuple(m["shares"]["1m"].index) in sizes for m in measured)
    for m in measured:
        fit = m["fit"]
        row = {"setting": m["label"], "seeds": m["seeds"],
               "delta": f"{fit['exponent']:.2f} [{fit['ci_low']:.2f}, {fit['ci_high']:.2f}]"
               if "why" not in fit else f"not fitted ({fit['why']})"}
        for later in ("1w", "1m"):
            share = m["shares"][later]
            if common:                   # the sizes in the heading, the shares in the cells
                row[f"{later} / peak, " + " / ".join(f"{q / 1e6:g}M" for q in share.index)] = \
                    " / ".join(f"{v:.2f}" for v in share)
            else:
                row[f"{later} / peak"] = ", ".join(f"{q / 1e6:g}M {v:.2f}"
                                                   for q, v in share.items())
        row["meets all three"] = "yes" if meets(m) else "no"
        row["from"] = str(m["directory"])
        rows.append(row)
    body = ["# Which settings meet the three impact targets at once?", "",
            f"delta in [{DELTA[0]}, {DELTA[1]}] (its point); the share of the peak left a week "
            f"and a month after the sale in [{SHARE[0]}, {SHARE[1]}] for every size from "
            f"{PLACED / 1e6:g}M (the mean gap later over the mean peak, impact_persistence's "
            "permanent part).", "", _common.table(pd.DataFrame(rows)), "",
            f"![{figure.stem}]({figure.name})", ""]
    (args.out / "report.md").write_text("\n".join(body))
    print(f"wrote {args.out / 'report.md'}", file=sys.stderr)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:           # it only reads: nothing to lose
        sys.exit("impact_frontier: interrupted")
