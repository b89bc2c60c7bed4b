"""The project team: lends the tokens and writes the calls at t=0, holds the treasury, and at
maturity takes the loan back (tokens, or strike cash for the tranches the market maker
exercised).

Insiders' tokens vest after a cliff in equal monthly unlocks (`project.unlock_*`), each landing
up to `unlock_jitter_days` late (drawn from the run's "unlocks" stream, so it is the same for
every strategy). Each unlock leaves the treasury for its recipients (agents/insiders.py), who
sell their share of it into the market. The optional buyback spends up to
`buyback_usdt_per_day` of the treasury, hourly, while the price is below `buyback_below`. The
team's treasury is its wallet; it trades through an account on the main CEX.
"""
from __future__ import annotations

import math

import mesa
from mesa.time import Schedule

from mmabm._core import BUY, SELL
from mmabm.tape import MINUTES_PER_MONTH
from mmabm.venues import CallOption, defund, fund, units



class ProjectTeam(mesa.Agent):
    """Mints the supply into its treasury; its wallet is the model's token source."""

    def __init__(self, model: mesa.Model) -> None:
        super().__init__(model)
        model.wallets.mint(self.unique_id, tokens=model.config.token.total_supply)
        self.options: list[CallOption] = []
        self.forfeited: list[CallOption] = []     # calls the maker lost for missed obligations
        self.extra_lent_units = 0                 # lent beyond the loan, on the maker's request
        self.mandate_ended_at = math.nan          # minute the mandate ended early (NaN: it ran)
        self._maturity_event = None
        self.loan_units = 0
        self.tokens_returned_units = 0
        self.usdt_received_units = 0
        self.maturity = model.config.contract.months * MINUTES_PER_MONTH
        p = model.config.project
        model.wallets.mint(self.unique_id, usdt=p.treasury_usdt)
        self.unlocked_tokens = 0.0
        self.bought_tokens = self.buyback_usdt = 0.0
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

    def unlock(self) -> None:
        """A monthly tranche vests and goes to its recipients."""
        self.unlocked_tokens += self._tranche
        self.model.insiders.receive(self.unique_id, self._tranche)

    def buy_back(self) -> None:
        """Hourly: while the price is below the threshold, spend a day's budget / 24."""
        p, main = self.model.config.project, self.model.cexs[0]
        mid = main.mid_usd()
        if mid == mid and mid < p.buyback_below:
            moved, paid = market_trade(self.model, self.unique_id, BUY,
                                       p.buyback_usdt_per_day / 24 / mid)
            self.bought_tokens += moved
            self.buyback_usdt -= paid

    def open_deal(self, market_maker: mesa.Agent) -> None:
        """Lend the loan tokens and write the calls to `market_maker`; schedule maturity."""
        terms = self.model.config.contract
        self.loan_units = units.tokens_to_units(terms.loan_tokens)
        self.model.wallets.transfer(self.unique_id, market_maker.unique_id, token_units=self.loan_units)
        self.options = [CallOption(writer=self.unique_id, holder=market_maker.unique_id,
                                   strike=strike, quantity_tokens=qty, expiry=self.maturity,
                                   american=terms.american)
                        for strike, qty in zip(terms.strikes, terms.option_tokens)]
        self._maturity_event = self.model.schedule_event(self.mature, at=self.maturity)

    def lend_more(self, tokens: float) -> int:
        """Lend the maker up to `tokens` more from the treasury, within
        `contract.extra_loan_tokens` over the contract; owed back at maturity with the loan.
        Returns the token units lent."""
        cap = units.tokens_to_units(self.model.config.contract.extra_loan_tokens)
        want = min(units.tokens_to_units(max(tokens, 0.0)), cap - self.extra_lent_units,
                   self.model.wallets.tokens[self.unique_id])
        if want <= 0:
            return 0
        self.model.wallets.transfer(self.unique_id, self.model.market_maker.unique_id,
                                    token_units=want)
        self.loan_units += want
        self.extra_lent_units += want
        return want

    def forfeit_calls(self, tranches: int) -> None:
        """Take back up to `tranches` unexercised calls, the highest strike first (the
        cheapest to lose first)."""
        open_ = sorted((o for o in self.options if not o.exercised), key=lambda o: -o.strike)
        for option in open_[:tranches]:
            self.options.remove(option)
            self.forfeited.append(option)

    def end_mandate(self) -> None:
        """The maker missed too many windows: the project ends the mandate now. Its calls are
        forfeited and the contract settles at once, as at maturity."""
        if self.model.market_maker.quoting and self.model.time < self.maturity:
            self.forfeit_calls(len(self.options))
            self.mandate_ended_at = self.maturity = self.model.time
            if self._maturity_event is not None:
                self._maturity_event.cancel()
            self.mature()

    def mature(self) -> None:
        """The contract ends: the market maker exercises what pays and returns the loan."""
        wallets, usdt_before = self.model.wallets, self.model.wallets.usdt[self.unique_id]
        returned = self.model.market_maker.settle_contract(self)
        self.tokens_returned_units += returned
        self.usdt_received_units += wallets.usdt[self.unique_id] - usdt_before


def market_trade(model, owner: int, side: int, tokens: float) -> tuple[float, float]:
    """A market order of `tokens` on the main CEX paid from `owner`'s wallet, and what is left
    brought back to it: (tokens received, USDT received), negative when paid."""
    venue, wallets = model.cexs[0], model.wallets
    mid = venue.mid_usd()
    lots = int(tokens / venue.lot_size)
    if lots < 1 or mid != mid:
        return 0.0, 0.0
    if side == SELL:
        amount = min(wallets.tokens[owner], lots * venue.lot_units)
        lots = amount // venue.lot_units
        fund(wallets, venue, owner, 0, amount)
    else:
        fund(wallets, venue, owner, min(wallets.usdt[owner],
                                        units.usdt_to_units(tokens * mid * 1.2)), 0)
    moved = paid = 0.0
    if lots >= 1:
        before = venue.balance(owner)
        venue.market(owner, side, lots)
        after = venue.balance(owner)
        moved, paid = after["tokens"] - before["tokens"], after["usdt"] - before["usdt"]
    b = venue.balance(owner)
    defund(venue, wallets, owner, round(b["usdt"] / units.USDT_UNIT),
           round(b["tokens"] / units.TOKEN_UNIT))
    return moved, paid
