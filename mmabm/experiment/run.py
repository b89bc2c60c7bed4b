"""One run: config + seed in, time series, summary and ledger out."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from mmabm.config import Config
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


def run(config: Config | None = None, seed: int | None = None) -> RunResult:
    """Build the model from `config` (default: the article's deal), run it, and collect."""
    model = MarketModel(config, seed)
    model.run_model()
    timeseries = pd.DataFrame(model.rows)
    ledger = pd.DataFrame(model.ledger_start + ledger_rows(model, "end"))
    resolved = model.config.override({"run.seed": model.seed})
    return RunResult(timeseries, summarize(timeseries, model), ledger, resolved.to_dict(), model.seed)
