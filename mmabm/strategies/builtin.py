"""The four built-in policies: the article's delta-neutral maker, the same with a TWAP sale,
a maker that keeps the loan (hedging only the calls), and one that hedges the loan it owes."""
from __future__ import annotations

from mmabm.strategies.base import Strategy


class Article(Strategy):
    """The article's maker: sells the loan down to the working inventory at once and hedges
    everything beyond it on the perp, plus the calls' delta (gamma scalping)."""
    name = "article"
    description = ("sell the loan beyond the working inventory at once; hedge the rest of the "
                   "inventory view and the calls on the perp")
    sale_execution = "immediate"

    def hedge_target(self, maker, book) -> tuple[float, float]:
        options = -book.calls_delta
        excess = book.tokens - maker.working_inventory()
        unsold = min(max(maker.sale_left, 0.0), max(excess, 0.0))   # the sale will take it
        if maker.buying_back:
            excess = max(excess, 0.0)              # a shortfall is the buyback's to cover
        return options - (excess - unsold), options


class TwapSale(Article):
    """The article's hedge with the sale spread evenly over `market_maker.twap_days`."""
    name = "twap_sale"
    description = "the article's hedge, the sale spread evenly over market_maker.twap_days"
    sale_execution = "twap"


class Hold(Strategy):
    """Keeps the loan: no sale, quotes leaning toward the tokens it holds, the calls' delta
    hedged."""
    name = "hold"
    description = "keep the loan (no sale); hedge only the calls' delta"

    def hedge_target(self, maker, book) -> tuple[float, float]:
        options = -book.calls_delta
        return options, options

    def skew_aim(self, maker, book) -> float:
        # what it keeps of the loan: all of it, less a sale it was told to make
        return max(maker.working_inventory(), book.owed - maker.planned_sale)


class LiabilityNeutral(Hold):
    """Keeps the loan and hedges the liability view (holdings + calls - tokens owed) to
    zero."""
    name = "liability_neutral"
    description = "keep the loan; hedge the liability view (holdings + calls - owed) to zero"

    def hedge_target(self, maker, book) -> tuple[float, float]:
        return -(book.tokens + book.calls_delta - book.owed), -book.calls_delta


BUILTIN: dict[str, type[Strategy]] = {s.name: s for s in (Article, TwapSale, Hold,
                                                           LiabilityNeutral)}
