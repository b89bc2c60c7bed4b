"""The config's sections for the clock, the token, the world, the venues and the deal."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mmabm.config.fields import _field


@dataclass(frozen=True)
class RunConfig:
    """The clock and the seed."""
    seed: int = _field(0, 0, 2**63 - 1, "one seed fixes the whole run")
    months: float = _field(12.0, 0.0, 60.0, "simulated length (a month is 30 days)")
    step_minutes: int = _field(1, 1, 60, "minutes per model step")
    record_every_minutes: int = _field(60, 1, 1440, "minutes between recorded rows")
    listing_date: str = _field("2025-01-01", doc="the listing's date (YYYY-MM-DD): the time "
                               "series' timestamps count from it; nothing in the model uses it")


@dataclass(frozen=True)
class TokenConfig:
    """The project's token."""
    total_supply: float = _field(150_000_000.0, 1.0, 1e15, "tokens")
    initial_price: float = _field(1.0, 1e-9, 1e9, "USDT per token at listing")


@dataclass(frozen=True)
class WorldConfig:
    """The exogenous world (see exogenous.py): the fundamental's regime and retail attention."""
    regime: Literal["bust", "flat", "boom", "pump_and_dump", "path"] = _field("flat")
    annual_vol: float = _field(1.0, 0.0, 20.0, "volatility of the news value, annualised")
    news_tail_df: float = _field(3.5, 0.0, 1000.0,
                                 "degrees of freedom of the news value's Student t shocks "
                                 "(heavier tails when smaller; > 2, or 0: normal shocks)")
    vol_of_vol: float = _field(0.6, 0.0, 3.0,
                               "standard deviation of the news value's log volatility, which "
                               "wanders around annual_vol (stochastic volatility; 0: constant)")
    vol_halflife_hours: float = _field(72.0, 1.0, 100_000.0,
                                       "half-life of a shock to the news value's volatility")
    year_multiple: float = _field(0.0, 0.0, 100.0, "bust/boom: value after a year vs listing "
                                  "(0: the regime's default, bust 0.2, boom 3)")
    peak_multiple: float = _field(3.0, 1.0, 100.0, "pump_and_dump: value at the peak")
    peak_day: float = _field(60.0, 1.0, 364.0, "pump_and_dump: day of the peak")
    end_multiple: float = _field(0.3, 0.01, 100.0, "pump_and_dump: value after a year")
    path_days: tuple[float, ...] = _field((365.0,), 0.001, 3650.0,
                                          "path: days after listing of the path's points, "
                                          "increasing")
    path_multiples: tuple[float, ...] = _field((1.0,), 0.001, 1000.0,
                                               "path: the drift's multiple of the listing value "
                                               "at each of path_days (log-linear in between, flat "
                                               "after the last)")
    attention_halflife_days: float = _field(30.0, 0.1, 3650.0, "launch interest's half-life")
    attention_floor: float = _field(0.05, 0.0, 1.0, "long-run attention vs listing day")
    shock_halflife_hours: float = _field(12.0, 0.1, 720.0, "half-life of an event's excitation")


@dataclass(frozen=True)
class CexConfig:
    """One centralised exchange and the market maker's quoting obligation on it."""
    name: str = _field("cex")
    depth_usd: float = _field(50_000.0, 0.0, 1e12, "USDT of bids and of asks required in the band")
    band: float = _field(0.02, 1e-4, 0.5, "the obligation's band around mid (fraction)")
    max_spread: float = _field(0.001, 1e-5, 0.5, "the obligation's widest spread (fraction of mid)")
    tick_size: float = _field(0.0001, 1e-9, 1e6, "USDT per token of one tick")
    lot_size: float = _field(1.0, 1e-6, 1e9, "tokens per lot")
    maker_fee: float = _field(0.0, -0.01, 0.01, "fraction of notional (negative: rebate)")
    taker_fee: float = _field(0.001, 0.0, 0.01, "fraction of notional")


@dataclass(frozen=True)
class DexConfig:
    """The constant-product pool the market maker funds."""
    pool_usd: float = _field(1_000_000.0, 0.0, 1e12, "total value at listing, half tokens")
    fee: float = _field(0.003, 0.0, 0.1, "fraction of each input kept by the pool")


@dataclass(frozen=True)
class PerpConfig:
    """The perpetual-futures market."""
    tick_size: float = _field(0.0001, 1e-9, 1e6, "USDT per token of one tick")
    lot_size: float = _field(1.0, 1e-6, 1e9, "tokens per contract")
    maker_fee: float = _field(0.0002, -0.01, 0.01, "fraction of notional")
    taker_fee: float = _field(0.0005, 0.0, 0.01, "fraction of notional")
    initial_margin: float = _field(0.1, 0.008, 1.0, "margin per notional to open (1/max leverage)")
    maintenance_margin: float = _field(0.05, 0.001, 1.0, "equity per notional below which positions are liquidated")
    funding_cap: float = _field(0.0075, 0.0, 0.05, "clamp of the funding rate per interval")
    interest_rate: float = _field(0.0001, -0.01, 0.01, "I in the funding formula, per interval")
    funding_interval_minutes: float = _field(480.0, 1.0, 10_080.0, "minutes between fundings")


@dataclass(frozen=True)
class ContractConfig:
    """The token loan and call options the project gives the market maker."""
    loan_tokens: float = _field(3_000_000.0, 0.0, 1e15, "tokens lent, owed back at maturity")
    months: float = _field(12.0, 1.0, 60.0, "term of the contract")
    strikes: tuple[float, ...] = _field((1.25, 1.5, 2.0), 1e-9, 1e9, "USDT per token")
    option_tokens: tuple[float, ...] = _field((100_000.0, 100_000.0, 100_000.0), 0.0, 1e15,
                                              "tokens per call, one per strike")
    american: bool = _field(False, doc="calls exercisable before maturity")
    uptime_window: Literal["day", "month"] = _field(
        "month", doc="the window over which the maker's quoting uptime is measured, per "
        "exchange: its own quotes sampled every minute (exchanges' programmes measure it "
        "monthly or daily)")
    uptime_threshold: float = _field(0.9, 0.0, 1.0,
                                     "share of a window's minutes its quotes must meet the "
                                     "obligation (an assumption: no public deal states one)")
    penalty_usdt_per_hour: float = _field(0.0, 0.0, 1e9,
                                          "USDT the maker pays the project per hour its quotes "
                                          "missed, in a window below the threshold (0: a miss "
                                          "costs nothing, as in the article's deal)")
    forfeit_calls_per_miss: int = _field(0, 0, 100,
                                         "call tranches the maker forfeits for each window "
                                         "in which an exchange is below the threshold, the "
                                         "highest strike first (0: none)")
    end_mandate_after_misses: int = _field(0, 0, 10_000,
                                           "windows with a miss after which the project ends "
                                           "the mandate: the calls are forfeited and the "
                                           "contract settles at once (0: never)")
    extra_loan_tokens: float = _field(0.0, 0.0, 1e15,
                                      "tokens the project will lend beyond the loan when the "
                                      "maker asks to fund its asks (market_maker.compliance "
                                      "= borrow), owed back at maturity")
