"""Tests of the constant-product AMM `mmabm.Pool` (Uniswap v2 semantics in float64).

Side +1 buys tokens paying USDT, side -1 sells tokens for USDT. For a trade paying into reserve
X and out of reserve Y, with g = 1 - fee:

    exact in:   out = dx*g*Y / (X + dx*g)
    exact out:  in  = X*dy / ((Y - dy)*g)

The pool may shave the last ulp or so off these so that k = x*y, as stored, never decreases;
the formula checks allow for that (rel 1e-12), the k checks allow nothing.
"""
import math
import pickle
import random
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmabm import Pool
from budget import examples

SETTINGS = settings(max_examples=examples(150), deadline=None)

# -- strategies ---------------------------------------------------------------------------------
SIDES = st.sampled_from([1, -1])
RESERVES = st.floats(-3.0, 9.0).map(lambda e: 10.0 ** e)           # 1e-3 .. 1e9, log-uniform
FEES = st.one_of(st.sampled_from([0.0, 0.003, 0.01]), st.floats(0.0, 0.5))
# positive fees only: with fee 0 k stays level, so the k-keeping rounding of a tiny trade can
# move its output by an ulp of the reserve, which is more than 1e-12 of the output
POSITIVE_FEES = st.one_of(st.just(0.003), st.floats(1e-4, 0.5))
TRADE_FRACS = st.floats(-6.0, 3.0).map(lambda e: 10.0 ** e)         # trade / reserve paid into
OUT_FRACS = st.floats(1e-6, 0.999)                                   # amount out / its reserve


def make_pool(token=1000.0, usdt=2000.0, fee=0.003):
    """A pool holding `token` and `usdt` (spot price usdt/token)."""
    pool = Pool(fee)
    pool.add_liquidity(token, usdt)
    return pool


def state(pool):
    return pool.token_reserve, pool.usdt_reserve, pool.total_shares


def in_out_reserves(pool, side):
    """(reserve paid into, reserve paid out of) for a trade on `side`."""
    if side > 0:
        return pool.usdt_reserve, pool.token_reserve
    return pool.token_reserve, pool.usdt_reserve


# -- 1. agreement with the closed forms ---------------------------------------------------------
def test_exact_in_hand_example():
    # 1000 tokens in at a 0.3% fee is 997 effective: 997 * 2000 / (997 + 997) = 1000 USDT out
    pool = make_pool(token=997.0, usdt=2000.0, fee=0.003)
    assert pool.swap_exact_in(-1, 1000.0) == pytest.approx(1000.0, rel=1e-12)
    assert state(pool)[:2] == pytest.approx((1997.0, 1000.0), rel=1e-12)
    # the mirror image: 1000 USDT into 997 USDT / 2000 tokens buys 1000 tokens
    pool = make_pool(token=2000.0, usdt=997.0, fee=0.003)
    assert pool.swap_exact_in(1, 1000.0) == pytest.approx(1000.0, rel=1e-12)
    # no fee: 1000 into 1000/1000 pays exactly half the other reserve
    pool = make_pool(token=1000.0, usdt=1000.0, fee=0.0)
    assert pool.swap_exact_in(-1, 1000.0) == 500.0


def test_exact_out_hand_example():
    # receiving 1000 of 2000 USDT costs 997 * 1000 / (1000 * 0.997) = 1000 tokens
    pool = make_pool(token=997.0, usdt=2000.0, fee=0.003)
    assert pool.swap_exact_out(-1, 1000.0) == pytest.approx(1000.0, rel=1e-12)
    pool = make_pool(token=2000.0, usdt=997.0, fee=0.003)
    assert pool.swap_exact_out(1, 1000.0) == pytest.approx(1000.0, rel=1e-12)
    # no fee: half of 1000 USDT out of 1000/1000 costs 1000 tokens
    pool = make_pool(token=1000.0, usdt=1000.0, fee=0.0)
    assert pool.swap_exact_out(-1, 500.0) == 1000.0


@SETTINGS
@given(token=RESERVES, usdt=RESERVES, fee=POSITIVE_FEES, side=SIDES, frac=TRADE_FRACS)
def test_exact_in_matches_formula(token, usdt, fee, side, frac):
    pool = make_pool(token, usdt, fee)
    x, y = in_out_reserves(pool, side)
    dx = frac * x
    a = dx * (1.0 - fee)
    assert pool.swap_exact_in(side, dx) == pytest.approx(a * y / (x + a), rel=1e-12)


@SETTINGS
@given(token=RESERVES, usdt=RESERVES, fee=POSITIVE_FEES, side=SIDES, frac=OUT_FRACS)
def test_exact_out_matches_formula(token, usdt, fee, side, frac):
    pool = make_pool(token, usdt, fee)
    x, y = in_out_reserves(pool, side)
    dy = frac * y
    assert pool.swap_exact_out(side, dy) == pytest.approx(x * dy / ((y - dy) * (1.0 - fee)),
                                                          rel=1e-12)


# -- 2. k never decreases -----------------------------------------------------------------------
SWAPS = st.lists(
    st.tuples(
        st.sampled_from(["in", "out"]),
        SIDES,
        # down to 1e-18 of the reserve: trades below the reserve's ulp, where rounding bites
        st.one_of(st.floats(-18.0, -0.01).map(lambda e: 10.0 ** e), st.floats(0.01, 0.99)),
    ),
    min_size=1, max_size=30,
)


@SETTINGS
@given(token=RESERVES, usdt=RESERVES, fee=FEES, swaps=SWAPS)
def test_k_never_decreases(token, usdt, fee, swaps):
    pool = make_pool(token, usdt, fee)
    for kind, side, frac in swaps:
        k_before = pool.token_reserve * pool.usdt_reserve
        x, y = in_out_reserves(pool, side)
        if kind == "in":
            pool.swap_exact_in(side, frac * x * 10.0)   # up to 10x the reserve
        else:
            pool.swap_exact_out(side, frac * y)
        assert pool.token_reserve * pool.usdt_reserve >= k_before
        assert pool.k == pool.token_reserve * pool.usdt_reserve
        assert pool.token_reserve > 0.0 and pool.usdt_reserve > 0.0


SUB_ULP_TRADES = """
from mmabm import Pool
# 0.9 * 2**-53 tokens into 1/1: the USDT reserve cannot drop without k dropping, so pay 0
pool = Pool(0.003)
pool.add_liquidity(1.0, 1.0)
assert pool.swap_exact_in(-1, 0.9 * 2.0 ** -53) == 0.0 and pool.k >= 1.0
# 0.6 * 2**-53 USDT out of 1 - 2**-53 moves that reserve by an ulp: pay an ulp of tokens
pool = Pool(0.0)
pool.add_liquidity(1.0, 1.0 - 2.0 ** -53)
k = pool.k
assert pool.swap_exact_out(-1, 0.6 * 2.0 ** -53) == 2.0 ** -52 and pool.k >= k
"""


def test_sub_ulp_trades_finish_and_keep_k():
    """Trades far below an ulp of the reserves. Rounding them to keep k once stepped one ulp of
    the trade at a time, ~2**52 steps in uninterruptible C: run them in a child with a timeout."""
    subprocess.run([sys.executable, "-c", SUB_ULP_TRADES], check=True, timeout=60)


# -- 3. quotes ----------------------------------------------------------------------------------
@SETTINGS
@given(token=RESERVES, usdt=RESERVES, fee=FEES, side=SIDES, frac=OUT_FRACS)
def test_quotes_leave_pool_alone_and_swaps_match_them(token, usdt, fee, side, frac):
    pool = make_pool(token, usdt, fee)
    x, y = in_out_reserves(pool, side)
    before = state(pool)
    q_in, q_out = pool.quote_exact_in(side, frac * x), pool.quote_exact_out(side, frac * y)
    assert state(pool) == before
    twin = pickle.loads(pickle.dumps(pool))
    assert pool.swap_exact_in(side, frac * x) == q_in
    assert twin.swap_exact_out(side, frac * y) == q_out


# -- 4. batch -----------------------------------------------------------------------------------
@SETTINGS
@given(token=RESERVES, usdt=RESERVES, fee=FEES,
       trades=st.lists(st.tuples(SIDES, st.floats(-12.0, 1.0)), max_size=40))
def test_batch_equals_loop(token, usdt, fee, trades):
    looped, batched = make_pool(token, usdt, fee), make_pool(token, usdt, fee)
    sides = np.array([s for s, _ in trades], dtype=np.int64)
    amounts = np.array([10.0 ** e * (usdt if s > 0 else token) for s, e in trades])
    expected = [looped.swap_exact_in(int(s), float(a)) for s, a in zip(sides, amounts)]
    out = batched.swap_exact_in_batch(sides, amounts)
    assert out.dtype == np.float64 and out.tolist() == expected
    assert state(batched) == state(looped)


# -- 5. liquidity -------------------------------------------------------------------------------
def test_first_deposit_sets_price_and_mints_geometric_mean():
    pool = Pool()
    assert pool.add_liquidity(400.0, 900.0) == (400.0, 900.0, 600.0)
    assert state(pool) == (400.0, 900.0, 600.0)
    assert pool.spot_price() == 2.25


def test_later_deposits_are_pro_rata():
    pool = make_pool(token=100.0, usdt=300.0)                       # 173.2... shares
    shares = pool.total_shares
    # USDT is the binding maximum: 30 of it is 10% of the pool, so 10 tokens go with it
    assert pool.add_liquidity(50.0, 30.0) == pytest.approx((10.0, 30.0, 0.1 * shares), rel=1e-12)
    # now tokens bind: 11 tokens is 10% of the 110, with 33 USDT
    assert pool.add_liquidity(11.0, 1000.0) == pytest.approx((11.0, 33.0, 0.11 * shares),
                                                             rel=1e-12)
    assert state(pool) == pytest.approx((121.0, 363.0, 1.21 * shares), rel=1e-12)
    assert pool.spot_price() == pytest.approx(3.0, rel=1e-12)


@SETTINGS
@given(token=RESERVES, usdt=RESERVES, fee=FEES, side=SIDES, frac=OUT_FRACS,
       token_max=RESERVES, usdt_max=RESERVES)
def test_add_then_remove_returns_the_deposit(token, usdt, fee, side, frac, token_max, usdt_max):
    pool = make_pool(token, usdt, fee)
    pool.swap_exact_in(side, frac * in_out_reserves(pool, side)[0])  # reserves off round numbers
    token_used, usdt_used, shares = pool.add_liquidity(token_max, usdt_max)
    assert token_used <= token_max * (1 + 1e-12) and usdt_used <= usdt_max * (1 + 1e-12)
    assert pool.remove_liquidity(shares) == pytest.approx((token_used, usdt_used), rel=1e-12)


def test_removing_all_shares_empties_the_pool():
    pool = make_pool()
    pool.swap_exact_in(1, 123.0)
    reserves = state(pool)[:2]
    assert pool.remove_liquidity(pool.total_shares) == reserves
    assert state(pool) == (0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="reserves"):
        pool.swap_exact_in(1, 1.0)
    assert state(pool) == (0.0, 0.0, 0.0)


# -- 6. trade_to_price --------------------------------------------------------------------------
@SETTINGS
@given(token=RESERVES, usdt=RESERVES, fee=FEES, factor=st.floats(1 / 20, 20.0))
def test_trade_to_price_lands_on_target(token, usdt, fee, factor):
    pool = make_pool(token, usdt, fee)
    spot = pool.spot_price()
    target = spot * factor
    side, amount = pool.trade_to_price(target)
    if side == 0:
        assert amount == 0.0
    else:
        assert side == (1 if target > spot else -1) and amount > 0.0
        pool.swap_exact_in(side, amount)
    assert pool.spot_price() == pytest.approx(target, rel=1e-9)


def test_trade_to_price_at_target_is_no_trade():
    pool = make_pool(token=3.0, usdt=7.0)
    assert pool.trade_to_price(pool.spot_price()) == (0, 0.0)


def test_trade_to_price_one_ulp_away_is_a_valid_trade():
    """A target within rounding of the spot gives (0, 0.0) or a trade that swap_exact_in takes."""
    rng = random.Random(20240601)
    for _ in range(200):
        pool = make_pool(rng.uniform(1.0, 1000.0), rng.uniform(1.0, 1000.0))
        for direction in (math.inf, 0.0):
            side, amount = pool.trade_to_price(math.nextafter(pool.spot_price(), direction))
            assert (side, amount) == (0, 0.0) or (side in (1, -1) and amount > 0.0)
            if side:
                k = pool.k
                pool.swap_exact_in(side, amount)
                assert pool.k >= k


# -- 7. bad input -------------------------------------------------------------------------------
NAN, INF = float("nan"), float("inf")
BAD_AMOUNTS = [
    (0, ValueError), (0.0, ValueError), (-1.0, ValueError), (NAN, ValueError),
    (INF, ValueError), (-INF, ValueError), (np.float64("nan"), ValueError),
    ("1", TypeError), (None, TypeError), ([1.0], TypeError), (True, TypeError),
]
AMOUNT_CALLS = {
    "quote_exact_in": (lambda p, v: p.quote_exact_in(1, v), "amount_in"),
    "swap_exact_in": (lambda p, v: p.swap_exact_in(-1, v), "amount_in"),
    "quote_exact_out": (lambda p, v: p.quote_exact_out(1, v), "amount_out"),
    "swap_exact_out": (lambda p, v: p.swap_exact_out(-1, v), "amount_out"),
    "trade_to_price": (lambda p, v: p.trade_to_price(v), "target_price"),
    "add_liquidity/token": (lambda p, v: p.add_liquidity(v, 1.0), "token_max"),
    "add_liquidity/usdt": (lambda p, v: p.add_liquidity(1.0, v), "usdt_max"),
    "remove_liquidity": (lambda p, v: p.remove_liquidity(v), "shares"),
}
SIDE_CALLS = {
    "quote_exact_in": lambda p, s: p.quote_exact_in(s, 1.0),
    "swap_exact_in": lambda p, s: p.swap_exact_in(s, 1.0),
    "quote_exact_out": lambda p, s: p.quote_exact_out(s, 1.0),
    "swap_exact_out": lambda p, s: p.swap_exact_out(s, 1.0),
}


def assert_rejected(pool, call, error, match):
    before = state(pool)
    with pytest.raises(error, match=match):
        call(pool)
    assert state(pool) == before


@pytest.mark.parametrize("value, error", BAD_AMOUNTS, ids=repr)
@pytest.mark.parametrize("entry", AMOUNT_CALLS)
def test_bad_amount_is_rejected(entry, value, error):
    call, field = AMOUNT_CALLS[entry]
    assert_rejected(make_pool(), lambda p: call(p, value), error, field)


@pytest.mark.parametrize("side", [0, 2, -2, True, False, np.True_, 1.0, "buy", None], ids=repr)
@pytest.mark.parametrize("entry", SIDE_CALLS)
def test_bad_side_is_rejected(entry, side):
    assert_rejected(make_pool(), lambda p: SIDE_CALLS[entry](p, side), ValueError, "side")


@pytest.mark.parametrize("fee, error", [
    (1.0, ValueError), (1.5, ValueError), (-0.001, ValueError), (NAN, ValueError),
    (INF, ValueError), ("0.003", TypeError), (None, TypeError), (True, TypeError),
    (np.complex128(0.003), TypeError),
], ids=repr)
def test_bad_fee_is_rejected(fee, error):
    with pytest.raises(error, match="fee"):
        Pool(fee)


@pytest.mark.parametrize("side, amount_out", [(1, 1000.0), (1, 5000.0), (-1, 2000.0)])
def test_exact_out_of_the_whole_reserve_is_rejected(side, amount_out):
    for call in (Pool.quote_exact_out, Pool.swap_exact_out):
        assert_rejected(make_pool(), lambda p: call(p, side, amount_out), ValueError,
                        "amount_out")


def test_overflowing_amounts_are_rejected():
    pool = make_pool(token=1.0, usdt=1e10)
    assert_rejected(pool, lambda p: p.swap_exact_in(-1, 1e300), ValueError, "amount_in")
    pool = make_pool(token=1.0, usdt=1e300, fee=0.0)
    assert_rejected(pool, lambda p: p.swap_exact_out(1, 1.0 - 2.0 ** -53), ValueError,
                    "amount_out")
    pool = make_pool(token=1.0, usdt=1e10)
    assert_rejected(pool, lambda p: p.swap_exact_in_batch([1, -1, -1], [1.0, 1.0, 1e300]),
                    ValueError, r"amounts_in\[2\]")


def test_removing_more_shares_than_outstanding_is_rejected():
    pool = make_pool()
    assert_rejected(pool, lambda p: p.remove_liquidity(p.total_shares * 1.000001), ValueError,
                    "shares")
    assert_rejected(Pool(), lambda p: p.remove_liquidity(1.0), ValueError, "shares")


@pytest.mark.parametrize("call", [
    lambda p: p.quote_exact_in(1, 1.0), lambda p: p.swap_exact_in(-1, 1.0),
    lambda p: p.quote_exact_out(1, 1.0), lambda p: p.swap_exact_out(-1, 1.0),
    lambda p: p.swap_exact_in_batch([1], [1.0]), lambda p: p.trade_to_price(2.0),
    lambda p: p.spot_price(),
], ids=["quote_exact_in", "swap_exact_in", "quote_exact_out", "swap_exact_out",
        "swap_exact_in_batch", "trade_to_price", "spot_price"])
def test_empty_pool_is_rejected(call):
    assert_rejected(Pool(), call, ValueError, "reserves")


@pytest.mark.parametrize("sides, amounts, error, match", [
    ([1, -1], [1.0], ValueError, "amounts_in"),
    ([1], [1.0, 2.0], ValueError, "amounts_in"),
    ([1, -1, 1], [1.0, NAN, 1.0], ValueError, r"amounts_in\[1\]"),
    ([1, -1, 1], [1.0, 2.0, INF], ValueError, r"amounts_in\[2\]"),
    ([1, -1], [1.0, 0.0], ValueError, r"amounts_in\[1\]"),
    ([1, -1], [-1.0, 1.0], ValueError, r"amounts_in\[0\]"),
    ([1, -1], ["1", "2"], TypeError, "amounts_in"),
    ([1, -1], [[1.0, 2.0]], ValueError, "amounts_in"),
    ([1, 0], [1.0, 1.0], ValueError, r"sides\[1\]"),
    ([1, 2], [1.0, 1.0], ValueError, r"sides\[1\]"),
    ([True, False], [1.0, 1.0], TypeError, "sides"),
    ([1.0, -1.0], [1.0, 1.0], TypeError, "sides"),
], ids=["short amounts", "short sides", "nan", "inf", "zero", "negative", "strings",
        "2-d amounts", "side 0", "side 2", "bool sides", "float sides"])
def test_bad_batch_is_rejected(sides, amounts, error, match):
    assert_rejected(make_pool(), lambda p: p.swap_exact_in_batch(sides, amounts), error, match)


# -- 8. pickling --------------------------------------------------------------------------------
@pytest.mark.parametrize("fee", [0.0, 0.003, 0.25])
def test_pickle_round_trip(fee):
    pool = make_pool(fee=fee)
    pool.swap_exact_in(1, 77.7)
    pool.add_liquidity(5.0, 50.0)
    copy = pickle.loads(pickle.dumps(pool))
    assert isinstance(copy, Pool) and copy is not pool
    assert state(copy) == state(pool) and copy.fee == pool.fee
    assert copy.swap_exact_in(-1, 3.0) == pool.swap_exact_in(-1, 3.0)
    empty = pickle.loads(pickle.dumps(Pool(fee)))
    assert state(empty) == (0.0, 0.0, 0.0) and empty.fee == fee


# -- quantum: whole-unit pools for venues with integer balances ----------------------------------
@SETTINGS
@given(fee=FEES, ops=st.lists(st.tuples(st.sampled_from(["in", "out", "add", "remove"]), SIDES,
                                        st.integers(1, 10**9)), max_size=25))
def test_quantum_pool_keeps_whole_reserves_and_k(fee, ops):
    pool = Pool(fee, quantum=1.0)
    pool.add_liquidity(5e11, 5e11)
    for op, side, amount in ops:
        k_before = pool.k
        r_in, r_out = in_out_reserves(pool, side)
        if op == "in":
            out = pool.swap_exact_in(side, float(amount))
            assert out == math.floor(out) and pool.k >= k_before
        elif op == "out" and amount < r_out:
            paid = pool.swap_exact_out(side, float(amount))
            assert paid == math.ceil(paid) and pool.k >= k_before
        elif op == "add":
            pool.add_liquidity(float(amount), float(amount))
        elif op == "remove":
            tx, ty = pool.remove_liquidity(pool.total_shares * 1e-3)
            assert tx == math.floor(tx) and ty == math.floor(ty)
        assert pool.token_reserve == math.floor(pool.token_reserve)
        assert pool.usdt_reserve == math.floor(pool.usdt_reserve)


def test_quantum_rounds_payouts_down_and_charges_up():
    exact, whole = make_pool(1000.0, 1000.0, fee=0.003), Pool(0.003, quantum=1.0)
    whole.add_liquidity(1000.0, 1000.0)
    assert whole.quote_exact_in(-1, 10.0) == math.floor(exact.quote_exact_in(-1, 10.0))
    assert whole.quote_exact_out(1, 10.0) == math.ceil(exact.quote_exact_out(1, 10.0))


@pytest.mark.parametrize("quantum, error", [(-1.0, ValueError), (float("inf"), ValueError),
                                            (float("nan"), ValueError), ("1", TypeError)])
def test_bad_quantum_is_named(quantum, error):
    with pytest.raises(error, match="quantum"):
        Pool(0.003, quantum=quantum)
