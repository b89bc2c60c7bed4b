"""The market maker as a learning agent: a Gymnasium environment on the full market.

Each step is one decision period (`decision_minutes`, an hour by default) of the whole model:
retail, the desks, the providers, the project and the world move as in `mmabm run`; the
agent sets how the market maker deviates from the configured strategy:

| action | means | neutral | what it does |
|---|---|---|---|
| skew | [-1, 1] | 0 | added to its quotes' inventory skew (+1: lean fully to sell) |
| width | [0.05, 1] | `market_maker.spread_use` | its best quotes' share of the allowed spread |
| hedge_ratio | [0, 2] | 1 | times the strategy's perp hedge target |
| sale_rate | [0, 1] | 0 | share of its tokens above the working inventory it sells now |

The action space is [-1, 1] in each (as learning libraries expect); each is mapped linearly
onto its range above (`MEANS`, `decode`), so -1 is a range's low end and +1 its high end.

The skew and the hedge ratio take effect at its next hedge check (every
`market_maker.hedge_minutes`), the width at its next ladder, the sale at once. The neutral
action leaves the configured strategy as it is: a run of neutral actions is the very run
`mmabm run` makes (tests/test_env.py).

The observation is what the maker can see (`OBSERVATION`): the main CEX's price, spread and
±2% depth, its holdings, both deltas and its perp position (per token of the loan), recent
returns and its volatility estimate, the time left, the sale left and its own quoting uptime
in the last period. The reward (`reward`): "pnl", the change of its mark-to-market P&L
(metrics.mm_pnl) times `reward_scale`; "pnl_inventory", the same less `inventory_penalty` ×
|liability delta| × price per period (the mean-variance penalty of mbt_gym and ABIDES-Gym's
market-making tasks); "uptime", its own quoting uptime over the period on all CEXs (0-1).

Install with `pip install -e ".[rl]"`. Seeded resets are reproducible: one seed fixes the
episode, as it fixes a run.
"""
from __future__ import annotations

import math
from typing import Any

import gymnasium as gym
import numpy as np

from mmabm.config import Config, ConfigError, load_config
from mmabm.metrics import market_maker_row
from mmabm.model import MarketModel
from mmabm.strategies import Strategy

OBSERVATION = ("price_change", "spread_bps", "bid_depth", "ask_depth", "tokens", "usdt",
               "delta_inventory", "delta_liability", "perp_position", "return_1h",
               "return_24h", "volatility", "time_left", "sale_left", "own_uptime")
ACTION = ("skew", "width", "hedge_ratio", "sale_rate")
MEANS = np.array([[-1.0, 1.0], [0.05, 1.0], [0.0, 2.0], [0.0, 1.0]])   # each action's range
REWARDS = ("pnl", "pnl_inventory", "uptime")
BOUND = 100.0                      # observations are clipped to ±BOUND


class Controlled(Strategy):
    """The configured strategy, with the agent's deviations applied."""

    def __init__(self, base: Strategy, max_skew_tokens: float) -> None:
        super().__init__(base.params)
        self.base, self.max_skew = base, max_skew_tokens
        self.sale_execution = base.sale_execution
        self.skew, self.hedge_ratio = 0.0, 1.0

    def hedge_target(self, maker, book) -> tuple[float, float]:
        target, options = self.base.hedge_target(maker, book)
        if self.hedge_ratio == 1.0:
            return target, options
        return target * self.hedge_ratio, options * self.hedge_ratio

    def skew_aim(self, maker, book) -> float:
        # skew = (tokens - aim) / max_skew: an aim lower by skew x max_skew adds `skew`
        return self.base.skew_aim(maker, book) - self.skew * self.max_skew

    def on_hedge(self, maker) -> None:
        self.base.on_hedge(maker)

    def quote_centre(self, maker, venue, mid: float) -> float:
        return self.base.quote_centre(maker, venue, mid)

    def buyback_tokens(self, maker, book) -> float:
        return self.base.buyback_tokens(maker, book)

    def exercise(self, maker, option, spot: float) -> bool:
        return self.base.exercise(maker, option, spot)

    def cover_at_maturity(self, maker) -> bool:
        return self.base.cover_at_maturity(maker)


class MarketMakerEnv(gym.Env):
    """The market maker on the full market (see the module docstring)."""

    metadata = {"render_modes": []}

    def __init__(self, config: Config | None = None, *, scenario: str = "article",
                 overrides: dict[str, Any] | None = None, decision_minutes: int = 60,
                 reward: str = "pnl", reward_scale: float = 1e-4,
                 inventory_penalty: float = 0.0) -> None:
        if reward not in REWARDS:
            raise ConfigError(f"reward must be one of {', '.join(REWARDS)}, got {reward!r}")
        if not (isinstance(decision_minutes, int) and 1 <= decision_minutes <= 1440):
            raise ConfigError(f"decision_minutes must be an integer in [1, 1440], got "
                              f"{decision_minutes!r}")
        for name, value in (("reward_scale", reward_scale),
                            ("inventory_penalty", inventory_penalty)):
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise ConfigError(f"{name} must be a number >= 0, got {value!r}")
        self.config = config if config is not None else load_config(scenario, overrides)
        self.decision_minutes, self.reward_mode = decision_minutes, reward
        self.reward_scale, self.inventory_penalty = reward_scale, inventory_penalty
        mm = self.config.market_maker
        means = np.array([0.0, mm.spread_use, 1.0, 0.0])
        self.neutral = (2.0 * (means - MEANS[:, 0]) / (MEANS[:, 1] - MEANS[:, 0]) - 1.0
                        ).astype(np.float32)
        self.action_space = gym.spaces.Box(-1.0, 1.0, (len(ACTION),), np.float32)
        self.observation_space = gym.spaces.Box(-BOUND, BOUND, (len(OBSERVATION),), np.float32)
        self.model: MarketModel | None = None

    # -- gymnasium -------------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        if seed is None:
            seed = int(self.np_random.integers(0, 2**31 - 1))
        self.model = MarketModel(self.config, seed=seed)
        mm = self.model.market_maker
        self.control = Controlled(mm.strategy, self.config.market_maker.max_skew_tokens)
        mm.use_strategy(self.control)
        self.end = min(self.model.end_minute, self.model.project.maturity)
        self._pnl = self._pnl_now()
        self._mids = [self._mid()]
        self._uptime_mark = (list(self.model.obligations.met), self.model.obligations.sampled)
        return self._observe(), {"seed": seed, "minute": self.model.time}

    def step(self, action):
        if self.model is None:
            raise RuntimeError("call reset() before step()")
        action = np.asarray(action, dtype=np.float64)
        if action.shape != (len(ACTION),) or not np.isfinite(action).all():
            raise ValueError(f"action must be {len(ACTION)} finite numbers ({', '.join(ACTION)}), "
                             f"got {action!r}")
        self._apply(*self.decode(action))
        model = self.model
        model.run_until(min(model.time + self.decision_minutes, self.end))
        self._mids.append(self._mid())
        pnl = self._pnl_now()
        uptime = self._own_uptime()
        if self.reward_mode == "uptime":
            reward = uptime
        else:
            reward = (pnl - self._pnl) * self.reward_scale
            if self.reward_mode == "pnl_inventory":
                book = model.market_maker.book(model.market_maker.last_mid, value_calls=False)
                exposure = abs(book.deltas()[1]) * model.market_maker.last_mid
                reward -= self.inventory_penalty * exposure * self.reward_scale
        self._pnl = pnl
        terminated = model.time >= model.project.maturity
        truncated = not terminated and model.time >= self.end
        info = {"minute": model.time, "pnl": pnl, "own_uptime": uptime, "mid": self._mids[-1]}
        return self._observe(uptime), float(reward), terminated, truncated, info

    # -- the pieces ----------------------------------------------------------------------------
    def decode(self, action) -> tuple[float, float, float, float]:
        """(skew, width, hedge ratio, sale rate) that an action in [-1, 1] means (clipped to
        it); the neutral action decodes to the configured strategy exactly."""
        a = np.clip(np.asarray(action, dtype=np.float64), -1.0, 1.0)
        skew, width, ratio, sale = (MEANS[:, 0] + (a + 1.0) / 2.0 * (MEANS[:, 1] - MEANS[:, 0])
                                    ).tolist()
        if np.float32(a[1]) == self.neutral[1]:
            width = self.config.market_maker.spread_use     # not its float32 round trip
        return skew, width, ratio, sale

    def _apply(self, skew: float, width: float, ratio: float, sale: float) -> None:
        mm = self.model.market_maker
        self.control.skew, self.control.hedge_ratio = skew, ratio
        mm.set_spread_use(width)
        if sale > 0 and mm.quoting:
            book = mm.book(mm.spot(), value_calls=False)
            excess = book.tokens - mm.working_inventory()
            if excess > 0:
                mm.sell_tokens(sale * excess)

    def _mid(self) -> float:
        mid = self.model.cexs[0].mid_usd()
        return mid if mid == mid else self.model.market_maker.last_mid

    def _pnl_now(self) -> float:
        return float(market_maker_row(self.model)["mm_pnl"])

    def _own_uptime(self) -> float:
        """The maker's own uptime on all CEXs since the last step (1 when it was not
        sampled: it no longer quotes)."""
        monitor = self.model.obligations
        met, sampled = self._uptime_mark
        n = monitor.sampled - sampled
        self._uptime_mark = (list(monitor.met), monitor.sampled)
        if n <= 0:
            return 1.0
        return float(np.mean([(now - then) / n for now, then in zip(monitor.met, met)]))

    def _observe(self, uptime: float = 1.0) -> np.ndarray:
        model, c = self.model, self.config
        mm, main, terms = model.market_maker, model.cexs[0], c.cex[0]
        loan = max(c.contract.loan_tokens, 1.0)
        mid = self._mids[-1]
        book = mm.book(mid, value_calls=False)
        inventory, liability = book.deltas()
        day = self._mids[-25] if len(self._mids) > 24 else self._mids[0]
        values = [mid / c.token.initial_price - 1.0, main.spread_bps() / 100.0,
                  main.depth_usd(1, terms.band) / terms.depth_usd,
                  main.depth_usd(-1, terms.band) / terms.depth_usd,
                  book.tokens / loan, book.usdt / max(c.market_maker.usdt_capital, 1.0),
                  inventory / loan, liability / loan, book.perp_tokens / loan,
                  math.log(mid / self._mids[-2]) if len(self._mids) > 1 else 0.0,
                  math.log(mid / day), mm.vol.annual_vol,
                  max(0.0, 1.0 - model.time / model.project.maturity),
                  max(mm.sale_left, 0.0) / loan, uptime]
        out = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0, posinf=BOUND,
                            neginf=-BOUND)
        return np.clip(out, -BOUND, BOUND).astype(np.float32)
