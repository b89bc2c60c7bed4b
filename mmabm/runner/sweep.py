"""Parameter sweeps: a grid or random design over any config fields, times seeds.

A sweep file (TOML) names a scenario, fixed overrides, the swept fields and the seeds:

    scenario = "../scenarios/article.toml"   # relative to the sweep file
    seeds = 3                                # or a list: [0, 1, 2]
    design = "grid"                          # grid | random
    samples = 20                             # random only: points drawn
    design_seed = 0                          # random only: the draw of the points

    [set]                                    # fixed for every run
    "run.months" = 1

    [grid]                                   # every combination (design = "grid")
    "dex.pool_usd" = [500_000, 1_000_000, 2_000_000]
    "market_maker.strategy" = ["article", "hold"]

    [random]                                 # design = "random": uniform, or log-uniform
    "retail.launch_orders_per_minute" = {low = 5, high = 50, log = true}

Results, in the output directory:
    runs.parquet     one row per run: run_id, seed, each swept field, status (ok | failed),
                     error, duration_s, code_version
    summary.parquet  one row per finished run: run_id, seed, swept fields, summary metrics
    timeseries/      the time series as a Parquet dataset partitioned by run_id
A run's id is a hash of its resolved config and seed, so re-running a sweep skips the runs that
already finished (resume) and a failed run is tried again; a crashed run is recorded with its
error and never stops the others.
"""
from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mmabm.config import Config, ConfigError, load_config, read_toml
from mmabm.runner.executor import Outcome, Task, run_tasks
from mmabm.runner.outputs import json_text, write_atomic
from mmabm.runner.provenance import code_version, run_id

_KEYS = {"scenario", "seeds", "design", "samples", "design_seed", "set", "grid", "random", "out"}


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: the base config, the design's points and the seeds."""
    base: Config
    points: list[dict[str, Any]]
    seeds: list[int]
    fields: list[str]
    source: str = ""
    out: Path | None = None
    design: str = "grid"


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and check a sweep file; every error names the key it is about."""
    path = Path(path)
    return sweep_spec(read_toml(path, "sweep"), base_dir=path.parent, source=str(path))


def sweep_spec(data: dict[str, Any], base_dir: Path = Path("."), source: str = "") -> SweepSpec:
    """A SweepSpec from the parsed TOML tables (see the module docstring)."""
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise ConfigError(f"unknown sweep key {unknown[0]!r}; known keys: {', '.join(sorted(_KEYS))}")
    if "scenario" not in data:
        raise ConfigError("sweep: scenario must name a scenario TOML file")
    scenario = Path(data["scenario"])
    base = load_config(scenario if scenario.is_absolute() else base_dir / scenario,
                       _table(data, "set"))
    seeds = data.get("seeds", 1)
    if isinstance(seeds, int) and not isinstance(seeds, bool) and 1 <= seeds <= 100_000:
        seeds = list(range(seeds))
    elif not (isinstance(seeds, list) and seeds and all(isinstance(s, int) and s >= 0
                                                        for s in seeds)):
        raise ConfigError(f"seeds must be a count in [1, 100000] or a list of seeds >= 0, "
                          f"got {seeds!r}")
    design = data.get("design", "grid")
    if design == "grid":
        grid = _table(data, "grid")
        for key, values in grid.items():
            if not isinstance(values, list) or not values:
                raise ConfigError(f"grid.{key} must be a non-empty list of values, got {values!r}")
        points = [dict(zip(grid, combo)) for combo in itertools.product(*grid.values())]
        fields = list(grid)
    elif design == "random":
        points, fields = _random_points(data), list(_table(data, "random"))
    else:
        raise ConfigError(f"design must be 'grid' or 'random', got {design!r}")
    for point in points:                                       # every point must be a valid run
        base.override(point)
    out = data.get("out")
    return SweepSpec(base, points, list(seeds), fields, source,
                     None if out is None else (base_dir / out), design)


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{key} must be a table of dotted config keys, got {value!r}")
    return value


def _random_points(data: dict[str, Any]) -> list[dict[str, Any]]:
    ranges, samples = _table(data, "random"), data.get("samples", 10)
    if not isinstance(samples, int) or isinstance(samples, bool) or not 1 <= samples <= 100_000:
        raise ConfigError(f"samples must be an integer in [1, 100000], got {samples!r}")
    rng = np.random.default_rng(data.get("design_seed", 0))
    draws = {}
    for key, spec in ranges.items():
        if not (isinstance(spec, dict) and set(spec) <= {"low", "high", "log", "integer"}
                and "low" in spec and "high" in spec):
            raise ConfigError(f"random.{key} must be {{low = .., high = .., log = false}}, "
                              f"got {spec!r}")
        low, high = float(spec["low"]), float(spec["high"])
        if not low < high or (spec.get("log") and low <= 0):
            raise ConfigError(f"random.{key}: low must be below high (and above 0 when log), "
                              f"got {low}, {high}")
        u = rng.random(samples)
        x = np.exp(np.log(low) + u * (np.log(high) - np.log(low))) if spec.get("log") else \
            low + u * (high - low)
        draws[key] = np.round(x).astype(int).tolist() if spec.get("integer") else x.tolist()
    return [{k: draws[k][i] for k in draws} for i in range(samples)]


def sweep(spec: SweepSpec, out: str | Path, *, workers: int | None = None, dask: str | None = None,
          on_done: Callable[[Outcome, int, int], None] | None = None) -> pd.DataFrame:
    """Run every (point, seed) not already finished in `out`; returns the runs table.

    The runs table is rewritten after each run, so an interrupted sweep keeps what finished.
    """
    out = Path(out)
    (out / "timeseries").mkdir(parents=True, exist_ok=True)
    # the design first: `plot` can read an interrupted sweep's finished runs
    write_atomic(out / "sweep.json", lambda p: p.write_text(json_text({
        "source": spec.source, "design": spec.design, "fields": spec.fields,
        "seeds": spec.seeds, "points": spec.points, "base": spec.base.to_dict()})))
    runs = _read(out / "runs.parquet")
    finished = set(runs.loc[runs["status"] == "ok", "run_id"]) if len(runs) else set()
    todo, params = [], {}
    for point in spec.points:
        config = spec.base.override(point)
        for seed in spec.seeds:
            rid = run_id(config, seed)
            params[rid] = point
            if rid not in finished:
                todo.append(Task(rid, config.override({"run.seed": seed}).to_dict(), seed))
    version = code_version()
    summaries = _read(out / "summary.parquet")
    for done, outcome in enumerate(run_tasks(todo, workers=workers, dask=dask), start=1):
        rid, point = outcome.key, params[outcome.key]
        row = {"run_id": rid, "seed": outcome.seed, **_flat(point),
               "status": "ok" if outcome.ok else "failed", "error": outcome.error or "",
               "duration_s": round(outcome.seconds, 3), "code_version": version}
        runs = pd.concat([runs[runs["run_id"] != rid] if len(runs) else runs,
                          pd.DataFrame([row])], ignore_index=True)
        if outcome.ok:
            part = out / "timeseries" / f"run_id={rid}"
            part.mkdir(exist_ok=True)
            write_atomic(part / "part-0.parquet",
                         lambda tmp: outcome.timeseries.to_parquet(tmp, index=False))
            summary = pd.DataFrame([{"run_id": rid, "seed": outcome.seed, **_flat(point),
                                     **outcome.summary}])
            summaries = pd.concat([summaries[summaries["run_id"] != rid] if len(summaries)
                                   else summaries, summary], ignore_index=True)
            _write(summaries.sort_values(["run_id"]), out / "summary.parquet")
        _write(runs.sort_values(["run_id"]), out / "runs.parquet")
        if on_done is not None:                     # announced once it is written
            on_done(outcome, done, len(todo))
    return runs.sort_values(["run_id"]).reset_index(drop=True)


def _flat(point: dict[str, Any]) -> dict[str, Any]:
    """Swept values as columns (lists become JSON text, so Parquet keeps one type per column)."""
    return {k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in point.items()}


def _read(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path) if path.exists() else pd.DataFrame()


def _write(frame: pd.DataFrame, path: Path) -> None:
    """Write atomically: a crash mid-write never leaves a half file behind."""
    write_atomic(path, lambda tmp: frame.reset_index(drop=True).to_parquet(tmp, index=False))


def heatmap_table(summary: pd.DataFrame, metric: str, x: str, y: str,
                  agg: str = "mean") -> pd.DataFrame:
    """`metric` aggregated over seeds on the grid of two swept fields (rows y, columns x)."""
    for name in (metric, x, y):
        if name not in summary:
            raise KeyError(f"{name!r} is not a column of the sweep's summary; columns: "
                           f"{', '.join(summary.columns)}")
    return summary.pivot_table(index=y, columns=x, values=metric, aggfunc=agg).sort_index()


__all__ = ["SweepSpec", "code_version", "heatmap_table", "load_sweep", "run_id", "sweep",
           "sweep_spec"]
