"""The config's sections for the agents: the market maker, the project, retail and its
beliefs and money, the desks, the liquidity providers and the latent books."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from mmabm.config.fields import _field


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
