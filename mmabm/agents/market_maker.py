"""The delta-neutral market maker: its opening, quoting, initial sale and delta.

At t=0 it funds each CEX with the inventory its obligations need (plus a buffer), seeds the
DEX pool at the listing price and posts obligation ladders; then it requotes whenever a mid has
moved by more than the threshold, skewing against its inventory.

The initial sale: agents/sale.py. Its delta is reported in two views: `inventory`
(the article's: spot + LP + perps + option delta) and `liability` (the same minus the tokens
owed back).

Perp hedge (agents/hedging.py), every `hedge_minutes`, when the position is more than `hedge_band_tokens` off its
target (see `hedge_target`): `article` and `twap_sale` hedge everything beyond the working
inventory the obligations need (the article's 700,000 tokens) and not yet sold, plus the calls'
delta — CEX fills, the pool's changing token holdings and the options' delta: gamma scalping;
`hold` hedges the calls' delta only; `liability_neutral` hedges the liability view to zero.
Buying back what it is short before maturity, and settling the contract: agents/settlement.py.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import mesa
from mesa.time import Schedule

from mmabm._core import BUY, SELL
from mmabm.agents.beliefs import NewsFair
from mmabm.agents.hedging import Hedging
from mmabm.agents.quoting import checked_ladder, obligation_ladder
from mmabm.agents.sale import Sale
from mmabm.agents.settlement import Settlement
from mmabm.config import OBLIGATION_BUFFER, strategy_of
from mmabm.strategies import Strategy
from mmabm.tape import MINUTES_PER_MONTH
from mmabm.venues import EwmaVolatility, LpPosition, defund, fund, units

MINUTES_PER_YEAR = 365 * 24 * 60
CASH_BUFFER = 0.5          # free USDT kept on a CEX beyond its bids, as a share of its depth



@dataclass(frozen=True)
class MarketMakerBook:
    """What the market maker holds and owes at one moment (USDT and tokens)."""
    usdt: float              # wallet, CEX accounts (free and in orders), DEX account, pool share
    tokens: float            # the same places, in tokens
    perp_tokens: float       # perp position
    perp_equity: float       # perp collateral, margin and unrealised PnL (USDT)
    pool: LpPosition         # its pool share, for fees and impermanent loss
    calls_value: float       # the calls at Black-Scholes value (USDT)
    calls_delta: float       # and their delta (tokens)
    owed: float              # tokens still owed back to the project

    def deltas(self) -> tuple[float, float]:
        """(inventory view, liability view) in tokens."""
        inventory = self.tokens + self.perp_tokens + self.calls_delta
        return inventory, inventory - self.owed


class MarketMaker(Hedging, Sale, Settlement, mesa.Agent):
    """Quotes every CEX, provides the pool's liquidity, and settles the contract at maturity."""

    def __init__(self, model: mesa.Model) -> None:
        super().__init__(model)
        model.wallets.mint(self.unique_id, usdt=model.config.market_maker.usdt_capital)
        self.quoted_mid: dict[str, float] = {}
        self._ladders: dict[str, dict] = {}      # venue -> recent ladders by (mid, skew)
        self._terms_checked: set[int] = set()     # ids of venue terms a ladder was checked on
        self._posted: dict[str, tuple] = {}      # venue -> (ladder, venue changes, skew) posted
        self._found_fine: dict[str, tuple] = {}  # venue -> (changes, quoted mid) found fine
        self._smallest_rungs: dict[str, tuple[int, int]] = {}   # venue -> lots (bid, ask)
        self.options_exercised = 0
        self.sold_tokens = 0.0
        self.sale_usdt = 0.0
        self.exercise_pnl = 0.0        # (spot - strike) x tokens on the calls it exercised
        self.last_mid = model.config.token.initial_price
        self.vol = EwmaVolatility(periods_per_year=365 * 24, halflife=24, initial_vol=1.0)
        self._sale = self._requoting = self._hedging = None
        self._sale_left = 0.0
        self.planned_sale = 0.0         # the initial sale it was told to make (tokens)
        self.hedge_option_tokens = 0.0  # the part of the perp position that hedges the calls
        self.gamma_pnl = 0.0            # that part's P&L at the mark: gamma scalping
        self._hedge_mark = math.nan
        self.hedge_trades = 0
        # its hedge at maturity (tokens, + long): before closing, closed in the book, closed
        # by auto-deleveraging, left open
        self.hedge_at_maturity = self.hedge_closed_in_book = 0.0
        self.hedge_deleveraged = self.hedge_left = 0.0
        self.buyback_tokens = self.buyback_usdt = 0.0
        # tokens it bought (rebuy) or borrowed (borrow) to fund its asks, and what it paid
        self.compliance_tokens = self.compliance_usdt = 0.0
        self._budget_month, self._budget_spent = -1, 0.0     # the rebuy budget's month
        self._buyback = None
        self._buyback_hours = 0
        self._buyback_from = math.inf
        self.skew = 0.0                 # quotes' lean against the inventory, in [-1, 1]
        terms = model.config.market_maker
        self.spread_use = terms.spread_use          # its best quotes' share of the spread
        self.use_strategy(strategy_of(terms))       # the policy (mmabm.strategies)
        # with news_weight: its quotes' reference, the main mid moved by the news it has read
        self.fair = NewsFair(model, terms.news_weight, terms.news_memory_hours)
        self._tilt = 1.0                # the fair price over the main mid it last quoted with
        self.lp_fees_closed = self.lp_loss_closed = 0.0   # of pool positions it has left
        self.quoting = True             # until the contract settles
        self._pov_seen = 0.0            # others' spot volume at the POV sale's last look (USDT)
        model.tape.watch_maker(self.unique_id)        # its spread capture
        # what it has seen of the market: the main mid each hour (its volatility estimate and
        # its last price)
        model.observe_hourly(self.observe)

    def observe(self) -> None:
        """Hourly: the main CEX's mid feeds the volatility estimate and the last price seen."""
        mid = self.model.cexs[0].mid_usd()
        if mid == mid:
            self.vol.update(mid)
            self.last_mid = mid

    def open_markets(self) -> None:
        """Fund the venues, seed the pool, post ladders, and start requoting."""
        c, model, me = self.model.config, self.model, self.unique_id
        price = c.token.initial_price
        for venue, terms in zip(model.cexs, c.cex):
            fund(model.wallets, venue, me,
                 units.usdt_to_units(terms.depth_usd * OBLIGATION_BUFFER),
                 units.tokens_to_units(terms.depth_usd * OBLIGATION_BUFFER / price))
        pool_tokens = units.tokens_to_units(c.pool_inventory_tokens)
        pool_usdt = units.usdt_to_units(c.dex.pool_usd / 2)
        fund(model.wallets, model.dex, me, pool_usdt, pool_tokens)
        model.dex.add_liquidity(me, pool_tokens, pool_usdt)
        for venue, terms in zip(model.cexs, c.cex):
            self.quote(venue, terms, price)
        if not model.fused_step:                     # else the model's each_step calls it
            self._requoting = model.schedule_recurring(
                self.requote, Schedule(interval=c.market_maker.requote_minutes))
        self._start_sale()
        fund(model.wallets, model.perp, me)                   # opens the hedge account
        every = c.market_maker.hedge_minutes
        self._hedging = model.schedule_recurring(self.hedge, Schedule(interval=every, start=every))
        maturity = model.project.maturity
        self._buyback_hours = int(min(c.market_maker.buyback_days * 24, maturity // 60))
        if self._buyback_hours > 0:
            model.schedule_event(self.start_buyback, at=maturity - self._buyback_hours * 60)

    # -- the perp hedge ------------------------------------------------------------------------
    def use_strategy(self, strategy: Strategy) -> None:
        """Act by `strategy` from now on (the config's, or the RL environment's wrapper of
        it); its sale's execution is read when the markets open."""
        self.strategy = strategy
        self._acts = type(strategy).on_hedge is not Strategy.on_hedge
        self._centres = type(strategy).quote_centre is not Strategy.quote_centre   # else: mid

    def set_spread_use(self, share: float) -> None:
        """Quote its best bid and ask `share` of the allowed spread apart from the next
        ladder on (the RL environment's width)."""
        if share != self.spread_use:
            self.spread_use = share
            self._ladders.clear()                 # ladders built on the old width
            self._found_fine.clear()

    def hedge_target(self, book: MarketMakerBook) -> tuple[float, float]:
        """(perp position wanted, the part of it that hedges the calls), in tokens: the
        strategy's (mmabm.strategies)."""
        return self.strategy.hedge_target(self, book)

    @property
    def sale_left(self) -> float:
        """Tokens the initial sale will still sell (0 once it has ended)."""
        return self._sale_left

    @property
    def buying_back(self) -> bool:
        """Whether the buyback before maturity has started."""
        return self._buyback is not None

    def buy_tokens(self, tokens: float, budget: float = math.inf) -> tuple[float, float]:
        """Buy `tokens` where they are cheapest (CEX asks or the pool), spending at most about
        `budget` USDT from its wallet and spare cash: (tokens bought, USDT paid). For
        strategies; every unit stays accounted for."""
        return self._buy(tokens, budget)

    def update_skew(self, book: MarketMakerBook) -> None:
        """Lean the quotes against holdings off the strategy's aim (`Strategy.skew_aim`: the
        working inventory for the strategies that sell, the loan's tokens for those that keep
        them); with `skew_unsold_sale = "exclude"`, plus what the sale will still sell."""
        mm = self.model.config.market_maker
        aim = self.strategy.skew_aim(self, book)
        if mm.skew_unsold_sale == "exclude":
            aim += max(self._sale_left, 0.0)
        excess = book.tokens - aim
        self.skew = max(-1.0, min(1.0, excess / mm.max_skew_tokens))

    def working_inventory(self, at: float | None = None) -> float:
        """The holdings the `article` hedge leaves unhedged: the tokens the obligations need
        (the article's 700,000), rising in a straight line to the tokens owed over the buyback
        window before maturity."""
        c, model = self.model.config, self.model
        base = c.quoting_inventory_tokens + c.pool_inventory_tokens
        if self._buyback is None:
            return base
        at = model.time if at is None else at
        span = max(model.project.maturity - self._buyback_from, 1.0)
        progress = min(1.0, max(0.0, (at - self._buyback_from) / span))
        owed = (model.project.loan_units - model.project.tokens_returned_units) * units.TOKEN_UNIT
        return base + (max(owed, base) - base) * progress

    def spot(self) -> float:
        """The main CEX's mid, else its last trade, else the last recorded mid."""
        main = self.model.cexs[0]
        mid = main.mid_usd()
        if mid != mid:
            mid = main.last_price_usd()
        return mid if mid == mid else self.last_mid

    def _fund_asks(self) -> bool:
        """Compliance `rebuy` / `borrow`: the tokens its ladders' asks lack on the CEXs (what
        the last ladder posted there needs, less the tokens on the venue and in its wallet),
        bought on spot within the month's budget or borrowed from the project. Not while its initial
        sale is selling (it would sell them), while it buys back, or once it has stopped
        quoting. Whether it got any."""
        if not self.quoting or self._buyback is not None or self._sale_left > 0:
            return False
        me, lacking = self.unique_id, 0.0
        for venue, terms in zip(self.model.cexs, self.model.config.cex):
            posted = self._posted.get(venue.name)
            if posted is None:
                continue
            b = venue.balance(me)
            lacking += max(0.0, posted[0][4] * terms.lot_size - b["tokens"] - b["tokens_locked"])
        lacking -= self.model.wallets.tokens[me] * units.TOKEN_UNIT
        if lacking < self.model.config.cex[0].lot_size * 100:
            return False
        mm = self.model.config.market_maker
        if mm.compliance == "borrow":
            got = self.model.project.lend_more(lacking) * units.TOKEN_UNIT
        else:
            month = int(self.model.time // MINUTES_PER_MONTH)
            if month != self._budget_month:
                self._budget_month, self._budget_spent = month, 0.0
            budget = mm.compliance_budget_usdt - self._budget_spent
            if budget <= 0:
                return False
            got, paid = self._buy(lacking, budget)
            self._budget_spent += paid
            self.compliance_usdt += paid
        self.compliance_tokens += got
        if got:
            self._found_fine.clear()                  # look at every venue again
        return got > 0

    def _sweep_cash(self) -> None:
        """Bring what the CEX accounts do not need for their quotes (sale proceeds, tokens
        bought by filled bids) and the DEX account's free balances back to the wallet, where
        the sale, the hedge and the top-ups draw on them."""
        wallets, me = self.model.wallets, self.unique_id
        for venue, terms in zip(self.model.cexs, self.model.config.cex):
            b = venue.balance(me)
            spare = b["usdt"] - CASH_BUFFER * terms.depth_usd
            usdt = units.usdt_to_units(spare) if spare > 1.0 else 0
            tokens = round(b["tokens"] / units.TOKEN_UNIT)
            if usdt or tokens:
                defund(venue, wallets, me, usdt, tokens)
        dex = self.model.dex
        defund(dex, wallets, me, dex.usdt[me], dex.tokens[me])

    # -- delta -----------------------------------------------------------------------------------
    def book(self, spot: float, value_calls: bool = True) -> MarketMakerBook:
        """Everything the market maker holds and owes, with the calls priced at `spot`
        (`value_calls=False`: their delta only, the cheap way, and a value of 0)."""
        model, me = self.model, self.unique_id
        usdt = model.wallets.usdt[me] * units.USDT_UNIT
        tokens = model.wallets.tokens[me] * units.TOKEN_UNIT
        for venue in model.cexs:
            b = venue.balance(me)
            usdt += b["usdt"] + b["usdt_locked"]
            tokens += b["tokens"] + b["tokens_locked"]
        dex, pool = model.dex.balance(me), model.dex.position(me)
        usdt += dex["usdt"] + pool.usdt
        tokens += dex["tokens"] + pool.tokens                # the pool's token delta is its tokens
        perp = (model.perp.position(me) if me in model.perp.accounts
                else {"tokens": 0.0, "equity": 0.0})
        calls_value = calls_delta = 0.0
        if spot == spot and spot > 0:
            sigma = max(self.vol.annual_vol, 1e-6)
            for option in model.project.options:
                if value_calls:
                    value, delta = option.scalar_value_delta(spot, model.time, sigma,
                                                             MINUTES_PER_YEAR)
                    calls_value += value
                    calls_delta += delta
                else:
                    calls_delta += option.scalar_delta(spot, model.time, sigma, MINUTES_PER_YEAR)
        owed = (model.project.loan_units - model.project.tokens_returned_units) * units.TOKEN_UNIT
        return MarketMakerBook(usdt, tokens, perp["tokens"], perp["equity"], pool,
                               calls_value, calls_delta, owed)

    def delta(self, spot: float) -> tuple[float, float]:
        """(inventory view, liability view) in tokens: spot + LP + perps + option delta, and
        the same minus the tokens owed back to the project."""
        return self.book(spot).deltas()

    def quote(self, venue, terms, mid: float) -> None:
        """Replace both ladders on `venue` around `mid`, skewed against the inventory.

        The ladder is a pure function of the mid, the skew and the venue's fixed terms, and a
        market maker that cannot meet its obligations requotes the same mid minute after
        minute, so recent ladders (and their notionals) are kept per venue and reused. When the
        venue has not changed at all since this market maker posted the very same ladder there
        (its change counter says so), posting it again would cancel and re-place the same
        orders at the back of the same queues, changing nothing but their ids: it is skipped.
        """
        mm = self.model.config.market_maker
        recent = self._ladders.setdefault(venue.name, {})
        key = (mid, self.skew)
        got = recent.get(key)
        if got is None or got[0] is not terms:
            if id(terms) in self._terms_checked and 0 < mid < math.inf:   # skew: clipped
                ladder = checked_ladder(mid, terms.depth_usd, terms.band, terms.max_spread,
                                        terms.tick_size, terms.lot_size, mm.quote_levels,
                                        mm.depth_margin, self.skew, mm.lean_spreads,
                                        self.spread_use, mm.ladder_reach, mm.inner_rungs)
            else:                                 # checks every argument, names a bad one
                ladder = obligation_ladder(mid, depth_usd=terms.depth_usd, band=terms.band,
                                           max_spread=terms.max_spread,
                                           tick_size=terms.tick_size, lot_size=terms.lot_size,
                                           levels=mm.quote_levels, skew=self.skew,
                                           lean=mm.lean_spreads, margin=mm.depth_margin,
                                           spread_use=self.spread_use, reach=mm.ladder_reach,
                                           inner=mm.inner_rungs)
                self._terms_checked.add(id(terms))
            got = (terms, ladder, *ladder.totals(terms.tick_size, terms.lot_size))
            if len(recent) >= 256:
                recent.clear()
            recent[key] = got
        ladder = got[1]
        self._top_up(venue, terms, got[2], got[4])           # moving funds counts as a change
        posted = self._posted
        last = posted.get(venue.name)
        if last is None or last[0] is not got or last[1] != venue.changes:
            venue.replace_ladder(self.unique_id, BUY, ladder.bid_prices, ladder.bid_lots)
            venue.replace_ladder(self.unique_id, SELL, ladder.ask_prices, ladder.ask_lots)
            posted[venue.name] = (got, venue.changes, self.skew)
        self.quoted_mid[venue.name] = mid
        self._smallest_rungs[venue.name] = got[5:7]

    def _top_up(self, venue, terms, bid_usd: float, ask_lots: float) -> None:
        """Move USDT and tokens from the wallet so the venue account can carry a ladder with
        bids worth `bid_usd` and `ask_lots` lots of asks (from `Ladder.totals`)."""
        wallets, me = self.model.wallets, self.unique_id
        b = venue.balance(me)
        # (no conversion of a zero shortfall, the common case: it is 0 units)
        short = max(0.0, bid_usd * (1 + 2 * terms.taker_fee) - b["usdt"] - b["usdt_locked"])
        need_usdt = units.usdt_to_units(short) if short else 0
        short = max(0.0, ask_lots * terms.lot_size - b["tokens"] - b["tokens_locked"])
        need_tokens = units.tokens_to_units(short) if short else 0
        need_usdt, need_tokens = min(need_usdt, wallets.usdt[me]), min(need_tokens, wallets.tokens[me])
        if need_usdt or need_tokens:
            fund(wallets, venue, me, need_usdt, need_tokens)

    def requote(self) -> None:
        """Requote each CEX whose mid moved past the threshold, or whose ladder thinned out on
        a side that a new ladder could make deeper (thinned: the whole book below the
        obligation, or with `compliance` = requote its own quotes missing it).

        The check reads only the venue's book and the mid last quoted, so a venue found fine
        is not checked again until its change counter or that mid moves (it would be found
        fine again). A side that is thin because the market maker has run out of what it
        quotes there (tokens for asks, USDT for bids: nothing free on the venue, nothing in
        the wallet) is left as it is: posting the same ladder again would only move its
        orders to the back of their queues."""
        if not self.quoting:
            return
        threshold = self.model.config.market_maker.requote_threshold
        own, me = self.model.config.market_maker.compliance != "accept", self.unique_id
        fine, tilt = self._found_fine, self.news_tilt()
        for venue, terms in zip(self.model.cexs, self.model.config.cex):
            quoted = self.quoted_mid[venue.name]
            if fine.get(venue.name) == (venue.changes, quoted):
                continue
            mid = self._quote_mid(venue, terms, tilt)
            if mid != mid:                                   # a side was taken out
                last = venue.last_price_usd()
                mid = last if last == last else quoted
            elif (moved := abs(mid / quoted - 1)) <= threshold:
                if own:                # its own quotes, as the contract measures them
                    thin = 0 if venue.own_obligation_met(me, terms.band, terms.depth_usd,
                                                         terms.max_spread) else 3
                else:
                    thin = venue.thin_sides(terms.band, terms.depth_usd)
                if not thin and venue.spread_bps() > terms.max_spread * 1e4 * (1 + 1e-9):
                    thin = 3           # the depth is there (others'), its best quotes are not
                if not thin:
                    fine[venue.name] = (venue.changes, quoted)
                    continue
                bids_thin, asks_thin = thin & 1, thin & 2
                # every rung still sits inside the band (they are posted within 0.9 band of
                # the quoted mid), so only more funds could make a thin side deeper
                if moved <= 0.05 * terms.band and not (
                        bids_thin and self._could_add(venue, terms, BUY, mid)
                        or asks_thin and self._could_add(venue, terms, SELL, mid)):
                    continue
            self.quote(venue, terms, mid)

    def _quote_mid(self, venue, terms, tilt: float | None) -> float:
        """The mid its ladder on `venue` is centred on: the venue's mid times the news tilt,
        less its own last lean with `lean_reference = "unleaned"` (NaN: no mid)."""
        mid = venue.mid_usd() * (tilt or 1.0)
        if mid == mid and self.model.config.market_maker.lean_reference == "unleaned":
            mid /= 1.0 - self._own_lean(venue, terms)
        if self._centres and mid == mid:
            return self.strategy.quote_centre(self, venue, mid)
        return mid

    def requote_now(self, venue) -> None:
        """Requote `venue` now around its mid (`requote_after_sale`): its own sale's market
        order has just moved the mid and cancelled its bids in the way (self-trade
        prevention), and a dealer puts its quotes back at once rather than at the next
        requote that finds the mid moved past the threshold."""
        if not self.quoting:
            return
        terms = self.model.config.cex[self.model.cexs.index(venue)]
        mid = self._quote_mid(venue, terms, self.news_tilt())
        if mid == mid:
            self.quote(venue, terms, mid)

    def _own_lean(self, venue, terms) -> float:
        """The part of `venue`'s mid that is its own last lean: the shift of its posted
        ladder (skew x max_spread x lean_spreads, _quoting.build) times the share of the best
        bid and best ask that are rungs of it (1/2 each; a rung's price at the top is taken to
        be its own)."""
        posted = self._posted.get(venue.name)
        if posted is None:
            return 0.0
        ladder, skew = posted[0][1], posted[2]
        if not skew:
            return 0.0
        share = 0.5 * (bool(venue.best_bid() in ladder.bid_prices)
                       + bool(venue.best_ask() in ladder.ask_prices))
        return share * skew * terms.max_spread * self.model.config.market_maker.lean_spreads

    def news_tilt(self) -> float | None:
        """With `market_maker.news_weight`: its fair price over the main mid (every venue's
        quotes move by it), the news taken in first; None without. The tilt changes only by
        more than the requote threshold, and then every venue is looked at again: between
        news, a venue found fine stays fine."""
        terms = self.model.config.market_maker
        if not terms.news_weight:
            return None
        main = self.model.cexs[0].mid_usd()
        fair = self.fair.update(main)
        if fair == fair and abs(fair / main / self._tilt - 1.0) > terms.requote_threshold:
            self._tilt = fair / main
            self._found_fine.clear()
        return self._tilt

    def _could_add(self, venue, terms, side: int, mid: float) -> bool:
        """Whether a new ladder could post another rung on `side` of `venue` (the venue takes
        whole rungs): free funds there for the smallest rung posted, or any in the wallet to
        top the account up with."""
        me, wallets, b = self.unique_id, self.model.wallets, venue.balance(self.unique_id)
        min_bid, min_ask = self._smallest_rungs[venue.name]
        if side == BUY:
            return (b["usdt"] >= min_bid * terms.lot_size * mid * (1 + 2 * terms.taker_fee)
                    or wallets.usdt[me] > 0)
        return b["tokens"] >= min_ask * terms.lot_size or wallets.tokens[me] > 0
