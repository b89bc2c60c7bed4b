"""The standard figures of a run, drawn from its time series (matplotlib, no global state)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

DAY = 24 * 60


def _days(ts: pd.DataFrame) -> pd.Series:
    return ts["minute"] / DAY


def _save(fig: Figure, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path


def price_figure(ts: pd.DataFrame, title: str = "") -> Figure:
    """Mid per CEX, the pool and the perp mark, against the world's news value (what value
    traders' beliefs take in: information, not a price anyone stands behind)."""
    fig = Figure(figsize=(10, 5))
    ax = fig.add_subplot()
    days = _days(ts)
    for column in [c for c in ts.columns if c.startswith("mid_")]:
        ax.plot(days, ts[column], lw=1, label=f"{column[4:]} mid")
    ax.plot(days, ts["amm_price"], lw=1, ls="--", label="DEX pool")
    ax.plot(days, ts["perp_mark"], lw=1, ls=":", label="perp mark")
    ax.plot(days, ts["fundamental"], lw=1.5, color="black", alpha=0.6, label="news value (exogenous)")
    ax.set(xlabel="days since listing", ylabel="USDT per token", title=title or "Prices")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    return fig


def liquidity_figure(ts: pd.DataFrame, obligation_usd: float | None = None) -> Figure:
    """The main CEX's ±2% depth per side and its spread, with the obligation."""
    fig = Figure(figsize=(10, 6))
    top, bottom = fig.subplots(2, 1, sharex=True)
    days = _days(ts)
    top.plot(days, ts["depth_bid_usd"] / 1e3, lw=1, label="bids within ±2%")
    top.plot(days, ts["depth_ask_usd"] / 1e3, lw=1, label="asks within ±2%")
    if obligation_usd:
        top.axhline(obligation_usd / 1e3, color="grey", ls=":", label="obligation")
    top.set(ylabel="thousand USDT", title="Main CEX depth and spread")
    bottom.plot(days, ts["spread_bps"], lw=1, color="tab:red")
    bottom.set(xlabel="days since listing", ylabel="spread (bps)")
    for ax in (top, bottom):
        ax.grid(alpha=0.3)
    top.legend(fontsize=8)
    return fig


def delta_figure(ts: pd.DataFrame) -> Figure:
    """The market maker's holdings (spot and pool tokens, perp position) and its delta in the
    article's inventory view and the liability view."""
    fig = Figure(figsize=(10, 6.5))
    top, bottom = fig.subplots(2, 1, sharex=True)
    days = _days(ts)
    if "mm_tokens" in ts:
        top.plot(days, ts["mm_tokens"] / 1e6, lw=1, label="tokens held (spot + pool)")
        top.plot(days, ts["mm_perp_tokens"] / 1e6, lw=1, label="perp position")
    top.axhline(0, color="black", lw=0.8)
    top.set(ylabel="million tokens", title="Market maker's inventory and hedge")
    bottom.plot(days, ts["mm_delta_inventory"] / 1e6,
                label="inventory view (spot + LP + perps + calls)")
    bottom.plot(days, ts["mm_delta_liability"] / 1e6, label="liability view (minus tokens owed)")
    bottom.axhline(0, color="black", lw=0.8)
    bottom.set(xlabel="days since listing", ylabel="million tokens", title="Market maker's delta")
    for ax in (top, bottom):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return fig


def pnl_figure(ts: pd.DataFrame) -> Figure:
    """The market maker's P&L and its parts over the run."""
    fig = Figure(figsize=(10, 5))
    ax = fig.add_subplot()
    days = _days(ts)
    for column in [c for c in ts.columns if c.startswith("mm_pnl_")]:
        if ts[column].abs().max() > 0:
            ax.plot(days, ts[column] / 1e6, lw=1, label=column[7:].replace("_", " "))
    ax.plot(days, ts["mm_pnl"] / 1e6, lw=2, color="black", label="total")
    ax.axhline(0, color="grey", lw=0.8)
    ax.set(xlabel="days since listing", ylabel="million USDT", title="Market maker's P&L by source")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    return fig


def funding_figure(ts: pd.DataFrame) -> Figure:
    """The perp's funding rate per 8-hour interval."""
    fig = Figure(figsize=(10, 3.5))
    ax = fig.add_subplot()
    ax.plot(_days(ts), ts["funding_rate"] * 100, lw=1)
    ax.set(xlabel="days since listing", ylabel="% per interval", title="Perp funding rate")
    ax.grid(alpha=0.3)
    return fig


def standard_figures(ts: pd.DataFrame, out_dir: Path, obligation_usd: float | None = None,
                     title: str = "") -> list[Path]:
    """Write the standard figure set of a run as PNG files; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return [_save(price_figure(ts, title), out_dir / "prices.png"),
            _save(liquidity_figure(ts, obligation_usd), out_dir / "liquidity.png"),
            _save(delta_figure(ts), out_dir / "delta.png"),
            _save(pnl_figure(ts), out_dir / "pnl.png"),
            _save(funding_figure(ts), out_dir / "funding.png")]


def fan_figure(fan_table: pd.DataFrame, column: str = "mid", title: str = "") -> Figure:
    """Median and 10-90% band across seeds per strategy, all on one axis (from
    experiment.fan)."""
    fig = Figure(figsize=(10, 5))
    ax = fig.add_subplot()
    for i, (strategy, part) in enumerate(fan_table.groupby("strategy", sort=False)):
        color = f"C{i}"
        days = part["minute"] / DAY
        ax.fill_between(days, part["q10"], part["q90"], color=color, alpha=0.2, lw=0)
        ax.plot(days, part["q50"], color=color, lw=1.5, label=f"{strategy} (median, 10-90%)")
    ax.set(xlabel="days since listing", ylabel=column.replace("_", " "),
           title=title or f"{column} across seeds, by strategy")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def heatmap_figure(table: pd.DataFrame, metric: str, title: str = "") -> Figure:
    """A metric over two swept fields (rows and columns of `table`, from
    experiment.heatmap_table), each cell labelled with its value."""
    fig = Figure(figsize=(1.4 * len(table.columns) + 3, 0.8 * len(table.index) + 2.5))
    ax = fig.add_subplot()
    image = ax.imshow(table.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(table.columns)), [f"{c:g}" if isinstance(c, float) else str(c)
                                              for c in table.columns])
    ax.set_yticks(range(len(table.index)), [f"{r:g}" if isinstance(r, float) else str(r)
                                            for r in table.index])
    for (row, col), value in np.ndenumerate(table.to_numpy(dtype=float)):
        ax.text(col, row, "n/a" if value != value else f"{value:.3g}", ha="center",
                va="center", fontsize=8, color="white")
    ax.set(xlabel=str(table.columns.name), ylabel=str(table.index.name),
           title=title or f"{metric} (mean over seeds)")
    fig.colorbar(image, ax=ax, label=metric)
    return fig


def save(fig: Figure, path: Path) -> Path:
    """Write `fig` as PNG (tight layout) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return _save(fig, path)
