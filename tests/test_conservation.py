"""Money and tokens are conserved across wallets, a CEX and the DEX, whatever agents do."""
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from budget import examples

from mmabm import BUY, SELL
from mmabm.venues import (AmmVenue, CallOption, ConservationError, InsufficientFunds, PerpExchange,
                          SpotExchange, Wallets, audit_model, check_conservation, defund, fund)

M = 10**6
OWNERS = st.integers(0, 3)


def small_model():
    wallets, cex, dex = Wallets(), SpotExchange("cex", tick_size=0.001, lot_size=1.0), AmmVenue()
    for owner in range(4):
        wallets.mint(owner, usdt=10_000.0, tokens=10_000.0)
        fund(wallets, cex, owner)                    # open (empty) accounts
        fund(wallets, dex, owner)
    fund(wallets, dex, 0, 5_000 * M, 5_000 * M)
    dex.add_liquidity(0, 5_000 * M, 5_000 * M)
    return wallets, cex, dex


def test_fund_and_defund_move_units_between_wallet_and_venue():
    wallets, cex, dex = small_model()
    fund(wallets, cex, 1, 2_000 * M, 0)
    assert wallets.usdt[1] == 8_000 * M and cex.balance(1)["usdt"] == 2_000
    defund(cex, wallets, 1, 500 * M, 0)
    assert wallets.usdt[1] == 8_500 * M and audit_model(wallets, [cex, dex]) == []


def test_funding_beyond_the_wallet_is_refused_whole():
    wallets, cex, dex = small_model()
    with pytest.raises(InsufficientFunds):
        fund(wallets, cex, 1, 20_000 * M, 0)
    assert wallets.usdt[1] == 10_000 * M and cex.holdings_units() == (0, 0)


def test_unknown_agent_and_unknown_venue_are_named():
    wallets, cex, dex = small_model()
    with pytest.raises(ValueError, match="owner 9 has no account at 'cex'"):
        cex.limit(9, BUY, 1_000, 1)
    with pytest.raises(ValueError, match="owner 9 has no account at 'dex'"):
        dex.swap_exact_in(9, BUY, 5)
    with pytest.raises(TypeError, match="venue must be a venue"):
        fund(wallets, "binance", 1, 5)
    assert wallets.usdt[1] == 10_000 * M


def test_the_whole_model_pickles_and_still_balances():
    import pickle

    wallets, cex, dex = small_model()
    perp = PerpExchange("perp", tick_size=0.001)
    fund(wallets, cex, 1, 1_000 * M, 1_000 * M)
    fund(wallets, perp, 2, 1_000 * M)
    cex.limit(1, SELL, 1_010, 100)
    dex.swap_exact_in(0, BUY, 10 * M)
    perp.limit(2, BUY, 990, 50)
    copy = pickle.loads(pickle.dumps((wallets, cex, dex, perp)))
    assert audit_model(copy[0], copy[1:]) == []
    assert copy[2].position(0) == dex.position(0) and copy[3].position(2) == perp.position(2)


def test_a_leak_is_reported():
    wallets, cex, dex = small_model()
    fund(wallets, cex, 1, 100 * M, 0)
    cex.deposit(1, usdt=1.0)               # money from nowhere: not through a wallet
    with pytest.raises(ConservationError, match="venues hold"):
        check_conservation(wallets, [cex, dex])


class ModelBooks(RuleBasedStateMachine):
    """Wallets, a CEX, the DEX and a perp market under random operations of every kind —
    orders, cancels, swaps, liquidity, perp trades, funding, liquidations, option exercises,
    moves between wallets and venues: the whole model's books balance after each one."""

    def __init__(self):
        super().__init__()
        self.wallets, self.cex, self.dex = small_model()
        self.perp = PerpExchange("perp", tick_size=0.001, lot_size=1.0)
        for owner in range(4):
            fund(self.wallets, self.perp, owner)
        self.venues = [self.cex, self.dex, self.perp]
        self.options = [CallOption(writer=0, holder=h, strike=k, quantity_tokens=100.0, expiry=0.0)
                        for h, k in ((1, 0.8), (2, 1.0), (3, 1.25))]

    @rule(owner=OWNERS, usdt=st.integers(0, 3_000 * M), tokens=st.integers(0, 3_000 * M),
          to_cex=st.booleans())
    def fund(self, owner, usdt, tokens, to_cex):
        try:
            fund(self.wallets, self.cex if to_cex else self.dex, owner, usdt, tokens)
        except InsufficientFunds:
            pass

    @rule(owner=OWNERS, usdt=st.integers(0, 3_000 * M), tokens=st.integers(0, 3_000 * M),
          from_cex=st.booleans())
    def defund(self, owner, usdt, tokens, from_cex):
        try:
            defund(self.cex if from_cex else self.dex, self.wallets, owner, usdt, tokens)
        except ValueError:
            pass

    @rule(owner=OWNERS, side=st.sampled_from([BUY, SELL]), price=st.integers(900, 1100),
          qty=st.integers(1, 500))
    def cex_limit(self, owner, side, price, qty):
        self.cex.limit(owner, side, price, qty)

    @rule(owner=OWNERS, side=st.sampled_from([BUY, SELL]), qty=st.integers(1, 500))
    def cex_market(self, owner, side, qty):
        self.cex.market(owner, side, qty)

    @rule(owner=OWNERS, side=st.sampled_from([BUY, SELL]), amount=st.integers(1, 500 * M))
    def dex_swap(self, owner, side, amount):
        if self.dex.pool.total_shares > 0:        # the last provider may have emptied it
            self.dex.swap_exact_in(owner, side, amount)

    @rule(owner=OWNERS, tokens=st.integers(1, 1_000 * M), usdt=st.integers(1, 1_000 * M))
    def dex_add(self, owner, tokens, usdt):
        try:
            self.dex.add_liquidity(owner, tokens, usdt)
        except ValueError:
            pass

    @rule(owner=OWNERS, fraction=st.floats(0.01, 1.0))
    def dex_remove(self, owner, fraction):
        if self.dex.shares[owner] > 0:
            self.dex.remove_liquidity(owner, self.dex.shares[owner] * fraction)

    @rule(owner=OWNERS, usdt=st.integers(0, 2_000 * M), back=st.booleans())
    def move_perp_collateral(self, owner, usdt, back):
        try:
            if back:
                defund(self.perp, self.wallets, owner, usdt, 0)
            else:
                fund(self.wallets, self.perp, owner, usdt, 0)
        except ValueError:
            pass

    @rule(owner=OWNERS, side=st.sampled_from([BUY, SELL]), price=st.integers(800, 1200),
          qty=st.integers(1, 2_000), market=st.booleans())
    def perp_order(self, owner, side, price, qty, market):
        if market:
            self.perp.market(owner, side, qty)
        else:
            self.perp.limit(owner, side, price, qty)

    @rule(index=st.floats(0.5, 1.5))
    def perp_mark_fund_liquidate(self, index):
        self.perp.update_marks(index)
        self.perp.settle_funding()
        self.perp.check_liquidations()

    @rule(which=st.integers(0, 2))
    def exercise(self, which):
        option = self.options[which]
        before = (dict(self.wallets.usdt), dict(self.wallets.tokens))
        try:
            option.exercise(self.wallets, t_now=1.0)
        except InsufficientFunds:
            assert (dict(self.wallets.usdt), dict(self.wallets.tokens)) == before
        except ValueError:
            assert option.exercised          # only a second exercise may be refused otherwise

    @invariant()
    def books_balance(self):
        assert audit_model(self.wallets, self.venues) == []


ModelBooks.TestCase.settings = settings(max_examples=examples(60), stateful_step_count=40, deadline=None,
                                        suppress_health_check=[HealthCheck.too_slow])
test_model_books_balance_after_every_operation = ModelBooks.TestCase
