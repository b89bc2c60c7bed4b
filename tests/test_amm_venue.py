"""AmmVenue: swaps against accounts, liquidity in shares, the LP position's report."""
import math

import pytest

from mmabm.venues import AmmVenue, Rejection
from budget import examples

M = 10**6   # units per USDT / token


def dex(fee=0.003):
    v = AmmVenue("dex", fee=fee)
    v.deposit(1, usdt=500_000.0, tokens=500_000.0)
    v.deposit(2, usdt=100_000.0, tokens=100_000.0)
    v.add_liquidity(1, 500_000 * M, 500_000 * M)
    return v


def state(v):
    return dict(v.usdt), dict(v.tokens), dict(v.shares), v.pool.token_reserve, v.pool.usdt_reserve


def test_swap_settles_exact_units_and_books_balance():
    v = dex()
    out = v.swap_exact_in(2, 1, 1_000 * M)
    assert out == math.floor(997 * M * 500_000 * M / (500_000 * M + 997 * M))
    assert v.usdt[2] == 99_000 * M and v.tokens[2] == 100_000 * M + out
    assert v.audit() == []


def test_exact_out_charges_whole_units():
    v = dex()
    paid = v.swap_exact_out(2, -1, 1_000 * M)        # receive exactly 1,000 USDT
    assert v.usdt[2] == 101_000 * M and v.tokens[2] == 100_000 * M - paid and v.audit() == []


def test_swap_beyond_means_is_refused_and_changes_nothing():
    v = dex()
    before = state(v)
    assert v.swap_exact_in(2, 1, 100_001 * M) == Rejection.INSUFFICIENT_FUNDS
    assert v.swap_exact_out(2, 1, 400_000 * M) == Rejection.INSUFFICIENT_FUNDS
    assert state(v) == before


def test_trade_to_price_moves_the_pool_there():
    v = dex()
    side, amount = v.trade_to_price(1.1)
    v.deposit(3, usdt=1e6)
    v.swap_exact_in(3, side, amount)
    assert side == 1 and v.price() == pytest.approx(1.1, rel=1e-9)


def test_fresh_position_has_no_fees_and_no_loss():
    pos = dex().position(1)
    assert pos.tokens == pytest.approx(500_000) and pos.usdt == pytest.approx(500_000)
    assert pos.value_usdt == pytest.approx(1_000_000)
    assert pos.fees_earned_usdt == pytest.approx(0, abs=1e-6)
    assert pos.impermanent_loss_usdt == pytest.approx(0, abs=1e-6)


def test_impermanent_loss_matches_the_closed_form_without_fees():
    v = dex(fee=0.0)
    side, amount = v.trade_to_price(4.0)            # price ratio r = 4
    v.deposit(3, usdt=1e7)
    v.swap_exact_in(3, side, amount)
    pos = v.position(1)
    held = 500_000 * 4.0 + 500_000
    assert pos.impermanent_loss_usdt / held == pytest.approx(2 * math.sqrt(4) / 5 - 1, rel=1e-6)
    assert pos.fees_earned_usdt == pytest.approx(0, abs=1e-3)
    assert pos.delta_tokens == pytest.approx(250_000, rel=1e-6)   # x = sqrt(k / P)


def test_fees_earned_are_the_fee_on_volume_for_a_sole_provider():
    v = dex(fee=0.003)
    for _ in range(20):                              # round trips leave the price near 1
        out = v.swap_exact_in(2, 1, 1_000 * M)
        v.swap_exact_in(2, -1, out)
    pos = v.position(1)
    assert pos.fees_earned_usdt == pytest.approx(0.003 * v.volume_usdt / M, rel=0.01)


def test_second_provider_gets_pro_rata_shares_and_removal_returns_units():
    v = dex()
    minted = v.add_liquidity(2, 50_000 * M, 60_000 * M)   # sized down to the 1:1 ratio
    assert minted == pytest.approx(50_000 * M)
    assert v.usdt[2] == 50_000 * M and v.tokens[2] == 50_000 * M
    tx, ty = v.remove_liquidity(2, minted)
    assert (tx, ty) == (50_000 * M, 50_000 * M) and v.shares[2] == 0 and v.audit() == []


def test_removing_more_shares_than_held_is_named():
    v = dex()
    with pytest.raises(ValueError, match="shares must be in"):
        v.remove_liquidity(2, 1.0)


@pytest.mark.parametrize("call, match", [
    (lambda v: v.swap_exact_in(2, 0, 5), "side"),
    (lambda v: v.swap_exact_in(2, 1, -5), "amount_in_units"),
    (lambda v: v.swap_exact_in(2, 1, 1.5), "amount_in_units"),
    (lambda v: v.swap_exact_in(-2, 1, 5), "owner"),
    (lambda v: v.swap_exact_out(2, 1, 0), "amount_out_units"),
    (lambda v: v.swap_exact_out(2, 1, 500_000 * M), "amount_out"),
    (lambda v: v.add_liquidity(2, 0, 5), "token_units and usdt_units"),
    (lambda v: v.deposit_units(2, usdt_units=-1), "usdt_units"),
    (lambda v: v.withdraw_units(2, usdt_units=10**15), "usdt_units"),
])
def test_bad_input_is_named_and_changes_nothing(call, match):
    v = dex()
    before = state(v)
    with pytest.raises(ValueError, match=match):
        call(v)
    assert state(v) == before


def test_empty_pool_refuses_swaps():
    v = AmmVenue()
    v.deposit(1, usdt=10.0)
    with pytest.raises(ValueError, match="zero reserves"):
        v.swap_exact_in(1, 1, 5)
    assert math.isnan(v.price())


# -- the compiled swaps against the Python venue they replaced ----------------------------------
import pickle  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from mmabm.reference.amm_accounts import ReferenceSwaps  # noqa: E402


UNITS = st.integers(1, 10**15)
SWAPS = st.lists(st.tuples(st.sampled_from(["in", "out"]), st.sampled_from([2, 3]),
                           st.sampled_from([1, -1]), st.floats(-7.0, 0.5)), max_size=40)


@settings(max_examples=examples(200), deadline=None)
@given(fee=st.one_of(st.sampled_from([0.0, 0.003]), st.floats(0.0, 0.2)), x=UNITS, y=UNITS,
       balances=st.lists(st.tuples(UNITS, UNITS), min_size=2, max_size=2), swaps=SWAPS)
def test_compiled_swaps_match_the_python_reference_unit_for_unit(fee, x, y, balances, swaps):
    v = AmmVenue("dex", fee=fee)
    v.deposit_units(1, y, x)
    v.add_liquidity(1, x, y)
    owners = {2: balances[0], 3: balances[1]}
    for o, (u, t) in owners.items():
        v.deposit_units(o, u, t)
    ref = ReferenceSwaps(fee, {1: (0, 0), **owners}, x, y)   # 1 put all it had in the pool
    ref.changes = v.changes
    for kind, owner, side, e in swaps:
        reserve = v.pool.usdt_reserve if (side > 0) == (kind == "in") else v.pool.token_reserve
        a = max(1, int(reserve * 10.0 ** e))
        outcome = []
        for venue in (v, ref):
            try:
                outcome.append(repr(getattr(venue, f"swap_exact_{kind}")(owner, side, a)))
            except ValueError as error:
                outcome.append(f"ValueError: {error}")
        assert outcome[0] == outcome[1]
    assert (dict(v.usdt), dict(v.tokens)) == (dict(ref.usdt), dict(ref.tokens))
    assert (v.pool.token_reserve, v.pool.usdt_reserve) == (ref.pool.token_reserve,
                                                           ref.pool.usdt_reserve)
    assert (v.volume_usdt, v.changes, v.take_swaps()) == (ref.volume_usdt, ref.changes, ref.swaps)
    assert v.audit() == []


def test_a_refused_swap_returns_the_rejection_itself():
    v = dex()
    assert v.swap_exact_in(2, 1, 100_001 * M) is Rejection.INSUFFICIENT_FUNDS
    assert v.swap_exact_out(2, 1, 400_000 * M) is Rejection.INSUFFICIENT_FUNDS


@pytest.mark.parametrize("side", [1, -1, 1.0, -1.0])
def test_sides_equal_to_one_are_taken(side):
    v = dex()
    assert v.swap_exact_in(2, side, 1_000) > 0 and v.swap_exact_out(2, side, 1_000) > 0


@pytest.mark.parametrize("call, error, match", [
    (lambda v: v.swap_exact_out(2, True, 5), ValueError, "side"),
    (lambda v: v.swap_exact_out(2, 2, 5), ValueError, "side"),
    (lambda v: v.swap_exact_out(2, 1, 1.0), ValueError, "amount_out_units"),
    (lambda v: v.swap_exact_out(9, 1, 5), ValueError, "owner 9 has no account at 'dex'"),
    (lambda v: v.swap_exact_out("2", 1, 5), ValueError, "owner must be an agent id"),
    (lambda v: v.swap_exact_in(2, 1, True), ValueError, "amount_in_units"),
    (lambda v: v.swap_exact_in(2, 1, 0), ValueError, "amount_in_units must be at least 1"),
    (lambda v: v.swap_exact_in(2, 1, 10**400), OverflowError, "too large to convert to float"),
    (lambda v: v.trade_to_price(-1.0), ValueError, "target_price"),
    (lambda v: v.trade_to_price(math.nan), ValueError, "target_price"),
    (lambda v: v.balance(9), ValueError, "owner 9 has no account"),
])
def test_bad_swap_input_is_named_and_changes_nothing(call, error, match):
    v = dex()
    before = state(v), v.changes, v.volume_usdt
    with pytest.raises(error, match=match):
        call(v)
    assert (state(v), v.changes, v.volume_usdt) == before


def test_the_venue_pickles_with_its_compiled_state():
    v = dex()
    v.swap_exact_in(2, 1, 1_000 * M)
    copy = pickle.loads(pickle.dumps(v))
    assert type(copy) is AmmVenue and copy.name == v.name
    assert (state(copy), copy.changes, copy.volume_usdt, copy._opened, copy._basis) == (
        state(v), v.changes, v.volume_usdt, v._opened, v._basis)
    bought = v.tokens[2] - 100_000 * M                        # what the swap paid out
    assert bought > 0
    assert copy.take_swaps() == v.take_swaps() == [(2, 1_000 * M, bought)]
    assert copy.swap_exact_in(2, -1, 5 * M) == v.swap_exact_in(2, -1, 5 * M)
