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


def events(ts: pd.DataFrame, config=None) -> list[tuple[float, str]]:
    """(day, label) of what a reader looks for on a price chart: the market maker's initial
    sale (its first and last slice), the insiders' unlocks, and the contract's maturity."""
    marks = []
    if "mm_sold_tokens" in ts:
        selling = ts["minute"][ts["mm_sold_tokens"].diff().fillna(ts["mm_sold_tokens"]) > 0]
        if len(selling):
            first, last = selling.iloc[0] / DAY, selling.iloc[-1] / DAY
            span = (ts["minute"].iloc[-1] - ts["minute"].iloc[0]) / DAY
            if last - first < 0.03 * span:         # too close to label apart: one mark
                marks.append((first, "sale"))
            else:
                marks += [(first, "sale starts"), (last, "sale ends")]
    if "supply_tokens_insider" in ts:
        unlocks = ts["minute"][ts["supply_tokens_insider"].diff() > 0]
        # one mark per unlock: the first row of each run of rising rows
        starts = unlocks[unlocks.diff().fillna(np.inf) > 2 * DAY]
        marks += [(m / DAY, "unlock" if i == 0 else "") for i, m in enumerate(starts)]
    if config is not None:
        maturity = config.contract.months * 30
        if ts["minute"].iloc[-1] / DAY >= maturity:
            marks.append((maturity, "maturity"))
    return marks


def price_figure(ts: pd.DataFrame, title: str = "", config=None) -> Figure:
    """Mid per CEX, the pool and the perp mark, against the world's news value (what value
    traders' beliefs take in: information, not a price anyone stands behind); the sale, the
    unlocks, the maturity and (when they are in view) the calls' strikes marked."""
    fig = Figure(figsize=(12, 5))
    ax = fig.add_subplot()
    days = _days(ts)
    for column in [c for c in ts.columns if c.startswith("mid_")]:
        ax.plot(days, ts[column], lw=1, label=f"{column[4:]} mid")
    ax.plot(days, ts["amm_price"], lw=1, ls="--", label="DEX pool")
    ax.plot(days, ts["perp_mark"], lw=1, ls=":", label="perp mark")
    ax.plot(days, ts["fundamental"], lw=1.5, color="black", alpha=0.6, label="news value (exogenous)")
    if "news_revision" in ts and ts["news_revision"].abs().max() > 0:
        ax.plot(days, ts["fundamental"] * np.exp(ts["news_revision"]), lw=1.2, color="black",
                ls="--", alpha=0.6, label="news as the market reads it (flow learning)")
    top = np.nanmax(ts[["mid", "fundamental"]].to_numpy(float)) if len(ts) else 1.0
    if config is not None:
        for k, strike in enumerate(config.contract.strikes):
            if strike <= 1.5 * top:
                ax.axhline(strike, color="tab:purple", lw=0.8, ls="-.", alpha=0.6,
                           label="calls' strikes" if k == 0 else None)
    for day, label in events(ts, config):
        ax.axvline(day, color="grey", lw=0.8, ls="--", alpha=0.7)
        if label:
            ax.annotate(label, (day, 1.0), xycoords=("data", "axes fraction"), rotation=90,
                        va="top", ha="right", fontsize=7, color="dimgrey")
    ax.set(xlabel="days since listing", ylabel="price (USDT per token)",
           title=title or "Prices on every venue against the news value")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)   # clear of the marks
    return fig


def liquidity_figure(ts: pd.DataFrame, obligation_usd: float | None = None,
                     spread_limit_bps: float | None = None) -> Figure:
    """The main CEX's ±2% depth per side and its spread, with the obligation's depth and spread
    limit as lines."""
    fig = Figure(figsize=(10, 6))
    top, bottom = fig.subplots(2, 1, sharex=True)
    days = _days(ts)
    top.plot(days, ts["depth_bid_usd"] / 1e3, lw=1, label="bids within ±2%")
    top.plot(days, ts["depth_ask_usd"] / 1e3, lw=1, label="asks within ±2%")
    if obligation_usd:
        top.axhline(obligation_usd / 1e3, color="grey", ls=":", label="obligation (each side)")
    top.set(ylabel="depth (thousand USDT)",
            title="Depth within ±2% of the main CEX's mid, and its spread")
    bottom.plot(days, ts["spread_bps"], lw=1, color="tab:red", label="spread")
    if spread_limit_bps:
        bottom.axhline(spread_limit_bps, color="grey", ls=":", label="obligation's limit")
        bottom.legend(fontsize=8)
    bottom.set(xlabel="days since listing", ylabel="spread (basis points)")
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
    top.set(ylabel="position (million tokens)", title="The market maker's inventory and hedge")
    bottom.plot(days, ts["mm_delta_inventory"] / 1e6,
                label="inventory view (spot + LP + perps + calls)")
    bottom.plot(days, ts["mm_delta_liability"] / 1e6, label="liability view (minus tokens owed)")
    bottom.axhline(0, color="black", lw=0.8)
    bottom.set(xlabel="days since listing", ylabel="delta (million tokens)",
               title="The market maker's delta in both views")
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
    ax.set(xlabel="days since listing", ylabel="P&L (million USDT)",
           title="The market maker's P&L and where it comes from")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    return fig


def funding_figure(ts: pd.DataFrame) -> Figure:
    """The perp's funding rate per 8-hour interval."""
    fig = Figure(figsize=(10, 3.5))
    ax = fig.add_subplot()
    ax.plot(_days(ts), ts["funding_rate"] * 100, lw=1)
    ax.set(xlabel="days since listing", ylabel="funding rate (% per 8-hour interval)",
           title="The perpetual's funding rate")
    ax.grid(alpha=0.3)
    return fig


def standard_figures(ts: pd.DataFrame, out_dir: Path, obligation_usd: float | None = None,
                     title: str = "", config=None) -> list[Path]:
    """Write the standard figure set of a run as PNG files; returns their paths. With the
    run's config the price chart marks the maturity and the strikes, and the liquidity chart
    the spread limit."""
    out_dir.mkdir(parents=True, exist_ok=True)
    spread = config.cex[0].max_spread * 1e4 if config is not None else None
    return [_save(price_figure(ts, title, config), out_dir / "prices.png"),
            _save(liquidity_figure(ts, obligation_usd, spread), out_dir / "liquidity.png"),
            _save(delta_figure(ts), out_dir / "delta.png"),
            _save(pnl_figure(ts), out_dir / "pnl.png"),
            _save(funding_figure(ts), out_dir / "funding.png")]


FAN_LABELS = {"mid": "price (USDT per token)", "depth_bid_usd": "bids within ±2% (USDT)",
              "depth_ask_usd": "asks within ±2% (USDT)", "mm_pnl": "P&L (USDT)"}
FAN_TITLES = {"mid": "main CEX's price", "depth_bid_usd": "main CEX's bid depth",
              "depth_ask_usd": "main CEX's ask depth", "mm_pnl": "market maker's P&L"}


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
    ax.set(xlabel="days since listing", ylabel=FAN_LABELS.get(column, column.replace("_", " ")),
           title=title or f"The {FAN_TITLES.get(column, column)} across seeds, by strategy")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def heatmap_figure(table: pd.DataFrame, metric: str, title: str = "") -> Figure:
    """A metric over two swept fields (rows and columns of `table`, from
    experiment.heatmap_table), each cell labelled with its value."""
    fig = Figure(figsize=(1.4 * len(table.columns) + 3, 0.8 * len(table.index) + 2.5))
    ax = fig.add_subplot()
    image = ax.imshow(table.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(table.columns)), [_tick(c) for c in table.columns])
    ax.set_yticks(range(len(table.index)), [_tick(r) for r in table.index])
    for (row, col), value in np.ndenumerate(table.to_numpy(dtype=float)):
        ax.text(col, row, "no run" if value != value else f"{value:.3g}", ha="center",
                va="center", fontsize=8, color="white")
    ax.set(xlabel=str(table.columns.name), ylabel=str(table.index.name),
           title=title or f"Mean {metric} over seeds, by {table.columns.name} and "
                          f"{table.index.name}")
    fig.colorbar(image, ax=ax, label=metric)
    return fig


def _tick(value: object) -> str:
    """A swept value as a tick label: 500,000 and 2,000,000 alike, not 500000 and 2e+06."""
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        return f"{int(value):,}" if float(value).is_integer() and abs(value) < 1e15 \
            else f"{value:g}"
    return str(value)


def save(fig: Figure, path: Path) -> Path:
    """Write `fig` as PNG (tight layout) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return _save(fig, path)
