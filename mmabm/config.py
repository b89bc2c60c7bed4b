"""One typed, frozen configuration tree for a run, mirroring the TOML sections.

Every field declares its allowed range, so a bad value — from a TOML file, a Python override or
a command-line `--set section.key=value` — is an error that names the dotted key and the range;
an unknown key is an error that lists the known ones. The resolved config is serialised with
every result (`to_dict`), so a run can be re-created.
"""
from __future__ import annotations

import dataclasses
import datetime
import math
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from mmabm.exogenous import check_path


class ConfigError(ValueError):
    """A configuration value or key is not allowed; the message names the dotted key."""


def _field(default: Any, lo: float | None = None, hi: float | None = None, doc: str = "",
           **kwargs: Any) -> Any:
    return field(default=default, metadata={"lo": lo, "hi": hi, "doc": doc}, **kwargs)


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


@dataclass(frozen=True)
class MarketMakerConfig:
    """The market maker: its strategy, capital, quoting, sale, hedge and buyback."""
    strategy: str = _field("article", doc="its policy: a built-in (article, twap_sale, hold, "
                           "liability_neutral; `mmabm strategies` lists them) or a class of "
                           "yours, 'module:Class' or 'path/file.py:Class' (docs/extending.md)")
    params: dict[str, Any] = field(default_factory=dict, metadata={
        "lo": None, "hi": None, "doc": "the strategy's own parameters (its Params), checked "
        "by name against the strategy named; a strategy without Params ignores the table"})
    sale_execution: Literal["auto", "immediate", "twap", "pov", "none"] = _field("auto")
    usdt_capital: float = _field(1_000_000.0, 0.0, 1e12,
                                 "own USDT at t=0: the pool's half, the CEX bids and the hedge's margin")
    quote_levels: int = _field(10, 1, 100, "rungs per side of each CEX ladder")
    depth_margin: float = _field(0.05, 0.0, 1.0,
                                 "depth its ladders carry beyond the obligation, as a share "
                                 "of it (0.05: enough for rounding, not for a taken rung)")
    spread_use: float = _field(0.9, 0.05, 1.0,
                               "share of the allowed spread its best bid and ask span "
                               "(rounded outwards to ticks)")
    ladder_reach: float = _field(0.9, 0.05, 1.0,
                                 "share of the band its deepest rung reaches from the mid")
    inner_rungs: int = _field(1, 1, 100,
                              "rungs per side within the allowed spread (1: the best quote "
                              "alone, and a fill of it opens the spread to the next rung; "
                              "at most quote_levels)")
    requote_minutes: int = _field(1, 1, 1440, "how often the ladders are checked")
    requote_threshold: float = _field(0.001, 0.0, 0.1, "mid move (fraction) that triggers a requote")
    max_skew_tokens: float = _field(1_000_000.0, 1.0, 1e15, "inventory at which the skew is full")
    lean_spreads: float = _field(0.25, 0.0, 10.0,
                                 "how far a full skew moves its quotes' centre, in max_spreads "
                                 "(0.25: a quarter of the allowed spread)")
    lean_reference: Literal["mid", "unleaned"] = _field(
        "mid", doc="what its inventory lean shifts its quotes from: mid, the venue's mid (where "
        "its own quotes set the mid, the lean is applied again at every requote and moves the "
        "price without a trade); unleaned, the mid less its own last lean, in the share of the "
        "best bid and ask that are its own (a level offset from a price it does not set, as in "
        "Avellaneda & Stoikov 2008)")
    skew_unsold_sale: Literal["lean", "exclude"] = _field(
        "exclude", doc="whether its quotes lean against the part of the initial sale not yet sold: "
        "lean, they do (its aim is where it will be after the sale, so while it sells, its quotes "
        "lean to sell the same tokens too); exclude, the aim counts the unsold sale, as the "
        "hedge's target does, and the quotes leave that part to the sale")
    requote_after_sale: bool = _field(
        False, doc="after each slice of its initial sale on a CEX it requotes that CEX at once "
        "around the new mid (true: its own market order has moved the mid and, through "
        "self-trade prevention, cancelled its bids in the way, and a dealer puts its quotes "
        "back), or waits for its next requote (false, the model before: its best bids stay "
        "off until the mid has moved past requote_threshold, and its quotes sell 0.3-0.5M "
        "tokens beyond the sale whatever its size)")
    sale_horizon_hours: float = _field(24.0, 0.0, 24.0 * 365, "immediate sale's horizon")
    sale_start_hours: float = _field(0.0, 0.0, 24.0 * 365,
                                     "hours after listing the initial sale starts")
    twap_days: float = _field(30.0, 0.0, 730.0, "length of a TWAP sale")
    pov_rate: float = _field(0.1, 0.0, 1.0, "share of the last hour's market volume a POV sale sells")
    hedge_minutes: int = _field(15, 1, 1440, "how often the perp hedge is checked")
    hedge_band_tokens: float = _field(20_000.0, 0.0, 1e15,
                                      "delta off target tolerated before the hedge trades")
    perp_leverage: float = _field(3.0, 1.0, 100.0,
                                  "hedge notional per USDT of collateral kept on the perp")
    compliance: Literal["accept", "requote", "rebuy", "borrow"] = _field(
        "accept", doc="how it keeps its quoting obligations: accept, it requotes a CEX only "
        "when the mid has moved or the whole book is thin there (others' depth hides its own "
        "taken rungs: the model before; a miss is accepted, with whatever the contract's "
        "miss costs are); requote, it also requotes whenever its own quotes miss the "
        "obligation and it has the funds to post more; rebuy, as requote, and when it lacks "
        "the tokens for its asks it buys them on spot (every hedge_minutes, within "
        "compliance_budget_usdt a month); borrow, as requote, and it borrows them "
        "from the project instead (within contract.extra_loan_tokens)")
    compliance_budget_usdt: float = _field(250_000.0, 0.0, 1e12,
                                           "USDT the rebuy policy may spend a month (30 days) "
                                           "on tokens for its asks")
    hedge_close: Literal["book", "book_then_adl"] = _field(
        "book_then_adl", doc="how its perp hedge closes at maturity: book, market orders into "
        "the perp's book only (what the book cannot take stays open, marked at the mark: the "
        "model before); book_then_adl, what the book cannot take is closed at the mark against "
        "the most profitable opposite positions (auto-deleveraging, as venues do when a side "
        "has no depth)")
    sale_fraction: float = _field(-1.0, -1.0, 1.0,
                                  "share of the loan sold at the start (-1: the article's "
                                  "arithmetic, the loan minus the obligations' inventory)")
    buyback_days: float = _field(14.0, 0.0, 365.0,
                                 "days before maturity it starts buying back what it is short "
                                 "of the loan, hourly (0: all at maturity)")
    news_weight: float = _field(1.0, 0.0, 2.0,
                                "share of each move of the world's news value its quotes' "
                                "reference takes in (0: it quotes around the mid, the model "
                                "before)")
    news_memory_hours: float = _field(6.0, 0.1, 10_000.0,
                                      "half-life of the news the market has not taken in "
                                      "yet: a view the market does not confirm fades")


@dataclass(frozen=True)
class ProjectConfig:
    """The project team's treasury, insiders' vesting unlocks and buyback rule."""
    treasury_usdt: float = _field(2_000_000.0, 0.0, 1e15, "USDT in the treasury at listing")
    unlock_tokens: float = _field(4_500_000.0, 0.0, 1e15,
                                  "insiders' tokens vesting over the schedule (3% of supply)")
    unlock_cliff_months: float = _field(6.0, 0.0, 60.0, "months before the first unlock")
    unlock_months: float = _field(12.0, 1.0, 120.0, "monthly unlocks after the cliff, linear")
    unlock_jitter_days: float = _field(2.0, 0.0, 14.0, "each unlock lands up to this many days late")
    unlock_sell_share: float = _field(0.5, 0.0, 1.0, "share of each unlock insiders sell")
    unlock_sell_days: float = _field(7.0, 1 / 24, 365.0, "days over which each unlock is sold")
    unlock_slice_minutes: int = _field(60, 1, 1440, "insiders sell in equal market orders this "
                                       "many minutes apart (60: hourly)")
    buyback_below: float = _field(0.0, 0.0, 1e9,
                                  "buy back when the price is below this (USDT; 0: never)")
    buyback_usdt_per_day: float = _field(20_000.0, 0.0, 1e15, "the buyback's daily budget")


@dataclass(frozen=True)
class RetailConfig:
    """The retail population (see agents/retail.py)."""
    n_traders: int = _field(5_000, 1, 1_000_000, "traders")
    noise_share: float = _field(0.65, 0.0, 1.0, "share of noise traders")
    momentum_share: float = _field(0.05, 0.0, 1.0, "share of momentum traders")
    fundamentalist_share: float = _field(0.25, 0.0, 1.0, "share of fundamentalists")
    perp_share: float = _field(0.05, 0.0, 1.0, "share of leveraged perp speculators")
    float_tokens: float = _field(15_000_000.0, 0.0, 1e15, "tokens retail holds at listing")
    usdt_total: float = _field(15_000_000.0, 0.0, 1e15, "USDT retail brings")
    launch_orders_per_minute: float = _field(25.0, 0.0, 1e5, "arrival rate at listing")
    sizing: Literal["fixed", "wealth"] = _field(
        "fixed", doc="wealth: an order is a share of what the trader holds on its side (USDT "
        "to buy, tokens to sell), as in the Genoa artificial market (Raberto et al. 2001); "
        "fixed: a USDT amount (order_usd_median), whatever it holds")
    order_share: float = _field(0.2, 1e-4, 1.0,
                                "wealth sizing: median share of its side's holdings an order "
                                "takes (times a lognormal factor, at most all of it)")
    order_usd_median: float = _field(2200.0, 1.0, 1e9, "fixed sizing: median order size")
    order_usd_sigma: float = _field(1.0, 0.0, 5.0, "lognormal spread of order sizes")
    market_order_share: float = _field(0.3, 0.0, 1.0, "noise traders' share of market orders")
    limit_offset_bps: float = _field(30.0, 0.0, 5_000.0, "mean distance of limits behind the mid")
    order_life_hours: float = _field(0.0, 0.0, 24.0 * 365,
                                     "a resting limit order is cancelled this many hours after "
                                     "the first hourly look that saw it (0: it rests until "
                                     "its trader comes back)")
    fundamental_threshold: float = _field(0.05, 0.0, 1.0, "mispricing fundamentalists act on")
    fundamental_max_multiple: float = _field(3.0, 1.0, 1000.0,
                                             "cap on a fundamentalist's order size, in typical orders")
    perp_leverage: float = _field(10.0, 1.0, 100.0,
                                  "speculators' position per USDT of equity (the venue's "
                                  "1 / perp.initial_margin caps it)")
    mood_sd: float = _field(0.2, 0.0, 0.45,
                            "spread of the crowd's hourly buy-side tilt (noise and perp traders)")
    mood_halflife_hours: float = _field(0.3, 0.0, 8760.0,
                                        "persistence of the mood: the half-life of an AR(1) "
                                        "with sd mood_sd (0: independent from hour to hour)")
    max_slippage: float = _field(0.02, 1e-4, 1.0,
                                 "a retail market order goes no further than this from the "
                                 "price it saw (a marketable limit, IOC; on the pool, a swap "
                                 "that moves its price at most this far)")
    momentum_scale: float = _field(0.04, 1e-4, 1.0,
                                   "an hour's move at which a 1-hour trend follower buys (or sells) with 88% chance (0.5 + 0.5 tanh 1); it grows with sqrt(horizon)")
    dex_share: float = _field(0.15, 0.0, 1.0,
                              "share of spot traders whose home venue is the DEX pool (the rest "
                              "choose a CEX in proportion to its depth_usd)")
    wealth_sigma: float = _field(1.0, 0.0, 4.0,
                                 "lognormal spread of traders' wallets (heavy-tailed wealth)")
    value_wealth: float = _field(3.0, 0.01, 100.0,
                                 "value traders' typical wallet relative to other traders'")
    momentum_horizons_hours: tuple[float, ...] = _field(
        (6.0, 24.0, 72.0), 1.0, 720.0, "trend followers' look-back horizons (each trader one, "
        "drawn evenly); momentum_scale applies to 1 hour and grows with sqrt(horizon)")
    stop_loss_share: float = _field(0.1, 0.0, 1.0,
                                    "share of noise and momentum traders who sell all their "
                                    "tokens when the price falls stop_loss below their entry")
    stop_loss: float = _field(0.2, 0.01, 0.99, "mean stop-loss distance below the entry "
                              "(each trader's drawn uniformly within ±50% of it)")
    panic_share: float = _field(0.05, 0.0, 1.0,
                                "share of noise and momentum traders who sell all their tokens "
                                "in a drawdown of panic_drawdown from the recent high")
    panic_drawdown: float = _field(0.3, 0.01, 0.99, "drawdown from the recent high that panics")
    high_lookback_days: float = _field(7.0, 1 / 24, 365.0, "how far back the recent high looks")
    shock_tilt: float = _field(0.0, -0.45, 0.45,
                               "how the crowd answers a sharp move: the buy-side tilt of noise "
                               "and perp traders while the move's excitation lasts, per unit "
                               "of its share of attention, in the move's direction (> 0: a "
                               "crash draws sellers, < 0: it draws buyers, 0: onlookers)")
    early_holder_share: float = _field(0.1, 0.0, 10.0,
                                       "early holders (airdrop and seed recipients), besides "
                                       "n_traders, as a share of n_traders")
    early_tokens: float = _field(5_000_000.0, 0.0, 1e15, "tokens early holders hold at listing")
    early_cost_max: float = _field(0.5, 0.0, 1e9, "their cost basis: uniform from 0 (airdrop) "
                                   "to this (USDT per token)")
    early_take_profit: float = _field(1.0, 0.0, 100.0,
                                      "mean gain over cost at which an early holder sells "
                                      "(each drawn uniformly from 0 to twice it)")
    early_sell_fraction: float = _field(0.05, 0.0, 1.0,
                                        "share of its tokens an early holder sells when it "
                                        "takes profit")
    early_activity: float = _field(0.1, 0.0, 1.0,
                                   "an early holder's arrival rate relative to a trader's")


@dataclass(frozen=True)
class BeliefsConfig:
    """How value traders (retail.fundamentalist_share) form their valuations: a shared anchor
    plus each trader's fixed offset (see agents/retail.py and docs/model.md)."""
    model: Literal["adaptive", "anchored"] = _field(
        "adaptive", doc="anchored: the anchor is the world's news value, nothing else "
        "(the model before price formation); adaptive: it also learns from the price")
    learning_per_day: float = _field(1.0, 0.0, 100.0,
                                     "adaptive: how fast the anchor moves toward the observed "
                                     "price (per day, exponential)")
    news_weight: float = _field(1.0, 0.0, 2.0,
                                "share of each move of the news value the anchor takes in")
    dispersion: float = _field(0.3, 0.0, 2.0,
                               "spread (sd of log) of value traders' offsets from the anchor")
    anchored_share: float = _field(0.0, 0.0, 1.0,
                                   "adaptive: share of the value traders whose anchor is the "
                                   "news alone (fundamentalists who do not learn from the price, "
                                   "Brock & Hommes 1998; 0: every one learns)")
    flow_learning: float = _field(0.0, 0.0, 1.0,
                                  "how far the market's shared value (the news every value "
                                  "trader, dealer and latent investor reads) moves, in logs, "
                                  "per hour whose takers (on the CEXs and the pool) net 1% of the supply: "
                                  "learning from order flow (Kyle 1985; 0: off)")
    flow_sources: Literal["private", "all"] = _field(
        "private", doc="whose taker flow the market learns from: private, every taker but the "
        "liquidity providers and latent investors (who take stale quotes on the public news) "
        "and the arbitrage desk (whose legs follow prices across venues); all: every taker")
    flow_memory_hours: float = _field(0.0, 0.0, 10_000.0,
                                      "half-life of the run of net flow the market weighs each "
                                      "hour's flow against (0: each hour alone): with a "
                                      "concave exponent a run of selling moves the value less "
                                      "per token as it grows, whatever the noise")
    flow_exponent: float = _field(0.5, 0.1, 1.0,
                                  "the hour's move grows as the net flow to this power (1: "
                                  "linear as Kyle's; 0.5: concave, as impact against order "
                                  "imbalance is measured, Lillo, Farmer & Mantegna 2003)")


@dataclass(frozen=True)
class MoneyConfig:
    """Where retail money comes from and where it goes (minted and burnt only here, recorded)."""
    model: Literal["finite", "elastic"] = _field(
        "finite", doc="finite: money enters only with the attention-driven inflow and leaves "
        "with exits; elastic: also, every value trader who buys brings new USDT for it (the "
        "model before price formation: a bottomless wallet anchored to the value)")
    inflow_usd_per_day: float = _field(200_000.0, 0.0, 1e12,
                                       "new retail money per day at listing attention (it "
                                       "follows launch attention down)")
    shock_inflow: float = _field(0.0, 0.0, 100.0,
                                 "extra inflow per unit of a move's excitation (0: a sharp move "
                                 "draws onlookers, not money)")
    inflow_trend_elasticity: float = _field(0.0, 0.0, 10.0,
                                            "the inflow times (news value now / news value "
                                            "inflow_trend_days ago) to this power: money that "
                                            "chases the market factor's trend (0: it does not)")
    inflow_trend_days: float = _field(30.0, 1.0, 365.0,
                                      "the look-back of the trend the inflow follows (days)")
    inflow_recipients_per_hour: int = _field(5, 1, 100_000,
                                             "traders who share each hour's inflow")
    exit_per_day: float = _field(0.003, 0.0, 1.0,
                                 "chance a trader withdraws its free USDT in a day (the money "
                                 "leaves; its tokens stay)")


@dataclass(frozen=True)
class ArbitrageConfig:
    """The arbitrageurs (modelled as one desk)."""
    usdt_per_venue: float = _field(250_000.0, 0.0, 1e12, "USDT it keeps on each venue")
    tokens_per_venue: float = _field(250_000.0, 0.0, 1e15, "tokens it keeps on each venue")
    reaction_minutes: int = _field(1, 1, 1440, "delay between looks at the venues")
    rebalance_below: float = _field(0.25, 0.0, 1.0,
                                    "rebalance at once when an account's USDT or tokens on a venue "
                                    "fall below this share of an even split (0: hourly only)")
    perp_depth_usd: float = _field(250_000.0, 0.0, 1e12,
                                   "USDT the basis desk quotes per side on the perp within ±2%")
    perp_spread: float = _field(0.002, 1e-5, 0.5, "the basis desk's perp spread (fraction of index)")
    perp_usdt: float = _field(500_000.0, 0.0, 1e12, "the basis desk's perp collateral")
    basis_hedge_tokens: float = _field(25_000.0, 1.0, 1e15,
                                       "perp position at which the desk hedges on spot")


@dataclass(frozen=True)
class LiquidityConfig:
    """Competing liquidity providers: one per CEX, with finite capital, quoting a ladder that
    widens with volatility and is pulled after one-sided flow (agents/liquidity.py)."""
    usdt_per_venue: float = _field(500_000.0, 0.0, 1e12, "USDT each provider holds (main CEX; "
                                   "the others in proportion to their depth_usd)")
    tokens_per_venue: float = _field(500_000.0, 0.0, 1e15, "tokens each provider holds (main "
                                     "CEX; the others in proportion)")
    quote_share: float = _field(0.2, 0.0, 1.0, "share of its capital it quotes per side")
    levels: int = _field(5, 1, 50, "rungs per side")
    half_spread: float = _field(0.002, 1e-5, 0.2, "half-spread in calm markets (fraction)")
    ladder_width: float = _field(0.02, 1e-4, 0.5, "distance from the inner to the outer rung")
    vol_widen: float = _field(1.0, 0.0, 100.0,
                              "extra half-spread per unit of the last hour's volatility "
                              "(hourly sd of returns over the last day)")
    pull_flow: float = _field(0.3, 0.0, 10.0,
                              "pull both sides when an hour's fills move its tokens by this "
                              "share of its start (0: never)")
    pull_hours: float = _field(1.0, 0.0, 240.0, "how long a pull lasts")
    skew: float = _field(0.5, 0.0, 1.0, "lean of its prices against its inventory "
                         "(share of the half-spread at a full inventory imbalance)")
    requote_minutes: int = _field(5, 1, 1440, "how often it checks its quotes")
    requote_threshold: float = _field(0.002, 0.0, 0.1, "mid move that makes it requote")
    news_weight: float = _field(1.0, 0.0, 2.0,
                                "share of each move of the world's news value its fair price "
                                "(the mid plus the news not yet in it) takes in (0: it quotes "
                                "around the mid, the model before)")
    news_memory_hours: float = _field(6.0, 0.1, 10_000.0,
                                      "half-life of the news the market has not taken in "
                                      "yet: a view the market does not confirm fades")
    perp_usdt: float = _field(0.0, 0.0, 1e12,
                              "collateral of a perp provider that quotes both sides without "
                              "hedging, within a position limit (agents/perp_liquidity.py; "
                              "0: none, the model before)")
    perp_depth_usd: float = _field(100_000.0, 0.0, 1e12,
                                   "the perp provider's depth per side within ±2% of the index")
    perp_half_spread: float = _field(0.003, 1e-5, 0.01,
                                     "the perp provider's half-spread around its centre")
    perp_leverage: float = _field(2.0, 0.1, 100.0,
                                  "the perp provider's position limit, in collateral "
                                  "(limit = perp_leverage x perp_usdt / index, either way)")


@dataclass(frozen=True)
class LatentConfig:
    """Latent liquidity: slow investors' orders that stay where the market has been and thicken
    with the distance from it, a V-shaped book (Toth et al. 2011; Donier et al. 2015), one book
    per CEX with finite capital (agents/latent.py). Off when both capitals are 0 (the model
    before it)."""
    usdt_per_venue: float = _field(12_000_000.0, 0.0, 1e12, "USDT each latent book holds (main CEX; "
                                   "the others in proportion to their depth_usd)")
    tokens_per_venue: float = _field(12_000_000.0, 0.0, 1e15, "tokens each latent book holds (main "
                                     "CEX; the others in proportion)")
    frame: Literal["memory", "price", "diffusing"] = _field(
        "memory", doc="where its V is centred: memory: an exponential average of the mid "
        "(where the market has been) moved by the news; price: the current mid, less the hole "
        "its own fills have dug, which refills with half-life memory_hours (Donier et al. 2015: "
        "the latent book lives in the price's frame); diffusing: no posted V but a density of "
        "intentions around a centre the news moves (and, with price_anchor, the mid's "
        "average, or with price_learning_hours its level), which diffuses, renews with "
        "half-life renewal_hours and is consumed at the price, of which the part within "
        "`reveal` of the price is posted (Donier et al.'s locally linear order book, "
        "agents/latent_density.py)")
    memory_hours: float = _field(12.0, 0.1, 10_000.0,
                                 "memory frame: half-life of the price the book is centred on "
                                 "(where the market has been); price frame: half-life of the "
                                 "hole its fills dug (the consumed orders' renewal); diffusing "
                                 "frame: half-life of the average of the mid that price_anchor "
                                 "of its centre follows")
    slow_share: float = _field(0.0, 0.0, 1.0,
                               "share of each book's capital held by a second, slow book whose "
                               "memory is slow_memory_hours (0: one timescale, the model before; "
                               "Benzaquen & Bouchaud 2018, Bucci et al. 2019: fast and slow "
                               "liquidity)")
    slow_memory_hours: float = _field(168.0, 0.1, 10_000.0,
                                      "the slow book's memory_hours (where the market has been "
                                      "over days, not hours; diffusing frame: its renewal_hours)")
    width: float = _field(0.2, 0.01, 0.95, "how far from that price its outer rung lies "
                           "(fraction); the size of a rung grows linearly with its distance "
                           "(diffusing frame: where the density stops growing, sqrt(D / nu))")
    tokens_within_1pct: float = _field(
        1_250_000.0, 0.0, 1e15, "diffusing frame: tokens of intentions to buy within 1% below "
        "the price (and to sell above it) when the book is at rest, on the main CEX (the others "
        "in proportion): sets the V's slope, the square-root law's size")
    renewal_hours: float = _field(5000.0, 0.1, 1e6, "diffusing frame: half-life of an "
                                  "intention (nu): consumed ones are replaced around the price at "
                                  "this pace, and the density diffuses with D = nu width^2")
    reveal: float = _field(0.005, 0.0005, 0.2, "diffusing frame: how far from the price its "
                           "intentions show as orders (fraction); the rest stays latent")
    price_anchor: float = _field(
        0.0, 0.0, 0.95, "diffusing frame: the share of its centre (in log) that follows where "
        "the market has been (the mid's average over memory_hours) rather than the news: "
        "investors who learn the token's worth from its price (adaptive expectations); 0: the "
        "news alone. What the density leaves of a move is amplified 1 / (1 - this)")
    price_learning_hours: float = _field(
        0.0, 0.0, 1e6, "diffusing frame: the investors take in every move of the news in full "
        "and move their valuation (the centre, in log) toward the mid with this half-life: "
        "beliefs that learn the price's level and forget no news, where price_anchor weighs "
        "the two levels (0: off)")
    levels: int = _field(25, 2, 200, "rungs per side")
    quote_share: float = _field(1.0, 0.0, 1.0, "share of its capital it quotes per side")
    news_weight: float = _field(1.0, 0.0, 2.0,
                                "share of each move of the world's news value its centre takes "
                                "in (0: it follows the mid alone, the model before)")
    requote_threshold: float = _field(0.005, 0.0, 0.5,
                                      "move of the centre that makes it requote")
    requote_minutes: int = _field(15, 1, 1440, "how often it checks its centre")
    activity_elasticity: float = _field(0.0, 0.0, 4.0,
                                        "how its quoted share follows the market's activity: "
                                        "x launch attention^this (0: fixed size)")


def _default_cexs() -> tuple[CexConfig, ...]:
    return (CexConfig("main", depth_usd=100_000.0), CexConfig("cex2"), CexConfig("cex3"))


@dataclass(frozen=True)
class Config:
    """A whole run. Build it with `load_config`, `Config.from_dict` or `Config()` (the
    article's deal), and change it with `override`."""
    run: RunConfig = field(default_factory=RunConfig)
    token: TokenConfig = field(default_factory=TokenConfig)
    world: WorldConfig = field(default_factory=WorldConfig)
    cex: tuple[CexConfig, ...] = field(default_factory=_default_cexs)
    dex: DexConfig = field(default_factory=DexConfig)
    perp: PerpConfig = field(default_factory=PerpConfig)
    contract: ContractConfig = field(default_factory=ContractConfig)
    market_maker: MarketMakerConfig = field(default_factory=MarketMakerConfig)
    project: ProjectConfig = field(default_factory=ProjectConfig)
    retail: RetailConfig = field(default_factory=RetailConfig)
    beliefs: BeliefsConfig = field(default_factory=BeliefsConfig)
    money: MoneyConfig = field(default_factory=MoneyConfig)
    liquidity: LiquidityConfig = field(default_factory=LiquidityConfig)
    latent: LatentConfig = field(default_factory=LatentConfig)
    arbitrage: ArbitrageConfig = field(default_factory=ArbitrageConfig)

    def __post_init__(self) -> None:
        _check_terms(self)

    # -- derived terms: the article's inventory arithmetic -------------------------------------
    @property
    def quoting_inventory_tokens(self) -> float:
        """Tokens the MM needs for its ask obligations on every CEX."""
        return sum(c.depth_usd for c in self.cex) / self.token.initial_price

    @property
    def pool_inventory_tokens(self) -> float:
        """Tokens the MM puts in the pool (half its value)."""
        return self.dex.pool_usd / 2 / self.token.initial_price

    @property
    def initial_sale_tokens(self) -> float:
        """The article's sale: the loan minus the inventory the obligations need
        (3,000,000 - (200,000 + 500,000) = 2,300,000 for the article's terms), or
        `market_maker.sale_fraction` of the loan when that is set (>= 0)."""
        if self.market_maker.sale_fraction >= 0:
            return self.contract.loan_tokens * self.market_maker.sale_fraction
        return self.max_sale_tokens

    @property
    def max_sale_tokens(self) -> float:
        """The most the market maker can sell and still hold the obligations' inventory."""
        return self.contract.loan_tokens - self.quoting_inventory_tokens - self.pool_inventory_tokens

    # -- conversions ---------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Config:
        """A config from nested dicts (TOML tables); unknown keys and bad values name the key."""
        return _build(cls, data, "")

    def to_dict(self) -> dict[str, Any]:
        """The config as nested dicts and lists, ready for JSON or TOML."""
        return _plain(dataclasses.asdict(self))

    def override(self, changes: dict[str, Any]) -> Config:
        """A copy with dotted keys replaced, e.g. {"market_maker.strategy": "hold",
        "cex.0.depth_usd": 2e5}; string values are parsed as TOML values (for --set)."""
        data = self.to_dict()
        for key, value in changes.items():
            _set_dotted(data, key, _parse(value) if isinstance(value, str) else value)
        return Config.from_dict(data)


#: the scenarios shipped with the package, found by name (`mmabm run article`)
SCENARIOS = Path(__file__).parent / "scenarios"


def scenario_names() -> list[str]:
    """The shipped scenarios' names."""
    return sorted(p.stem for p in SCENARIOS.glob("*.toml"))


def scenario_path(name_or_path: str | Path) -> Path:
    """A scenario file: an existing path as given, else a shipped scenario by name ("article"
    or "article.toml"); neither is a ConfigError that lists the shipped names."""
    path = Path(name_or_path)
    if path.exists() or path.parent != Path("."):
        return path
    shipped = SCENARIOS / (path.name if path.suffix == ".toml" else f"{path.name}.toml")
    if shipped.exists():
        return shipped
    raise ConfigError(f"scenario {str(name_or_path)!r} is neither a file nor a shipped scenario "
                      f"({', '.join(scenario_names())})")


def read_toml(path: str | Path, what: str = "scenario") -> dict[str, Any]:
    """The tables of a TOML file; a missing file, a directory, an unreadable file or bad TOML
    is a ConfigError naming it."""
    path = Path(path)
    try:
        return tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"{what} file {str(path)!r} does not exist") from None
    except IsADirectoryError:
        raise ConfigError(f"{what} file {str(path)!r} is a directory, not a TOML file") from None
    except (PermissionError, UnicodeDecodeError) as err:
        raise ConfigError(f"{what} file {str(path)!r} cannot be read: {err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from None


def parse_overrides(items: typing.Iterable[str]) -> dict[str, str]:
    """`KEY=VALUE` strings (the `--set` of the CLI and of the experiment scripts) as overrides
    for `load_config`, which converts and checks the values; a malformed one is a ConfigError."""
    overrides = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set needs KEY=VALUE, got {item!r}")
        overrides[key.strip()] = value.strip()
    return overrides


def load_config(path: str | Path, overrides: dict[str, Any] | None = None) -> Config:
    """Read a TOML scenario, a file or a shipped scenario's name (missing keys take their
    defaults), and apply dotted overrides."""
    config = Config.from_dict(read_toml(scenario_path(path)))
    return config.override(overrides) if overrides else config


# -- building and checking ------------------------------------------------------------------------
def _build(cls: type, data: Any, prefix: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{prefix.rstrip('.') or 'config'} must be a table, got {data!r}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ConfigError(f"unknown key {prefix + unknown[0]!r}; known keys here: "
                          f"{', '.join(sorted(fields))}")
    values = {}
    for name, value in data.items():
        values[name] = _value(hints[name], value, prefix + name, fields[name].metadata)
    return cls(**values)


def _value(hint: Any, value: Any, key: str, meta: Any) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, key + ".")
    if origin is tuple and dataclasses.is_dataclass(args[0]):
        if not isinstance(value, list | tuple) or not value:
            raise ConfigError(f"{key} must be a non-empty list of tables, got {value!r}")
        return tuple(_build(args[0], v, f"{key}.{i}.") for i, v in enumerate(value))
    if origin is tuple:
        if not isinstance(value, list | tuple) or not value:
            raise ConfigError(f"{key} must be a non-empty list of numbers, got {value!r}")
        return tuple(_scalar(args[0], v, f"{key}.{i}", meta) for i, v in enumerate(value))
    if origin is dict:                            # a free table: its owner checks it
        if not isinstance(value, dict):
            raise ConfigError(f"{key} must be a table, got {value!r}")
        return dict(value)
    if origin is Literal:
        if value not in args:
            raise ConfigError(f"{key} must be one of {', '.join(map(repr, args))}, got {value!r}")
        return value
    return _scalar(hint, value, key, meta)


def _scalar(kind: type, value: Any, key: str, meta: Any) -> Any:
    lo, hi = meta.get("lo"), meta.get("hi")
    span = (f" in [{lo}, {hi}]" if kind is int else f" in [{lo:g}, {hi:g}]") \
        if lo is not None else ""
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{key} must be true or false, got {value!r}")
        return value
    if kind is str:
        if isinstance(value, datetime.date):              # a TOML date: listing_date
            return value.isoformat()
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{key} must be a non-empty string, got {value!r}")
        return value
    ok = isinstance(value, int) if kind is int else isinstance(value, int | float)
    if isinstance(value, bool) or not ok or (kind is float and not math.isfinite(value)):
        raise ConfigError(f"{key} must be {'an integer' if kind is int else 'a number'}{span}, "
                          f"got {value!r}")
    if lo is not None and not lo <= value <= hi:
        raise ConfigError(f"{key} must be{span}, got {value!r}")
    return kind(value)


#: inventory the market maker puts on each CEX per unit of its depth obligation, each side: the
#: ladder's 5% margin, fees, and room to trade
OBLIGATION_BUFFER = 1.2

#: the dealers' news keys switched off: the providers, the latent books and the market maker
#: quote around the mid alone (the model before 2026-12-03; tests and experiments that need a
#: market where only value traders read the news start from it)
DEAF_DEALERS = {"liquidity.news_weight": 0.0, "latent.news_weight": 0.0,
                "market_maker.news_weight": 0.0}


def strategy_of(mm: MarketMakerConfig):
    """The market maker's strategy: its class resolved and its parameters built and checked
    (ConfigError naming the key, in one line)."""
    from mmabm.strategies import StrategyError, resolve
    try:
        cls = resolve(mm.strategy)
    except StrategyError as err:
        raise ConfigError(str(err)) from None
    if cls.Params is None:
        return cls()
    return cls(_build(cls.Params, mm.params, "market_maker.params."))


def _check_terms(c: Config) -> None:
    """Terms that are each in range but impossible together."""
    strategy_of(c.market_maker)
    try:
        datetime.date.fromisoformat(c.run.listing_date)
    except ValueError:
        raise ConfigError(f"run.listing_date must be a date like 2025-01-01, got "
                          f"{c.run.listing_date!r}") from None
    if c.run.months * 30 * 1440 < c.run.record_every_minutes:
        raise ConfigError(f"run.months must cover at least one recorded row (run.record_every_"
                          f"minutes = {c.run.record_every_minutes} minutes = "
                          f"{c.run.record_every_minutes / 43200:.3g} months), got {c.run.months:g}")
    try:
        check_path(c.world.path_days, c.world.path_multiples, key="world.")
    except ValueError as err:
        raise ConfigError(str(err)) from None
    if len(c.contract.strikes) != len(c.contract.option_tokens):
        raise ConfigError(f"contract.option_tokens must give one size per strike: "
                          f"{len(c.contract.strikes)} strikes, {len(c.contract.option_tokens)} sizes")
    if c.contract.loan_tokens > c.token.total_supply:
        raise ConfigError(f"contract.loan_tokens must be at most token.total_supply "
                          f"({c.token.total_supply:g}), got {c.contract.loan_tokens:g}")
    spoken_for = (c.contract.loan_tokens + c.retail.float_tokens + c.project.unlock_tokens
                  + c.arbitrage.tokens_per_venue * (len(c.cex) + 1) + c.retail.early_tokens
                  + (c.liquidity.tokens_per_venue + c.latent.tokens_per_venue)
                  * sum(x.depth_usd for x in c.cex) / max(c.cex[0].depth_usd, 1e-300)
                  + c.arbitrage.perp_usdt / c.token.initial_price)      # the basis desk's
    if spoken_for > c.token.total_supply:
        raise ConfigError(f"token.total_supply ({c.token.total_supply:g}) must cover the loan, the "
                          f"retail float, the early holders' tokens, the insiders' unlocks, the "
                          f"arbitrage and basis desks' and the liquidity providers' and latent books' tokens ({spoken_for:g})")
    funding_usdt = OBLIGATION_BUFFER * sum(x.depth_usd for x in c.cex) + c.dex.pool_usd / 2
    if funding_usdt > c.market_maker.usdt_capital:
        raise ConfigError(
            f"market_maker.usdt_capital ({c.market_maker.usdt_capital:,.0f} USDT) must fund the "
            f"market maker's venues at listing: {funding_usdt:,.0f} USDT ({OBLIGATION_BUFFER:g} x "
            f"the cex.*.depth_usd bids, {OBLIGATION_BUFFER * sum(x.depth_usd for x in c.cex):,.0f}, "
            f"+ the pool's USDT half, dex.pool_usd / 2 = {c.dex.pool_usd / 2:,.0f}); raise the "
            f"capital or lower the depth or the pool")
    if c.max_sale_tokens < 0:
        raise ConfigError(f"contract.loan_tokens ({c.contract.loan_tokens:g}) must cover the "
                          f"inventory the obligations need ({c.quoting_inventory_tokens:g} for "
                          f"quoting + {c.pool_inventory_tokens:g} for the pool)")
    funding_tokens = OBLIGATION_BUFFER * c.quoting_inventory_tokens + c.pool_inventory_tokens
    if funding_tokens > c.contract.loan_tokens:
        raise ConfigError(
            f"contract.loan_tokens ({c.contract.loan_tokens:,.0f}) must fund the market maker's "
            f"venues at listing: {funding_tokens:,.0f} tokens ({OBLIGATION_BUFFER:g} x the "
            f"cex.*.depth_usd asks + the pool's token half, at token.initial_price)")
    fraction = c.market_maker.sale_fraction
    if (-1 < fraction < 0) or c.initial_sale_tokens > c.max_sale_tokens * (1 + 1e-12):
        raise ConfigError(f"market_maker.sale_fraction must be -1 (the article's arithmetic) or "
                          f"in [0, {c.max_sale_tokens / max(c.contract.loan_tokens, 1e-300):.4f}] "
                          f"(at most the loan minus the obligations' inventory), got {fraction:g}")
    if 0 < c.world.news_tail_df <= 2:
        raise ConfigError(f"world.news_tail_df must be 0 (normal shocks) or in (2, 1000] (a t "
                          f"with 2 or fewer degrees of freedom has no variance), got "
                          f"{c.world.news_tail_df:g}")
    if c.perp.maintenance_margin > c.perp.initial_margin:
        raise ConfigError(f"perp.maintenance_margin must be at most perp.initial_margin "
                          f"({c.perp.initial_margin:g}), got {c.perp.maintenance_margin:g}")
    shares = (c.retail.noise_share, c.retail.momentum_share, c.retail.fundamentalist_share,
              c.retail.perp_share)
    if abs(sum(shares) - 1.0) > 1e-9:
        raise ConfigError(f"retail.*_share must add up to 1, got {sum(shares):g}")
    if c.market_maker.inner_rungs > c.market_maker.quote_levels:
        raise ConfigError(f"market_maker.inner_rungs must be at most market_maker.quote_levels "
                          f"({c.market_maker.quote_levels}), got {c.market_maker.inner_rungs}")
    names = [x.name for x in c.cex]
    if len(set(names)) != len(names):
        raise ConfigError(f"cex names must be unique, got {names}")
    for i, x in enumerate(c.cex):
        if x.maker_fee < -x.taker_fee:
            raise ConfigError(f"cex.{i}.maker_fee rebate must not exceed cex.{i}.taker_fee")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    parts, node = key.split("."), data
    for i, part in enumerate(parts[:-1]):
        where = ".".join(parts[:i + 1])
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise ConfigError(f"{where}: index must be below {len(node)}, got {part!r}")
            node = node[int(part)]
        elif part in node and isinstance(node[part], dict | list):
            node = node[part]
        else:
            raise ConfigError(f"unknown key {where!r}; known keys here: {', '.join(sorted(node))}")
    last = parts[-1]
    if parts[:-1] == ["market_maker", "params"]:      # the strategy's table: it checks the keys
        node[last] = value
        return
    if isinstance(node, list) or last not in node:
        known = range(len(node)) if isinstance(node, list) else sorted(node)
        raise ConfigError(f"unknown key {key!r}; known keys here: {', '.join(map(str, known))}")
    node[last] = value


def _parse(text: str) -> Any:
    """A --set value as TOML would read it (numbers, booleans, lists), else the plain string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text
