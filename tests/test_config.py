"""The config tree: the article's scenario, derived terms, overrides, and errors that name the key."""
import json
from pathlib import Path

import pytest

from mmabm.config import Config, ConfigError, load_config

ARTICLE = Path(__file__).resolve().parents[1] / "scenarios" / "article.toml"


def test_article_scenario_holds_the_deal_and_derives_the_sale():
    c = load_config(ARTICLE)
    assert [x.depth_usd for x in c.cex] == [100_000, 50_000, 50_000]
    assert c.dex.pool_usd == 1_000_000 and c.contract.loan_tokens == 3_000_000
    assert c.contract.strikes == (1.25, 1.5, 2.0) and c.token.total_supply == 150e6
    assert c.quoting_inventory_tokens == 200_000 and c.pool_inventory_tokens == 500_000
    assert c.initial_sale_tokens == 2_300_000


def test_sale_follows_the_terms_not_a_constant():
    c = Config().override({"cex.0.depth_usd": 300_000, "dex.pool_usd": 2_000_000,
                           "market_maker.usdt_capital": 1_500_000})
    assert c.initial_sale_tokens == 3_000_000 - 400_000 - 1_000_000


def test_round_trip_through_a_plain_dict_and_json():
    c = Config().override({"market_maker.strategy": "hold", "run.seed": 7})
    assert Config.from_dict(json.loads(json.dumps(c.to_dict()))) == c


def test_sale_fraction_sets_the_sale_as_a_share_of_the_loan():
    assert Config().override({"market_maker.sale_fraction": 0.5}).initial_sale_tokens == 1_500_000
    assert Config().override({"market_maker.sale_fraction": 0.0}).initial_sale_tokens == 0
    assert Config().initial_sale_tokens == Config().max_sale_tokens == 2_300_000


def test_string_overrides_are_read_as_toml_values():
    c = Config().override({"run.months": "24", "contract.american": "true",
                           "contract.strikes": "[1.1, 1.2, 1.3]", "market_maker.strategy": "hold"})
    assert (c.run.months, c.contract.american, c.contract.strikes) == (24.0, True, (1.1, 1.2, 1.3))
    assert c.market_maker.strategy == "hold"


def test_config_is_frozen():
    with pytest.raises(AttributeError):
        Config().run.seed = 3


@pytest.mark.parametrize("changes, match", [
    ({"market_maker.stratgy": "hold"}, "unknown key 'market_maker.stratgy'; known keys here: .*strategy"),
    ({"nope.x": 1}, "unknown key 'nope'"),
    ({"cex.5.depth_usd": 1.0}, r"cex.5: index must be below 3"),
    ({"market_maker.strategy": "dump"}, "market_maker.strategy must be a built-in strategy"),
    ({"run.step_minutes": 0}, r"run.step_minutes must be in \[1, 60\], got 0"),
    ({"run.step_minutes": 1.5}, "run.step_minutes must be an integer"),
    ({"token.initial_price": float("nan")}, "token.initial_price must be a number"),
    ({"token.initial_price": -1.0}, "token.initial_price must be in"),
    ({"dex.fee": "cheap"}, "dex.fee must be a number"),
    ({"contract.strikes": [1.25, -2.0, 2.0]}, r"contract.strikes.1 must be in"),
    ({"contract.option_tokens": [1.0]}, "one size per strike"),
    ({"contract.loan_tokens": 2e8}, "contract.loan_tokens must be at most token.total_supply"),
    ({"contract.loan_tokens": 500_000}, "must cover the inventory"),
    ({"market_maker.sale_fraction": 0.9}, r"sale_fraction must be -1 .* or in \[0, 0.7667\]"),
    ({"market_maker.sale_fraction": -0.5}, r"sale_fraction must be -1 \(the article's arithmetic\)"),
    ({"project.unlock_tokens": 1.45e8}, r"token.total_supply \(1.5e\+08\) must cover the loan"),
    ({"project.unlock_sell_share": 1.5}, r"project.unlock_sell_share must be in \[0, 1\]"),
    ({"market_maker.hedge_minutes": 0}, r"market_maker.hedge_minutes must be in \[1, 1440\]"),
    ({"perp.maintenance_margin": 0.2}, "perp.maintenance_margin must be at most"),
    ({"cex.1.name": "main"}, "cex names must be unique"),
    ({"contract.american": "yes"}, "contract.american must be true or false"),
    ({"world.regime": "moon"}, "world.regime must be one of 'bust'"),
    ({"world.path_days": [7, 31], "world.path_multiples": [1.1]},
     "world.path_multiples must give one multiple per day of world.path_days: 2 days, 1"),
    ({"world.path_days": [31, 7], "world.path_multiples": [1.1, 0.9]},
     r"world.path_days must increase, got \[31.0, 7.0\]"),
    ({"world.path_days": [0.0]}, r"world.path_days.0 must be in \[0.001, 3650\], got 0"),
    ({"world.path_multiples": [float("nan")]}, "world.path_multiples.0 must be a number"),
    ({"money.inflow_trend_elasticity": -1.0},
     r"money.inflow_trend_elasticity must be in \[0, 10\], got -1"),
    ({"money.inflow_trend_days": 0.5}, r"money.inflow_trend_days must be in \[1, 365\]"),
    ({"retail.dex_share": 1.5}, r"retail.dex_share must be in \[0, 1\], got 1.5"),
    ({"retail.dex_share": "most"}, "retail.dex_share must be a number"),
    ({"arbitrage.rebalance_below": -0.1}, r"arbitrage.rebalance_below must be in \[0, 1\], got -0.1"),
])
def test_bad_values_name_the_dotted_key(changes, match):
    with pytest.raises(ConfigError, match=match):
        Config().override(changes)


def test_unknown_key_in_a_toml_file_is_named(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(ARTICLE.read_text() + "\n[whales]\ncount = 10\n")
    with pytest.raises(ConfigError, match="unknown key .whales."):
        load_config(path)


def test_missing_and_malformed_files_are_clear(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "none.toml")
    (tmp_path / "broken.toml").write_text("[run\nseed = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(tmp_path / "broken.toml")
