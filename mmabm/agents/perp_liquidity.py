"""A perp liquidity provider that does not hedge: depth on both sides of the perp book.

The basis desk (agents/basis.py) quotes only what its spot account can hedge, so when its room
runs out one side of the perp book empties, and a large position (the market maker's hedge at
maturity) cannot be closed there. Real perp venues have other providers too: market makers
running the perp as its own book, within a risk limit. This one posts a ladder of
`liquidity.perp_depth_usd` a side within ±2% of the index, `perp_half_spread` either side of
its centre, leaning against its position (a full position moves the centre by one
half-spread), and quotes no further on a side than its position limit
(`perp_leverage` × its collateral, `perp_usdt`) allows. Off by default (`perp_usdt` = 0).
"""
from __future__ import annotations

import math

import mesa

from mmabm._core import BUY, GTC, SELL
from mmabm.agents.basis import index_price
from mmabm.agents.quoting import obligation_ladder
from mmabm.venues import fund, units

LOOK_MINUTES = 5          # how often it looks at its quotes
LEVELS = 5                # rungs per side
BAND = 0.02               # its ladder's reach from the index


class PerpLiquidityProvider(mesa.Agent):
    """Quotes both sides of the perp within a position limit; never hedges."""

    def __init__(self, model: mesa.Model) -> None:
        super().__init__(model)
        terms = model.config.liquidity
        usdt = units.usdt_to_units(terms.perp_usdt)
        model.wallets.mint(self.unique_id, usdt=terms.perp_usdt)
        fund(model.wallets, model.perp, self.unique_id, usdt, 0)
        self.quoted = (math.nan, 0)               # (index, position) its ladder was built on
        model.every(self.act, LOOK_MINUTES)

    def position_tokens(self) -> float:
        perp = self.model.perp
        return perp.account(self.unique_id).position * perp.lot_size

    def limit_tokens(self, index: float) -> float:
        """The largest position it takes either way (tokens)."""
        return self.model.config.liquidity.perp_leverage * self.model.config.liquidity.perp_usdt / index

    def act(self) -> None:
        """Requote when the index has moved by half its half-spread or its position changed."""
        perp = self.model.perp
        index = index_price(self.model)
        if index != index:
            return
        last, last_lots = self.quoted
        half = self.model.config.liquidity.perp_half_spread
        if (perp.account(self.unique_id).position == last_lots and last == last
                and abs(index / last - 1) < half / 2):
            return
        self.quote(index)

    def quote(self, index: float) -> None:
        """Replace its ladder around `index`, leaning against its position; each side up to
        what its position limit leaves."""
        perp, terms, me = self.model.perp, self.model.config.liquidity, self.unique_id
        position, limit = self.position_tokens(), self.limit_tokens(index)
        lean = max(-1.0, min(1.0, position / limit)) if limit > 0 else 0.0
        centre = index * (1.0 - lean * terms.perp_half_spread)
        ladder = obligation_ladder(centre, depth_usd=terms.perp_depth_usd, band=BAND,
                                   max_spread=min(2 * terms.perp_half_spread, BAND),
                                   tick_size=perp.tick_size, lot_size=perp.lot_size,
                                   levels=LEVELS, spread_use=1.0)
        perp.cancel_all(me)
        for prices, lots, side in ((ladder.bid_prices, ladder.bid_lots, BUY),
                                   (ladder.ask_prices, ladder.ask_lots, SELL)):
            room = (limit - position if side == BUY else limit + position) / perp.lot_size
            for price, qty in zip(prices.tolist(), lots.tolist()):
                qty = int(min(qty, room))
                if qty < 1 or perp.limit(me, side, price, qty, GTC) < 0:
                    break                                      # at its limit or out of margin
                room -= qty
        self.quoted = (index, perp.account(me).position)
