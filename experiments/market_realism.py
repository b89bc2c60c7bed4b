"""Is the simulated market like a young token's? Year-long stylized facts and returns by seed.

Hold and the article's strategy on the same seeds over the whole contract: per run, the
stylized facts of hourly returns after the 24-hour sale (volatility, excess kurtosis, Hill tail
index, the autocorrelation of r at lags 1-5 with heteroskedasticity-robust z-scores, of |r|,
variance ratios), how much of the world's news reaches the price (the slope of the mid's log
change on the news value's over days and weeks) and when (`news_hour_0..2`: the share of an
hour's news in that hour's return and in each of the next two), the volume at launch, 1 and 3
months, the main CEX's spread and ±2% depth and who provides it (market maker, providers,
latent books, retail limits) against the day's volume in the first month and in months 7-12;
and across seeds the distribution of the 1-, 3- and 12-month returns from the listing price
(a flat world no longer means a flat price by construction).
    .venv/bin/python experiments/market_realism.py --quick      # a few minutes
"""
import _common
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from mmabm.runner.executor import Task, run_tasks
from mmabm.plots import save
from mmabm.stylized import mean_ci, news_beta, news_lags, stylized_facts

STRATEGIES = ("hold", "article")
SOURCES = ("market_maker", "providers", "latent", "retail")
COLUMNS = ("minute", "mid", "fundamental", "volume_usd", "spread_bps", "depth_bid_usd",
           "depth_ask_usd", *(f"depth_usd_{s}" for s in SOURCES))
WINDOWS = {"m1": (0, 30), "m7_12": (180, 360)}      # days: the first month, the second half
FACTS = ("hourly_vol", "excess_kurtosis", "hill_tail_index", "acf_r_1", "acf_r_1_z",
         "acf_r_2_z", "acf_r_3_z", "acf_r_4_z", "acf_r_5_z", "max_abs_acf_r_z", "acf_abs_r_1",
         "acf_abs_r_mean_1_24", "vr_2", "vr_2_z", "vr_24", "vr_24_z")
MONTH = 30 * 1440
NEWS_HOURS = 3           # news_hour_0..2: the news' share taken in 0, 1, 2 hours after its hour


def per_run(ts: pd.DataFrame, price: float) -> dict[str, float]:
    """The figures of one run's hourly series."""
    ts = ts.set_index("minute")
    mid = ts["mid"].ffill()
    try:
        facts = stylized_facts(mid.to_numpy(), skip=24)
    except ValueError:                                 # too short for the statistics: null
        facts = dict.fromkeys(FACTS, np.nan)
    daily = ts["volume_usd"].groupby((ts.index // 1440).astype(int)).sum()
    row = {k: facts[k] for k in FACTS}
    # how much of the world's news reaches the price, over a day and over a week
    for name, hours in (("1d", 24), ("7d", 168)):
        try:
            fit = news_beta(mid.to_numpy(), ts["fundamental"].to_numpy(), hours)
        except ValueError:                             # too short: null
            fit = {"beta": np.nan, "r2": np.nan}
        row[f"news_beta_{name}"], row[f"news_r2_{name}"] = fit["beta"], fit["r2"]
    # when it does: the share of an hour's news in that hour's return and in the next ones (a
    # row holds the news of the hour it opens, so the hour's own reaction is lag 1 in the rows)
    try:
        lags = news_lags(mid.to_numpy()[24:], ts["fundamental"].to_numpy()[24:], NEWS_HOURS)
    except ValueError:                                 # too short: null
        lags = {f"beta_{k}": np.nan for k in range(NEWS_HOURS + 1)}
    for hour in range(NEWS_HOURS):
        row[f"news_hour_{hour}"] = lags[f"beta_{hour + 1}"]
    for months in (1, 3, 12):
        minute = months * MONTH
        row[f"return_{months}m"] = (float(mid.loc[:minute].iloc[-1] / price - 1)
                                    if mid.index[-1] >= minute else np.nan)
    for day in (0, 30, 90):
        row[f"volume_usd_day_{day}"] = float(daily.loc[max(0, day - 3):day + 3].mean()
                                             if day else daily.iloc[0])
    row["spread_bps_median"] = float(ts["spread_bps"].median())
    row["depth_usd_median"] = float(((ts["depth_bid_usd"] + ts["depth_ask_usd"]) / 2).median())
    # who provides the depth (both sides, medians) against the day's volume, early and late
    for name, (first, last) in WINDOWS.items():
        part = ts.loc[first * 1440:last * 1440 - 1]
        for source in SOURCES:
            row[f"depth_usd_{source}_{name}"] = (float(part[f"depth_usd_{source}"].median())
                                                 if len(part) else np.nan)
        days = daily.loc[first:last - 1]
        row[f"volume_usd_daily_{name}"] = float(days.mean()) if len(part) else np.nan
    return row


def main() -> None:
    args = _common.options(__doc__.splitlines()[0], quick=(3, 4), full=(12, 50))
    config = _common.base_config(args)
    tasks = [Task((s, seed), config.override({"market_maker.strategy": s}).to_dict(), seed)
             for s in STRATEGIES for seed in range(args.seeds)]
    rows = []
    for o in run_tasks(tasks, workers=args.workers, dask=args.dask, columns=COLUMNS,
                       on_done=_common.progress):
        if o.ok:
            rows.append({"strategy": o.key[0], "seed": o.key[1],
                         **per_run(o.timeseries, config.token.initial_price)})
    runs = pd.DataFrame(rows).sort_values(["strategy", "seed"])
    runs.to_parquet(args.out / "runs.parquet", index=False)
    report(args, runs)


def report(args, runs: pd.DataFrame) -> None:
    """report.md and the figure from the per-run figures (also from a saved runs.parquet)."""
    facts = []
    for strategy, part in runs.groupby("strategy", sort=False):
        for column in [c for c in runs.columns if c not in ("strategy", "seed")]:
            m, lo, hi = mean_ci(part[column].to_numpy(float))
            facts.append({"strategy": strategy, "figure": column, "mean": m,
                          "95% CI": f"[{lo:.4g}, {hi:.4g}]" if lo == lo else "null",
                          "runs": int(part[column].notna().sum())})
    significant = (runs.groupby("strategy")["max_abs_acf_r_z"]
                   .apply(lambda z: float((z > 2.58).mean())).rename("share of runs with a lag "
                                                                     "|z| > 2.58").reset_index())
    returns = []
    for (strategy, column), values in runs.melt(
            ["strategy", "seed"], [f"return_{m}m" for m in (1, 3, 12)],
            var_name="horizon").groupby(["strategy", "horizon"])["value"]:
        v = values.dropna()
        if len(v):
            returns.append({"strategy": strategy, "horizon": column, "runs": len(v),
                            **{f"q{q}": float(np.quantile(v, q / 100))
                               for q in (5, 25, 50, 75, 95)},
                            "share below listing": float((v < 0).mean())})
    returns = pd.DataFrame(returns)
    fig = Figure(figsize=(10, 4.5))
    ax = fig.add_subplot()
    labels, data = [], []
    for months in (1, 3, 12):
        for strategy in STRATEGIES:
            values = runs.loc[runs["strategy"] == strategy, f"return_{months}m"].dropna()
            if len(values):
                labels.append(f"{strategy}\n{months} month{'s' if months > 1 else ''}")
                data.append(100 * values)
    if data:
        ax.boxplot(data, whis=(5, 95))
        ax.set_xticks(range(1, len(labels) + 1), labels, fontsize=8)
    ax.axhline(0, color="grey", lw=0.8)
    ax.set(ylabel="return from the listing price, %",
           title="Returns after 1, 3 and 12 months across seeds (whiskers 5-95%)")
    ax.grid(alpha=0.3)
    figures = [save(fig, args.out / "returns.png")]
    _common.write_report(args, "Is the simulated market like a young token's?", [
        "## Per-run figures, mean over seeds with a 95% CI", "",
        _common.table(pd.DataFrame(facts)), "",
        "## Runs with a significant linear autocorrelation at some lag 1-5", "",
        _common.table(significant), "",
        "## Returns from the listing price across seeds", "",
        _common.table(returns) if len(returns) else "(the runs are too short)"], figures)


if __name__ == "__main__":
    main()
