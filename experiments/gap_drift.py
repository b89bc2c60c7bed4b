"""Where does the gap to hold go after the market maker's sale, and when does it move?

The market maker sells Q tokens over 24 hours and otherwise holds, against hold on the same
seed (experiments/impact_persistence.py part 1's design). From `--from-day` to the run's end
this measures the gap's change (log of the hold mid over the sale's mid: positive, the sale's
world fell further) and splits it between news hours (the world's news moved by more than its
75th percentile in that hour or the one before) and quiet hours; and, each day, how far the
maker's holdings are above its aim against hold: (its tokens - hold's) + Q, what its skew
leans its quotes against (docs/model.md §7.7). docs/calibration.md ("What makes the gap grow
back") reads both across the maker's inventory rules.
"""
from __future__ import annotations

import sys

import numpy as np
import pandas as pd

import _common
from impact_persistence import LOAN, _size, sale_of
from mmabm.runner.executor import Task, run_tasks
from mmabm.plots import save
from mmabm.stylized import mean_ci

COLUMNS = ["minute", "mid", "fundamental", "supply_tokens_market_maker"]
DAYS = (1, 2, 3, 5, 7, 10, 14, 21, 30)
NEWS_QUANTILE = 0.75


def drift(hold: pd.DataFrame, sale: pd.DataFrame, q: float, from_day: float) -> dict:
    """One seed's figures from the hourly rows (indexed by minute) of hold and of the sale: the
    gap at the sale's end and at `from_day`, its change from then to the last common row, that
    change in news hours and in quiet hours, and the maker's excess over its aim against hold
    on each of DAYS the runs reach."""
    rows = hold.index.intersection(sale.index)
    hold, sale = hold.loc[rows], sale.loc[rows]
    gap = np.log(hold["mid"] / sale["mid"]).to_numpy()
    news = np.abs(np.diff(np.log(hold["fundamental"].to_numpy()), prepend=np.nan))
    minutes = rows.to_numpy(dtype=float)
    later = minutes >= from_day * 1440
    step = np.diff(gap, prepend=np.nan)
    step[~later | np.roll(~later, 1)] = np.nan          # changes from `from_day` on
    loud = np.nan_to_num(news) > np.nanquantile(news[later], NEWS_QUANTILE) if later.any() \
        else np.zeros_like(later)
    loud = loud | np.roll(loud, 1)                       # the hour of the news or the next
    ok = np.isfinite(step)
    out = {"peak": _at(minutes, gap, 1440.0), "at from_day": _at(minutes, gap, from_day * 1440),
           "drift": step[ok].sum() if ok.any() else np.nan,
           "in news hours": step[ok & loud].sum() if ok.any() else np.nan,
           "in quiet hours": step[ok & ~loud].sum() if ok.any() else np.nan}
    excess = (sale["supply_tokens_market_maker"] - hold["supply_tokens_market_maker"]).to_numpy()
    for d in DAYS:
        out[f"gap day {d}"] = _at(minutes, gap, d * 1440.0)
    for d in DAYS:
        out[f"excess day {d}"] = _at(minutes, excess + q, d * 1440.0)
    return out


def _at(minutes: np.ndarray, values: np.ndarray, minute: float) -> float:
    """The value on the last row at or before `minute` (NaN if the runs end before it)."""
    if minutes[-1] < minute:
        return np.nan
    return float(values[np.searchsorted(minutes, minute, side="right") - 1])


def measure(args) -> pd.DataFrame:
    """Per seed, `drift` of a sale of args.q against hold (the runs last at least two days past
    `--from-day`, so that there is a drift to measure)."""
    args.run_months = max(args.months, (args.from_day + 2) / 30)
    config = _common.base_config(args, {"run.months": args.run_months,
                                        "contract.loan_tokens": LOAN, "contract.months": 12.0,
                                        "market_maker.strategy": "hold"})
    tasks = [Task((q, seed), config.override(sale_of(q, "maker")).to_dict(), seed)
             for seed in range(args.seeds) for q in (0.0, args.q)]
    done = {o.key: o.timeseries.set_index("minute").ffill()
            for o in run_tasks(tasks, workers=args.workers, dask=args.dask, columns=COLUMNS,
                               on_done=_common.progress) if o.ok}
    rows = [{"seed": s, **drift(done[(0.0, s)], done[(args.q, s)], args.q, args.from_day)}
            for s in range(args.seeds) if (0.0, s) in done and (args.q, s) in done]
    if not rows:
        sys.exit("gap_drift: no seed finished both runs; nothing to report")
    return pd.DataFrame(rows)


def summary(per_seed: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95% interval over seeds of every figure (tokens in millions)."""
    out = []
    for col in per_seed.columns.drop("seed"):
        if per_seed[col].isna().all():                 # a day the runs do not reach
            continue
        scale = 1e-6 if col.startswith("excess") else 1.0
        m, lo, hi = mean_ci(per_seed[col].to_numpy(dtype=float) * scale)
        out.append({"figure": col + (" (M tokens)" if scale != 1.0 else ""), "mean": m,
                    "95% CI": f"[{lo:.4g}, {hi:.4g}]", "seeds": int(per_seed[col].notna().sum())})
    return pd.DataFrame(out)


def figure(per_seed: pd.DataFrame, q: float):
    """The mean gap and the maker's excess over its aim, day by day, with 95% intervals."""
    import matplotlib.pyplot as plt
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    for ax, kind, scale, color, label in ((top, "gap", 100.0, "C0", "gap to hold (%, log)"),
                                          (bottom, "excess", 1e-6, "C3",
                                           "maker's tokens above its aim,\nagainst hold (M)")):
        days = [d for d in DAYS if per_seed[f"{kind} day {d}"].notna().any()]
        stats = np.array([mean_ci(per_seed[f"{kind} day {d}"].to_numpy(float) * scale)
                          for d in days]).reshape(-1, 3)
        ax.plot(days, stats[:, 0], "o-", color=color)
        ax.fill_between(days, stats[:, 1], stats[:, 2], alpha=0.2, color=color)
        ax.axhline(0.0, color="grey", lw=0.8)
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    top.set_title(f"After the market maker's sale of {q / 1e6:g}M tokens over 24 hours "
                  f"({len(per_seed)} paired seeds, 95% CI)")
    bottom.set_xlabel("days after listing")
    return fig


_day = _common.number_in(1, 29, "a day")        # --from-day: inside a month's run


def _options(parser) -> None:
    parser.add_argument("--q", type=_size, default=1_000_000.0, metavar="Q",
                        help="the sale in tokens (10,000-4M, default 1M)")
    parser.add_argument("--from-day", type=_day, default=5.0, metavar="D",
                        help="the drift is measured from this day to the run's end (1-29, "
                             "default 5: after the maker's quotes have bought back)")


def main() -> None:
    args = _common.options(__doc__.splitlines()[0], quick=(0.5, 3), full=(1, 40),
                           extra=(_options,))
    per_seed = measure(args)
    per_seed.to_parquet(args.out / "gap_drift.parquet", index=False)
    sections = [f"## A sale of {args.q:,.0f} tokens against hold, from day {args.from_day:g}", "",
                "Gap: log(hold mid / sale mid). Excess: the maker's tokens above its aim, "
                "against hold ((its tokens - hold's) + Q).", "",
                _common.table(summary(per_seed))]
    figures = [save(figure(per_seed, args.q), args.out / "gap_drift.png")]
    _common.write_report(args, "Where does the gap go after the sale?", sections, figures)


if __name__ == "__main__":
    main()
