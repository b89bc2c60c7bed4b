"""Latent liquidity: slow investors' orders that stay where the market has been.

The market-impact literature explains the square-root law by a latent order book: most
intentions to trade are not shown near the current price but at prices slow investors chose
while the market was elsewhere, and their volume grows with the distance from that price
(Toth, Lemperiere, Deremble, de Lataillade, Kockelkoren & Bouchaud 2011, "Anomalous price
impact and the critical nature of liquidity in financial markets"; Donier, Bonart,
Mastromatteo & Bouchaud 2015, "A fully consistent, minimal model for non-linear market
impact"). A sale that moves the price by x then meets a volume that grows like x squared, so
the move grows like the square root of what was sold; liquidity that re-centres on the
current mid (the providers, retail limits, the maker's ladder) gives a linear law instead.

One latent book per CEX, with finite capital (`latent.usdt_per_venue` and `tokens_per_venue`
on the main CEX, the others in proportion to their obligation depth). Its centre is an
exponential average of the venue's mid with half-life `latent.memory_hours`. With
`latent.slow_share` > 0 each CEX has a second, slow book holding that share of the capital,
whose centre remembers `latent.slow_memory_hours`: real latent liquidity has more than one
timescale (fast intentions renewed within hours, slow ones over days), and a spectrum of them
is what gives a square-root law at moderate participation rates while finite memory alone
gives a linear one (Benzaquen & Bouchaud 2018, "Market impact with multi-timescale
liquidity"; Bucci, Benzaquen, Lillo & Bouchaud 2019, "Crossover from linear to square-root
market impact", who needed a fast and a slow timescale to fit 8 million metaorders). It posts
`levels` bids from its centre down to `width` below it and as many asks up to `width` above,
rung k of a side offering a share of `quote_share` x what it holds on that side proportional
to the rung's distance from the centre: a V-shaped book. Rungs on the wrong side of the
current mid are not posted (the price has been through them, they would have traded). It
requotes when its centre has moved by `requote_threshold`, checking every `requote_minutes`.

With `latent.frame = "price"` the book lives in the price's frame instead (Donier et al.'s:
latent orders diffuse with the price, so the V sits at the current price whatever moved it):
each side's vertex is the current mid, except where the book's own fills have dug a hole. The
hole h (tokens it has bought, negative: sold) grows with every fill and refills with half-life
`memory_hours` (consumed intentions are replaced by new ones); the side it was dug in has its
vertex where the mid lies d inside it, d = width x sqrt(h / (h + what that side still
offers)): the part of the V between its vertex and the mid is what was consumed. A sale of Q
that meets only this book moves the price by width x sqrt(Q / capacity), whatever the price did
meanwhile; once the hole has refilled the V forms again at the price the sale left.

With `latent.frame = "diffusing"` the book posts no V: it holds a density of intentions
(agents/latent_density.py, Donier et al.'s locally linear order book with Benzaquen &
Bouchaud's finite memory) in the frame of a centre that the news moves (and, with
`latent.price_anchor`, where the market has been, or with `latent.price_learning_hours` the
price's level: investors who learn from the price), which diffuses,
renews with half-life `renewal_hours` (the slow book's: `slow_memory_hours`) and is consumed
where it meets the price; what crosses the price
trades in the market, and only what lies within `reveal` of it is posted. Its V forms at the
price by itself, and a sale meets it whether or not the book shows it.

With `latent.news_weight` > 0 the memory frame's centre also takes in that share of each move
of the world's news value (`fundamental`) as it happens: slow investors revise their intentions
when they learn something, so the latent book drifts with the information, as the reference
price of Donier et al.'s latent book does, while its memory of the mid keeps what trading did
to it. (The price frame needs no news: the mid carries it.)
"""
from __future__ import annotations

import math

import mesa
import numpy as np

from mmabm._core import BUY, IOC, SELL
from mmabm.agents.latent_density import LatentDensity
from mmabm.agents.liquidity import endow, per_cex
from mmabm.venues import units

ACTIVITY_STEP = 0.1       # a change of the activity factor by this share makes it requote


def latent_books(model: mesa.Model, terms) -> list["LatentBook"]:
    """The latent books: on each CEX a fast one (`memory_hours`; diffusing: `renewal_hours`)
    with 1 - `slow_share` of the capital and, when `slow_share` > 0, a slow one
    (`slow_memory_hours`, in either frame) with the rest: in the diffusing frame, Benzaquen &
    Bouchaud's two renewal rates."""
    return (per_cex(model, LatentBook, terms, 1.0 - terms.slow_share,
                    memory_hours=terms.memory_hours, renewal_hours=terms.renewal_hours)
            + per_cex(model, LatentBook, terms, terms.slow_share,
                      memory_hours=terms.slow_memory_hours,
                      renewal_hours=terms.slow_memory_hours))


class LatentBook(mesa.Agent):
    """A V-shaped book of slow orders around where the market has been; see the module."""

    def __init__(self, model: mesa.Model, venue, scale: float, memory_hours: float,
                 renewal_hours: float | None = None) -> None:
        super().__init__(model)
        self.venue, terms = venue, model.config.latent
        self.memory_hours = memory_hours
        self.centre = model.config.token.initial_price
        self._news = math.log(model.news_at(model.time))
        self._informed = self.centre     # diffusing frame: the centre the news alone moves
        self._anchor = math.log(self.centre)  # and the log mid's average (price_anchor)
        endow(model, self.unique_id, venue, terms, scale)
        self._decay = 0.5 ** (terms.requote_minutes / (self.memory_hours * 60.0))
        self._learning = (1.0 - 0.5 ** (terms.requote_minutes / (terms.price_learning_hours
                                                                 * 60.0))
                          if terms.price_learning_hours else 0.0)  # per look, toward the mid
        steps = np.arange(1, terms.levels + 1) / terms.levels
        self._offsets = terms.width * steps                       # distance of each rung
        self._weights = steps / steps.sum()                       # V: size grows with it
        self._quoted = math.nan
        self._activity = 1.0                                      # the factor last quoted at
        self.hole = 0.0                 # price frame: tokens its fills took (+ bought), refilling
        self._tokens = self.venue_tokens()
        self._vertices = (math.nan, math.nan)                     # price frame: (bid, ask) quoted
        self.density = None             # diffusing frame: the latent density (latent_density)
        if terms.frame == "diffusing":
            self.density = LatentDensity(0.0, scale * terms.tokens_within_1pct * 2.0 / 1e-4,
                                         terms.width,
                                         60.0 * (renewal_hours or terms.renewal_hours))
        act = {"price": self.act_in_price_frame, "diffusing": self.act_diffusing}
        model.every(act.get(terms.frame, self.act), terms.requote_minutes)

    def act_diffusing(self) -> None:
        """Diffusing frame: its fills since the last look consume the density, which then
        diffuses, renews and meets the price; what crosses the price and no latent investor
        took trades in the market (an IOC limit); the part within `reveal` of the price is
        posted."""
        venue, terms, me, density = self.venue, self.model.config.latent, self.unique_id, \
            self.density
        tokens = self.venue_tokens()
        density.consume(tokens - self._tokens)
        mid = venue.mid_usd()
        if mid != mid:
            self._tokens = tokens
            return
        self.learn(mid)
        x = math.log(mid / self.centre)
        excess_bids, excess_asks = density.step(x, terms.requote_minutes)
        venue.cancel_all(me)
        tick, lot, b = venue.tick_size, venue.lot_size, venue.balance(me)
        share = terms.quote_share * self.activity()
        if excess_bids * share >= lot:          # intentions above the price: buy up to them
            held = density.prices()[density.bids >= lot]
            top = held.max() if len(held) else x
            limit = max(1, units.bid_ticks(self.centre * math.exp(top), tick))
            afford = b["usdt"] / (units.ticks_to_usd(limit, tick) * (1.0 + 2 * venue.taker_fee))
            lots = int(min(excess_bids * share, afford) / lot)
            if lots >= 1:
                venue.limit(me, BUY, limit, lots, IOC)
        elif excess_asks * share >= lot:
            held = density.prices()[density.asks >= lot]
            low = held.min() if len(held) else x
            limit = max(1, units.ask_ticks(self.centre * math.exp(low), tick))
            lots = int(min(excess_asks * share, b["tokens"]) / lot)
            if lots >= 1:
                venue.limit(me, SELL, limit, lots, IOC)
        after = self.venue_tokens()
        density.consume(after - tokens)
        self._tokens = after
        self.reveal(x, share)

    def reveal(self, x: float, share: float) -> None:
        """Diffusing frame: post the density within `reveal` of the price `x` (the log of the mid
        over the centre) in `levels` rungs a side, as post-only orders its free balance
        can fund (each side at most `share` of it)."""
        venue, terms, me, density = self.venue, self.model.config.latent, self.unique_id, \
            self.density
        tick, lot, b = venue.tick_size, venue.lot_size, venue.balance(me)
        edges = np.linspace(0.0, terms.reveal, terms.levels + 1)
        best_bid, best_ask = venue.best_bid(), venue.best_ask()
        for side in (BUY, SELL):
            sign = -1.0 if side == BUY else 1.0
            sizes = density.bands(x, edges, bids=side == BUY)
            where = self.centre * np.exp(x + sign * edges[1:])     # each rung at its far edge
            if side == BUY:
                prices = units.bid_ticks_array(where, tick)
                usdt = sizes * prices * tick * (1.0 + 2 * venue.taker_fee)
                scale = min(1.0, share * b["usdt"] / usdt.sum()) if usdt.sum() > 0 else 0.0
                ok = prices < best_ask if best_ask else prices >= 1
            else:
                prices = units.ask_ticks_array(where, tick)
                scale = min(1.0, share * b["tokens"] / sizes.sum()) if sizes.sum() > 0 else 0.0
                ok = prices > best_bid if best_bid else prices >= 1
            lots = np.floor(sizes * scale / lot).astype(np.int64)
            keep = (lots >= 1) & (prices >= 1) & ok
            if keep.any():
                venue.replace_ladder(me, side, prices[keep], lots[keep])

    def intentions_near(self, mid: float, band: float) -> tuple[float, float]:
        """Diffusing frame: tokens of intentions to buy within `band` below `mid` and to
        sell within `band` above it, posted or not (NaN, NaN in the other frames or without
        a mid). Reads only: a V at the price holds about as much on each side."""
        if self.density is None or not (mid == mid and mid > 0):
            return math.nan, math.nan
        x, edges = math.log(mid / self.centre), np.array([0.0, band])
        return (float(self.density.bands(x, edges, bids=True)[0]),
                float(self.density.bands(x, edges, bids=False)[0]))

    def venue_tokens(self) -> float:
        """Its tokens on the venue, free and in orders."""
        b = self.venue.balance(self.unique_id)
        return b["tokens"] + b["tokens_locked"]

    def vertices(self, mid: float) -> tuple[float, float]:
        """Price frame: (bid vertex, ask vertex) around `mid` with the hole dug in one side."""
        terms, hole = self.model.config.latent, self.hole
        if hole == 0.0:
            return mid, mid
        b = self.venue.balance(self.unique_id)
        if hole > 0:                      # it bought: its bids near the old price are gone
            left = terms.quote_share * (b["usdt"] + b["usdt_locked"]) / mid
            return mid / (1.0 - terms.width * math.sqrt(hole / (hole + left))), mid
        left = terms.quote_share * (b["tokens"] + b["tokens_locked"])
        return mid, mid / (1.0 + terms.width * math.sqrt(-hole / (left - hole)))

    def act_in_price_frame(self) -> None:
        """Price frame: the hole takes this check's fills and refills; requote when a vertex
        has moved far enough."""
        tokens = self.venue_tokens()
        self.hole = self._decay * self.hole + (tokens - self._tokens)
        self._tokens = tokens
        mid = self.venue.mid_usd()
        if mid != mid:
            return
        bid, ask = self.vertices(mid)
        threshold, activity = self.model.config.latent.requote_threshold, self.activity()
        last_bid, last_ask = self._vertices
        if last_bid == last_bid and abs(bid / last_bid - 1.0) <= threshold \
                and abs(ask / last_ask - 1.0) <= threshold \
                and abs(activity / self._activity - 1.0) <= ACTIVITY_STEP:
            return
        self.quote(mid, activity, centres=(bid, ask))
        self._vertices = (bid, ask)

    def act(self) -> None:
        """Move the centre toward the mid; requote when it has moved far enough."""
        mid = self.venue.mid_usd()
        if mid != mid:
            return
        self.learn(mid)
        quoted, terms = self._quoted, self.model.config.latent
        activity = self.activity()
        if quoted == quoted and abs(self.centre / quoted - 1.0) <= terms.requote_threshold \
                and abs(activity / self._activity - 1.0) <= ACTIVITY_STEP:
            return
        self.quote(mid, activity)

    def learn(self, mid: float) -> None:
        """Move the centre toward `mid` with half-life `memory_hours` (where the market has
        been) and by `news_weight` of the news' move since the last look. In the diffusing
        frame the news moves it, and with `price_anchor` = a > 0 its log is 1 - a of that and
        a of where the market has been (the log mid's average, half-life `memory_hours`):
        investors who partly learn the token's worth from its price. All of it following the
        mid would carry the holes sales dug along with it, without end; with a < 1 a gap g
        the density leaves between the price and the centre ends as a move of the centre by
        g a / (1 - a), of the price by g / (1 - a). With `price_learning_hours` the centre the
        news moves also closes that share of its log distance to the mid at each look (half-
        life those hours): the news in full, and the price's level learnt; it moves as long
        as a gap lasts, so how much of a sale stays is how long its hole does."""
        terms = self.model.config.latent
        if terms.frame != "diffusing":
            self.centre = self._decay * self.centre + (1.0 - self._decay) * mid
            self.centre *= self.news_move()
            return
        self._informed *= self.news_move()
        if self._learning:
            self._informed *= math.exp(self._learning * math.log(mid / self._informed))
        self.centre, a = self._informed, terms.price_anchor
        if a:
            self._anchor = self._decay * self._anchor + (1.0 - self._decay) * math.log(mid)
            self.centre = math.exp((1.0 - a) * math.log(self._informed) + a * self._anchor)

    def news_move(self) -> float:
        """The factor `news_weight` of the news' move since the last look moves a price by."""
        weight = self.model.config.latent.news_weight
        if not weight:
            return 1.0
        news = math.log(self.model.news_at(self.model.time))
        move, self._news = math.exp(weight * (news - self._news)), news
        return move

    def activity(self) -> float:
        """The share of its quote it shows now: launch attention (1 at listing, fading to the
        world's floor) to the power `activity_elasticity`, at most 1."""
        e = self.model.config.latent.activity_elasticity
        if not e:
            return 1.0
        return min(1.0, float(self.model.attention.base(self.model.time))) ** e

    def quote(self, mid: float, activity: float = 1.0,
              centres: tuple[float, float] | None = None) -> None:
        """Post both sides of the V around the centre (each side around its own of `centres`,
        (bid, ask), when given), leaving out rungs the mid has passed; `activity` scales the
        quoted share."""
        venue, terms, me = self.venue, self.model.config.latent, self.unique_id
        share = terms.quote_share * activity
        venue.cancel_all(me)
        b = venue.balance(me)
        tick, lot = venue.tick_size, venue.lot_size
        bid_at, ask_at = centres or (self.centre, self.centre)
        bid_prices = units.bid_ticks_array(bid_at * (1.0 - self._offsets), tick)
        ask_prices = units.ask_ticks_array(ask_at * (1.0 + self._offsets), tick)
        bid_usd = share * b["usdt"] * self._weights / (1.0 + 2 * venue.taker_fee)
        bid_lots = np.floor(bid_usd / (units.ticks_to_usd(np.maximum(bid_prices, 1), tick) * lot)).astype(np.int64)
        ask_lots = np.floor(share * b["tokens"] * self._weights / lot).astype(np.int64)
        mid_ticks = mid / tick
        for side, prices, lots, open_ in ((BUY, bid_prices, bid_lots, bid_prices < mid_ticks),
                                          (SELL, ask_prices, ask_lots, ask_prices > mid_ticks)):
            keep = (lots >= 1) & (prices >= 1) & open_
            if keep.any():
                venue.replace_ladder(me, side, prices[keep], lots[keep])
        self._quoted, self._activity = self.centre, activity
