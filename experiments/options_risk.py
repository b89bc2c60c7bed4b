"""Question 3 (claim 2, "the options cap the risk"): the market maker's P&L across regimes.

The article strategy and hold, under bust, flat, boom and pump-and-dump fundamentals, many seeds:
the distribution of the market maker's total P&L, tails included.
    .venv/bin/python experiments/options_risk.py --quick
"""
import _common
import pandas as pd
from matplotlib.figure import Figure

from mmabm.runner import compare
from mmabm.exogenous import REGIMES
from mmabm.plots import save


def main() -> None:
    args = _common.options(__doc__.splitlines()[0], quick=(0.25, 2), full=(12, 20))
    runs = []
    for regime in REGIMES:
        result = compare(_common.base_config(args, {"world.regime": regime}), ["hold", "article"],
                         args.seeds, workers=args.workers, dask=args.dask,
                         on_done=_common.progress)
        runs.append(result.runs.assign(regime=regime))
    runs = pd.concat(runs, ignore_index=True)
    runs.to_parquet(args.out / "runs.parquet", index=False)
    q = (runs.groupby(["regime", "strategy"], sort=False)["mm_pnl_total"]
         .describe(percentiles=[0.05, 0.25, 0.5, 0.75, 0.95]).reset_index())
    q = q[["regime", "strategy", "count", "min", "5%", "25%", "50%", "75%", "95%", "max"]]
    parts = (runs.groupby(["regime", "strategy"], sort=False)
             [["mm_pnl_initial_sale", "mm_pnl_options", "mm_pnl_gamma", "mm_pnl_spread",
               "mm_pnl_lp_fees", "mm_pnl_inventory"]].mean().reset_index())
    fig = Figure(figsize=(10, 5))
    ax = fig.add_subplot()
    labels, data = [], []
    for (regime, strategy), part in runs.groupby(["regime", "strategy"], sort=False):
        labels.append(f"{regime}\n{strategy}")
        data.append(part["mm_pnl_total"].dropna() / 1e6)
    ax.boxplot(data, whis=(5, 95), showfliers=True)
    ax.set_xticks(range(1, len(labels) + 1), labels, fontsize=7)
    ax.axhline(0, color="grey", lw=0.8)
    ax.set(ylabel="market maker P&L, million USDT", title="P&L by regime (whiskers 5-95%)")
    ax.grid(alpha=0.3)
    figures = [save(fig, args.out / "pnl_by_regime.png")]
    _common.write_report(args, "The market maker's P&L across market regimes", [
        "## Total P&L (USDT)", "", _common.table(q), "",
        "## Mean P&L by source (USDT)", "", _common.table(parts)], figures)


if __name__ == "__main__":
    main()
