"""The project team: lends the tokens and writes the calls at t=0, holds the treasury, and at
maturity takes the loan back (tokens, or strike cash for the tranches the market maker
exercised).

Insiders' tokens vest after a cliff in equal monthly unlocks (`project.unlock_*`), each landing
up to `unlock_jitter_days` late (drawn from the run's "unlocks" stream, so it is the same for
every strategy); `unlock_sell_share` of each is sold on the main CEX in equal hourly slices over
`unlock_sell_days`. The optional buyback spends up to `buyback_usdt_per_day` of the treasury,
hourly, while the price is below `buyback_below`. The team's treasury is its wallet; it trades
through an account on the main CEX.
"""
from __future__ import annotations

import math

import mesa
from mesa.time import Schedule

from mmabm._core import BUY, SELL
from mmabm.venues import CallOption, defund, fund, units

MINUTES_PER_MONTH = 30 * 24 * 60


class ProjectTeam(mesa.Agent):
    """Mints the supply into its treasury; its wallet is the model's token source."""

    def __init__(self, model: mesa.Model) -> None:
        super().__init__(model)
        model.wallets.mint(self.unique_id, tokens=model.config.token.total_supply)
        self.options: list[CallOption] = []
        self.loan_units = 0
        self.tokens_returned_units = 0
        self.usdt_received_units = 0
        self.maturity = model.config.contract.months * MINUTES_PER_MONTH
        p = model.config.project
        model.wallets.mint(self.unique_id, usdt=p.treasury_usdt)
        self.unlocked_tokens = self.sold_tokens = self.sale_usdt = 0.0
        self.bought_tokens = self.buyback_usdt = 0.0
        self._selling: list[list[float]] = []      # [tokens per hour, hours left] per unlock
        self.unlock_times: list[float] = []
        self._schedule_unlocks(model)
        if p.buyback_below > 0 and p.buyback_usdt_per_day > 0:
            model.schedule_recurring(self.buy_back, Schedule(interval=60, start=60))

    def _schedule_unlocks(self, model: mesa.Model) -> None:
        p = model.config.project
        n = math.ceil(p.unlock_months)
        if p.unlock_tokens <= 0:
            return
        late = model.streams["unlocks"].uniform(0.0, p.unlock_jitter_days * 1440, n)
        self._tranche = p.unlock_tokens / n
        self.unlock_times = [(p.unlock_cliff_months + k) * MINUTES_PER_MONTH + float(late[k])
                             for k in range(n)]
        for at in self.unlock_times:
            if at < model.end_minute:
                model.schedule_event(self.unlock, at=at)
        if p.unlock_sell_share > 0:
            model.schedule_recurring(self.sell_unlocked, Schedule(interval=60, start=60))

    def unlock(self) -> None:
        """A monthly tranche vests; its sold share joins the hourly sale."""
        p = self.model.config.project
        self.unlocked_tokens += self._tranche
        hours = max(1, round(p.unlock_sell_days * 24))
        self._selling.append([self._tranche * p.unlock_sell_share / hours, hours])

    def sell_unlocked(self) -> None:
        """Hourly: sell this hour's slice of every unlock still being sold."""
        tokens = sum(rate for rate, _ in self._selling)
        for program in self._selling:
            program[1] -= 1
        self._selling = [x for x in self._selling if x[1] > 0]
        if tokens > 0:
            self._trade(SELL, tokens)

    def buy_back(self) -> None:
        """Hourly: while the price is below the threshold, spend a day's budget / 24."""
        p, main = self.model.config.project, self.model.cexs[0]
        mid = main.mid_usd()
        if mid == mid and mid < p.buyback_below:
            self._trade(BUY, p.buyback_usdt_per_day / 24 / mid)

    def _trade(self, side: int, tokens: float) -> None:
        """A market order of `tokens` on the main CEX, paid from and returned to the treasury."""
        venue, wallets, me = self.model.cexs[0], self.model.wallets, self.unique_id
        mid = venue.mid_usd()
        lots = int(tokens / venue.lot_size)
        if lots < 1 or mid != mid:
            return
        if side == SELL:
            amount = min(wallets.tokens[me], lots * venue.lot_units)
            lots = amount // venue.lot_units
            fund(wallets, venue, me, 0, amount)
        else:
            fund(wallets, venue, me, min(wallets.usdt[me],
                                         units.usdt_to_units(tokens * mid * 1.2)), 0)
        if lots >= 1:
            before = venue.balance(me)
            venue.market(me, side, lots)
            after = venue.balance(me)
            moved, paid = after["tokens"] - before["tokens"], after["usdt"] - before["usdt"]
            if side == SELL:
                self.sold_tokens -= moved
                self.sale_usdt += paid
            else:
                self.bought_tokens += moved
                self.buyback_usdt -= paid
        b = venue.balance(me)
        defund(venue, wallets, me, round(b["usdt"] / units.USDT_UNIT),
               round(b["tokens"] / units.TOKEN_UNIT))

    def open_deal(self, market_maker: mesa.Agent) -> None:
        """Lend the loan tokens and write the calls to `market_maker`; schedule maturity."""
        terms = self.model.config.contract
        self.loan_units = units.tokens_to_units(terms.loan_tokens)
        self.model.wallets.transfer(self.unique_id, market_maker.unique_id, token_units=self.loan_units)
        self.options = [CallOption(writer=self.unique_id, holder=market_maker.unique_id,
                                   strike=strike, quantity_tokens=qty, expiry=self.maturity,
                                   american=terms.american)
                        for strike, qty in zip(terms.strikes, terms.option_tokens)]
        self.model.schedule_event(self.mature, at=self.maturity)

    def mature(self) -> None:
        """The contract ends: the market maker exercises what pays and returns the loan."""
        wallets, usdt_before = self.model.wallets, self.model.wallets.usdt[self.unique_id]
        returned = self.model.market_maker.settle_contract(self)
        self.tokens_returned_units += returned
        self.usdt_received_units += wallets.usdt[self.unique_id] - usdt_before
