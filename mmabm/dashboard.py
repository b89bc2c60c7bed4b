"""The browser dashboard (`mmabm dash`): watch a run happen, or browse finished results.

Solara renders it; the charts are ECharts option dicts (bundled with Solara: redrawing one sends
a few kilobytes of JSON, never a re-rendered image). A background thread advances the model in
chunks and publishes a new frame at most `FRAMES_PER_SECOND` times a second, whatever the
simulated speed. What the page shows comes from `mmabm.live`; the server reads what to open from
the environment variable MMABM_DASH_SOURCE (a scenario's name or file, or a results folder),
which `mmabm dash` checks before it starts the server.

    mmabm dash                       # the article scenario, live
    mmabm dash out/compare           # a finished compare: fan charts per strategy
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import solara

from mmabm.config import ConfigError, load_config
from mmabm.runner.compare import STRATEGIES, fan
from mmabm.live import DAY, LivePair, Results, read_results

FRAMES_PER_SECOND = 5            # redraws while playing (the page's refresh rate)
MAX_POINTS = 600                 # points per line sent to the browser (the rest thinned)
SOURCE_VARIABLE = "MMABM_DASH_SOURCE"
#: the market's key parameters, as the calibration names them: (dotted key, label, min, max, step);
#: labels short enough to leave the slider its track in the side bar
MARKET_KNOBS = (("money.inflow_usd_per_day", "new money / day (USDT)", 0.0, 1_000_000.0, 25_000.0),
                ("beliefs.learning_per_day", "learning from price / day", 0.0, 3.0, 0.1),
                ("liquidity.quote_share", "providers' quoted share", 0.0, 1.0, 0.05),
                ("latent.quote_share", "latent quoted share", 0.0, 1.0, 0.05),
                ("latent.memory_hours", "latent memory (hours)", 1.0, 72.0, 1.0),
                ("latent.slow_share", "latent slow share", 0.0, 1.0, 0.05),
                ("retail.market_order_share", "retail market orders", 0.0, 1.0, 0.05))


def source() -> str:
    return os.environ.get(SOURCE_VARIABLE, "article")


def thin(frame: pd.DataFrame, limit: int = MAX_POINTS) -> pd.DataFrame:
    """At most `limit` rows, evenly spaced, the last row always kept."""
    if len(frame) <= limit:
        return frame
    keep = np.unique(np.r_[np.linspace(0, len(frame) - 1, limit).astype(int), len(frame) - 1])
    return frame.iloc[keep]


def _xy(frame: pd.DataFrame, column: str, scale: float = 1.0) -> list[list[float | None]]:
    """[[day, value], ...] with None for missing values (a gap in the line)."""
    days = (frame["minute"] / DAY).round(4).tolist()
    values = (frame[column] / scale).tolist()
    return [[d, None if v != v else round(float(v), 6)] for d, v in zip(days, values)]


def _line(name: str, data, **style) -> dict:
    return {"name": name, "type": "line", "showSymbol": False, "data": data, **style}


def _chart(title: str, series: list[dict], y_name: str, *, marks: list[dict] | None = None,
           x_name: str = "days since listing", y_min=None) -> dict:
    if marks and series:
        series[0] = {**series[0], "markLine": {"symbol": "none", "silent": True,
                                               "label": {"formatter": "{b}"}, "data": marks}}
    return {"title": {"text": title, "textStyle": {"fontSize": 13}},
            "tooltip": {"trigger": "axis"}, "legend": {"top": 22, "type": "scroll"},
            "grid": {"top": 78, "left": 70, "right": 20, "bottom": 40},
            "animation": False,
            "xAxis": {"type": "value", "name": x_name, "nameLocation": "middle", "nameGap": 25},
            "yAxis": {"type": "value", "name": y_name, "scale": y_min is None,
                      **({"min": y_min} if y_min is not None else {})},
            "series": series}


def price_chart(frames: dict[str, pd.DataFrame], sale_day: float | None) -> dict:
    """Each strategy's main-CEX price against the world's news value, the sale marked."""
    series = []
    for i, (strategy, f) in enumerate(frames.items()):
        if "mid" in f:
            series.append(_line(f"{strategy}: main CEX mid", _xy(f, "mid"),
                                lineStyle={"type": "solid" if i == 0 else "dashed"}))
        if i == 0:
            for column in [c for c in f.columns if c.startswith("mid_")][1:]:
                series.append(_line(f"{column[4:]} mid", _xy(f, column), lineStyle={"width": 1}))
            for column, label in (("amm_price", "DEX pool"), ("perp_mark", "perp mark"),
                                  ("fundamental", "news value (exogenous)")):
                if column in f:
                    series.append(_line(label, _xy(f, column), lineStyle={"width": 1}))
    marks = [{"name": "sale starts", "xAxis": sale_day}] if sale_day is not None else None
    return _chart("Price on every venue against the news value", series,
                  "USDT per token", marks=marks)


def liquidity_chart(f: pd.DataFrame, obligation_usd: float, spread_limit_bps: float) -> dict:
    """±2% depth per side (thousand USDT) with the obligation, and the spread on a second axis."""
    series = [_line("bids within ±2%", _xy(f, "depth_bid_usd", 1e3)),
              _line("asks within ±2%", _xy(f, "depth_ask_usd", 1e3)),
              _line("spread (bps, right axis)", _xy(f, "spread_bps"), yAxisIndex=1,
                    lineStyle={"width": 1})] if len(f) else []
    for column in [c for c in f.columns if c.startswith("depth_bid_usd_")][1:]:
        series.append(_line(f"{column[14:]} bids", _xy(f, column, 1e3),
                            lineStyle={"width": 1, "type": "dotted"}))
    option = _chart("Depth within ±2% (main CEX, and other CEXs' bids) and the main spread", series,
                    "thousand USDT", marks=[{"name": "obligation", "yAxis": obligation_usd / 1e3}],
                    y_min=0)
    option["yAxis"] = [option["yAxis"], {"type": "value", "name": "spread (bps)",
                                         "max": max(4 * spread_limit_bps, 1.0)}]
    option["grid"] = {**option["grid"], "right": 70}       # room for the right axis and its name
    if len(series) >= 3:
        series[2]["markLine"] = {"symbol": "none", "silent": True, "label": {"formatter": "{b}"},
                                 "data": [{"name": "spread limit", "yAxis": spread_limit_bps}]}
    return option


def book_chart(book: pd.DataFrame) -> dict:
    """The main CEX's book within ±5%: tokens per price, the market maker's part apart."""
    book = book.sort_values("price")
    others = (book["tokens"] - book["mm_tokens"]).round(2).tolist()
    mine = book["mm_tokens"].round(2).tolist()
    prices = [f"{p:.4f}" for p in book["price"]]
    colors = ["#2ca02c" if s == "bid" else "#d62728" for s in book["side"]]
    return {"title": {"text": "Main CEX order book within ±5% of the mid",
                      "textStyle": {"fontSize": 13}},
            "tooltip": {"trigger": "axis"}, "legend": {"top": 22}, "animation": False,
            "grid": {"top": 78, "left": 70, "right": 20, "bottom": 50},
            "xAxis": {"type": "category", "data": prices, "name": "price (USDT)",
                      "nameLocation": "middle", "nameGap": 30},
            "yAxis": {"type": "value", "name": "tokens"},
            "series": [{"name": "others' orders", "type": "bar", "stack": "book",
                        "data": [{"value": v, "itemStyle": {"color": c}}
                                 for v, c in zip(others, colors)]},
                       {"name": "market maker's orders", "type": "bar", "stack": "book",
                        "data": mine, "itemStyle": {"color": "#1f77b4"}}]}


def maker_chart(f: pd.DataFrame) -> dict:
    series = [_line(label, _xy(f, column, 1e6)) for column, label in (
        ("mm_tokens", "tokens held (spot + pool)"), ("mm_perp_tokens", "perp position"),
        ("mm_delta_inventory", "delta, inventory view"),
        ("mm_delta_liability", "delta, liability view")) if column in f]
    series += [_line(f"tokens on {c[10:]}", _xy(f, c, 1e6), lineStyle={"width": 1, "type": "dotted"})
               for c in f.columns if c.startswith("mm_tokens_")]
    return _chart("The market maker's holdings, hedge and both deltas", series,
                  "million tokens")


def pnl_chart(f: pd.DataFrame) -> dict:
    parts = [c for c in f.columns if c.startswith("mm_pnl_") and f[c].abs().max() > 0]
    series = [_line(c[7:].replace("_", " "), _xy(f, c, 1e6), lineStyle={"width": 1})
              for c in parts]
    if "mm_pnl" in f:
        series.append(_line("total", _xy(f, "mm_pnl", 1e6), lineStyle={"width": 3}))
    return _chart("The market maker's P&L as it accrues, by source", series, "million USDT")


def supply_chart(f: pd.DataFrame) -> dict:
    columns = [c for c in f.columns if c.startswith("supply_tokens_")]
    series = [_line(c[14:].replace("_", " "), _xy(f, c, 1e6)) for c in columns]
    return _chart("Who holds the tokens", series, "million tokens", y_min=0)


def fan_chart(paths: pd.DataFrame, column: str, title: str, unit: str) -> dict:
    """Median and 10-90% band across seeds per strategy (from a compare's paths)."""
    table = fan(paths, column)
    series = []
    for i, (strategy, part) in enumerate(table.groupby("strategy", sort=False)):
        part = thin(part)
        days = (part["minute"] / DAY).round(4).tolist()
        low, high, mid = part["q10"].tolist(), part["q90"].tolist(), part["q50"].tolist()
        series += [_line(f"{strategy} 10%", [[d, v] for d, v in zip(days, low)],
                         stack=f"band{i}", lineStyle={"opacity": 0}),
                   _line(f"{strategy} 10-90%", [[d, h - lo] for d, h, lo in zip(days, high, low)],
                         stack=f"band{i}", lineStyle={"opacity": 0}, areaStyle={"opacity": 0.2}),
                   _line(f"{strategy} median", [[d, v] for d, v in zip(days, mid)])]
    return _chart(title, series, unit)


def heatmap_chart(summary: pd.DataFrame, metric: str, x: str, y: str) -> dict:
    from mmabm.runner import heatmap_table
    table = heatmap_table(summary, metric, x, y)
    values = table.to_numpy(dtype=float)
    data = [[j, i, None if v != v else round(float(v), 6)] for (i, j), v in np.ndenumerate(values)]
    finite = values[np.isfinite(values)]
    return {"title": {"text": f"Mean {metric} over seeds, by {x} and {y}",
                      "textStyle": {"fontSize": 13}}, "animation": False,
            "tooltip": {}, "grid": {"top": 50, "left": 110, "right": 90, "bottom": 50},
            "xAxis": {"type": "category", "data": [str(c) for c in table.columns], "name": x,
                      "nameLocation": "middle", "nameGap": 30},
            "yAxis": {"type": "category", "data": [str(r) for r in table.index], "name": y},
            "visualMap": {"min": float(finite.min()) if len(finite) else 0.0,
                          "max": float(finite.max()) if len(finite) else 1.0,
                          "calculable": True, "orient": "vertical", "right": 0, "top": 50},
            "series": [{"type": "heatmap", "data": data, "label": {"show": True}}]}


# -- the live view --------------------------------------------------------------------------------
strategy = solara.reactive("article")
second = solara.reactive("hold")
seed = solara.reactive(0)
sale_fraction = solara.reactive(-1.0)
sale_hours = solara.reactive(24.0)
def _knob_defaults() -> dict[str, float]:
    """The market knobs' starting values: the opened scenario's (the defaults for results)."""
    from mmabm.config import Config
    try:
        config = Config() if Path(source()).is_dir() else load_config(source())
    except ConfigError:
        config = Config()
    values = {}
    for key, *_ in MARKET_KNOBS:
        section, name = key.split(".")
        values[key] = float(getattr(getattr(config, section), name))
    return values


knobs = {key: solara.reactive(value) for key, value in _knob_defaults().items()}
playing = solara.reactive(False)
speed = solara.reactive(5.0)          # simulated days per wall-clock second while playing
frame = solara.reactive(0)            # bumped when there is something new to draw


def build_pair(scenario: str, strategy_name: str, versus: str, seed_value: int,
               fraction: float, overrides: dict, horizon_hours: float = 24.0) -> LivePair:
    config = load_config(scenario, {"market_maker.strategy": strategy_name,
                                    "market_maker.sale_fraction": fraction,
                                    "market_maker.sale_horizon_hours": horizon_hours,
                                    **overrides})
    strategies = (strategy_name,) if versus in ("none", strategy_name) else (strategy_name, versus)
    return LivePair(config, seed_value, strategies)


class Player:
    """Advances a pair in a background thread while `playing`, a frame at a time."""

    def __init__(self, pair: LivePair) -> None:
        self.pair, self.lock, self.stop = pair, threading.Lock(), threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def step(self, minutes: float) -> None:
        with self.lock:
            self.pair.advance(minutes)
        frame.set(frame.value + 1)

    def loop(self) -> None:
        """Each frame: play up to `speed` worth of simulated time, an hour at a time, within
        half the frame's wall time (so the page redraws on time even when the model cannot
        keep up with the speed asked), then publish the frame."""
        period = 1.0 / FRAMES_PER_SECOND
        while not self.stop.is_set():
            start = time.perf_counter()
            if playing.value and not self.pair.done:
                want = speed.value * DAY * period
                with self.lock:
                    while want > 0 and not self.pair.done and \
                            time.perf_counter() - start < 0.5 * period:
                        self.pair.advance(min(60.0, want))
                        want -= 60.0
                frame.set(frame.value + 1)
            elif playing.value:
                playing.set(False)
            time.sleep(max(0.0, period - (time.perf_counter() - start)))


@solara.component
def Controls(error: str | None) -> None:
    with solara.Card("Run"):
        solara.Select("strategy", values=list(STRATEGIES), value=strategy)
        solara.Select("side by side with", values=["none", *STRATEGIES], value=second)
        solara.InputInt("seed", value=seed)
        solara.FloatSlider("sale / loan (-1: article)",
                           value=sale_fraction, min=-1.0, max=0.75, step=0.05)
        solara.FloatSlider("sale horizon (hours)", value=sale_hours, min=1.0, max=168.0, step=1.0)
        for key, label, low, high, step in MARKET_KNOBS:
            solara.FloatSlider(label, value=knobs[key], min=low, max=high, step=step)
        if error:
            solara.Error(error)
    with solara.Card("Play"):
        with solara.Row():
            solara.Button("Pause" if playing.value else "Play",
                          on_click=lambda: playing.set(not playing.value), color="primary")
        solara.FloatSlider("speed (days / s)", value=speed, min=0.5,
                           max=30.0, step=0.5)


@solara.component
def LiveView(scenario: str) -> None:
    error = solara.use_reactive(None)
    overrides = {key: r.value for key, r in knobs.items()}

    def make():
        try:
            error.set(None)
            return Player(build_pair(scenario, strategy.value, second.value, seed.value,
                                     sale_fraction.value, overrides, sale_hours.value))
        except ConfigError as err:
            error.set(str(err))
            return None
    player = solara.use_memo(make, dependencies=[strategy.value, second.value, seed.value,
                                                 sale_fraction.value, sale_hours.value,
                                                 *[r.value for r in knobs.values()]])

    def cleanup():
        def stop():
            if player is not None:
                player.stop.set()
        return stop
    solara.use_effect(cleanup, [player])

    with solara.Columns([1, 3]):
        with solara.Column():
            Controls(error.value)
            if player is not None:
                with solara.Card("Step"):
                    with solara.Row():
                        solara.Button("+1 hour", on_click=lambda: player.step(60))
                        solara.Button("+1 day", on_click=lambda: player.step(DAY))
        with solara.Column():
            if player is None:
                solara.Error(error.value or "no run")
            else:
                Panels(player)


@solara.component
def Panels(player: Player) -> None:
    """The live charts of the player's runs."""
    frame.value                                   # redraw on every new frame  # noqa: B018
    pair = player.pair
    with player.lock:
        frames = {r.strategy: thin(r.series()) for r in pair.runs}
        book = pair.main.book()
        uptime = pair.main.uptime()
        main = pair.main
        sold, planned = main.model.market_maker.sold_tokens, main.model.market_maker.planned_sale
    f = frames[main.strategy]
    config = main.config
    sale_day = config.market_maker.sale_start_hours / 24 if planned > 0 else None
    day = main.minute / DAY
    solara.Text(f"day {day:.2f} of {main.end_minute / DAY:.0f} · {len(f)} hourly points · "
                f"strategy {main.strategy}"
                + (f" vs {pair.runs[1].strategy}" if len(pair.runs) > 1 else "")
                + f" · seed {main.seed}", classes=["mmabm-status"])
    solara.Markdown(f"**Sale**: sold {sold:,.0f} of {planned:,.0f} tokens · **obligation uptime** "
                    f"(main CEX, so far): {'-' if uptime != uptime else f'{uptime:.0%}'}")
    with solara.Columns([1, 1]):
        solara.FigureEcharts(price_chart(frames, sale_day), attributes={"style": "height: 340px"})
        solara.FigureEcharts(liquidity_chart(f, config.cex[0].depth_usd,
                                             config.cex[0].max_spread * 1e4),
                             attributes={"style": "height: 340px"})
    with solara.Columns([1, 1]):
        solara.FigureEcharts(book_chart(book), attributes={"style": "height: 340px"})
        solara.FigureEcharts(maker_chart(f), attributes={"style": "height: 340px"})
    with solara.Columns([1, 1]):
        solara.FigureEcharts(pnl_chart(f), attributes={"style": "height: 340px"})
        solara.FigureEcharts(supply_chart(f), attributes={"style": "height: 340px"})


# -- browsing finished results -------------------------------------------------------------------
@solara.component
def ResultsView(results: Results) -> None:
    solara.Text(f"{results.kind} results in {results.where}", classes=["mmabm-status"])
    if results.kind == "run":
        f = thin(results.series)
        depth = (results.config or {}).get("cex", [{}])[0]
        with solara.Columns([1, 1]):
            solara.FigureEcharts(price_chart({"run": f}, None), attributes={"style": "height: 340px"})
            solara.FigureEcharts(liquidity_chart(f, depth.get("depth_usd", 0.0),
                                                 depth.get("max_spread", 0.001) * 1e4),
                                 attributes={"style": "height: 340px"})
        with solara.Columns([1, 1]):
            solara.FigureEcharts(maker_chart(f), attributes={"style": "height: 340px"})
            solara.FigureEcharts(pnl_chart(f), attributes={"style": "height: 340px"})
    elif results.kind == "compare":
        solara.Markdown(f"Strategies: {', '.join(results.strategies)}; "
                        f"{results.series['seed'].nunique()} seeds (median and 10-90% of seeds)")
        for column, title, unit in (("mid", "The main CEX's price across seeds", "USDT per token"),
                                    ("depth_bid_usd", "Bids within ±2% across seeds", "USDT"),
                                    ("mm_pnl", "The market maker's P&L across seeds", "USDT")):
            if column in results.series:
                solara.FigureEcharts(fan_chart(results.series, column, title, unit),
                                     attributes={"style": "height: 340px"})
    else:
        numeric = [c for c in results.summary.columns if c not in ("run_id", "seed", *results.fields)
                   and pd.api.types.is_numeric_dtype(results.summary[c])
                   and results.summary[c].notna().any()]
        metric = solara.use_reactive("price_3m" if "price_3m" in numeric else numeric[0])
        fields = list(results.fields)
        x = solara.use_reactive(fields[0] if fields else "")
        y = solara.use_reactive(fields[1] if len(fields) > 1 else (fields[0] if fields else ""))
        with solara.Row():
            solara.Select("metric", values=numeric, value=metric)
            solara.Select("x", values=fields, value=x)
            solara.Select("y", values=fields, value=y)
        if x.value and y.value and x.value != y.value:
            solara.FigureEcharts(heatmap_chart(results.summary, metric.value, x.value, y.value),
                                 attributes={"style": "height: 420px"})
        else:
            solara.Info("a heat map needs two different swept fields")


@solara.component
def Page() -> None:
    solara.Title("mmabm dashboard")
    where = source()
    if Path(where).is_dir():
        ResultsView(read_results(where))
    else:
        LiveView(where)


__all__ = ["Page", "read_results", "thin"]
