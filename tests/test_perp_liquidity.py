"""A perp provider that quotes both sides without hedging gives the book the side the basis
desk cannot: the market maker's hedge closes in the book at maturity."""
import pytest

from mmabm.config import Config
from mmabm.model import MarketModel

# liability_neutral ends the month long ~0.57M perp tokens, and hedge_close = book leaves
# what the book cannot take open: the basis desk's bids run out with its spot room
CLOSE = Config().override({"run.months": 1.0, "contract.months": 1.0,
                           "retail.n_traders": 600, "market_maker.hedge_close": "book",
                           "market_maker.strategy": "liability_neutral"})


@pytest.fixture(scope="module")
def runs():
    out = {}
    for usdt in (0.0, 2_000_000.0):
        model = MarketModel(CLOSE.override({"liquidity.perp_usdt": usdt}), seed=0)
        model.run_model()
        out[usdt] = model
    return out


def test_without_it_the_hedge_is_left_open_and_with_it_it_closes_in_the_book(runs):
    bare, provided = runs[0.0].market_maker, runs[2_000_000.0].market_maker
    assert runs[0.0].perp_providers == []
    assert bare.hedge_left > 0.5 * bare.hedge_at_maturity > 0
    assert provided.hedge_closed_in_book > 0.9 * provided.hedge_at_maturity > 0
    assert provided.hedge_left < 0.1 * bare.hedge_left
    for model in runs.values():
        assert model.conservation_problems() == []


def test_its_position_stays_within_its_limit_and_it_is_a_liquidity_provider(runs):
    model = runs[2_000_000.0]
    provider, = model.perp_providers
    terms = model.config.liquidity
    lowest = min(row["index_price"] for row in model.rows if row["index_price"] > 0)
    limit = terms.perp_leverage * terms.perp_usdt / (0.95 * lowest)   # its limit at any index
    assert 0 < abs(provider.position_tokens()) <= limit
    assert model.owner_type(provider.unique_id) == "liquidity_provider"


@pytest.mark.parametrize("key, bad", [("liquidity.perp_usdt", -1.0),
                                      ("liquidity.perp_half_spread", 0.5),
                                      ("liquidity.perp_leverage", 0.0)])
def test_its_terms_are_checked_by_name(key, bad):
    with pytest.raises(Exception, match=key):
        Config().override({key: bad})
