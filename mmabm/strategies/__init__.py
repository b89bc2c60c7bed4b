"""Market-maker policies as plug-ins: the interface, the built-ins and the registry
(docs/extending.md shows how to write one)."""
from mmabm.strategies.base import Strategy, param
from mmabm.strategies.builtin import BUILTIN, Article, Hold, LiabilityNeutral, TwapSale
from mmabm.strategies.registry import StrategyError, describe, resolve

__all__ = ["BUILTIN", "Article", "Hold", "LiabilityNeutral", "Strategy", "StrategyError",
           "TwapSale", "describe", "param", "resolve"]
