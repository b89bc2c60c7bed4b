"""Where many runs execute: in this process, on a local process pool, or on a Dask cluster.

Each task is a resolved config (a plain dict, so it pickles anywhere) and a seed; each outcome
carries its error instead of raising, so one crashed run never loses the others. Outcomes
arrive as they finish, so callers can write results and show progress as they go.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

import pandas as pd


class ClusterError(RuntimeError):
    """Dask is missing, or its scheduler cannot be reached: a one-line reason."""


def worker_count(workers: int | None) -> int:
    """Local processes to use: `workers`, at most the CPU count (None: the CPU count)."""
    cpus = os.cpu_count() or 1
    return cpus if workers is None else min(workers, cpus)


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
    from mmabm.runner.run import run

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
        workers: local processes (default and at most: the CPU count; 1 runs in this process).
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
    elif worker_count(workers) <= 1 or len(tasks) == 1:
        stream = (execute(t, columns) for t in tasks)
    else:
        stream = _on_pool(tasks, min(worker_count(workers), len(tasks)), columns)
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


def _ignore_interrupts() -> None:
    """In a pool worker: Ctrl-C is the parent's to handle (it stops the workers), so a
    terminal's interrupt does not print a traceback from every worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _on_pool(tasks: list[Task], workers: int, columns) -> Iterator[Outcome]:
    # spawn, not fork: the parent may run threads (pyarrow, Dask) that fork would copy mid-lock
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_ignore_interrupts,
                               mp_context=multiprocessing.get_context("spawn"))
    try:
        futures = [pool.submit(execute, t, columns) for t in tasks]
        for future in as_completed(futures):
            yield future.result()
    except BaseException:
        # interrupted (or the caller stopped listening): stop the runs in progress now rather
        # than wait for them to finish
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


CONNECT_TIMEOUT = "10s"    # how long to try a Dask scheduler before saying it is not there


def _on_dask(tasks: list[Task], where: str, columns) -> Iterator[Outcome]:
    try:
        from distributed import Client, LocalCluster, as_completed as dask_completed
    except ImportError:
        raise ClusterError("--dask needs Dask, which is not installed: "
                           "pip install 'mmabm[cluster]'") from None
    cluster = None
    try:
        if where == "local":
            cluster = LocalCluster(processes=True, n_workers=os.cpu_count() or 1,
                                   threads_per_worker=1, dashboard_address=None)
            client = Client(cluster)
        elif os.path.isfile(where):
            client = Client(scheduler_file=where, timeout=CONNECT_TIMEOUT)
        else:
            client = Client(where, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as err:
        if cluster is not None:
            cluster.close()
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ClusterError(f"cannot reach a Dask scheduler at {where!r} within "
                           f"{CONNECT_TIMEOUT}: {reason}") from None
    try:
        futures = [client.submit(execute, t, columns, pure=False) for t in tasks]
        for future in dask_completed(futures):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
