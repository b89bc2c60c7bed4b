"""The basis desk: the perp market's liquidity, hedged on spot (perp <-> spot basis arbitrage).

Real perp markets are deep because professional desks quote them and hedge on spot; without one
the market maker's hedge would hit a book of a few retail orders. The desk posts a ladder on the
perp around the index (`arbitrage.perp_depth_usd` per side within ±2%, spread
`arbitrage.perp_spread`), leaning its prices against its position — which is what moves the
perp's premium and so the funding rate. When its position passes `arbitrage.basis_hedge_tokens`
it trades the other way on the main CEX's spot book, a slice at a time: that is how a large perp
hedge reaches the spot price.
"""
from __future__ import annotations

import math

import mesa

from mmabm._core import BUY, GTC, SELL
from mmabm.agents.quoting import obligation_ladder
from mmabm.venues import fund, units

LOOK_MINUTES = 5          # how often the desk looks at its quotes and its hedge
LEVELS = 5                # rungs per side of its perp ladder
LEAN = 2.0                # a full position (4 x the hedge threshold) shifts quotes by 2 spreads
HEDGE_SHARE = 0.05        # one spot hedge trade takes at most this share of the ±2% depth
BAND = 0.02


def index_price(model) -> float:
    """The perp's index, else the main CEX's mid (before the first index); NaN with neither."""
    index = model.perp.index_price
    return index if index == index else model.cexs[0].mid_usd()


class BasisDesk(mesa.Agent):
    """Quotes the perp, hedges its perp position on the main CEX."""

    def __init__(self, model: mesa.Model) -> None:
        super().__init__(model)
        terms, price = model.config.arbitrage, model.config.token.initial_price
        usdt = units.usdt_to_units(terms.perp_usdt)
        tokens = units.tokens_to_units(terms.perp_usdt / price)
        model.wallets.mint(self.unique_id, usdt=2 * terms.perp_usdt)    # perp margin + spot cash
        model.wallets.transfer(model.project.unique_id, self.unique_id, token_units=tokens)
        fund(model.wallets, model.perp, self.unique_id, usdt, 0)
        fund(model.wallets, model.cexs[0], self.unique_id, usdt, tokens)
        self.spot_start_units = tokens
        self.quoted = (math.nan, 0)                 # (index, position) the ladder was built on
        self.hedged_tokens = 0.0                    # spot bought (+) or sold (-) as hedge
        if terms.perp_depth_usd > 0:
            model.every(self.act, LOOK_MINUTES)

    def position_tokens(self) -> float:
        perp = self.model.perp
        return perp.account(self.unique_id).position * perp.lot_size

    def act(self) -> None:
        """Hedge on spot what the perp position calls for, then requote if stale."""
        perp = self.model.perp
        index = index_price(self.model)
        if index != index:
            return
        self.hedge()
        lots = perp.account(self.unique_id).position
        terms = self.model.config.arbitrage
        last, last_lots = self.quoted
        if lots == last_lots and last == last and abs(index / last - 1) < terms.perp_spread / 4:
            return
        self.quote(index)

    def room_tokens(self, index: float) -> tuple[float, float]:
        """(longer, shorter): how much more perp position the desk takes each way — what its
        spot account could still hedge, beyond the part of the position not yet hedged."""
        b = self.model.cexs[0].balance(self.unique_id)
        unhedged = self.position_tokens() + self.hedged_tokens
        return (max(0.0, b["tokens"] - max(unhedged, 0.0)),
                max(0.0, b["usdt"] / (index * 1.05) - max(-unhedged, 0.0)))

    def quote(self, index: float) -> None:
        """Replace the perp ladder around `index`, leaning against the position; a side that
        would take the position past the desk's capacity is not quoted."""
        perp, terms, me = self.model.perp, self.model.config.arbitrage, self.unique_id
        position, (longer, shorter) = self.position_tokens(), self.room_tokens(index)
        lean = max(-1.0, min(1.0, position / (4 * terms.basis_hedge_tokens)))
        centre = index * (1.0 - LEAN * lean * terms.perp_spread)
        ladder = obligation_ladder(centre, depth_usd=terms.perp_depth_usd, band=BAND,
                                   max_spread=terms.perp_spread, tick_size=perp.tick_size,
                                   lot_size=perp.lot_size, levels=LEVELS)
        perp.cancel_all(me)
        for prices, lots, side in ((ladder.bid_prices, ladder.bid_lots, BUY),
                                   (ladder.ask_prices, ladder.ask_lots, SELL)):
            room = (longer if side == BUY else shorter) / perp.lot_size
            for price, qty in zip(prices.tolist(), lots.tolist()):
                qty = int(min(qty, room))
                if qty < 1 or perp.limit(me, side, price, qty, GTC) < 0:
                    break                                      # at capacity or out of margin
                room -= qty
        self.quoted = (index, perp.account(me).position)

    def hedge(self) -> None:
        """Trade spot toward minus the perp position, at most HEDGE_SHARE of the book's depth."""
        cex, me, terms = self.model.cexs[0], self.unique_id, self.model.config.arbitrage
        gap = -self.position_tokens() - self.hedged_tokens
        if abs(gap) < terms.basis_hedge_tokens:
            return
        side = BUY if gap > 0 else SELL
        mid = cex.mid_usd()
        if mid != mid:
            return
        b = cex.balance(me)
        room = HEDGE_SHARE * cex.depth_usd(-side, BAND) / mid
        have = b["usdt"] / (mid * 1.05) if side == BUY else b["tokens"]
        lots = int(min(abs(gap), room, have) / cex.lot_size)
        if lots < 1:
            return
        before = b["tokens"] + b["tokens_locked"]
        cex.market(me, side, lots)
        after = cex.balance(me)
        self.hedged_tokens += after["tokens"] + after["tokens_locked"] - before
