"""OrderBook behaviours, one per test, with the exact book state expected after each step."""
import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmabm import (BUY, GTC, IOC, MAX_OWNER, MAX_PRICE_TICKS, NO_PRICE, POST_ONLY, REJECTED, SELL,
                   OrderBook)
from mmabm._ladder import MAX_SPAN_TICKS
from budget import examples


def levels(book, side):
    return [tuple(row) for row in book.levels(side).tolist()]


def fills(book):
    return [(int(f["maker_owner"]), int(f["taker_owner"]), int(f["price"]), int(f["qty"]))
            for f in book.drain_fills()]


def state(book):
    return levels(book, BUY), levels(book, SELL), book.orders().tolist(), book.n_orders


def test_empty_book_has_no_prices():
    book = OrderBook()
    assert book.best_bid() == NO_PRICE and book.best_ask() == NO_PRICE
    assert math.isnan(book.mid()) and book.spread() == -1
    assert len(book.levels(BUY)) == 0 and book.n_orders == 0


def test_resting_orders_aggregate_into_levels_best_first():
    book = OrderBook()
    book.limit(BUY, 99, 5)
    book.limit(BUY, 100, 3)
    book.limit(BUY, 99, 2)
    book.limit(SELL, 103, 4)
    assert levels(book, BUY) == [(100, 3, 1), (99, 7, 2)]
    assert levels(book, SELL) == [(103, 4, 1)]
    assert (book.best_bid(), book.best_ask(), book.spread(), book.mid()) == (100, 103, 3, 101.5)


def test_better_price_fills_first():
    book = OrderBook()
    book.limit(SELL, 102, 5, owner=1)
    book.limit(SELL, 101, 5, owner=2)
    book.market(BUY, 7, owner=9)
    assert fills(book) == [(2, 9, 101, 5), (1, 9, 102, 2)]
    assert levels(book, SELL) == [(102, 3, 1)]


def test_same_price_fills_oldest_first():
    book = OrderBook()
    for owner in (1, 2, 3):
        book.limit(BUY, 100, 4, owner=owner)
    book.market(SELL, 6, owner=9)
    assert fills(book) == [(1, 9, 100, 4), (2, 9, 100, 2)]
    assert [tuple(o)[1:] for o in book.orders().tolist()] == [(2, 1, 100, 2), (3, 1, 100, 4)]


def test_crossing_limit_trades_at_maker_price_and_rests_remainder():
    book = OrderBook()
    book.limit(SELL, 101, 3, owner=1)
    oid = book.limit(BUY, 105, 5, owner=2)
    assert fills(book) == [(1, 2, 101, 3)]
    assert levels(book, BUY) == [(105, 2, 1)] and levels(book, SELL) == []
    assert book.remaining(oid) == 2


def test_ioc_drops_its_remainder():
    book = OrderBook()
    book.limit(SELL, 101, 3, owner=1)
    oid = book.limit(BUY, 101, 5, owner=2, tif=IOC)
    assert fills(book) == [(1, 2, 101, 3)]
    assert book.remaining(oid) == 0 and book.n_orders == 0


def test_post_only_that_would_cross_is_rejected_and_changes_nothing():
    book = OrderBook()
    book.limit(SELL, 101, 3)
    before = state(book)
    assert book.limit(BUY, 101, 5, tif=POST_ONLY) == REJECTED
    assert state(book) == before and book.n_pending_fills == 0


def test_post_only_rests_when_it_does_not_cross():
    book = OrderBook()
    book.limit(SELL, 101, 3)
    oid = book.limit(BUY, 100, 5, tif=POST_ONLY)
    assert oid != REJECTED and book.remaining(oid) == 5


def test_market_order_remainder_is_dropped_and_empty_side_gives_no_fill():
    book = OrderBook()
    book.limit(SELL, 101, 3, owner=1)
    book.market(BUY, 10, owner=2)
    assert fills(book) == [(1, 2, 101, 3)]
    book.market(BUY, 10, owner=2)
    assert fills(book) == [] and book.n_orders == 0


def test_self_trade_prevention_removes_own_resting_orders_and_reports_them():
    book = OrderBook()
    own = book.limit(SELL, 101, 3, owner=1)
    book.limit(SELL, 102, 4, owner=2)
    book.limit(BUY, 102, 5, owner=1, stp=True)
    assert fills(book) == [(2, 1, 102, 4)]
    assert book.drain_expired().tolist() == [(own, 1, SELL, 101, 3)]
    assert levels(book, BUY) == [(102, 1, 1)] and levels(book, SELL) == []


def test_without_self_trade_prevention_an_owner_trades_with_itself():
    book = OrderBook()
    book.limit(SELL, 101, 3, owner=1)
    book.market(BUY, 2, owner=1)
    assert fills(book) == [(1, 1, 101, 2)] and len(book.drain_expired()) == 0


def test_fill_records_ids_owners_price_qty_and_taker_side():
    book = OrderBook()
    maker = book.limit(BUY, 100, 4, owner=7)
    taker = book.limit(SELL, 99, 1, owner=8)
    (f,) = book.drain_fills()
    assert (f["taker_id"], f["maker_id"], f["taker_owner"], f["maker_owner"]) == (taker, maker, 8, 7)
    assert (f["price"], f["qty"], f["taker_side"]) == (100, 1, SELL)
    assert book.n_pending_fills == 0


def test_cancel_returns_lots_once_then_zero():
    book = OrderBook()
    oid = book.limit(BUY, 100, 4)
    assert book.cancel(oid) == 4
    assert book.cancel(oid) == 0
    assert levels(book, BUY) == [] and book.n_orders == 0


@pytest.mark.parametrize("made_up", [0, -1, 12345, (1 << 32) | 999, (7 << 32) | 0])
def test_cancel_of_unknown_id_is_zero_and_harmless(made_up):
    book = OrderBook()
    book.limit(BUY, 100, 4)
    before = state(book)
    assert book.cancel(made_up) == 0 and book.remaining(made_up) == 0
    assert state(book) == before


def test_reused_slot_does_not_revive_an_old_id():
    book = OrderBook()
    old = book.limit(BUY, 100, 4)
    book.cancel(old)
    new = book.limit(BUY, 100, 6)
    assert new != old and book.cancel(old) == 0 and book.remaining(new) == 6


def test_reduce_keeps_time_priority():
    book = OrderBook()
    first = book.limit(BUY, 100, 10, owner=1)
    book.limit(BUY, 100, 10, owner=2)
    assert book.reduce(first, 3) == 7
    assert levels(book, BUY) == [(100, 13, 2)]
    book.market(SELL, 4, owner=9)
    assert fills(book) == [(1, 9, 100, 3), (2, 9, 100, 1)]


def test_reduce_cannot_grow_and_leaves_the_order_alone():
    book = OrderBook()
    oid = book.limit(BUY, 100, 5)
    with pytest.raises(ValueError, match=r"new_qty must be in \[1, 5\]"):
        book.reduce(oid, 6)
    assert book.remaining(oid) == 5 and levels(book, BUY) == [(100, 5, 1)]


def test_reduce_of_dead_order_is_zero():
    book = OrderBook()
    oid = book.limit(BUY, 100, 5)
    book.cancel(oid)
    assert book.reduce(oid, 1) == 0


def test_depth_sums_levels_inside_the_band_only():
    book = OrderBook()
    for price, qty in [(98, 1), (99, 2), (100, 3), (103, 50)]:
        book.limit(BUY, price, qty)
    assert book.depth(BUY, 99, 100) == (5, 99 * 2 + 100 * 3.0)
    assert book.depth(BUY, 101, 102) == (0, 0.0)
    assert book.depth(SELL, 0, 10**6) == (0, 0.0)


def test_levels_returns_top_n_best_first():
    book = OrderBook()
    for price in (105, 101, 103, 102):
        book.limit(SELL, price, 1)
    assert [row[0] for row in levels(book, SELL)] == [101, 102, 103, 105]
    assert [row[0] for row in book.levels(SELL, 2).tolist()] == [101, 102]


def test_orders_of_and_cancel_all_touch_only_that_owner():
    book = OrderBook()
    mine = [book.limit(BUY, 100, 1, owner=5), book.limit(SELL, 110, 2, owner=5)]
    other = book.limit(BUY, 100, 3, owner=6)
    assert sorted(book.orders_of(5)["id"].tolist()) == sorted(mine)
    cancelled = book.cancel_all(5, side=SELL)
    assert cancelled["id"].tolist() == [mine[1]] and cancelled["qty"].tolist() == [2]
    assert book.has_orders(5) and not book.has_orders(7) and not book.has_orders(10**6)
    cancelled = book.cancel_all(5)
    assert cancelled["id"].tolist() == [mine[0]]
    assert book.orders()["id"].tolist() == [other]
    assert not book.has_orders(5)
    book.market(SELL, 3, owner=9)                  # fills owner 6's bid whole
    assert not book.has_orders(6)


def test_replace_ladder_swaps_one_side_of_one_owner():
    book = OrderBook()
    book.limit(BUY, 99, 1, owner=1)
    keep = book.limit(SELL, 120, 1, owner=1)
    book.limit(BUY, 99, 7, owner=2)
    cancelled, ids = book.replace_ladder(1, BUY, [100, 98], [4, 5])
    assert cancelled["qty"].tolist() == [1]
    assert levels(book, BUY) == [(100, 4, 1), (99, 7, 1), (98, 5, 1)]
    assert book.remaining(keep) == 1 and [book.remaining(i) for i in ids] == [4, 5]


def test_replace_ladder_post_only_rejects_crossing_rungs():
    book = OrderBook()
    book.limit(SELL, 101, 1, owner=2)
    _, ids = book.replace_ladder(1, BUY, [101, 100], [1, 1])
    assert ids[0] == REJECTED and book.remaining(ids[1]) == 1 and book.n_pending_fills == 0


@pytest.mark.parametrize("prices, qtys, match", [
    ([100, 0], [1, 1], r"prices\[1\] must be in \[1, "),
    ([100, 99], [1, -3], r"qtys\[1\] must be in \[1, "),
    ([100.5], [1], r"prices must hold integers"),
    ([100, 99], [1], r"same length"),
])
def test_replace_ladder_with_bad_input_leaves_book_untouched(prices, qtys, match):
    book = OrderBook()
    book.limit(BUY, 99, 1, owner=1)
    before = state(book)
    with pytest.raises((ValueError, TypeError), match=match):
        book.replace_ladder(1, BUY, prices, qtys)
    assert state(book) == before


def test_book_follows_prices_drifting_far_in_both_directions():
    """$1 -> $0.05 -> $5 at a $0.0001 tick: 10,000 -> 500 -> 50,000 ticks."""
    book = OrderBook()
    path = np.concatenate([np.linspace(10_000, 500, 300), np.linspace(500, 50_000, 300)])
    quotes = ()
    for mid in path.astype(int):
        for oid in quotes:
            assert book.cancel(oid) == 5
        quotes = (book.limit(BUY, mid - 2, 5), book.limit(SELL, mid + 2, 5),
                  book.limit(BUY, mid - 9, 5), book.limit(SELL, mid + 9, 5))
        assert book.best_bid() == mid - 2 and book.best_ask() == mid + 2
        assert levels(book, BUY) == [(mid - 2, 5, 1), (mid - 9, 5, 1)]
    assert book.n_orders == 4 and book.n_pending_fills == 0


def test_stale_far_order_widens_window_without_losing_orders():
    book = OrderBook()
    stale = book.limit(BUY, 1, 9)
    for price in range(200_000, 200_010):
        book.limit(BUY, price, 1)
    assert book.n_levels(BUY) == 11 and levels(book, BUY)[-1] == (1, 9, 1)
    book.market(SELL, 15)
    assert levels(book, BUY) == [(1, 4, 1)] and book.remaining(stale) == 4


def test_price_too_far_from_resting_side_is_rejected_with_book_unchanged():
    book = OrderBook()
    book.limit(BUY, 10, 1)
    book.limit(SELL, 20, 1)
    before = state(book)
    with pytest.raises(ValueError, match="price_ticks=.* ticks"):
        book.limit(BUY, 10 + MAX_SPAN_TICKS, 3)
    assert state(book) == before and book.n_pending_fills == 0


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(side=0), ValueError, "side must be"),
    (dict(side=2), ValueError, "side must be"),
    (dict(side=True), ValueError, "side must be"),
    (dict(side="buy"), ValueError, "side must be"),
    (dict(price=0), ValueError, r"price_ticks must be in \[1, "),
    (dict(price=-5), ValueError, "price_ticks"),
    (dict(price=MAX_PRICE_TICKS + 1), ValueError, "price_ticks"),
    (dict(price=float("nan")), TypeError, "price_ticks must be an integer"),
    (dict(price=100.0), TypeError, "price_ticks must be an integer"),
    (dict(price=None), TypeError, "price_ticks"),
    (dict(qty=0), ValueError, r"qty_lots must be in \[1, "),
    (dict(qty=-1), ValueError, "qty_lots"),
    (dict(qty=float("nan")), TypeError, "qty_lots"),
    (dict(qty=2**70), ValueError, "qty_lots"),
    (dict(owner=-1), ValueError, "owner must be in"),
    (dict(owner=MAX_OWNER), ValueError, "owner must be in"),
    (dict(tif=3), ValueError, "tif must be in"),
])
def test_bad_limit_order_names_the_field_and_changes_nothing(kwargs, error, match):
    book = OrderBook()
    book.limit(SELL, 101, 2, owner=1)
    before = state(book)
    args = dict(side=BUY, price=101, qty=1, owner=3, tif=GTC) | kwargs
    with pytest.raises(error, match=match):
        book.limit(**args)
    assert state(book) == before and book.n_pending_fills == 0


@pytest.mark.parametrize("call, match", [
    (lambda b: b.market(0, 1), "side"),
    (lambda b: b.market(BUY, 0), "qty_lots"),
    (lambda b: b.cancel(1.5), "order_id"),
    (lambda b: b.cancel("x"), "order_id"),
    (lambda b: b.reduce(1, 0), "new_qty"),
    (lambda b: b.depth(BUY, float("nan"), 5), "min_price"),
    (lambda b: b.levels(SELL, -1), "n must be"),
    (lambda b: b.orders_of(-2), "owner"),
    (lambda b: b.has_orders(-1), "owner"),
    (lambda b: b.cancel_all(MAX_OWNER), "owner"),
    (lambda b: b.n_levels(0), "side"),
])
def test_bad_arguments_to_other_entry_points_are_named(call, match):
    book = OrderBook()
    book.limit(SELL, 101, 2, owner=1)
    before = state(book)
    with pytest.raises((ValueError, TypeError), match=match):
        call(book)
    assert state(book) == before


def test_numpy_integers_are_accepted():
    book = OrderBook()
    oid = book.limit(np.int8(1), np.int64(100), np.int32(3), owner=np.uint16(2))
    assert book.remaining(np.int64(oid)) == 3


def test_owner_lists_need_a_tracking_book():
    book = OrderBook(track_owners=False)
    book.limit(BUY, 100, 1, owner=-(2**40))
    with pytest.raises(ValueError, match="track_owners=True"):
        book.orders_of(0)
    with pytest.raises(ValueError, match="track_owners=True"):
        book.has_orders(0)


def test_pickle_keeps_ids_priority_and_pending_fills():
    book = OrderBook()
    first = book.limit(BUY, 100, 4, owner=1)
    second = book.limit(BUY, 100, 4, owner=2)
    book.limit(SELL, 105, 2, owner=3)
    book.market(BUY, 1, owner=4)
    copy = pickle.loads(pickle.dumps(book))
    assert state(copy) == state(book)
    assert copy.drain_fills().tolist() == book.drain_fills().tolist()
    copy.market(SELL, 5, owner=9)
    assert fills(copy) == [(1, 9, 100, 4), (2, 9, 100, 1)]
    assert copy.remaining(second) == 3 and copy.remaining(first) == 0
    assert copy.orders_of(2)["id"].tolist() == [second]


@settings(max_examples=examples(300), deadline=None)
@given(orders=st.lists(st.tuples(st.sampled_from([BUY, SELL]), st.integers(1, 40),
                                 st.integers(1, 30)), max_size=30),
       side=st.sampled_from([BUY, SELL]), qty=st.integers(1, 400))
def test_worst_price_is_where_the_cumulative_depth_reaches_the_order(orders, side, qty):
    """The price the perp venue locks a market order at: as the cumsum/searchsorted it replaces."""
    book = OrderBook()
    for s, k, q in orders:
        book.limit(s, 1_000 - k if s == BUY else 1_000 + k, q)
    levels = book.levels(-side)
    if len(levels) == 0:
        expected = 0
    else:
        reach = min(int(levels["qty"].cumsum().searchsorted(qty)), len(levels) - 1)
        expected = int(levels["price"][reach])
    assert book.worst_price(side, qty) == expected
