"""Where many runs execute: in this process, on a local process pool, or on a Dask cluster.

Each task is a resolved config (a plain dict, so it pickles anywhere) and a seed; each outcome
carries its error instead of raising, so one crashed run never loses the others. Outcomes
arrive as they finish, so callers can write results and show progress as they go.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Task:
    """One run to do: `key` names it for the caller (a run id, or (strategy, seed))."""
    key: Any
    config: dict[str, Any]
    seed: int


@dataclass(frozen=True)
class Outcome:
    """What one task produced: the summary and (some of) the time series, or the error."""
    key: Any
    seed: int
    summary: dict[str, float] | None
    timeseries: pd.DataFrame | None
    error: str | None
    seconds: float

    @property
    def ok(self) -> bool:
        return self.error is None


def execute(task: Task, columns: Sequence[str] | None = None) -> Outcome:
    """Run one task here and now; any exception becomes the outcome's error (with its trace)."""
    from mmabm.config import Config
    from mmabm.experiment.run import run

    start = time.perf_counter()
    try:
        result = run(Config.from_dict(task.config), task.seed)
        ts = result.timeseries if columns is None else result.timeseries[list(columns)]
        return Outcome(task.key, task.seed, result.summary, ts, None, time.perf_counter() - start)
    except Exception:                                          # recorded, never fatal
        return Outcome(task.key, task.seed, None, None, traceback.format_exc(limit=8),
                       time.perf_counter() - start)


def run_tasks(tasks: Sequence[Task], *, workers: int | None = None, dask: str | None = None,
              columns: Sequence[str] | None = None,
              on_done: Callable[[Outcome, int, int], None] | None = None) -> Iterator[Outcome]:
    """Execute `tasks`, yielding outcomes as they finish.

    Args:
        workers: local processes (default: the CPU count; 1 runs in this process).
        dask: a Dask scheduler address ("tcp://host:8786"), a scheduler file path, or "local"
            for a LocalCluster on this machine. Needs `pip install mmabm[cluster]`.
        columns: keep only these time-series columns (less to ship back and hold).
        on_done: called with (outcome, done, total) after each task, e.g. for progress.
    """
    tasks = list(tasks)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                or workers < 1):
        raise ValueError(f"workers must be an integer >= 1 (or None: one per CPU), got {workers!r}")
    if not tasks:
        return
    if dask is not None:
        stream = _on_dask(tasks, dask, columns)
    elif (workers or os.cpu_count() or 1) <= 1 or len(tasks) == 1:
        stream = (execute(t, columns) for t in tasks)
    else:
        stream = _on_pool(tasks, min(workers or os.cpu_count() or 1, len(tasks)), columns)
    for done, outcome in enumerate(stream, start=1):
        if on_done is not None:
            on_done(outcome, done, len(tasks))
        yield outcome


def progress_printer(label: str = "run") -> Callable[[Outcome, int, int], None]:
    """An `on_done` that prints each finished task, its status, the time so far and an ETA
    to stderr (a count that starts again is a new batch: the clock starts again too)."""
    clock = {"start": time.perf_counter(), "done": 0}

    def report(outcome: Outcome, done: int, total: int) -> None:
        if done <= clock["done"]:
            clock["start"] = time.perf_counter() - outcome.seconds
        clock["done"] = done
        spent = time.perf_counter() - clock["start"]
        eta = spent / done * (total - done)
        status = "ok" if outcome.ok else "FAILED: " + outcome.error.strip().splitlines()[-1]
        print(f"  [{done}/{total}] {label} {outcome.key}: {status} ({outcome.seconds:.0f} s; "
              f"{spent:.0f} s so far, about {eta:.0f} s to go)", file=sys.stderr, flush=True)
    return report


def _on_pool(tasks: list[Task], workers: int, columns) -> Iterator[Outcome]:
    # spawn, not fork: the parent may run threads (pyarrow, Dask) that fork would copy mid-lock
    with ProcessPoolExecutor(max_workers=workers,
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(execute, t, columns) for t in tasks]
        for future in as_completed(futures):
            yield future.result()


def _on_dask(tasks: list[Task], where: str, columns) -> Iterator[Outcome]:
    try:
        from distributed import Client, LocalCluster, as_completed as dask_completed
    except ImportError:
        raise RuntimeError("--dask needs Dask: pip install 'mmabm[cluster]'") from None
    if where == "local":
        cluster = LocalCluster(processes=True, n_workers=os.cpu_count() or 1,
                               threads_per_worker=1, dashboard_address=None)
        client = Client(cluster)
    elif os.path.isfile(where):
        cluster, client = None, Client(scheduler_file=where)
    else:
        cluster, client = None, Client(where)
    try:
        futures = [client.submit(execute, t, columns, pure=False) for t in tasks]
        for future in dask_completed(futures):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
