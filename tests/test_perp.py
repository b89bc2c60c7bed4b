"""PerpExchange: margin, realised PnL, funding (a hand example per sign), liquidation (a hand
example), Mesa scheduling, and exact books under random trading."""
import math

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from mmabm.venues import Rejection
from mmabm.venues.perp import PerpExchange
from budget import examples

M = 10**6


def perp(**kwargs):
    v = PerpExchange(**({"tick_size": 0.0001, "lot_size": 1.0, "maker_fee": 0.0, "taker_fee": 0.0,
                         "initial_margin": 0.1, "maintenance_margin": 0.05} | kwargs))
    for owner, usdt in ((1, 1_000), (2, 1_000), (3, 100_000)):
        v.deposit_units(owner, usdt * M)
    return v


def open_pair(v, lots=5_000, price=10_000):
    """Owner 1 long, owner 2 short, `lots` at `price` ticks."""
    v.limit(1, 1, price, lots)
    v.limit(2, -1, price, lots)


def test_opening_moves_initial_margin_into_the_position():
    v = perp()
    open_pair(v)
    pos = v.position(1)
    assert pos["tokens"] == 5_000 and pos["entry_price"] == pytest.approx(1.0)
    assert pos["margin"] == pytest.approx(500) and pos["collateral"] == pytest.approx(500)
    assert v.position(2)["tokens"] == -5_000 and v.audit() == []


def test_closing_realises_pnl_into_collateral():
    v = perp()
    open_pair(v)
    v.limit(3, 1, 11_000, 5_000)          # owner 3 bids $1.10
    v.market(1, -1, 5_000)                # owner 1 sells its long there
    pos = v.position(1)
    assert pos["tokens"] == 0 and pos["margin"] == 0 and pos["realised"] == pytest.approx(500)
    assert pos["collateral"] == pytest.approx(1_000 + 500)      # +$0.10 on 5,000 tokens
    assert v.audit() == []


def test_order_beyond_margin_is_refused_and_changes_nothing():
    v = perp()
    before = (v.accounts[1].collateral, v.book.n_orders)
    assert v.limit(1, 1, 10_000, 10_001) == Rejection.INSUFFICIENT_FUNDS   # > 10x leverage
    assert (v.accounts[1].collateral, v.book.n_orders) == before


def test_funding_longs_pay_shorts_when_the_perp_trades_above_the_index():
    v = perp(interest_rate=0.0001, funding_cap=0.0075)
    open_pair(v)
    v.limit(3, 1, 10_100, 1)              # perp mid (1.01 + 1.0100...) -> book above index
    v.limit(3, -1, 10_120, 1)
    v.update_marks(1.0)                   # premium sample = (1.0110 - 1.0) / 1.0 = 0.011
    rate = v.settle_funding()
    assert rate == pytest.approx(0.0075)  # 0.011 + clamp(0.0001 - 0.011) = 0.0105 -> capped
    mark = v.mark_price                   # 1.0 * (1 + 0.1 * 0.011)
    assert mark == pytest.approx(1.0011)
    paid = math.ceil(5_000 * mark * 0.0075 * M)
    assert v.accounts[1].collateral == 500 * M - paid
    assert v.accounts[2].collateral == 500 * M + math.floor(5_000 * mark * 0.0075 * M)
    assert (v.accounts[1].funding, v.accounts[2].funding) == (
        -paid, math.floor(5_000 * mark * 0.0075 * M))          # each account's running total
    assert v.position(1)["funding"] == pytest.approx(-paid / M)
    assert v.audit() == []


def test_volume_counts_each_fill_once_and_take_volume_resets():
    v = perp()
    open_pair(v)                                   # 5,000 lots traded at $1.00
    assert v.volume_units == 5_000 * M
    assert v.take_volume_units() == 5_000 * 10**6 and v.take_volume_units() == 0


def test_funding_shorts_pay_longs_when_the_perp_trades_below_the_index():
    v = perp(interest_rate=0.0001)
    open_pair(v)
    v.limit(3, 1, 9_990, 1)
    v.limit(3, -1, 9_994, 1)
    v.update_marks(1.0)                   # premium = (0.9992 - 1) = -0.0008
    rate = v.settle_funding()
    assert rate == pytest.approx(-0.0008 + 0.0005)        # I - P = 0.0009, clamped to 0.05%
    amount = 5_000 * v.mark_price * 0.0003 * M
    assert v.accounts[2].collateral == 500 * M - math.ceil(amount)
    assert v.accounts[1].collateral == 500 * M + math.floor(amount)
    assert v.audit() == []


def test_liquidation_closes_the_position_and_the_fund_pays_the_deficit():
    v = perp()
    open_pair(v)                          # owner 1: long 5,000 at $1.00 with $1,000
    v.limit(3, 1, 7_800, 10_000)          # the only bid left: $0.78
    v.mark_price = 0.80                   # equity 1,000 - 1,000 = 0 < 5% x 4,000
    (liq,) = v.check_liquidations()
    assert liq.owner == 1 and liq.lots_closed == 5_000
    # closed at $0.78: loss $1,100 on $1,000 of collateral and margin -> the fund pays $100
    assert liq.deficit_units == 100 * M and v.insurance == -100 * M
    assert v.accounts[1].collateral == 0 and v.accounts[1].margin == 0
    assert v.position(1)["tokens"] == 0 and v.audit() == []


def test_deleveraging_closes_a_short_at_the_mark_against_the_most_profitable_longs_first():
    """No asks to buy back into: owner 2's short is closed at the mark against the longs,
    the one with the most profit per unit of equity first, no fee; the books still balance."""
    v = perp()
    v.deposit_units(4, 1_000 * M)
    v.limit(1, 1, 10_000, 3_000)          # owner 1 long 3,000 at $1.00 ($1,000 of equity)
    v.limit(2, -1, 10_000, 3_000)
    v.limit(4, 1, 8_000, 2_000)           # owner 4 long 2,000 at $0.80: more profit at $1.10
    v.limit(2, -1, 8_000, 2_000)
    assert v.book.n_levels(-1) == 0 and v.accounts[2].position == -5_000
    v.mark_price = 1.10
    before = {o: v.equity_units(v.accounts[o]) for o in (1, 2, 4)}
    assert v.deleverage(2, minute=42.0) == 5_000
    assert [(d.counterparty, d.lots, d.price, d.minute) for d in v.deleveraged] == [
        (4, 2_000, 1.10, 42.0), (1, 3_000, 1.10, 42.0)]
    assert all(v.accounts[o].position == 0 for o in (1, 2, 4))
    # at the mark, with no fee, every account keeps its equity at the mark
    for owner in (1, 2, 4):
        assert v.equity_units(v.accounts[owner]) == pytest.approx(before[owner], abs=1)
    assert v.audit() == [] and v.deleverage(2) == 0


def test_deleveraging_needs_a_mark():
    v = perp()
    open_pair(v)
    with pytest.raises(ValueError, match="without a mark price"):
        v.deleverage(2)
    assert v.accounts[2].position == -5_000 and v.audit() == []


def test_healthy_account_is_not_liquidated():
    v = perp()
    open_pair(v)
    v.mark_price = 0.85                   # equity 250 >= 5% x 4,250
    assert v.check_liquidations() == [] and v.position(1)["tokens"] == 5_000


def test_isolated_margin_spares_the_free_collateral():
    v = perp()
    v.deposit_units(1, 4_000 * M)          # owner 1 has 5,000 in all, 500 as margin
    v.set_isolated(1, True)
    open_pair(v)
    v.limit(3, 1, 8_800, 10_000)
    v.mark_price = 0.90                   # isolated equity 500 - 500 = 0 -> liquidated
    assert [liq.owner for liq in v.check_liquidations()] == [1]
    assert v.accounts[1].collateral == 4_500 * M - 100 * M   # lost 600, margin 500 + 100 free
    assert v.audit() == []


def test_index_is_the_mean_mid_of_the_spot_venues():
    from mmabm.venues import SpotExchange

    spots = [SpotExchange(f"s{i}") for i in range(3)]
    for spot, (bid, ask) in zip(spots, [(9_990, 10_010), (10_090, 10_110)]):
        spot.deposit(1, usdt=1e4, tokens=1e4)
        spot.limit(1, 1, bid, 1)
        spot.limit(1, -1, ask, 1)
    v = perp()
    assert v.update_marks_from(spots) == pytest.approx(1.005)   # the third venue has no mid
    with pytest.raises(ValueError, match="index_price"):
        v.update_marks_from(spots[2:])


def test_the_model_settles_funding_every_eight_hours():
    from mmabm.config import Config
    from mmabm.model import MarketModel
    model = MarketModel(Config().override({"run.months": 1 / 30, "retail.n_traders": 50}),
                        seed=0)
    model.run_model()
    assert model.perp.n_fundings == 3                    # at 8, 16 and 24 hours


@pytest.mark.parametrize("kwargs, match", [
    (dict(initial_margin=0.0), "initial_margin"), (dict(maintenance_margin=0.5), "maintenance_margin"),
    (dict(funding_cap=-1.0), "funding_cap"), (dict(taker_fee=float("nan")), "taker_fee"),
    (dict(tick_size=0.0), "tick_size"),
])
def test_bad_terms_are_named(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        perp(**kwargs)


@pytest.mark.parametrize("call, match", [
    (lambda v: v.limit(1, 0, 10_000, 1), "side"), (lambda v: v.limit(1, 1, 0, 1), "price_ticks"),
    (lambda v: v.limit(1, 1, 10_000, -1), "qty_lots"), (lambda v: v.limit(-1, 1, 10_000, 1), "owner"),
    (lambda v: v.deposit_units(1, token_units=5), "token_units"),
    (lambda v: v.withdraw_units(1, 10**12), "usdt_units"),
    (lambda v: v.update_marks(float("nan")), "index_price"),
    (lambda v: v.limit(9, 1, 10_000, 1), "owner 9 has no account at 'perp'"),
    (lambda v: v.position(9), "owner 9 has no account"),
])
def test_bad_input_is_named(call, match):
    v = perp()
    with pytest.raises(ValueError, match=match):
        call(v)
    assert v.audit() == []


class PerpBooks(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.v = perp(maker_fee=-0.0001, taker_fee=0.0005)
        self.v.deposit_units(0, 2_000 * M)
        self.ids = []

    @rule(owner=st.integers(0, 3), side=st.sampled_from([1, -1]), price=st.integers(8_000, 12_000),
          qty=st.integers(1, 3_000))
    def limit(self, owner, side, price, qty):
        oid = self.v.limit(owner, side, price, qty)
        if oid > 0:
            self.ids.append((owner, oid))

    @rule(owner=st.integers(0, 3), side=st.sampled_from([1, -1]), qty=st.integers(1, 3_000))
    def market(self, owner, side, qty):
        self.v.market(owner, side, qty)

    @rule(data=st.data())
    def cancel(self, data):
        if self.ids:
            self.v.cancel(*data.draw(st.sampled_from(self.ids)))

    @rule(index=st.floats(0.5, 1.5))
    def mark_fund_liquidate(self, index):
        self.v.update_marks(index)
        self.v.settle_funding()
        self.v.check_liquidations()

    @rule(owner=st.integers(0, 3))
    def deleverage(self, owner):
        if self.v.mark_price == self.v.mark_price and owner in self.v.accounts:
            self.v.deleverage(owner)
            assert self.v.accounts[owner].position == 0

    @invariant()
    def positions_sum_to_zero(self):
        assert sum(a.position for a in self.v.accounts.values()) == 0

    @invariant()
    def books_balance(self):
        assert self.v.audit() == []


PerpBooks.TestCase.settings = settings(max_examples=examples(60), stateful_step_count=30, deadline=None,
                                       suppress_health_check=[HealthCheck.too_slow])
test_perp_books_balance_under_random_trading = PerpBooks.TestCase
