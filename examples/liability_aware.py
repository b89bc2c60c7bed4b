"""A worked strategy plug-in: the article's maker that remembers what it owes.

It sells and hedges as the article does, but when the price falls `dip` below the highest
price it has seen since its last purchase, it buys back `rebuy_tokens` of the tokens it is
short of the loan (within `budget_usdt` over the contract), and leaves what it rebought
unhedged: those tokens are the loan's, not inventory to hedge. With no dip deep enough it
makes the very same run as the article's strategy.

    mmabm run article --months 3 \\
        --set market_maker.strategy=examples/liability_aware.py:LiabilityAware \\
        --set market_maker.params.dip=0.1
    mmabm strategies examples/liability_aware.py:LiabilityAware
"""
from __future__ import annotations

from dataclasses import dataclass

from mmabm.strategies import Article, param


class LiabilityAware(Article):
    """The article's sale and hedge; rebuys what it owes on dips, and keeps it."""
    name = "liability_aware"
    description = ("the article's sale and hedge; buys back what it owes when the price dips, "
                   "and keeps it unhedged")

    @dataclass(frozen=True)
    class Params:
        dip: float = param(0.1, 0.01, 0.99, "fall from the highest price seen since its last "
                           "purchase that makes it buy")
        rebuy_tokens: float = param(50_000.0, 0.0, 1e9, "tokens per purchase")
        budget_usdt: float = param(500_000.0, 0.0, 1e12, "USDT it may spend over the contract")

    def __init__(self, params: Params) -> None:
        super().__init__(params)
        self.high = 0.0            # the highest price seen since its last purchase
        self.rebought = 0.0        # tokens it bought back and keeps
        self.spent = 0.0           # USDT paid for them

    def on_hedge(self, maker) -> None:
        p, spot = self.params, maker.spot()
        if spot != spot:
            return
        self.high = max(self.high, spot)
        if maker.sale_left > 0 or maker.buying_back or spot > (1 - p.dip) * self.high:
            return
        book = maker.book(spot, value_calls=False)
        short = book.owed - book.tokens - self.rebought
        budget = p.budget_usdt - self.spent
        if short <= 0 or budget <= 0:
            return
        got, paid = maker.buy_tokens(min(p.rebuy_tokens, short), budget)
        self.rebought += got
        self.spent += paid
        self.high = spot                       # the next purchase waits for a new dip

    def hedge_target(self, maker, book) -> tuple[float, float]:
        target, options = super().hedge_target(maker, book)
        return target + self.rebought, options          # the rebought tokens stay unhedged
