"""Does the world's news reach the price? By who reads it, in a bust and a boom world.

The news value (`fundamental`) is information, not an anchor: it reaches the price only through
the agents that read it. Each setting below adds readers, from the model before the dealers read
it (value traders alone, learning 0.3 a day, mood half-life 0.5 h, normal news) to the default:
the liquidity providers, the market maker, the latent books; then a less persistent crowd mood,
faster-learning value traders and heavier-tailed news (the default); and beside the default, two
other assumptions on who follows a trend: value traders who never learn from the price
(`beliefs.model = "anchored"`) and retail money that chases the news' monthly return
(`money.inflow_trend_elasticity` 1). The news' volatility is the
scenario's in every setting. Each runs under hold in a bust and a boom world on the same seeds.
Per run: how much of the news' move reaches the mid over a day and a week (the slope of the
mid's log change on the news value's, and its R²), the hourly volatility, excess kurtosis and
lag-1 autocorrelation; across the two worlds, the slope of the final log mid on the
final log news value (1: the price ends where the news says, 0: the world does not matter).
    .venv/bin/python experiments/news_reach.py --quick      # 2 months, 2 seeds: a few minutes
"""
import _common
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from mmabm.config import DEAF_DEALERS
from mmabm.runner.executor import Task, run_tasks
from mmabm.plots import save
from mmabm.stylized import mean_ci, news_beta, stylized_facts

BEFORE = {**DEAF_DEALERS, "beliefs.learning_per_day": 0.3, "retail.mood_halflife_hours": 0.5,
          "world.news_tail_df": 0.0}
DEALERS = {**BEFORE, **dict.fromkeys(DEAF_DEALERS, 1.0)}
SETTINGS = {                       # name -> the keys it changes from the scenario
    "value traders only (the model before)": BEFORE,
    "+ providers": {**BEFORE, "liquidity.news_weight": 1.0},
    "+ providers, maker": {**BEFORE, "liquidity.news_weight": 1.0,
                           "market_maker.news_weight": 1.0},
    "+ providers, maker, latent": DEALERS,
    "all, mood 0.3 h": {**DEALERS, "retail.mood_halflife_hours": 0.3},
    "all, mood 0.3 h, learning 1.0/day": {**DEALERS, "retail.mood_halflife_hours": 0.3,
                                          "beliefs.learning_per_day": 1.0},
    "the default (+ t(3.5) news)": {},
    "the default, anchored beliefs": {"beliefs.model": "anchored"},
    "the default, money chasing the trend": {"money.inflow_trend_elasticity": 1.0},
}
WORLDS = ("bust", "boom")
COLUMNS = ("minute", "mid", "fundamental")


def per_run(ts: pd.DataFrame) -> dict[str, float]:
    """The news' reach and the return statistics of one run."""
    mid, news = ts["mid"].ffill().to_numpy(), ts["fundamental"].to_numpy()
    row = {}
    for name, hours in (("1d", 24), ("7d", 168)):
        try:
            fit = news_beta(mid, news, hours)
        except ValueError:                             # too short: null
            fit = {"beta": np.nan, "r2": np.nan}
        row[f"news_beta_{name}"], row[f"news_r2_{name}"] = fit["beta"], fit["r2"]
    keys = ("hourly_vol", "excess_kurtosis", "acf_r_1", "acf_r_1_z")
    try:
        facts = stylized_facts(mid, skip=24)
    except ValueError:                                 # too short for the statistics: null
        facts = dict.fromkeys(keys, np.nan)
    row |= {k: facts[k] for k in keys}
    row["log_mid_end"], row["log_news_end"] = float(np.log(mid[-1])), float(np.log(news[-1]))
    return row


def main() -> None:
    args = _common.options(__doc__.splitlines()[0], quick=(2, 2), full=(6, 10))
    tasks = []
    for name, keys in SETTINGS.items():
        for world in WORLDS:
            config = _common.base_config(args, {"market_maker.strategy": "hold",
                                                "world.regime": world, **keys})
            tasks += [Task((name, world, seed), config.to_dict(), seed)
                      for seed in range(args.seeds)]
    rows = [{"setting": o.key[0], "world": o.key[1], "seed": o.key[2], **per_run(o.timeseries)}
            for o in run_tasks(tasks, workers=args.workers, dask=args.dask, columns=COLUMNS,
                               on_done=_common.progress) if o.ok]
    runs = pd.DataFrame(rows)
    runs.to_parquet(args.out / "runs.parquet", index=False)
    report(args, runs)


def report(args, runs: pd.DataFrame) -> None:
    """report.md: per setting, the mean over runs (both worlds) with a 95% CI, and the slope
    of the final price on the final news across the worlds, per seed."""
    figures = ("news_beta_1d", "news_r2_1d", "news_beta_7d", "hourly_vol", "excess_kurtosis",
               "acf_r_1", "acf_r_1_z")
    rows, bars = [], {}
    for name in SETTINGS:
        part = runs[runs["setting"] == name]
        if part.empty:
            continue
        row, bars[name] = {"setting": name}, {}
        ends = part.pivot_table(index="seed", columns="world",
                                values=["log_mid_end", "log_news_end"])
        slope = ((ends["log_mid_end"]["boom"] - ends["log_mid_end"]["bust"])
                 / (ends["log_news_end"]["boom"] - ends["log_news_end"]["bust"])).dropna()
        for column, values in [(c, part[c]) for c in figures] + [("end slope", slope)]:
            m, lo, hi = mean_ci(values.to_numpy(float))
            row[column] = f"{m:.3g} [{lo:.3g}, {hi:.3g}]" if lo == lo else f"{m:.3g}"
            bars[name][column] = (m, lo, hi)
        rows.append(row)
    fig = Figure(figsize=(10, 0.6 * len(bars) + 2))
    ax = fig.add_subplot()
    shown = (("news_beta_1d", "over a day"), ("news_beta_7d", "over a week"),
             ("end slope", "final price across worlds"))
    y = np.arange(len(bars))
    for k, (column, label) in enumerate(shown):
        m, lo, hi = (np.array([bars[n][column][i] for n in bars], dtype=float) for i in range(3))
        err = np.vstack([m - lo, hi - m])
        ax.barh(y + (k - 1) * 0.27, m, height=0.27, label=label,
                xerr=np.where(np.isfinite(err), err, 0), capsize=2)
    ax.set_yticks(y, list(bars), fontsize=8)
    ax.invert_yaxis()
    ax.axvline(1, color="grey", lw=0.8, ls="--")
    ax.set(xlabel="share of the news' move in the price (1: all of it)",
           title="How much of the world's news reaches the price, by who reads it (95% CI)")
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(alpha=0.3, axis="x")
    _common.write_report(args, "Does the world's news reach the price?", [
        "Hold, bust and boom worlds, the same seeds in every setting. `news_beta_*`: slope of "
        "the mid's log change on the news value's over non-overlapping days / weeks (R² beside "
        "it); `end slope`: the final log mid's difference between the boom and the bust world "
        "over the final log news value's, per seed. Mean [95% CI].", "",
        _common.table(pd.DataFrame(rows))], [save(fig, args.out / "news_reach.png")])


if __name__ == "__main__":
    main()
