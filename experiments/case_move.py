"""A real case: the MOVE listing (December 2024) and its market maker's 66M-token sale.

scenarios/move.toml builds the listing from public reports (docs/case_move.md separates the
facts from our assumptions); the article strategy (the 66M sale a day after listing) and hold
run on the same seeds for three months, and the simulated main-CEX price is put beside the
reported prices at 1 week, 1 month and 3 months, and the sale's simulated average price
beside the reported one (38M USDT / 66M MOVE).
    .venv/bin/python experiments/case_move.py --quick      # a few minutes
"""
import _common
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from mmabm.config import load_config
from mmabm.runner import compare, fan
from mmabm.plots import save

SCENARIO = _common.ROOT / "scenarios" / "move.toml"
LISTING_PRICE = 0.65                          # our assumption (scenarios/move.toml)
#: reported MOVE prices (USDT): (label, day, low, high, what it is); docs/case_move.md
REPORTED = [("1 week", 7, 0.65, 0.80, "estimate from reported market caps and ranges"),
            ("1 month", 30, 0.65, 0.80, "estimate: the first month traded $0.62-1.22"),
            ("3 months", 90, 0.40, 0.45, "reported: $0.37 low on 4 Mar, $0.438 on 5 Mar, "
                                             "$0.42-0.46 on 24-25 Mar 2025")]
SALE_PRICE = 38_000_000 / 66_000_000          # reported proceeds over tokens


def main() -> None:
    args = _common.options(__doc__.splitlines()[0], quick=(1, 3), full=(3, 20),
                           scenario=SCENARIO)
    args.scenario_label = "MOVE scenario"
    config = load_config(SCENARIO, {**args.sets, "run.months": args.months})
    result = compare(config, ["hold", "article"], args.seeds, workers=args.workers,
                     dask=args.dask, on_done=_common.progress)
    paths = result.paths.assign(day=lambda f: f["minute"] / 1440)
    rows = []
    for label, day, low, high, what in REPORTED:
        row = {"horizon": label, "reported (USDT)": f"{low:.2f}-{high:.2f}", "basis": what}
        for strategy, part in paths.groupby("strategy"):
            at = part[part["minute"] <= day * 1440].groupby("seed")["mid"].last()
            if part["minute"].max() >= day * 1440 and len(at):
                row[f"{strategy} median"] = float(at.median())
                row[f"{strategy} 10-90%"] = (f"{np.quantile(at, 0.1):.3f}-"
                                            f"{np.quantile(at, 0.9):.3f}")
        rows.append(row)
    article = result.runs[result.runs["strategy"] == "article"]
    sold = article["mm_sale_tokens_sold"].replace(0, np.nan)
    sale = pd.DataFrame([{"tokens sold, median": float(sold.median()),
                          "average price, median": float((article["mm_sale_usdt"] / sold)
                                                         .median()),
                          "reported": f"66,000,000 at {SALE_PRICE:.3f}"}])
    fig = Figure(figsize=(10, 5))
    ax = fig.add_subplot()
    for strategy, color in (("hold", "tab:blue"), ("article", "tab:red")):
        band = fan(result.paths, "mid")
        band = band[band["strategy"] == strategy]
        days = band["minute"] / 1440
        ax.fill_between(days, band["q10"], band["q90"], color=color, alpha=0.15)
        ax.plot(days, band["q50"], color=color, label=f"simulated, {strategy} (median, 10-90%)")
    for label, day, low, high, _ in REPORTED:
        if day <= args.months * 30:
            ax.vlines(day, low, high, color="black", lw=3)
            ax.annotate(f"reported, {label}", (day, high), fontsize=8,
                        xytext=(3, 3), textcoords="offset points")
    ax.axhline(LISTING_PRICE, color="grey", lw=0.8, ls=":", label="listing price (assumed)")
    ax.axvspan(1, 2, color="orange", alpha=0.1, label="the 66M sale (day 1-2)")
    ax.set(xlabel="days after listing", ylabel="main CEX mid, USDT",
           title="MOVE after listing: simulated beside reported prices")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    figures = [save(fig, args.out / "move.png")]
    _common.write_report(args, "The MOVE listing: simulated against reported prices", [
        "Scenario: `scenarios/move.toml` (facts and assumptions: docs/case_move.md).", "",
        "## Price at each horizon", "", _common.table(pd.DataFrame(rows)), "",
        "## The market maker's sale", "", _common.table(sale), "",
        "## Paired differences article - hold", "",
        _common.table(result.paired[result.paired["metric"].isin(
            ["price_1m", "price_3m", "max_drawdown", "mm_pnl_total"])][
            ["metric", "baseline_mean", "mean_diff", "ci_low", "ci_high", "n"]])], figures)


if __name__ == "__main__":
    main()
