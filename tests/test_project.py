"""The project team: vesting unlocks (cliff, monthly, jittered from their own stream), the sale
of the unlocked share, and the buyback rule."""
import pytest

from mmabm.config import Config
from mmabm.model import MarketModel
from mmabm.venues import units

QUIET = Config().override({"run.months": 0.1, "retail.n_traders": 200,
                           "retail.launch_orders_per_minute": 1,
                           "market_maker.strategy": "hold",
                           "project.unlock_cliff_months": 0.0, "project.unlock_months": 12.0,
                           "project.unlock_tokens": 1_200_000.0,
                           "project.unlock_jitter_days": 1.0, "project.unlock_sell_days": 1.0})


def test_unlocks_vest_after_the_cliff_and_their_share_is_sold():
    model = MarketModel(QUIET, seed=4)
    treasury = model.wallets.tokens[model.project.unique_id]
    model.run_model()
    p = model.project
    assert p.unlocked_tokens == pytest.approx(100_000.0)      # 1.2M over 12 months: one so far
    insiders = model.insiders                             # the unlock went to its recipients
    assert 0.8 * 50_000 <= insiders.sold_tokens <= 50_000 + 1   # half of it, within a day
    assert insiders.sale_usdt > 0.5 * insiders.sold_tokens
    assert model.wallets.tokens[p.unique_id] == treasury - units.tokens_to_units(100_000.0)
    assert model.wallets.tokens[insiders.unique_id] == units.tokens_to_units(
        100_000.0 - insiders.sold_tokens)
    assert model.conservation_problems() == []


def test_insiders_sell_in_slices_unlock_slice_minutes_apart():
    sold = {}
    for every in (60, 10):
        model = MarketModel(QUIET.override({"project.unlock_jitter_days": 0.0,
                                            "project.unlock_slice_minutes": every}), seed=4)
        insiders, steps = model.insiders, []
        while model.time < 3 * 60 + 1:
            before = insiders.sold_tokens
            model.step()
            if insiders.sold_tokens != before:
                steps.append(model.time)
        sold[every] = insiders.sold_tokens
        assert len(steps) >= 0.9 * (180 // every) and all(t % every == 0 for t in steps)
    # 50,000 over a day: three hours' worth either way, in 3 orders or 18
    assert sold[60] == pytest.approx(6_250.0, rel=0.01)
    assert sold[10] == pytest.approx(6_250.0, rel=0.01)
    with pytest.raises(ValueError, match=r"project.unlock_slice_minutes must be in \[1, 1440\]"):
        QUIET.override({"project.unlock_slice_minutes": 0})


def test_unlock_dates_are_the_same_world_for_every_strategy():
    times = []
    for strategy in ("article", "hold"):
        model = MarketModel(QUIET.override({"market_maker.strategy": strategy,
                                            "run.months": 0.01}), seed=9)
        times.append(model.project.unlock_times)
    assert len(times[0]) == 12 and times[0] == times[1]
    gaps = [b - a for a, b in zip(times[0], times[0][1:])]
    assert all(30 * 1440 - 1440 <= g <= 30 * 1440 + 1440 for g in gaps)   # monthly, jittered
    assert len(set(gaps)) > 1


def test_nothing_unlocks_before_the_cliff():
    model = MarketModel(QUIET.override({"project.unlock_cliff_months": 6.0}), seed=4)
    model.run_model()
    assert model.project.unlocked_tokens == 0 and model.insiders.sold_tokens == 0


def test_buyback_spends_its_daily_budget_while_the_price_is_below_the_line():
    model = MarketModel(QUIET.override({"project.unlock_tokens": 0.0,
                                        "project.buyback_below": 5.0,        # always below
                                        "project.buyback_usdt_per_day": 24_000.0}), seed=4)
    model.run_model()
    p = model.project
    days = model.end_minute / 1440
    assert p.bought_tokens > 0
    assert 0.5 * 24_000 * days < p.buyback_usdt <= 24_000 * days * 1.25
    assert model.conservation_problems() == []


def test_no_buyback_above_the_line():
    model = MarketModel(QUIET.override({"project.unlock_tokens": 0.0,
                                        "project.buyback_below": 0.01}), seed=4)
    model.run_model()
    assert model.project.bought_tokens == 0
