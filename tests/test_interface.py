"""The venue interface (mmabm/venues/interface.py): every venue answers the same questions,
and the answers agree with what the venue then does."""
import math

import pytest

from mmabm._core import BUY, SELL
from mmabm.venues import AmmVenue, PerpExchange, SpotExchange, Wallets, fund
from mmabm.venues.interface import Venue

MAKER, TAKER = 1, 2


def _venues():
    return [SpotExchange("cex", 0.0001, 1.0, 0.0, 0.001), AmmVenue("dex", 0.003),
            PerpExchange("perp", 0.0001, 1.0)]


@pytest.mark.parametrize("venue", _venues(), ids=lambda v: v.kind)
def test_every_venue_implements_the_interface(venue):
    assert isinstance(venue, Venue)
    assert venue.kind in ("spot", "pool", "perp")
    assert isinstance(venue.lot_units, int) and venue.lot_units >= 1


def _spot_with_book():
    cex = SpotExchange("cex", 0.0001, 1.0, 0.0, 0.001)
    w = Wallets()
    for owner in (MAKER, TAKER):
        w.mint(owner, usdt=10_000_000_000, tokens=10_000_000_000)
        fund(w, cex, owner, 10_000_000_000, 10_000_000_000)
    cex.limit(MAKER, BUY, 10_000, 10)         # 1.0000: the maker's own best bid
    cex.limit(TAKER, BUY, 9_900, 50)          # 0.9900: the best bid that is not the maker's
    cex.limit(TAKER, SELL, 10_100, 50)
    return cex


def test_spot_sell_quote_skips_own_bids_and_charges_the_taker_fee():
    cex = _spot_with_book()
    assert cex.sell_quote(MAKER, 10_000_000) == pytest.approx(0.99 * (1 - 0.001))
    assert cex.sell_quote(TAKER, 10_000_000) == pytest.approx(1.0 * (1 - 0.001))


def test_spot_sell_tokens_never_trades_with_itself_and_reports_what_moved():
    cex = _spot_with_book()
    before = cex.balance(MAKER)
    tokens, usdt = cex.sell_tokens(MAKER, 30_000_000)     # 30 lots
    after = cex.balance(MAKER)
    assert tokens == pytest.approx(30.0)
    assert usdt == pytest.approx(30 * 0.99 * (1 - 0.001), rel=1e-9)
    assert (after["tokens"] + after["tokens_locked"]) == pytest.approx(
        before["tokens"] + before["tokens_locked"] - 30)
    assert cex.best_bid() == 9_900                           # its own bid went (self-trade
    assert not cex.committed(MAKER)                          # prevention), the other stays


def test_spot_free_usdt_units_is_what_can_be_withdrawn():
    cex = _spot_with_book()
    free = cex.free_usdt_units(TAKER)
    cex.withdraw_units(TAKER, free, 0)
    with pytest.raises(ValueError):
        cex.withdraw_units(TAKER, 1, 0)


def _pool():
    dex, w = AmmVenue("dex", 0.003), Wallets()
    w.mint(MAKER, usdt=1_000_000_000_000, tokens=1_000_000_000_000)
    fund(w, dex, MAKER, 1_000_000_000_000, 1_000_000_000_000)
    dex.add_liquidity(MAKER, 1_000_000_000_000, 500_000_000_000)   # 1M tokens at 0.5
    w.mint(TAKER, usdt=10_000_000_000, tokens=10_000_000_000)
    fund(w, dex, TAKER, 10_000_000_000, 10_000_000_000)
    return dex


def test_pool_answers_like_a_venue_and_its_quote_is_what_a_sale_pays():
    dex = _pool()
    assert dex.mid_usd() == pytest.approx(0.5)
    quote = dex.sell_quote(TAKER, 1_000_000_000)              # 1000 tokens
    tokens, usdt = dex.sell_tokens(TAKER, 1_000_000_000)
    assert tokens == 1000.0 and usdt == pytest.approx(1000 * quote, rel=1e-9)
    assert dex.cancel(TAKER, 12345) == 0 and not dex.committed(TAKER)
    assert dex.sell_quote(TAKER, 0) == 0.0


@pytest.mark.parametrize("side,band", [(BUY, 0.02), (SELL, 0.02), (BUY, 0.1)])
def test_pool_depth_is_what_moves_its_price_by_the_band(side, band):
    """Trading the depth's USDT (before the fee) moves the pool's price by `band`."""
    dex = _pool()
    depth = dex.depth_usd(side, band)
    x, y = dex.pool.token_reserve, dex.pool.usdt_reserve
    y_after = y - depth / 1e-6 if side == BUY else y + depth / 1e-6
    price_after = y_after / (x * y / y_after)
    assert price_after / (y / x) == pytest.approx(1 - band if side == BUY else 1 + band, rel=1e-9)


def test_pool_depth_names_a_bad_band_or_side():
    dex = _pool()
    with pytest.raises(ValueError, match="band"):
        dex.depth_usd(BUY, math.nan)
    with pytest.raises(ValueError, match="side"):
        dex.depth_usd(0)


def test_perp_depth_and_mid_count_the_book_as_a_spot_venue_does():
    perp, cex = PerpExchange("perp", 0.0001, 1.0), SpotExchange("cex", 0.0001, 1.0)
    w = Wallets()
    for owner in (MAKER, TAKER):
        w.mint(owner, usdt=10_000_000_000, tokens=10_000_000_000)
        fund(w, perp, owner, 5_000_000_000)
        fund(w, cex, owner, 5_000_000_000, 10_000_000_000)
    for venue in (perp, cex):
        venue.limit(MAKER, BUY, 9_950, 40)
        venue.limit(MAKER, BUY, 9_700, 40)                 # outside a 2% band of the mid
        venue.limit(TAKER, SELL, 10_050, 30)
    assert perp.mid_usd() == pytest.approx(cex.mid_usd())
    for side in (BUY, SELL):
        assert perp.depth_usd(side, 0.02) == pytest.approx(cex.depth_usd(side, 0.02), rel=1e-12)


def test_perp_is_committed_while_a_position_or_an_order_ties_it_down():
    perp, w = PerpExchange("perp", 0.0001, 1.0), Wallets()
    for owner in (MAKER, TAKER):
        w.mint(owner, usdt=10_000_000_000)
        fund(w, perp, owner, 10_000_000_000)
    perp.update_marks(1.0)
    assert not perp.committed(TAKER) and perp.free_usdt_units(TAKER) == 10_000_000_000
    oid = perp.limit(MAKER, SELL, 10_000, 10)
    assert perp.committed(MAKER)
    perp.cancel(MAKER, oid)
    assert not perp.committed(MAKER)
    perp.limit(MAKER, SELL, 10_000, 10)
    perp.market(TAKER, BUY, 10)
    assert perp.committed(TAKER) and perp.committed(MAKER)
    assert perp.balance(TAKER)["tokens"] == 0.0
    assert perp.sell_quote(TAKER, 1_000_000) == 0.0
    with pytest.raises(ValueError, match="holds no tokens"):
        perp.sell_tokens(TAKER, 1_000_000)
