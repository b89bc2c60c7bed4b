"""Question 6: sale size x initial liquidity — price at 3 and 12 months and the project's outcome.

The initial sale as a share of the loan (market_maker.sale_fraction: 0 to 60%, the most the
obligations leave sellable with the largest pool; the article's 2.3M is 77% with a $1M pool)
against the pool's size, as heat maps. The market maker's capital is $1.5M at every point: the
$2M pool's USDT half and the CEX bids need $1.24M (the scenario's $1M funds pools up to $1.52M).
    .venv/bin/python experiments/sale_size.py --quick
"""
import _common
import pandas as pd

from mmabm.runner import heatmap_table, sweep, sweep_spec
from mmabm.plots import heatmap_figure, save


def main() -> None:
    args = _common.options(__doc__.splitlines()[0], quick=(0.25, 1), full=(12, 5),
                           swept=("market_maker.sale_fraction", "dex.pool_usd"))
    spec = sweep_spec(_common.sweep_of(args, {
        "run.months": args.months, "contract.months": max(1.0, args.months),
        "market_maker.usdt_capital": 1_500_000.0}, {
        "market_maker.sale_fraction": [0.0, 0.2, 0.4, 0.6],
        "dex.pool_usd": [500_000.0, 1_000_000.0, 2_000_000.0]}))
    sweep(spec, args.out / "sweep", workers=args.workers, dask=args.dask, on_done=_common.progress)
    s = pd.read_parquet(args.out / "sweep" / "summary.parquet")
    metrics = [m for m in ("price_3m", "price_12m", "price_end", "project_tokens_returned",
                           "mm_pnl_total") if s[m].notna().any()]
    figures, sections = [], []
    for metric in metrics:
        t = heatmap_table(s, metric, "market_maker.sale_fraction", "dex.pool_usd")
        figures.append(save(heatmap_figure(t, metric), args.out / f"{metric}.png"))
        sections += [f"## {metric} (mean over seeds)", "", _common.grid_table(t), ""]
    _common.write_report(args, "Sale size against initial liquidity", sections, figures)


if __name__ == "__main__":
    main()
