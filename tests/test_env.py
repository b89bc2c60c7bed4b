"""The market maker as a Gymnasium environment: it passes Gymnasium's checker, a seed fixes an
episode, the neutral action is the configured strategy's own run, and each action does what
it says."""
import numpy as np
import pytest

gym = pytest.importorskip("gymnasium")
from gymnasium.utils.env_checker import check_env  # noqa: E402

from mmabm.config import Config, ConfigError  # noqa: E402
from mmabm.env import ACTION, OBSERVATION, MarketMakerEnv  # noqa: E402
from mmabm.model import MarketModel  # noqa: E402

SMALL = Config().override({"run.months": 0.1, "retail.n_traders": 300})


def test_it_passes_gymnasium_s_checker():
    env = MarketMakerEnv(SMALL)
    check_env(env, skip_render_check=True)
    assert env.observation_space.shape == (len(OBSERVATION),)
    assert env.action_space.shape == (len(ACTION),)


def test_actions_are_normalised_and_decode_onto_their_ranges():
    env = MarketMakerEnv(SMALL)
    assert (env.action_space.low == -1).all() and (env.action_space.high == 1).all()
    assert env.decode(-np.ones(4)) == (-1.0, 0.05, 0.0, 0.0)
    assert env.decode(np.ones(4)) == (1.0, 1.0, 2.0, 1.0)
    assert env.decode(5 * np.ones(4)) == env.decode(np.ones(4))           # clipped
    assert env.decode(env.neutral) == (0.0, SMALL.market_maker.spread_use, 1.0, 0.0)


def test_a_seeded_reset_is_reproducible():
    env = MarketMakerEnv(SMALL)
    episodes = []
    for _ in range(2):
        obs, _ = env.reset(seed=5)
        env.action_space.seed(1)
        rewards = [env.step(env.action_space.sample())[1] for _ in range(6)]
        episodes.append((obs, rewards, env._observe()))
    assert np.array_equal(episodes[0][0], episodes[1][0])
    assert episodes[0][1] == episodes[1][1] and np.array_equal(episodes[0][2], episodes[1][2])
    assert len(set(episodes[0][1])) > 1                    # the rewards move


def test_the_neutral_action_is_the_configured_strategy_s_own_run():
    config = Config().override({"run.months": 3 / 30, "retail.n_traders": 300})
    plain = MarketModel(config, seed=2)
    plain.run_model()
    env = MarketMakerEnv(config)
    env.reset(seed=2)
    done = False
    while not done:
        _, _, terminated, truncated, _ = env.step(env.neutral)
        done = terminated or truncated
    a, b = plain.rows[-1], env.model.rows[-1]
    assert env.model.time == plain.time
    assert all(a[k] == b[k] or (a[k] != a[k] and b[k] != b[k]) for k in a)


def test_the_hedge_ratio_and_the_sale_do_what_they_say():
    env = MarketMakerEnv(SMALL)
    env.reset(seed=0)
    for _ in range(30):                            # past the article's 24-hour sale
        env.step(env.neutral)
    hedged = abs(env.model.market_maker.book(1.0, value_calls=False).perp_tokens)
    for _ in range(3):
        env.step(np.array([0.0, 0.9, -1.0, -1.0], np.float32))   # hedge nothing
    unhedged = abs(env.model.market_maker.book(1.0, value_calls=False).perp_tokens)
    assert hedged > 100_000 and unhedged < 0.2 * hedged
    mm = env.model.market_maker
    before = mm.sold_tokens
    env.step(np.array([0.0, 0.9, 0.0, 1.0], np.float32))          # sell what it can
    assert mm.sold_tokens > before
    assert env.model.conservation_problems() == []


def test_bad_settings_and_actions_are_named():
    with pytest.raises(ConfigError, match="reward must be one of"):
        MarketMakerEnv(SMALL, reward="profit")
    with pytest.raises(ConfigError, match="decision_minutes"):
        MarketMakerEnv(SMALL, decision_minutes=0)
    env = MarketMakerEnv(SMALL)
    with pytest.raises(RuntimeError, match="reset"):
        env.step(env.neutral)
    env.reset(seed=0)
    with pytest.raises(ValueError, match="4 finite numbers"):
        env.step([0.0, float("nan"), 1.0, 0.0])


def test_the_uptime_reward_is_the_maker_s_own_uptime():
    env = MarketMakerEnv(SMALL, reward="uptime")
    env.reset(seed=0)
    rewards = [env.step(env.neutral)[1] for _ in range(5)]
    assert all(0.0 <= r <= 1.0 for r in rewards) and max(rewards) > 0
