"""Question 1: what does the immediate sale do to price, depth and spread over the contract?

The article strategy (sell 2.3M at once), a TWAP sale and no sale (hold), on the same seeds.
    .venv/bin/python experiments/sale_impact.py --quick      # a few minutes
"""
import _common
import pandas as pd

from mmabm.runner import compare, fan, paired_differences, report_markdown
from mmabm.plots import fan_figure, save

DAY = 1440
WINDOWS = {"day 1": (0, DAY), "days 2-7": (DAY, 7 * DAY), "after week 1": (7 * DAY, 10**9)}


def window_metrics(paths: pd.DataFrame) -> pd.DataFrame:
    """Per run: mean mid, ±2% bid depth and spread in each window."""
    rows = []
    for (strategy, seed), run in paths.groupby(["strategy", "seed"], sort=False):
        row = {"strategy": strategy, "seed": seed}
        for name, (lo, hi) in WINDOWS.items():
            part = run[(run.minute >= lo) & (run.minute < hi)]
            if len(part):
                row[f"mid, {name}"] = part["mid"].mean()
                row[f"bid depth $, {name}"] = part["depth_bid_usd"].mean()
                row[f"spread bp, {name}"] = part["spread_bps"].mean()
        rows.append(row)
    return pd.DataFrame(rows)


def main() -> None:
    args = _common.options(__doc__.splitlines()[0], quick=(0.25, 2), full=(12, 10))
    result = compare(_common.base_config(args), ["hold", "article", "twap_sale"], args.seeds,
                     workers=args.workers, dask=args.dask, on_done=_common.progress)
    windows = paired_differences(window_metrics(result.paths), "hold")
    figures = [save(fan_figure(fan(result.paths, c), c, title), args.out / f"fan_{c}.png")
               for c, title in (("mid", "Main CEX mid by strategy (median, 10-90% of seeds)"),
                                ("depth_bid_usd", "Main CEX bids within 2% (USDT)"),
                                ("spread_bps", "Main CEX spread (bp)"))]
    headline = ["price_1m", "price_3m", "price_6m", "price_12m", "price_end", "max_drawdown",
                "mm_sale_tokens_sold", "obligation_uptime_main"]
    _common.write_report(args, "The immediate sale's effect on price, depth and spread", [
        "## Price, depth and spread by window, paired against `hold`", "",
        _common.table(windows[["strategy", "metric", "baseline_mean", "mean_diff", "ci_low",
                               "ci_high", "n"]]), "",
        "## Summary metrics", "", report_markdown(result, headline)], figures)


if __name__ == "__main__":
    main()
