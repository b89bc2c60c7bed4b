"""A run played in chunks, and finished results read back: what the dashboard shows.

`LiveRun` holds one model and advances it by simulated minutes (the same run as `mmabm run`:
Mesa's `run_until` in chunks gives the very same rows as one call). `LivePair` plays the same
seed under two strategies side by side (common random numbers). `Results` reads a folder written
by `mmabm run`, `compare` or `sweep`. None of this draws: `mmabm.dashboard` does.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mmabm._core import BUY, SELL
from mmabm.config import Config, ConfigError
from mmabm.metrics import HOLDERS
from mmabm.model import MarketModel
from mmabm.venues import units

DAY = 1440
#: the columns the live panels read, when present
PANEL_COLUMNS = ("minute", "mid", "fundamental", "amm_price", "perp_mark", "mm_sold_tokens",
                 "spread_bps", "depth_bid_usd", "depth_ask_usd", "obligations_met_main",
                 "mm_tokens", "mm_perp_tokens", "mm_delta_inventory", "mm_delta_liability",
                 "mm_pnl", *(f"mm_pnl_{p}" for p in ("spread", "lp_fees", "impermanent_loss",
                                                      "funding", "gamma", "options",
                                                      "initial_sale", "inventory")),
                 *(f"supply_tokens_{h}" for h in HOLDERS))


class LiveRun:
    """One model, advanced on demand; its recorded rows read as columns."""

    def __init__(self, config: Config, seed: int | None = None) -> None:
        self.config = config
        self.model = MarketModel(config, seed)
        self.seed = self.model.seed
        self.strategy = config.market_maker.strategy

    @property
    def minute(self) -> float:
        return float(self.model.time)

    @property
    def end_minute(self) -> float:
        return float(self.model.end_minute)

    @property
    def done(self) -> bool:
        return self.model.time >= self.model.end_minute

    def advance(self, minutes: float) -> None:
        """Play `minutes` more of simulated time (at most to the run's end)."""
        if minutes <= 0 or minutes != minutes:
            raise ValueError(f"minutes must be a positive number, got {minutes!r}")
        self.model.run_until(min(self.model.time + minutes, self.model.end_minute))

    def series(self, columns=None) -> pd.DataFrame:
        """The recorded rows so far, the given columns (those that exist), read straight
        from the model's DataCollector (its columns are lists, copied whole: a year's column
        of 8,784 floats takes microseconds)."""
        if columns is None:                            # the panels', every venue's included
            names = [c.name for c in self.config.cex]
            columns = (*PANEL_COLUMNS, *(f"{k}_{n}" for n in names for k in (
                "mid", "depth_bid_usd", "mm_tokens")), "mm_tokens_dex", "mm_tokens_wallet")
        collector = self.model.datacollector
        if collector is None:
            return pd.DataFrame(columns=list(columns))
        recorded = collector.model_vars
        return pd.DataFrame({c: np.asarray(recorded[c]) for c in columns if c in recorded})

    def book(self, band: float = 0.05) -> pd.DataFrame:
        """The main CEX's book within `band` of the mid: price, side, tokens resting at that
        price, and the market maker's share of them."""
        cex = self.model.cexs[0]
        mid = cex.mid_usd()
        if mid != mid:
            return pd.DataFrame(columns=["price", "side", "tokens", "mm_tokens"])
        mine: dict[tuple[int, int], int] = {}
        for order in cex.orders_of(self.model.market_maker.unique_id):
            key = (int(order["side"]), int(order["price"]))
            mine[key] = mine.get(key, 0) + int(order["qty"])
        rows = []
        for side, name in ((BUY, "bid"), (SELL, "ask")):
            for level in cex.levels(side):
                price = units.ticks_to_usd(level["price"], cex.tick_size)
                if abs(price / mid - 1) > band:
                    break
                rows.append({"price": price, "side": name,
                             "tokens": level["qty"] * cex.lot_size,
                             "mm_tokens": mine.get((side, int(level["price"])), 0) * cex.lot_size})
        return pd.DataFrame(rows, columns=["price", "side", "tokens", "mm_tokens"])

    def uptime(self) -> float:
        """Share of recorded rows so far in which the main CEX's obligation was met."""
        collector = self.model.datacollector
        met = collector.model_vars.get("obligations_met_main", []) if collector else []
        met = [m for m in met if m == m]
        return float(np.mean(met)) if met else float("nan")


class LivePair:
    """The same seed under two strategies, advanced together: the paired comparison, live."""

    def __init__(self, config: Config, seed: int, strategies: tuple[str, ...]) -> None:
        self.runs = [LiveRun(config.override({"market_maker.strategy": s}), seed)
                     for s in strategies]

    @property
    def main(self) -> LiveRun:
        return self.runs[0]

    @property
    def done(self) -> bool:
        return all(r.done for r in self.runs)

    def advance(self, minutes: float) -> None:
        for r in self.runs:
            if not r.done:
                r.advance(minutes)


@dataclass(frozen=True)
class Results:
    """A finished `run`, `compare` or `sweep` folder, read back (no re-running)."""
    kind: str                          # "run" | "compare" | "sweep"
    where: Path
    series: pd.DataFrame               # run: its time series; compare: all paths (long)
    summary: pd.DataFrame              # run: one row; compare: runs; sweep: summary
    fields: tuple[str, ...] = ()       # sweep: the swept fields
    config: dict | None = None

    @property
    def strategies(self) -> list[str]:
        return list(dict.fromkeys(self.series["strategy"])) if "strategy" in self.series else []


def read_results(where: str | Path) -> Results:
    """Read a results folder; anything else is a ConfigError naming what is wrong."""
    where = Path(where)
    if not where.is_dir():
        raise ConfigError(f"{where} is not a folder written by mmabm run, compare or sweep")
    try:
        if (where / "timeseries.parquet").exists():
            config = (json.loads((where / "config.json").read_text())
                      if (where / "config.json").exists() else None)
            summary = (json.loads((where / "summary.json").read_text())
                       if (where / "summary.json").exists() else {})
            return Results("run", where, pd.read_parquet(where / "timeseries.parquet"),
                           pd.DataFrame([summary]), config=config)
        if (where / "paths.parquet").exists():
            return Results("compare", where, pd.read_parquet(where / "paths.parquet"),
                           pd.read_parquet(where / "runs.parquet")
                           if (where / "runs.parquet").exists() else pd.DataFrame())
        if (where / "summary.parquet").exists() and (where / "sweep.json").exists():
            fields = json.loads((where / "sweep.json").read_text()).get("fields", [])
            return Results("sweep", where, pd.DataFrame(), pd.read_parquet(where / "summary.parquet"),
                           tuple(fields))
    except Exception as err:                     # truncated Parquet, bad JSON, ...
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ConfigError(f"{where}: its results cannot be read ({reason})") from None
    raise ConfigError(f"{where} holds no results of mmabm run, compare or sweep")


__all__ = ["LivePair", "LiveRun", "PANEL_COLUMNS", "Results", "read_results"]
