"""Mesa's DataCollector against a plain list, for keeping the time series' rows.

Issue 12 asks to use Mesa's DataCollector if it keeps a run within 5% of its time; it does, well
within (README, "Benchmarks"), so `MarketModel.record` collects through one. Both compute the
same row (`Recorder.row`, once per recording); they differ only in how it is kept:

- `datacollector`: a `mesa.DataCollector` with one model reporter per column, each reading the
  row computed once for that collect (what mmabm does; `get_model_vars_dataframe()` is the
  time series);
- `list`: the row dict appended to a list (what mmabm did before).

Two measures: (1) the cost per row of keeping it, on a row of a real run, times the rows of a
year (8,784 hourly), against a year's run time measured here, so machine load moves both;
(2) with --runs, whole runs alternating (A B A B ...), each pair's frames checked equal.

    .venv/bin/python benchmarks/bench_recorder.py                   # (1), a year's run
    .venv/bin/python benchmarks/bench_recorder.py --runs 3 --months 3
"""
from __future__ import annotations

import argparse
import statistics
import time

import pandas as pd
from mesa import DataCollector

from mmabm.config import Config
from mmabm.model import MarketModel

ROWS_PER_YEAR = 366 * 24


class Listed(MarketModel):
    """The model with its rows appended to a list (before the DataCollector)."""

    def record(self) -> None:
        self.listed = getattr(self, "listed", [])
        self.listed.append(self.recorder.row())

    def timeseries(self) -> pd.DataFrame:
        return pd.DataFrame(self.listed)


def _timed(cls: type[MarketModel], config: Config) -> tuple[float, pd.DataFrame]:
    start = time.perf_counter()
    model = cls(config, seed=0)
    model.run_model()
    return time.perf_counter() - start, model.timeseries()


def per_row(repeats: int = 5, n: int = 2000) -> tuple[float, float, int, float]:
    """(us per row in a DataCollector, us per row appended, columns, seconds of a year's
    run) on the rows of a real year."""
    year = Config().override({"run.months": 12.0})
    start = time.perf_counter()
    model = MarketModel(year, seed=0)
    model.run_model()
    seconds = time.perf_counter() - start

    class View:                     # what a reporter reads: the row of this collect
        time, _row = 0.0, model.rows[-1]

    def collected() -> float:
        dc = DataCollector(model_reporters={k: (lambda m, k=k: m._row[k]) for k in View._row})
        t = time.perf_counter()
        for _ in range(n):
            dc.collect(View)
        return (time.perf_counter() - t) / n * 1e6

    def listed() -> float:
        rows, t = [], time.perf_counter()
        for _ in range(n):
            rows.append(View._row)
        return (time.perf_counter() - t) / n * 1e6

    return (statistics.median(collected() for _ in range(repeats)),
            statistics.median(listed() for _ in range(repeats)), len(View._row), seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=0, help="pairs of whole runs (0: none)")
    parser.add_argument("--months", type=float, default=3.0, help="length of each whole run")
    args = parser.parse_args(argv)
    dc, plain, columns, year_s = per_row()
    extra = (dc - plain) * ROWS_PER_YEAR / 1e6
    print(f"keeping a row of {columns} columns: DataCollector {dc:.0f} us, list {plain:.1f} us; "
          f"x {ROWS_PER_YEAR} rows = {extra:.2f} s on a year's run of {year_s:.0f} s: "
          f"{extra / year_s:.1%} of its time")
    times: dict[str, list[float]] = {"list": [], "datacollector": []}
    for _ in range(args.runs):
        a, rows = _timed(Listed, Config().override({"run.months": args.months}))
        b, frame = _timed(MarketModel, Config().override({"run.months": args.months}))
        pd.testing.assert_frame_equal(rows, frame, check_exact=True)
        times["list"].append(a)
        times["datacollector"].append(b)
        print(f"list {a:6.1f} s   datacollector {b:6.1f} s", flush=True)
    if args.runs:
        a, b = (statistics.median(times[k]) for k in ("list", "datacollector"))
        print(f"{args.months:g} months, {args.runs} pairs: DataCollector / list = {b / a:.3f} "
              f"(medians {b:.1f} s / {a:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
