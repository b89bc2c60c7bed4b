"""Paired comparisons of strategies under common random numbers.

Every strategy runs on the same seeds; a seed fixes the exogenous world (the fundamental path,
arrivals, trader types, unlock dates), so the difference of a metric between two strategies on
one seed is the strategy's effect in that world. The mean paired difference and its Student-t
confidence interval are far tighter than comparing two independent samples.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mmabm.config import Config, ConfigError
from mmabm.runner.executor import Outcome, Task, run_tasks
from mmabm.runner.outputs import json_text, write_atomic
from mmabm.runner.provenance import code_version, run_id
from mmabm.stylized import t975
from mmabm.strategies import BUILTIN

STRATEGIES = tuple(BUILTIN)          # the built-ins: article, twap_sale, hold, liability_neutral
#: time-series columns kept for fan charts and paired paths
PATH_COLUMNS = ("minute", "mid", "amm_price", "depth_bid_usd", "depth_ask_usd", "spread_bps",
                "fundamental", "news_revision", "mm_delta_inventory", "mm_delta_liability",
                "mm_pnl")
@dataclass(frozen=True)
class Comparison:
    """Paired runs of several strategies on the same seeds.

    runs: one row per (strategy, seed) with its summary (and `error` if it failed).
    paired: per strategy other than the baseline and per metric, the mean paired difference
        (strategy - baseline), its 95% confidence interval and the number of pairs.
    paths: the kept time-series columns of every run, long format with strategy and seed.
    """
    runs: pd.DataFrame
    paired: pd.DataFrame
    paths: pd.DataFrame
    baseline: str


def paired_differences(runs: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Mean paired difference of every numeric summary metric against `baseline`, with a 95%
    Student-t interval, over the seeds where both runs finished."""
    columns = ["strategy", "baseline", "metric", "n", "mean_diff", "ci_low", "ci_high",
               "baseline_mean"]
    ok = runs[runs["error"].isna()] if "error" in runs else runs
    if "strategy" not in ok or not len(ok):
        return pd.DataFrame(columns=columns)             # nothing finished: nothing to pair
    metrics = [c for c in ok.columns if c not in ("strategy", "seed", "error", "seconds",
                                                   "resumed")
               and pd.api.types.is_numeric_dtype(ok[c]) and not pd.api.types.is_bool_dtype(ok[c])]
    base = ok[ok["strategy"] == baseline].set_index("seed")
    rows = []
    for strategy in [s for s in ok["strategy"].unique() if s != baseline]:
        other = ok[ok["strategy"] == strategy].set_index("seed")
        seeds = base.index.intersection(other.index)
        for metric in metrics:
            d = (other.loc[seeds, metric] - base.loc[seeds, metric]).dropna().to_numpy(float)
            n = len(d)
            mean = float(d.mean()) if n else math.nan
            half = t975(n - 1) * float(d.std(ddof=1)) / math.sqrt(n) if n > 1 else math.nan
            rows.append({"strategy": strategy, "baseline": baseline, "metric": metric, "n": n,
                         "mean_diff": mean, "ci_low": mean - half, "ci_high": mean + half,
                         "baseline_mean": float(base.loc[seeds, metric].mean()) if n else math.nan})
    return pd.DataFrame(rows, columns=columns)


def compare(config: Config, strategies: Sequence[str] = ("article", "hold"),
            seeds: int | Sequence[int] = 10, *, workers: int | None = None,
            dask: str | None = None,
            on_done: Callable[[Outcome, int, int], None] | None = None,
            store: str | Path | None = None) -> Comparison:
    """Run every strategy on the same seeds and compare each with the first (the baseline).

    Args:
        seeds: how many (0..n-1), or the seeds themselves.
        workers, dask: where the runs execute (see executor.run_tasks).
        store: a folder that keeps each finished run (its summary and kept columns, named by
            a hash of its config and seed) as it finishes; runs already there are not run
            again, so an interrupted comparison resumes where it stopped.
    """
    strategies = list(strategies)
    if len(strategies) < 2 or len(set(strategies)) != len(strategies):
        raise ConfigError(f"strategies must be at least two distinct ones (built-in: "
                          f"{', '.join(STRATEGIES)}; or yours as 'module:Class'), "
                          f"got {', '.join(strategies) or 'none'}")
    # each checked (and a user's loaded) before any runs
    configs = {s: config.override({"market_maker.strategy": s}).to_dict() for s in strategies}
    seed_list = list(range(seeds)) if isinstance(seeds, int) else [int(s) for s in seeds]
    if not seed_list:
        raise ConfigError("seeds must be at least 1")
    tasks = [Task((s, seed), configs[s], seed) for s in strategies for seed in seed_list]
    rows, paths, version, todo = [], [], code_version(), []
    store = None if store is None else Path(store)
    if store is not None:
        store.mkdir(parents=True, exist_ok=True)
    for task in tasks:
        kept = _kept(store, task) if store is not None else None
        if kept is None:
            todo.append(task)
        else:
            rows.append({**kept[0], "resumed": True})
            paths.append(kept[1])
    for done, outcome in enumerate(run_tasks(todo, workers=workers, dask=dask,
                                             columns=PATH_COLUMNS), start=1):
        strategy, seed = outcome.key
        row = {"strategy": strategy, "seed": seed, **(outcome.summary or {}),
               "error": outcome.error, "seconds": outcome.seconds, "code_version": version,
               "resumed": False}
        rows.append(row)
        if outcome.ok:
            paths.append(outcome.timeseries.assign(strategy=strategy, seed=seed))
            if store is not None:
                _keep(store, next(t for t in todo if t.key == outcome.key), row, paths[-1])
        if on_done is not None:                     # announced once it is kept
            on_done(outcome, done, len(todo))
    order = {s: i for i, s in enumerate(strategies)}
    runs = (pd.DataFrame(rows).sort_values(["strategy", "seed"], key=lambda c: c.map(order)
                                           if c.name == "strategy" else c)
            .reset_index(drop=True))
    paths.sort(key=lambda p: (order[p["strategy"].iat[0]], p["seed"].iat[0]))
    path_frame = pd.concat(paths, ignore_index=True) if paths else pd.DataFrame()
    return Comparison(runs, paired_differences(runs, strategies[0]), path_frame, strategies[0])


def _kept(store: Path, task: Task) -> tuple[dict, pd.DataFrame] | None:
    """A run finished earlier and kept in `store` (None if there is none, or it is unreadable:
    then it is run again)."""
    name = run_id(task.config, task.seed)
    try:
        row = json.loads((store / f"{name}.json").read_text())
        path = pd.read_parquet(store / f"{name}.parquet")
    except (OSError, ValueError):                     # missing, half-written or corrupt
        return None
    return {k: math.nan if v is None else v for k, v in row.items()}, path


def _keep(store: Path, task: Task, row: dict, path: pd.DataFrame) -> None:
    """Keep a finished run: its kept columns, then its summary (the summary marks it done)."""
    name = run_id(task.config, task.seed)
    write_atomic(store / f"{name}.parquet", lambda tmp: path.to_parquet(tmp, index=False))
    write_atomic(store / f"{name}.json", lambda tmp: tmp.write_text(json_text(row)))


def fan(paths: pd.DataFrame, column: str = "mid", quantiles=(0.1, 0.5, 0.9)) -> pd.DataFrame:
    """Per strategy and minute, the given quantiles of `column` across seeds (forward-filled
    per run first, so an hour without a mid does not open a hole)."""
    filled = paths.sort_values("minute", kind="stable").copy()
    filled["strategy"] = pd.Categorical(filled["strategy"], paths["strategy"].unique())
    filled[column] = filled.groupby(["strategy", "seed"], observed=True)[column].ffill()
    table = (filled.groupby(["strategy", "minute"], observed=True)[column]
             .quantile(list(quantiles)).unstack())
    table.columns = [f"q{round(q * 100):02d}" for q in quantiles]
    table = table.reset_index()
    table["strategy"] = table["strategy"].astype(str)            # in the strategies' order
    return table


def report_markdown(comparison: Comparison, metrics: Sequence[str] | None = None) -> str:
    """The paired differences as a Markdown table (numbers only, no conclusions)."""
    paired = comparison.paired
    if metrics is not None:
        paired = paired[paired["metric"].isin(metrics)]
    paired = paired[paired["mean_diff"].notna()]          # metrics that do not apply: no row
    lines = [f"Paired differences against `{comparison.baseline}` (mean over seeds, 95% CI):", "",
             "| strategy | metric | baseline mean | mean difference | 95% CI | pairs |",
             "|---|---|---|---|---|---|"]
    for r in paired.itertuples():
        ci = f"[{_num(r.ci_low)}, {_num(r.ci_high)}]" if r.ci_low == r.ci_low else "- (one pair)"
        lines.append(f"| {r.strategy} | {r.metric} | {_num(r.baseline_mean)} | "
                     f"{_num(r.mean_diff)} | {ci} | {r.n} |")
    return "\n".join(lines) + "\n"


def _num(x: float) -> str:
    if x != x:
        return "-"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


__all__ = ["Comparison", "compare", "fan", "paired_differences", "report_markdown", "t975",
           "STRATEGIES", "PATH_COLUMNS"]
