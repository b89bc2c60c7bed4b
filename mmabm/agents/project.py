"""The project team: lends the tokens and writes the calls at t=0, holds the treasury, and at
maturity takes the loan back (tokens, or strike cash for the tranches the market maker
exercised). Vesting unlocks and buybacks arrive with the retail market."""
from __future__ import annotations

import mesa

from mmabm.venues import CallOption, units

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
