"""AmmVenue: swaps against accounts, liquidity in shares, the LP position's report."""
import math

import pytest

from mmabm.venues import AmmVenue, Rejection

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
