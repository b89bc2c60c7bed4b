"""SpotExchange: locks, settlement, fees, rejections and the venue's audit."""
import math
import pickle

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from mmabm import BUY, GTC, IOC, POST_ONLY, SELL
from mmabm.venues import Rejection, SpotExchange
from budget import examples

U = 1_000_000   # units per USDT / per token


def venue(**kwargs):
    v = SpotExchange("main", **({"tick_size": 0.0001, "lot_size": 1.0, "maker_fee": 0.0,
                                  "taker_fee": 0.001} | kwargs))
    v.deposit(1, usdt=10_000.0, tokens=5_000.0)
    v.deposit(2, usdt=10_000.0, tokens=5_000.0)
    return v


def snapshot(v):
    return v.accounts().tolist(), v.orders_of(1).tolist(), v.orders_of(2).tolist(), v.fees_usdt


def test_bid_locks_price_and_worst_fee():
    v = venue()
    v.limit(1, BUY, 10_000, 100)       # 100 tokens at $1.00, taker fee 0.1% reserved
    assert v.balance(1)["usdt_locked"] == pytest.approx(100.1)
    assert v.balance(1)["usdt"] == pytest.approx(9_899.9)


def test_ask_locks_tokens():
    v = venue()
    v.limit(2, SELL, 10_100, 300)
    assert v.balance(2)["tokens_locked"] == 300 and v.balance(2)["tokens"] == 4_700


def test_fill_settles_both_sides_and_fees_exactly():
    v = venue(maker_fee=-0.0001, taker_fee=0.001)
    v.limit(1, BUY, 10_000, 100)           # maker bid: $100 notional
    v.limit(2, SELL, 9_000, 40)            # taker sells 40 at the maker's $1.00
    (t,) = v.drain_trades().tolist()
    assert t[:8] == (2, 1, 10_000, 40, SELL, 40 * U, 40_000, -4_000)  # taker 0.1%, maker rebate 0.01%
    assert math.isnan(t[8])                # no asks when the taker came: no mid
    b1, b2 = v.balance(1), v.balance(2)
    assert b1["tokens"] == 5_040 and b2["tokens"] == 4_960
    assert b2["usdt"] == pytest.approx(10_000 + 40 - 0.04)
    assert b1["usdt"] + b1["usdt_locked"] == pytest.approx(10_000 - 40 + 0.004)
    assert v.fees_usdt == 40_000 - 4_000 and v.audit() == []


def test_trades_carry_the_mid_their_taker_met_and_the_spread_capture_uses_it():
    from mmabm.tape import maker_edge
    v = venue(maker_fee=0.0)
    v.limit(1, BUY, 9_990, 100)
    v.limit(1, SELL, 10_010, 100)            # the maker's quotes: mid 10,000 ticks
    v.market(2, BUY, 30)                     # lifts the ask: +10 ticks of edge on 30 tokens
    v.limit(2, SELL, 9_000, 20)              # hits the bid: +10 ticks on 20, mid still 10,000
    trades = v.drain_trades()
    assert trades["mid"].tolist() == [10_000.0, 10_000.0]     # neither trade moved a best price
    assert maker_edge(trades, 1) == (2 * (10 * 30 + 10 * 20), 0)     # ticks x lots, twice
    v.market(2, BUY, 70)                     # takes the rest of the ask: no asks left
    v.limit(2, SELL, 9_000, 10)              # this taker meets no mid (asks empty)
    trades = v.drain_trades()
    assert trades["mid"][0] == 10_000.0 and math.isnan(trades["mid"][1])
    assert maker_edge(trades, 1) == (2 * 10 * 70, 0)                 # the NaN fill: fee only


def test_taker_buy_below_its_limit_gets_the_unused_lock_back():
    v = venue()
    v.limit(2, SELL, 9_000, 10)                     # ask at $0.90
    v.limit(1, BUY, 10_000, 10, tif=IOC)            # willing to pay $1.00
    assert v.balance(1)["usdt_locked"] == 0
    assert v.balance(1)["usdt"] == pytest.approx(10_000 - 9.0 - 0.009)


def test_cancel_releases_lock_and_only_the_owner_may_cancel():
    v = venue()
    oid = v.limit(1, BUY, 10_000, 100)
    assert v.cancel(2, oid) == 0 and v.balance(1)["usdt_locked"] > 0
    assert v.cancel(1, oid) == 100
    assert v.balance(1) == {"usdt": 10_000.0, "usdt_locked": 0.0, "tokens": 5_000.0,
                            "tokens_locked": 0.0}


def test_order_beyond_free_balance_is_refused_and_changes_nothing():
    v = venue()
    before = snapshot(v)
    assert v.limit(1, BUY, 10_000, 10_000) == Rejection.INSUFFICIENT_FUNDS   # $10,010 needed
    assert v.limit(2, SELL, 10_000, 5_001) == Rejection.INSUFFICIENT_FUNDS
    assert snapshot(v) == before


def test_post_only_that_would_cross_is_refused_and_unlocked():
    v = venue()
    v.limit(2, SELL, 10_000, 10)
    before = snapshot(v)
    assert v.limit(1, BUY, 10_000, 10, tif=POST_ONLY) == Rejection.POST_ONLY
    assert snapshot(v) == before


def test_market_order_on_empty_side_and_beyond_means():
    v = venue()
    assert v.market(1, BUY, 10) == Rejection.NO_LIQUIDITY
    v.limit(2, SELL, 50_000, 1_000)                 # $5 asks: 1,000 of them cost $5,005
    assert v.market(1, BUY, 10_000) == Rejection.INSUFFICIENT_FUNDS
    assert v.market(1, BUY, 1_000) > 0 and v.balance(1)["tokens"] == 6_000


def test_self_trade_prevention_releases_the_removed_order():
    v = venue()
    v.limit(1, SELL, 10_100, 50)
    v.limit(1, BUY, 10_100, 20, stp=True)
    assert v.drain_trades().size == 0
    assert v.balance(1)["tokens_locked"] == 0 and v.orders_of(1)["side"].tolist() == [BUY]
    assert v.audit() == []


def test_replace_ladder_funds_each_rung_or_refuses_it():
    v = venue()
    ids = v.replace_ladder(1, BUY, [9_990, 9_980, 9_970], [4_000, 4_000, 4_000])
    assert ids[0] > 0 and ids[1] > 0 and ids[2] == Rejection.INSUFFICIENT_FUNDS
    ids = v.replace_ladder(1, BUY, [9_995], [100])
    assert len(v.orders_of(1)) == 1 and v.audit() == []


@pytest.mark.parametrize("prices, qtys", [
    ([9_990, 9_980, 9_970], [40, 50, 60]),
    (np.array([9_990, 9_980, 9_970]), np.array([40, 50, 60])),
    (np.array([9_990, 9_980, 9_970], dtype=np.int32), np.array([40, 50, 60], dtype=np.uint16)),
    (np.array([9_990, 0, 9_980, 0, 9_970]), np.array([40, 0, 50, 0, 60])),   # sliced below
    ((9_990, 9_980, 9_970), range(40, 70, 10)),
])
def test_replace_ladder_takes_any_integer_sequence_alike(prices, qtys):
    if len(prices) == 5:
        prices, qtys = prices[::2], qtys[::2]          # strided int64 views
    v, ref = venue(), venue()
    ids = v.replace_ladder(1, BUY, prices, qtys)
    assert ids.dtype == np.int64
    assert ids.tolist() == ref.replace_ladder(1, BUY, [9_990, 9_980, 9_970], [40, 50, 60]).tolist()
    assert snapshot(v) == snapshot(ref) and v.audit() == []


@pytest.mark.parametrize("prices, qtys, match", [
    (np.array([9_990, 2**41]), np.array([1, 1]), r"prices\[1\]"),
    (np.array([9_990, 9_980]), np.array([1, 0]), r"qtys\[1\]"),
    (np.array([9_990, 9_980]), np.array([1]), "same length"),
    (np.array([[9_990]]), np.array([[1]]), "1-d"),
    (np.array([1.5]), np.array([1]), "prices"),
])
def test_replace_ladder_names_bad_arrays_and_changes_nothing(prices, qtys, match):
    v = venue()
    v.replace_ladder(1, BUY, [9_000], [10])
    before = snapshot(v)
    with pytest.raises((ValueError, TypeError), match=match):
        v.replace_ladder(1, BUY, prices, qtys)
    assert snapshot(v) == before


@settings(max_examples=examples(200), deadline=None)
@given(orders=st.lists(st.tuples(st.integers(1, 2), st.sampled_from([BUY, SELL]),
                                 st.integers(1, 40)), max_size=25),
       side=st.sampled_from([0, BUY, SELL]), later=st.integers(1, 6))
def test_cancel_all_frees_slots_as_cancelling_each_listed_order_does(orders, side, later):
    """cancel_all walks the owner's orders newest first, like cancelling the ids orders_of lists
    one by one: the same orders go, the same locks come back, and the orders placed afterwards
    get the same ids (slots are reused in the same order)."""
    a, b = venue(), venue()
    for owner, s, k in orders:
        price = 9_000 - k if s == BUY else 11_000 + k
        assert a.limit(owner, s, price, k) == b.limit(owner, s, price, k)
    lots = a.cancel_all(1, side)
    listed = [oid for oid, _, s, _, _ in b.orders_of(1).tolist() if side in (0, s)]
    assert lots == sum(b.cancel(1, oid) for oid in listed)
    assert snapshot(a) == snapshot(b) and a.audit() == []
    for k in range(later):
        assert a.limit(2, BUY, 8_000 + k, 1) == b.limit(2, BUY, 8_000 + k, 1)


def test_top_is_the_best_level():
    v = venue()
    assert v.top(BUY) == v.top(SELL) == (0, 0)
    v.limit(1, BUY, 9_990, 3)
    v.limit(2, BUY, 9_990, 4)
    v.limit(2, SELL, 10_010, 5)
    assert v.top(BUY) == (9_990, 7) and v.top(SELL) == (10_010, 5)
    with pytest.raises(ValueError, match="side"):
        v.top(0)


def test_usd_prices_and_token_sizes_convert_to_ticks_and_lots():
    v = SpotExchange("x", tick_size=0.0005, lot_size=0.1)
    assert v.price_to_ticks(1.0) == 2_000 and v.price_to_ticks(0.3) == 600
    assert v.price_to_ticks(1.0002) == 2_000                       # nearest
    assert (v.price_to_ticks(1.0002, BUY), v.price_to_ticks(1.0002, SELL)) == (2_000, 2_001)
    assert v.price_to_ticks(1e-9) == 1
    assert v.tokens_to_lots(12.34) == 123 and v.tokens_to_lots(0.3) == 3


@pytest.mark.parametrize("call, match", [
    (lambda v: v.price_to_ticks(float("nan")), "price_usd"), (lambda v: v.price_to_ticks(-1.0), "price_usd"),
    (lambda v: v.price_to_ticks(1.0, side=3), "side"), (lambda v: v.tokens_to_lots(-2.0), "tokens"),
    (lambda v: v.tokens_to_lots("5"), "tokens"),
])
def test_bad_conversions_are_named(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call(SpotExchange("x"))


def test_depth_and_spread_in_usd():
    v = venue()
    v.limit(1, BUY, 9_995, 1_000)
    v.limit(1, BUY, 9_700, 1_000)     # outside 2% of the $1.00 mid
    v.limit(2, SELL, 10_005, 1_000)
    assert v.mid_usd() == pytest.approx(1.0)
    assert v.spread_bps() == pytest.approx(10.0)
    assert v.depth_usd(BUY) == pytest.approx(999.5)
    assert v.depth_usd(SELL, band=0.02) == pytest.approx(1000.5)
    assert v.thin_sides(0.02, 1_000.0) == 1            # the bids' 999.5 fall short
    assert v.thin_sides(0.02, 999.0) == 0 and v.thin_sides(0.02, 1_001.0) == 3
    assert v.thin_sides(0.04, 1_900.0) == 2            # the deeper bid counts at 4%


@settings(max_examples=examples(80), deadline=None)
@given(orders=st.lists(st.tuples(st.sampled_from([BUY, SELL]), st.integers(9_000, 11_000),
                                 st.integers(1, 300)), max_size=12),
       band=st.floats(0.0, 1.0), want=st.floats(0.0, 3_000.0))
def test_thin_sides_is_the_two_depth_checks(orders, band, want):
    v = venue()
    for side, price, qty in orders:
        v.limit(1 if side == BUY else 2, side, price, qty)
    expect = (0 if v.depth_usd(BUY, band) >= want else 1) | (0 if v.depth_usd(SELL, band) >= want else 2)
    assert v.thin_sides(band, want) == expect


def test_tape_records_last_price_and_interval_volume():
    v = venue()
    assert math.isnan(v.last_price_usd())
    v.limit(1, BUY, 10_000, 100)
    v.market(2, SELL, 30)
    assert v.last_price_usd() == pytest.approx(1.0)
    assert v.take_volume() == (30, pytest.approx(30.0)) and v.take_volume() == (0, 0.0)


def test_pickle_keeps_accounts_orders_locks_and_tape():
    import pickle

    v = venue(maker_fee=-0.0001)
    bid = v.limit(1, BUY, 9_990, 500)
    v.limit(2, SELL, 10_010, 300)
    v.market(2, SELL, 100)
    copy = pickle.loads(pickle.dumps(v))
    assert snapshot(copy) == snapshot(v) and copy.last_price == v.last_price
    assert copy.drain_trades().tolist() == v.drain_trades().tolist()
    assert copy.cancel(1, bid) == 400 and v.cancel(1, bid) == 400
    assert snapshot(copy) == snapshot(v) and copy.audit() == [] == v.audit()


def test_withdraw_is_refused_whole_when_short():
    v = venue()
    v.limit(1, BUY, 10_000, 100)
    with pytest.raises(ValueError, match="usdt_units must be at most the free balance"):
        v.withdraw(1, usdt=9_950.0)
    v.withdraw(1, usdt=100.0, tokens=1.0)
    assert v.balance(1)["usdt"] == pytest.approx(9_799.9) and v.audit() == []


@pytest.mark.parametrize("kwargs, match", [
    (dict(tick_size=0.0), "tick_size"), (dict(tick_size=float("nan")), "tick_size"),
    (dict(lot_size=-1.0), "lot_size"), (dict(tick_size=1e-7, lot_size=1.0), "tick_size \\* lot_size"),
    (dict(taker_fee=0.5), "taker_fee"), (dict(maker_fee=-0.01, taker_fee=0.001), "maker_fee"),
    (dict(maker_fee=float("nan")), "maker_fee"),
])
def test_bad_venue_terms_are_named(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        SpotExchange("x", **kwargs)


@pytest.mark.parametrize("call, match", [
    (lambda v: v.limit(-1, BUY, 10_000, 1), "owner"),
    (lambda v: v.limit(1, 0, 10_000, 1), "side"),
    (lambda v: v.limit(1, BUY, 0, 1), "price_ticks"),
    (lambda v: v.limit(1, BUY, float("nan"), 1), "price_ticks"),
    (lambda v: v.limit(1, BUY, 10_000, 0), "qty_lots"),
    (lambda v: v.limit(1, BUY, 10_000, 1, tif=7), "tif"),
    (lambda v: v.market(1, SELL, -3), "qty_lots"),
    (lambda v: v.cancel(1, "x"), "order_id"),
    (lambda v: v.deposit(1, usdt=-5.0), "usdt"),
    (lambda v: v.deposit(1, tokens=float("inf")), "tokens"),
    (lambda v: v.replace_ladder(1, BUY, [1, 2], [1]), "same length"),
    (lambda v: v.replace_ladder(1, BUY, [1, 0], [1, 1]), r"prices\[1\]"),
    (lambda v: v.depth_usd(BUY, band=2.0), "band"),
    (lambda v: v.thin_sides(float("nan"), 1.0), "band"),
    (lambda v: v.thin_sides(0.02, -1.0), "depth_usd"),
    (lambda v: v.limit(7, BUY, 10_000, 1), "owner 7 has no account at 'main'"),
    (lambda v: v.market(7, SELL, 1), "owner 7 has no account"),
    (lambda v: v.balance(7), "owner 7 has no account"),
    (lambda v: v.withdraw(7, usdt=1.0), "owner 7 has no account"),
])
def test_bad_arguments_are_named_and_change_nothing(call, match):
    v = venue()
    v.limit(1, BUY, 9_000, 10)
    before = snapshot(v)
    with pytest.raises((ValueError, TypeError), match=match):
        call(v)
    assert snapshot(v) == before


class VenueMachine(RuleBasedStateMachine):
    """Random orders, cancels, ladders, deposits and withdrawals by four owners: after every
    step no balance is negative, the books balance to the unit and locks match the orders;
    a refused order changes nothing."""

    def __init__(self):
        super().__init__()
        self.v = SpotExchange("m", tick_size=0.01, lot_size=0.5, maker_fee=-0.0002,
                              taker_fee=0.0007)
        for owner in range(4):
            self.v.deposit(owner, usdt=200.0, tokens=100.0)
        self.ids = []

    owners = st.integers(0, 3)
    sides = st.sampled_from([BUY, SELL])
    prices = st.integers(90, 110)
    qtys = st.integers(1, 60)

    @rule(owner=owners, side=sides, price=prices, qty=qtys, tif=st.sampled_from([GTC, IOC, POST_ONLY]),
          stp=st.booleans())
    def limit(self, owner, side, price, qty, tif, stp):
        before = snapshot(self.v)
        oid = self.v.limit(owner, side, price, qty, tif, stp)
        if oid < 0:
            assert snapshot(self.v) == before
        else:
            self.ids.append((owner, oid))

    @rule(owner=owners, side=sides, qty=qtys, stp=st.booleans())
    def market(self, owner, side, qty, stp):
        before = snapshot(self.v)
        if self.v.market(owner, side, qty, stp) < 0:
            assert snapshot(self.v) == before

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), by_owner=st.booleans())
    def cancel(self, data, by_owner):
        owner, oid = data.draw(st.sampled_from(self.ids))
        self.v.cancel(owner if by_owner else (owner + 1) % 4, oid)

    @rule(owner=owners, side=sides, rungs=st.lists(st.tuples(prices, qtys), max_size=4),
          as_arrays=st.booleans())
    def ladder(self, owner, side, rungs, as_arrays):
        prices, qtys = [p for p, _ in rungs], [q for _, q in rungs]
        if as_arrays:                     # int64 arrays take the no-copy path
            prices, qtys = np.array(prices, dtype=np.int64), np.array(qtys, dtype=np.int64)
        self.v.replace_ladder(owner, side, prices, qtys)

    @rule(owner=owners, usdt=st.floats(0, 50), tokens=st.floats(0, 20))
    def move_funds(self, owner, usdt, tokens):
        self.v.deposit(owner, usdt=usdt)
        try:
            self.v.withdraw(owner, tokens=tokens)
        except ValueError:
            pass

    @invariant()
    def books_balance(self):
        assert self.v.audit() == []

    @invariant()
    def never_crossed(self):
        bid, ask = self.v.best_bid(), self.v.best_ask()
        assert bid == 0 or ask == 0 or bid < ask


VenueMachine.TestCase.settings = settings(max_examples=examples(100), stateful_step_count=40, deadline=None,
                                          suppress_health_check=[HealthCheck.too_slow])
test_venue_keeps_every_account_honest = VenueMachine.TestCase


def test_change_counter_moves_with_every_change_and_only_then():
    """Agents skip looks while a venue's counter stands still, so every change must move it."""
    ex = SpotExchange("x", 0.01, 1.0, 0.0, 0.001)
    seen = [ex.changes]

    def changed(expected: bool) -> None:
        assert (ex.changes != seen[-1]) is expected
        seen.append(ex.changes)

    ex.deposit(1, usdt=1_000.0, tokens=100.0)
    changed(True)
    ex.deposit(2, usdt=1_000.0, tokens=100.0)
    changed(True)
    assert ex.limit(1, BUY, 10_000, 10_000, GTC) == Rejection.INSUFFICIENT_FUNDS
    changed(False)                                   # refused: nothing changed
    ex.mid_usd(), ex.top(BUY), ex.balance(1), ex.depth_usd(BUY), ex.levels(SELL)
    changed(False)
    bid = ex.limit(1, BUY, 90, 5, GTC)
    changed(True)
    ex.limit(2, SELL, 110, 5, GTC)
    changed(True)
    ex.market(2, SELL, 2)
    changed(True)
    assert ex.cancel(1, bid) == 3
    changed(True)
    assert ex.cancel(1, bid) == 0                   # no longer live
    changed(False)
    ex.replace_ladder(1, BUY, [95, 94], [1, 1])
    changed(True)
    ex.cancel_all(1)
    changed(True)
    ex.withdraw(2, usdt=1.0)
    changed(True)
    restored = pickle.loads(pickle.dumps(ex))
    assert restored.changes == ex.changes


def test_held_units_sums_free_and_locked_of_the_owners_asked_or_of_everyone():
    v = venue()
    v.limit(1, BUY, 10_000, 100)                       # locks USDT of owner 1
    v.limit(2, SELL, 10_100, 300)                      # locks tokens of owner 2
    acc = v.accounts()
    held = lambda rows: (int((acc["tokens"] + acc["tokens_locked"])[rows].sum()),
                         int((acc["usdt"] + acc["usdt_locked"])[rows].sum()))
    assert v.held_units() == held(slice(None))
    assert v.held_units(np.array([2], dtype=np.int64)) == held([2]) == (5_000 * U, 10_000 * U)
    # ids without an account (never seen, beyond the table, negative) hold nothing
    assert v.held_units(np.array([1, 7, 10**6, -1], dtype=np.int64)) == held([1])
    assert v.held_units(np.array([], dtype=np.int64)) == (0, 0)


def test_own_obligation_counts_only_the_owner_s_quotes_within_the_band_and_its_own_spread():
    v = SpotExchange(tick_size=0.0001, lot_size=1.0)
    for owner in (1, 2):
        v.deposit(owner, usdt=1e6, tokens=1e6)
    v.limit(1, BUY, 9_996, 200_000)              # $199.9k at $0.9996
    v.limit(1, SELL, 10_004, 200_000)            # $200.1k at $1.0004: its spread 8 bp
    v.limit(2, BUY, 9_998, 10)                   # someone else's better bid
    assert v.own_obligation_met(1, 0.02, 100_000, 0.001)
    assert not v.own_obligation_met(1, 0.02, 100_000, 0.0005)     # 8 bp > 5 bp
    assert not v.own_obligation_met(1, 0.02, 250_000, 0.001)      # too little depth
    assert not v.own_obligation_met(2, 0.02, 1, 0.01)              # no ask of its own
    assert not v.own_obligation_met(7, 0.02, 1, 0.01)              # no orders at all
    v.limit(1, BUY, 9_000, 1_000_000)            # depth outside the band does not count
    assert not v.own_obligation_met(1, 0.02, 300_000, 0.001)
    # the whole book would pass where the owner's own quotes do not
    assert v.thin_sides(0.02, 150_000) == 0 and not v.own_obligation_met(2, 0.02, 150_000, 0.01)
    with pytest.raises(ValueError, match="band"):
        v.own_obligation_met(1, -0.1, 1, 0.01)
    with pytest.raises(ValueError, match="max_spread"):
        v.own_obligation_met(1, 0.02, 1, float("nan"))
