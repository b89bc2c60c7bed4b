"""The market maker's initial sale: when, how fast and where it sells.

The size is the article's arithmetic (`Config.initial_sale_tokens`, or `sale_fraction` of the
loan); the execution is `sale_execution`, by default the strategy's: `article` sells
immediately (equal slices every minute over `sale_horizon_hours`, each part to the venue paying
most), `twap_sale` in equal hourly slices over `twap_days`, `pov` each hour `pov_rate` of the
spot volume others traded since its last look; `hold` and `liability_neutral` do not sell. It
starts `sale_start_hours` after listing, and never sells below the working inventory. A mixin of
`MarketMaker` (it uses the market maker's book, cash sweep and working inventory).
"""
from __future__ import annotations

from mesa.time import Schedule

from mmabm.venues import fund, units

SLICES = 4       # each sale slice is split this many ways, each part to the best venue


class Sale:
    """The initial sale (see the module docstring)."""

    def _start_sale(self) -> None:
        """Schedule the initial sale: `sale_execution`, or the strategy's when it is "auto"
        (article: immediate; twap_sale: twap; hold and liability_neutral: none)."""
        c, mm = self.model.config, self.model.config.market_maker
        execution = (mm.sale_execution if mm.sale_execution != "auto"
                     else self.strategy.sale_execution)
        if execution == "none" or c.initial_sale_tokens <= 0:
            return
        self.planned_sale = self._sale_left = c.initial_sale_tokens
        self._execution = execution
        if mm.sale_start_hours > 0:
            # a one-shot generator, so that stopping the sale before it starts works as after
            self._sale = self.model.schedule_recurring(self._begin_sale, Schedule(
                interval=1, start=self.model.time + mm.sale_start_hours * 60, count=1))
        else:
            self._begin_sale()

    def _begin_sale(self) -> None:
        """Start selling: hourly (POV), or in equal slices (immediate: every step over
        `sale_horizon_hours`; TWAP: hourly over `twap_days`)."""
        mm = self.model.config.market_maker
        if self._execution == "pov":
            self._sale = self.model.schedule_recurring(self.sell_pov, Schedule(interval=60))
            return
        immediate = self._execution == "immediate"
        minutes = mm.sale_horizon_hours * 60 if immediate else mm.twap_days * 1440
        every = 1 if immediate else 60
        self._slices_left = max(1, int(minutes // every))
        self._sale = self.model.every_step(self.sell_slice, every, start_now=True)

    def sell_pov(self) -> None:
        """Hourly: sell `pov_rate` of the spot volume others traded since the last look."""
        seen = self.model.tape.spot_volume_usd(exclude="market_maker")
        others_usd, self._pov_seen = seen - self._pov_seen, seen
        mid = self.model.cexs[0].mid_usd()
        if mid != mid:
            return
        tokens = min(self._sale_left, self.model.config.market_maker.pov_rate * others_usd / mid)
        self._sell(tokens)
        if self._sale_left <= 0:
            self._sale.stop()

    def sell_slice(self) -> None:
        """Sell the next equal slice of what is left (immediate or TWAP)."""
        self._sell(self._sale_left / self._slices_left)
        self._slices_left -= 1
        if self._slices_left <= 0 or self._sale_left <= 0:
            self._sale.stop()
            self._sale_left = 0.0           # what could not be sold is hedged from now on

    def _sell(self, tokens: float) -> None:
        """Sell `tokens` in parts, each part where it pays most — never below the working
        inventory (when the quotes' asks have already sold tokens, the sale shrinks)."""
        self._sweep_cash()
        excess = self.book(self.spot(), value_calls=False).tokens - self.working_inventory()
        if excess < tokens:
            self._sale_left -= tokens - max(excess, 0.0)
            tokens = max(excess, 0.0)
        if tokens <= 0:
            return
        for sold in self._sell_in_parts(tokens):
            self.sold_tokens += sold
            self._sale_left -= sold

    def sell_tokens(self, tokens: float) -> float:
        """Sell up to `tokens` from its wallet now, beyond the initial sale's schedule, in
        parts each where it pays most (for strategies and the RL environment; counted with
        the sale's tokens and proceeds). The tokens sold."""
        self._sweep_cash()
        sold = 0.0
        for part in self._sell_in_parts(tokens):
            sold += part
        self.sold_tokens += sold
        return sold

    def _sell_in_parts(self, tokens: float):
        """Sell `tokens` in SLICES equal parts, each where it pays most at that moment;
        yields the tokens each part sold (until no venue would buy)."""
        for _ in range(SLICES):
            venue, _ = self._best_buyer(tokens / SLICES)
            if venue is None:
                return
            yield self._sell_on(venue, tokens / SLICES)

    def _best_buyer(self, tokens: float):
        """The venue that pays most for `tokens` now (each venue's `sell_quote`: a CEX's best
        bid that is not its own, the pool's quote)."""
        best, best_price = None, 0.0
        amount = units.tokens_to_units(tokens)
        for venue in (*self.model.cexs, self.model.dex):
            price = venue.sell_quote(self.unique_id, amount)
            if price > best_price:
                best, best_price = venue, price
        return best, best_price

    def _sell_on(self, venue, tokens: float) -> float:
        """Move `tokens` from the wallet to `venue` and sell them there; tokens sold."""
        wallets, me = self.model.wallets, self.unique_id
        amount = min(units.tokens_to_units(tokens), wallets.tokens[me])
        amount -= amount % venue.lot_units
        if amount <= 0:
            return 0.0
        fund(wallets, venue, me, 0, amount)
        sold, usdt = venue.sell_tokens(me, amount)
        self.sale_usdt += usdt
        if self.model.config.market_maker.requote_after_sale and venue in self.model.cexs:
            self.requote_now(venue)             # the mid moved, its bids in the way are gone
        return sold

