"""Question 5 (claim 4, "volatility profits offset the early sale"): gamma scalping, spread and
pool income against the sale's P&L, as the token's volatility and its later rise vary.
    .venv/bin/python experiments/vol_profits.py --quick
"""
import _common
import pandas as pd
from matplotlib.figure import Figure

from mmabm.runner import sweep, sweep_spec
from mmabm.plots import save

INCOME = ["mm_pnl_gamma", "mm_pnl_spread", "mm_pnl_lp_fees", "mm_pnl_funding"]


def main() -> None:
    args = _common.options(__doc__.splitlines()[0], quick=(0.25, 1), full=(12, 8),
                           swept=("world.annual_vol", "world.year_multiple"))
    spec = sweep_spec(_common.sweep_of(args, {
        "run.months": args.months, "contract.months": max(1.0, args.months),
        "world.regime": "boom"}, {
        "world.annual_vol": [0.5, 1.0, 2.0], "world.year_multiple": [0.5, 1.0, 3.0]}))
    sweep(spec, args.out / "sweep", workers=args.workers, dask=args.dask, on_done=_common.progress)
    s = pd.read_parquet(args.out / "sweep" / "summary.parquet")
    s["volatility income"] = s[INCOME].sum(axis=1)
    means = (s.groupby(["world.annual_vol", "world.year_multiple"])
             [[*INCOME, "volatility income", "mm_pnl_initial_sale", "mm_pnl_total"]].mean()
             .reset_index())
    means["income / |sale P&L|"] = means["volatility income"] / means["mm_pnl_initial_sale"].abs()
    fig = Figure(figsize=(10, 5))
    ax = fig.add_subplot()
    labels = [f"vol {v:g}\nx{m:g}/yr" for v, m in zip(means["world.annual_vol"],
                                                        means["world.year_multiple"])]
    x = range(len(means))
    bottom = pd.Series(0.0, index=means.index)
    for column in INCOME:
        ax.bar(x, means[column] / 1e6, bottom=bottom / 1e6, label=column[7:])
        bottom = bottom + means[column]
    ax.plot(x, means["mm_pnl_initial_sale"] / 1e6, "kD", label="initial sale P&L")
    ax.set_xticks(list(x), labels, fontsize=7)
    ax.axhline(0, color="grey", lw=0.8)
    ax.set(ylabel="million USDT (mean over seeds)", title="Volatility income vs the sale's P&L")
    ax.legend(fontsize=8)
    figures = [save(fig, args.out / "income_vs_sale.png")]
    _common.write_report(args, "Volatility income against the early sale", [
        "Regime `boom` with the given multiple per year (below 1: a decline).", "",
        _common.table(means)], figures)


if __name__ == "__main__":
    main()
