"""Where retail money comes from and where it goes: the attention-driven inflow, exits, and
the books that still balance with money minted and burnt."""
import pytest

from mmabm.config import Config
from mmabm.model import MarketModel
from mmabm.venues import units

QUIET = Config().override({"run.months": 0.1, "retail.n_traders": 400,
                           "retail.launch_orders_per_minute": 2, "market_maker.strategy": "hold"})


def test_inflow_follows_launch_attention_and_is_minted_on_record():
    model = MarketModel(QUIET.override({"money.exit_per_day": 0.0,
                                        "money.inflow_usd_per_day": 240_000.0}), seed=1)
    minted = model.wallets.minted_usdt
    model.run_model()
    flows = model.retail.flows
    hours = int(model.end_minute // 60)
    expected = sum(flows.inflow_usd(60.0 * h) for h in range(1, hours + 1))
    # excitation from sharp moves adds nothing by default (money.shock_inflow = 0)
    assert flows.inflow_units * units.USDT_UNIT == pytest.approx(expected, rel=1e-3)
    assert model.wallets.minted_usdt - minted == flows.inflow_units
    assert 0.9 * 240_000 * 3 < flows.inflow_units * units.USDT_UNIT < 240_000 * 3
    assert model.wallets.burnt_usdt == 0 and model.conservation_problems() == []


def test_exits_burn_the_free_usdt_of_those_who_leave_and_the_books_balance():
    model = MarketModel(QUIET.override({"money.exit_per_day": 0.3,
                                        "money.inflow_usd_per_day": 0.0}), seed=2)
    before = model.recorder.row()["money_usdt_retail"]
    model.run_model()
    flows = model.retail.flows
    assert flows.exits > 100 and flows.outflow_units == model.wallets.burnt_usdt > 0
    after = model.recorder.row()
    # retail's money fell by what left (and what it paid others net, which is smaller)
    assert after["money_outflow_usd"] == pytest.approx(flows.outflow_units * units.USDT_UNIT)
    assert after["money_usdt_retail"] < before - 0.5 * after["money_outflow_usd"]
    assert model.conservation_problems() == []


def test_all_money_is_somewhere_minted_less_burnt():
    model = MarketModel(QUIET.override({"money.exit_per_day": 0.2,
                                        "market_maker.strategy": "article"}), seed=3)
    model.run_model()
    row = model.recorder.row()
    held = sum(v for k, v in row.items() if k.startswith("money_usdt_"))
    assert held == pytest.approx((model.wallets.minted_usdt - model.wallets.burnt_usdt)
                                 * units.USDT_UNIT, rel=1e-12)
    tokens = sum(v for k, v in row.items() if k.startswith("supply_tokens_"))
    assert tokens == pytest.approx(model.config.token.total_supply, rel=1e-12)


def test_a_shock_brings_money_in_only_when_told_to():
    calm = MarketModel(QUIET, seed=4)
    calm.attention.shock(0.0, 4.0, -1)
    excited = MarketModel(QUIET.override({"money.shock_inflow": 1.0}), seed=4)
    excited.attention.shock(0.0, 4.0, -1)
    assert calm.retail.flows.inflow_usd(60) == pytest.approx(
        QUIET.money.inflow_usd_per_day / 24 * float(calm.attention.base(60)))
    assert excited.retail.flows.inflow_usd(60) > 4 * calm.retail.flows.inflow_usd(60)


def test_inflow_chases_the_news_trend_only_when_told_to():
    # a bust: the news falls to half over 20 days, then stays; the inflow looks back 10 days
    bust = QUIET.override({"world.regime": "path", "world.path_days": [20.0],
                           "world.path_multiples": [0.5], "money.inflow_trend_days": 10.0,
                           "run.months": 1.0})
    deaf = MarketModel(bust, seed=5)
    chasing = MarketModel(bust.override({"money.inflow_trend_elasticity": 2.0}), seed=5)
    assert (deaf.fundamental == chasing.fundamental).all()       # the same world
    f = chasing.fundamental_at
    for day in (0.5, 5.0, 15.0, 25.0):
        minute = day * 1440.0
        back = max(0.0, minute - 10 * 1440.0)
        trend = f(minute) / f(back)
        assert chasing.retail.flows.trend(minute) == pytest.approx(trend)
        assert chasing.retail.flows.inflow_usd(minute) == pytest.approx(
            deaf.retail.flows.inflow_usd(minute) * trend ** 2.0)
    # over the fall the trend is down on every seed's path: less new money arrives
    minutes = [1440.0 * d for d in range(11, 21)]
    assert sum(map(chasing.retail.flows.inflow_usd, minutes)) < \
        0.8 * sum(map(deaf.retail.flows.inflow_usd, minutes))


def test_wallet_burn_refuses_an_overdraft_and_records_what_it_burns():
    from mmabm.venues import Wallets
    from mmabm.venues.wallets import InsufficientFunds
    w = Wallets()
    w.mint(7, usdt=10.0)
    with pytest.raises(InsufficientFunds, match="burn"):
        w.burn(7, 11 * 10**6)
    w.burn(7, 4 * 10**6)
    assert w.usdt[7] == 6 * 10**6 and w.burnt_usdt == 4 * 10**6 and w.audit() == []
