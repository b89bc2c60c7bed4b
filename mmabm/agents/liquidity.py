"""Competing liquidity providers: the market maker is not the only source of depth.

One provider per CEX, with finite capital (`liquidity.usdt_per_venue` and `tokens_per_venue`
on the main CEX, the others in proportion to their obligation depth), quoting a ladder of
`liquidity.levels` rungs a side from its half-spread out to `ladder_width` beyond it. Each side
offers `quote_share` of what it holds on that side now, so a provider that has bought a falling
token runs out of USDT and its bids thin, and one that has sold runs out of tokens. Like real
market makers without an obligation (Glosten & Milgrom 1985: quotes widen with the risk of
trading against informed or one-sided flow):

- the half-spread widens with the volatility it has seen (`vol_widen` x the hourly sd of
  returns over its last day of hourly mids), up to 10%;
- its prices lean against its inventory (`skew`);
- when its fills since the hour began have moved its tokens by more than `pull_flow` of its
  starting tokens, it pulls both sides for `pull_hours`.

It requotes every `requote_minutes` when the mid has moved more than `requote_threshold` from
the mid it quoted, or when fills have taken orders off its ladder.

With `liquidity.news_weight` > 0 it also reads the world's news (`fundamental`: what moves
the whole market, e.g. bitcoin, and what is learnt about the project). Its fair price is the
mid plus that share of the news the market has not taken in yet, fading with half-life
`news_memory_hours` (beliefs.NewsFair); it quotes around that fair price instead of the mid,
and when the other side's best quote is beyond its fair price by more than the taker fee it
takes it (an IOC limit at fair less the fee, with all it holds on that side): the dealers
who pick off stale quotes after public news (Glosten & Milgrom 1985; Foucault, Roell & Sandas
2003). It follows the news' moves, never its level, so a price pushed off by a sale is not
pulled back to any value.
"""
from __future__ import annotations

import math
from functools import lru_cache

import mesa
import numpy as np

from mmabm._core import BUY, IOC, SELL
from mmabm.agents.beliefs import NewsFair
from mmabm.venues import fund, units

VOL_HOURS = 24            # the hourly mids its volatility estimate looks back over
MAX_HALF_SPREAD = 0.1     # however wild the market, it quotes within 10% of the mid


class LiquidityProvider(mesa.Agent):
    """Quotes one CEX with its own capital; see the module docstring."""

    def __init__(self, model: mesa.Model, venue, scale: float) -> None:
        super().__init__(model)
        self.venue, terms = venue, model.config.liquidity
        price = model.config.token.initial_price
        tokens = endow(model, self.unique_id, venue, terms, scale)[1]
        self.start_tokens = max(tokens * units.TOKEN_UNIT, 1e-9)
        self.hour_mids: list[float] = [price]
        self.vol = 0.0                          # hourly sd of returns over its last day
        self.pulled_until = -math.inf
        self.pulls = 0
        self._tokens_an_hour_ago = self.tokens()
        self._quoted = (math.nan, None)         # (mid, its holdings) when it last posted
        self.fair = NewsFair(model, terms.news_weight, terms.news_memory_hours)
        model.observe_hourly(self.observe)
        model.every(self.act, terms.requote_minutes)

    def holdings(self) -> tuple[float, float]:
        """(USDT, tokens) it holds on the venue, free and in orders: a fill changes them."""
        b = self.venue.balance(self.unique_id)
        return b["usdt"] + b["usdt_locked"], b["tokens"] + b["tokens_locked"]

    def tokens(self) -> float:
        """Its tokens on the venue (free and in orders)."""
        return self.holdings()[1]

    def observe(self) -> None:
        """Hourly: its volatility estimate; the hour's fills are counted from here."""
        mid = self.venue.mid_usd()
        self.hour_mids.append(mid if mid == mid else self.hour_mids[-1])
        recent = np.log(np.asarray(self.hour_mids[-VOL_HOURS - 1:]))
        self.vol = float(np.diff(recent).std()) if len(recent) > 2 else 0.0
        self._tokens_an_hour_ago = self.tokens()

    def act(self) -> None:
        """Pull after one-sided fills; else requote if pulled quotes are due back, the mid
        moved, or fills took orders."""
        venue, terms = self.venue, self.model.config.liquidity
        fair = self.fair.update(venue.mid_usd()) if terms.news_weight else math.nan
        if self.model.time < self.pulled_until:
            return
        held = self.holdings()
        moved = abs(held[1] - self._tokens_an_hour_ago) / self.start_tokens
        if terms.pull_flow > 0 and moved > terms.pull_flow:
            self.pulled_until = self.model.time + terms.pull_hours * 60
            self._tokens_an_hour_ago = held[1]          # back with the flow counted anew
            self.pulls += 1
            venue.cancel_all(self.unique_id)
            self._quoted = (math.nan, None)
            return
        mid = venue.mid_usd()
        if mid != mid:
            mid = venue.last_price_usd()
            if mid != mid:
                return
        if fair == fair:
            mid = fair
            self.take_stale(mid)
        quoted, held_then = self._quoted
        # a fill changes what it holds: then some rungs are gone and the ladder is redone
        if quoted == quoted and abs(mid / quoted - 1) <= terms.requote_threshold and (
                held == held_then):
            return
        self.quote(mid)

    def take_stale(self, fair: float) -> None:
        """Buy asks below `fair` less the taker fee, or sell into bids above `fair` plus the
        fee (a trade that pays at its fair price): its quotes cancelled, an IOC limit there
        with all it holds on that side (the limit price bounds what it takes). What it takes
        is its own doing, not flow that ran over its quotes: it does not count toward a
        pull."""
        venue, me = self.venue, self.unique_id
        tick, lot, fee = venue.tick_size, venue.lot_size, venue.taker_fee
        buy = units.bid_ticks(fair * (1.0 - fee), tick)
        sell = units.ask_ticks(fair * (1.0 + fee), tick)
        ask, bid = venue.best_ask(), venue.best_bid()
        if not (0 < ask <= buy or bid >= sell > 0):
            return
        venue.cancel_all(me)
        self._quoted = (math.nan, None)
        b = venue.balance(me)
        if 0 < ask <= buy:
            lots = int(b["usdt"] / (units.ticks_to_usd(buy, tick) * lot * (1.0 + fee)))
            if lots >= 1:
                self._own_trade(BUY, buy, lots)
        else:
            lots = int(b["tokens"] / lot)
            if lots >= 1:
                self._own_trade(SELL, sell, lots)

    def _own_trade(self, side: int, limit: int, lots: int) -> None:
        """An IOC limit that does not count as flow against its quotes."""
        before = self.tokens()
        self.venue.limit(self.unique_id, side, limit, lots, IOC)
        self._tokens_an_hour_ago += self.tokens() - before

    def quote(self, mid: float) -> None:
        """Post both ladders around `mid` (its fair price when it follows the news): widened
        by volatility, leaning against inventory."""
        venue, terms, me = self.venue, self.model.config.liquidity, self.unique_id
        venue.cancel_all(me)
        b = venue.balance(me)
        lean = max(-1.0, min(1.0, b["tokens"] / self.start_tokens - 1.0))
        half = min(MAX_HALF_SPREAD, terms.half_spread + terms.vol_widen * self.vol)
        center = mid * (1.0 - terms.skew * half * lean)
        tick, lot = venue.tick_size, venue.lot_size
        # plain floats on a few rungs, operation for operation what numpy would do (the same
        # ticks and lots), without numpy's per-call cost
        inner, outer = 1.0 - half, 1.0 + half
        steps = _steps(terms.ladder_width, terms.levels)
        bid_prices = [units.bid_ticks(center * (inner - x), tick) for x in steps]
        ask_prices = [units.ask_ticks(center * (outer + x), tick) for x in steps]
        bid_usd = terms.quote_share * b["usdt"] / terms.levels / (1.0 + 2 * venue.taker_fee)
        bid_lots = [math.floor(bid_usd / (units.ticks_to_usd(max(p, 1), tick) * lot)) for p in bid_prices]
        ask_lots = [int(terms.quote_share * b["tokens"] / terms.levels / lot)] * terms.levels
        for side, prices, lots in ((BUY, bid_prices, bid_lots), (SELL, ask_prices, ask_lots)):
            keep = [k for k in range(len(prices)) if lots[k] >= 1 and prices[k] >= 1]
            if keep:
                venue.replace_ladder(me, side, np.array([prices[k] for k in keep], np.int64),
                                     np.array([lots[k] for k in keep], np.int64))
        self._quoted = (mid, self.holdings())


@lru_cache(maxsize=16)
def _steps(width: float, levels: int) -> tuple[float, ...]:
    """The rungs' distances beyond the half-spread, evenly from 0 to `width`."""
    return tuple(np.linspace(0.0, width, levels).tolist())


def endow(model: mesa.Model, owner: int, venue, terms, scale: float) -> tuple[int, int]:
    """Fund `owner`'s account on `venue` with `scale` x the `terms`' usdt_per_venue (minted) and
    tokens_per_venue (from the project's treasury); returns the (USDT, token) units."""
    usdt = units.usdt_to_units(terms.usdt_per_venue * scale)
    tokens = units.tokens_to_units(terms.tokens_per_venue * scale)
    model.wallets.mint(owner, usdt=usdt * units.USDT_UNIT)
    model.wallets.transfer(model.project.unique_id, owner, token_units=tokens)
    fund(model.wallets, venue, owner, usdt, tokens)
    return usdt, tokens


def per_cex(model: mesa.Model, agent: type, terms, share: float = 1.0, **extra) -> list:
    """One `agent` per CEX with `share` of the `terms`' capital, scaled by its obligation depth
    (`extra` passed on), or none when that leaves it no capital."""
    if share <= 0 or terms.usdt_per_venue + terms.tokens_per_venue <= 0:
        return []
    return [agent(model, venue, scale * share, **extra)
            for venue, scale in zip(model.cexs, provider_scales(model.config))]


def provider_scales(config) -> list[float]:
    """Each CEX's provider's capital relative to the main CEX's (by obligation depth)."""
    main = config.cex[0].depth_usd
    return [x.depth_usd / main if main > 0 else 1.0 for x in config.cex]
