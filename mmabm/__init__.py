"""mmabm: what a crypto market maker's sale of borrowed tokens does to a young token's market.

The compiled core (an order book, a replay loop and a constant-product pool) is importable from
here; the venues, agents and model are built on top of it.
"""
from mmabm._amm import Pool
from mmabm._core import (
    BUY,
    CANCEL_DTYPE,
    FILL_DTYPE,
    GTC,
    IOC,
    LEVEL_DTYPE,
    MAX_OWNER,
    MAX_PRICE_TICKS,
    MAX_QTY_LOTS,
    NO_PRICE,
    ORDER_DTYPE,
    POST_ONLY,
    REJECTED,
    SELL,
    OrderBook,
)
from mmabm._ladder import MAX_SPAN_TICKS
from mmabm._replay import CANCEL, EVENT_DTYPE, LIMIT, MARKET, ReplayResult, replay
from mmabm.config import Config, ConfigError, load_config

__all__ = [
    "BUY", "SELL", "GTC", "IOC", "POST_ONLY", "REJECTED", "NO_PRICE",
    "MAX_PRICE_TICKS", "MAX_QTY_LOTS", "MAX_OWNER", "MAX_SPAN_TICKS",
    "FILL_DTYPE", "ORDER_DTYPE", "CANCEL_DTYPE", "LEVEL_DTYPE", "EVENT_DTYPE",
    "LIMIT", "MARKET", "CANCEL",
    "OrderBook", "Pool", "ReplayResult", "replay",
    "Config", "ConfigError", "load_config", "run", "RunResult", "MarketModel",
]


def __getattr__(name: str):
    """The model and `run` load on first use: importing the core stays light (no Mesa)."""
    if name in ("run", "RunResult"):
        from mmabm.runner import run as _run, RunResult as _RunResult
        return {"run": _run, "RunResult": _RunResult}[name]
    if name == "MarketModel":
        from mmabm.model import MarketModel as _MarketModel
        return _MarketModel
    raise AttributeError(f"module 'mmabm' has no attribute {name!r}")
__version__ = "0.1.0"
