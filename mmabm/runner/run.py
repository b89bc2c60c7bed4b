"""One run: config + seed in, time series, summary and ledger out."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sys
import time

import pandas as pd
from mesa.time import Schedule

from mmabm.config import Config
from mmabm.liquidations import by_month, liquidation_rows
from mmabm.metrics import ledger_rows, summarize
from mmabm.model import MarketModel


@dataclass(frozen=True)
class RunResult:
    """Everything a run produced, with what re-creates it (the resolved config and the seed)."""
    timeseries: pd.DataFrame
    summary: dict[str, float]
    ledger: pd.DataFrame
    config: dict[str, Any]
    seed: int
    #: the perp's liquidations by month, agent type and side (liquidations.by_month)
    liquidations: pd.DataFrame = field(default_factory=pd.DataFrame)


class _Progress:
    """Prints simulated time, wall time and an ETA to stderr every 10 simulated days."""

    def __init__(self, model: MarketModel) -> None:
        self.model, self.start = model, time.perf_counter()
        model.schedule_recurring(self.report, Schedule(interval=10 * 1440))

    def report(self) -> None:
        done = self.model.time / self.model.end_minute
        spent = time.perf_counter() - self.start
        eta = spent * (1 - done) / max(done, 1e-9)
        print(f"  day {self.model.time / 1440:5.0f} of {self.model.end_minute / 1440:.0f} "
              f"({done:4.0%})  {spent:5.0f} s so far, about {eta:4.0f} s to go",
              file=sys.stderr, flush=True)


def run(config: Config | None = None, seed: int | None = None, progress: bool = False) -> RunResult:
    """Build the model from `config` (default: the article's deal), run it, and collect.
    With `progress`, report simulated time and an ETA on stderr as it goes."""
    model = MarketModel(config, seed)
    reporter = _Progress(model) if progress else None
    model.run_model()
    del reporter
    timeseries = model.timeseries()
    if len(timeseries):                  # wall-clock time of each row, from the listing date
        timeseries.insert(1, "timestamp", pd.Timestamp(model.config.run.listing_date)
                          + pd.to_timedelta(timeseries["minute"], unit="min"))
    ledger = pd.DataFrame(model.ledger_start + ledger_rows(model, "end"))
    resolved = model.config.override({"run.seed": model.seed})
    return RunResult(timeseries, summarize(model), ledger, resolved.to_dict(), model.seed,
                     by_month(liquidation_rows(model)))
