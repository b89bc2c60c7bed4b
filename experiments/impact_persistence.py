"""Does the sale's impact last? Square-root peak impact, decay to a permanent part, by belief.

Part 1, the metaorder (runs of up to three months, --months; down to the 36 hours that give
the peaks alone, a quick probe of delta): the market maker sells Q tokens over 24 hours
(`--sale-hours`) and otherwise holds (its quotes lean toward what it will hold after the sale),
against holding on the same seeds, for Q from 0.25M to 4M (the loan is raised to 10M so that no
Q, with the selling its quotes add, is capped by it; the contract runs a year, so that no
buyback before maturity falls in the month). The peak impact is the log gap to hold at the end
of the sale; its growth with Q gives the exponent delta (square-root law: about 0.5); the gap
at 1 week and 1 month over the peak is the permanent fraction (fair pricing: about 2/3); the
peak over sigma_D sqrt(Q / V_D), hold's daily volatility and volume on the listing day, is the
square-root law's prefactor Y (of order one in the metaorder studies). With
--seller outside the seller is not the market maker but insiders selling an unlock of Q at
listing in market orders of a minute's slice on the main CEX (the maker holds and quotes): the
market's own impact, as the square-root studies measure it on metaorders of traders who do not
also provide the liquidity.
Part 2, the strategies: article, twap_sale and hold under each setting (adaptive beliefs and
the latent book, the default; the same with dealers that quote around the mid alone; the same
without the latent book; the same with a market that learns from the private order flow,
beliefs.flow_learning 0.002; anchored: beliefs are the news value; anchored with elastic money, no
latent book and deaf dealers: the model before price formation). The gaps of the main CEX's
mid and ±2% depth to hold at 1 hour, 1 day, 1 week, 1 month, 3 and 12 months; the market
maker's net sale (its holdings' fall against hold, its quotes included); each party's outcome.
    .venv/bin/python experiments/impact_persistence.py --quick      # a few minutes
    .venv/bin/python experiments/impact_persistence.py --months 1 --seeds 8 --part metaorders \
        --set latent.memory_hours=24                                 # how delta moves with a key
    .venv/bin/python experiments/impact_persistence.py --months 0.05 --seeds 10 --part metaorders \
        --set world.annual_vol=0.3                                   # delta alone, in a minute
    .venv/bin/python experiments/impact_persistence.py --months 0.05 --seeds 60 --part metaorders \
        --seller outside                                             # the market's own impact
    .venv/bin/python experiments/impact_persistence.py --months 0.01 --seeds 60 --part metaorders \
        --sale-hours 6                                               # a faster sale's delta
    .venv/bin/python experiments/impact_persistence.py --months 1 --seeds 40 --part metaorders \
        --sizes 1e6                                                  # one size's path
"""
import sys

import _common
import numpy as np
import pandas as pd
from _persistence import (HOLDERS, LATER, PATH_DAYS, RETAIL_KINDS, SELLERS, balance_line,
                          ci_table, day_scale, decay_path, exponent, gap_at, holdings,
                          impact_figure, latent_balance, path_figure, permanent_fraction,
                          prefactor, retail_kinds, still_sold, takers)

from mmabm.config import DEAF_DEALERS
from mmabm.runner.executor import Task, run_tasks
from mmabm.plots import save

LOAN = 10_000_000.0     # 4M and its quotes' selling stay below it (6M capped the 4M point)
SIZES = (250_000.0, 500_000.0, 1_000_000.0, 2_000_000.0, 4_000_000.0)
HORIZONS = {"1h": 60, "1d": 1440, "1w": 7 * 1440, "1m": 30 * 1440, "3m": 90 * 1440,
            "12m": 360 * 1440}
BELIEFS = {"adaptive": {},
           "adaptive, dealers deaf to the news": DEAF_DEALERS,
           "adaptive, no latent book": {"latent.usdt_per_venue": 0, "latent.tokens_per_venue": 0},
           "adaptive, the market learns from the flow": {"beliefs.flow_learning": 0.002},
           "anchored": {"beliefs.model": "anchored"},
           "anchored, elastic money": {"beliefs.model": "anchored", "money.model": "elastic",
                                       "latent.usdt_per_venue": 0, "latent.tokens_per_venue": 0,
                                       **DEAF_DEALERS}}
STRATEGIES = ("hold", "article", "twap_sale")
COLUMNS = ("minute", "mid", "depth_bid_usd", "depth_ask_usd", "mm_tokens", "volume_usd",
           *(f"supply_tokens_{h}" for h in HOLDERS), *(f"money_usdt_{h}" for h in HOLDERS),
           "latent_centre", "latent_bids_1pct", "latent_asks_1pct")
#: who the market maker's quotes sell to (the summary's mm_quotes_sold_to_*), grouped as the
#: tape's taker types
QUOTE_TAKERS = ("fundamentalist", "noise", "momentum", "early_holder", "arbitrage",
                "liquidity_provider", "insider")
#: --seller outside: the insiders receive an unlock at listing and sell all of it in market
#: orders on the main CEX, one a minute (as the maker's sale: a metaorder of small child
#: orders), over 24 hours or --sale-hours (agents/insiders.py); its size is Q
OUTSIDE_SALE = {"project.unlock_cliff_months": 0.0, "project.unlock_months": 1.0,
                "project.unlock_jitter_days": 0.0, "project.unlock_sell_share": 1.0,
                "project.unlock_sell_days": 1.0, "project.unlock_slice_minutes": 1}
OUTCOMES = ("mm_pnl_total", "mm_sale_tokens_sold", "project_tokens_returned",
            "project_usdt_received", "price_end", "max_drawdown", "obligation_uptime_main")
#: part 2's levels, hold included: what each strategy's market looks like, not only its gap
LEVELS = ("price_1m", "price_3m", "price_end", "max_drawdown", "obligation_uptime_main",
          "mm_pnl_total")


def sale_of(q: float, seller: str, hours: float = 24.0) -> dict:
    """The keys that make `seller` sell `q` tokens over the first `hours` (none for q = 0)."""
    if seller == "outside":     # an unlock of q at listing, sold by its recipients by the minute
        return {**OUTSIDE_SALE, "project.unlock_tokens": q, "project.unlock_sell_days": hours / 24}
    return {"market_maker.sale_execution": "immediate", "market_maker.sale_horizon_hours": hours,
            "market_maker.sale_fraction": q / LOAN} if q else {}


def run_months(args) -> float:
    """Part 1's run length: --months, at most three months (the gap's path to day 90) and at
    least the sale and 12 hours."""
    return min(3.0, max(args.months, (round(args.sale_hours * 60) + 720) / (30 * 1440)))


def metaorders(args) -> pd.DataFrame:
    """Part 1: per (seed, Q) the gap to hold at the end of the sale, 1 week and 1 month."""
    # up to three months; shorter with --months, down to the sale and 12 hours (the peaks
    # alone: a quick probe of delta)
    # the end of the sale: the hourly row at H hours (the maker's slices run from minute 0 and
    # are all in it; the insiders' from minute 1, their last is not: 1/(60 H) of Q)
    end = round(args.sale_hours * 60)
    months = run_months(args)
    # the contract runs a year: its buyback before maturity would be in the 1-month gap
    config = _common.base_config(args, {"run.months": months, "contract.loan_tokens": LOAN,
                                        "contract.months": 12.0, "market_maker.strategy": "hold"})
    sizes = sorted(set(args.sizes)) if args.sizes else (SIZES if not args.quick else SIZES[::2])
    tasks = [Task((q, seed), config.override(sale_of(q, args.seller, args.sale_hours)).to_dict(),
                  seed)
             for seed in range(args.seeds) for q in (0.0, *sizes)]
    done = {o.key: o for o in run_tasks(tasks, workers=args.workers, dask=args.dask,
                                        columns=COLUMNS, on_done=_common.progress) if o.ok}
    paths = {key: o.timeseries.set_index("minute").ffill() for key, o in done.items()}
    rows = []
    scales = {seed: day_scale(ts) for (q, seed), ts in paths.items() if q == 0}
    balances = {seed: latent_balance(ts, end) for (q, seed), ts in paths.items() if q == 0}
    for (q, seed), ts in paths.items():
        base = paths.get((0.0, seed))
        if q == 0 or base is None:
            continue
        g = {label: -gap_at(ts["mid"], base["mid"], m) for label, m in
             (("peak", end), *LATER.items())}
        g |= {f"day {d}": -gap_at(ts["mid"], base["mid"], round(d * 1440)) if d * 1440 > end
              else np.nan for d in PATH_DAYS}
        # what the seller sold: the maker's holdings' fall against hold; the insiders' unlock
        # less what they still hold
        held = "mm_tokens" if args.seller == "maker" else "supply_tokens_insider"

        def sold(m: int) -> float:
            return (base[held].loc[:m].iloc[-1] - ts[held].loc[:m].iloc[-1]
                    + (q if args.seller == "outside" else 0))
        net = sold(end)
        # and later: the maker's quotes buy back what they sold beyond Q during the sale, so
        # the week's and month's gap are those of a smaller sale than the peak's
        nets = {f"net_sale {label}": sold(m) if ts.index[-1] >= m else np.nan
                for label, m in LATER.items()}
        took = {f"took {h}": ts[f"supply_tokens_{h}"].loc[end]
                - base[f"supply_tokens_{h}"].loc[end] for h in takers(args.seller)}
        quotes = {f"quotes to {k}": done[(q, seed)].summary[f"mm_quotes_sold_to_{k}"]
                  - done[(0.0, seed)].summary[f"mm_quotes_sold_to_{k}"] for k in QUOTE_TAKERS}
        # each group's tokens and USDT against hold at the sale's end and later (where the
        # run reaches): where the sale's tokens went, and where its cash came from
        holds = {f"{kind} {h} {label}": (ts[f"{col}_{h}"].loc[:m].iloc[-1]
                                         - base[f"{col}_{h}"].loc[:m].iloc[-1])
                 for label, m in (("end", end), *LATER.items()) if ts.index[-1] >= m
                 for kind, col in (("tokens", "supply_tokens"), ("usdt", "money_usdt"))
                 for h in HOLDERS}
        # which retail traders hold it at the run's end (the summary counts them by kind)
        kinds = {f"retail {k}": done[(q, seed)].summary[f"retail_tokens_{k}"]
                 - done[(0.0, seed)].summary[f"retail_tokens_{k}"] for k in RETAIL_KINDS}
        kinds["net_sale run end"] = sold(int(ts.index[-1]))
        sigma_d, volume_d = scales[seed]
        rows.append({"q": q, "seed": seed, **g, "net_sale": net, **nets, **took, **quotes,
                     **holds, **kinds, "sigma_D": sigma_d, "V_D": volume_d,
                     **balances[seed]})
    return pd.DataFrame(rows)


def strategies(args) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Part 2: per belief setting, strategy and seed: the gaps to hold and the outcomes; and
    each run's levels (hold's too: the summary's LEVELS and the mean ±2% depth, both sides)."""
    tasks = [Task((name, s, seed), _common.base_config(args, {
        "market_maker.strategy": s, **changes}).to_dict(), seed)
        for name, changes in BELIEFS.items() for s in STRATEGIES for seed in range(args.seeds)]
    done = {o.key: o for o in run_tasks(tasks, workers=args.workers, dask=args.dask,
                                        columns=COLUMNS, on_done=_common.progress) if o.ok}
    rows, levels = [], []
    for (name, s, seed), o in done.items():
        depth = o.timeseries["depth_bid_usd"] + o.timeseries["depth_ask_usd"]
        levels.append({"beliefs": name, "strategy": s, "seed": seed,
                       **{k: o.summary.get(k, np.nan) for k in LEVELS},
                       "depth_2pct_usd": float(depth.mean())})
        base = done.get((name, "hold", seed))
        if s == "hold" or base is None:
            continue
        ts = o.timeseries.set_index("minute").ffill()
        b = base.timeseries.set_index("minute").ffill()
        row = {"beliefs": name, "strategy": s, "seed": seed,
               "net_sale_1d": (b["mm_tokens"].loc[:1440].iloc[-1]
                               - ts["mm_tokens"].loc[:1440].iloc[-1])}
        for label, m in HORIZONS.items():
            row[f"mid gap {label}"] = gap_at(ts["mid"], b["mid"], m)
            row[f"depth gap {label}"] = gap_at(ts["depth_bid_usd"] + ts["depth_ask_usd"],
                                               b["depth_bid_usd"] + b["depth_ask_usd"], m)
        for key in OUTCOMES:
            row[f"{key} - hold"] = o.summary[key] - base.summary[key]
        rows.append(row)
    return pd.DataFrame(rows), pd.DataFrame(levels)


def _seller_option(parser) -> None:
    parser.add_argument("--seller", choices=("maker", "outside"), default="maker",
                        help="part 1's seller: the market maker (its quotes stay up and lean "
                             "toward what it will have sold), or an outside seller (insiders "
                             "selling an unlock in a market order a minute; the maker holds): the "
                             "market's own impact, as the square-root studies measure it")


# the sale ends before the week's gap is read
_sale_hours = _common.number_in(1, 144, "a number of hours")


def _sale_hours_option(parser) -> None:
    parser.add_argument("--sale-hours", type=_sale_hours, default=24.0, metavar="H",
                        help="part 1's sale lasts H hours (1-144, default 24): how the impact "
                             "exponent depends on the sale's speed")


# the loan of 10M holds a 4M sale and the selling its quotes add
_size = _common.number_in(10_000, SIZES[-1], "a number of tokens")


def _sizes_option(parser) -> None:
    parser.add_argument("--sizes", type=_size, nargs="+", default=None, metavar="Q",
                        help="part 1's sale sizes in tokens (default 0.25M 0.5M 1M 2M 4M): one "
                             "size is a fifth of the runs for a probe of its path; delta needs "
                             "three")


def _part_option(parser) -> None:
    parser.add_argument("--part", choices=("both", "metaorders", "strategies"), default="both",
                        help="metaorders: part 1 only (the impact exponent and the permanent "
                             "part: a quick probe of a --set change); strategies: part 2 only")


def main() -> None:
    args = _common.options(__doc__.splitlines()[0], quick=(0.5, 3), full=(12, 20),
                           extra=(_part_option, _seller_option, _sale_hours_option,
                                  _sizes_option))
    sections, figures = [], []
    if args.part != "strategies":
        sections, figures = part_one(args)
    if args.part != "metaorders":
        print(f"part 2: {len(BELIEFS) * len(STRATEGIES) * args.seeds} runs of "
              f"{args.months:g} months", file=sys.stderr)
        runs, levels = strategies(args)
        runs.to_parquet(args.out / "strategies.parquet", index=False)
        levels.to_parquet(args.out / "strategy_levels.parquet", index=False)
        gaps = ci_table(runs, ["beliefs", "strategy"],
                        [c for c in runs.columns if c.startswith(("mid gap", "depth gap"))
                         and runs[c].notna().any()] + ["net_sale_1d"])
        outcomes = ci_table(runs, ["beliefs", "strategy"],
                            [f"{k} - hold" for k in OUTCOMES])
        sections += ["## Part 2: strategies and belief settings, gaps to hold (log)", "",
                     _common.table(gaps), "",
                     "## Part 2: each party's outcome, difference to hold", "",
                     _common.table(outcomes), "",
                     "## Part 2: levels, hold included (prices in USDT at 1 and 3 months and "
                     "at the end, where the runs reach; the main CEX's obligation uptime; the "
                     "maker's P&L; the mean ±2% depth of both sides over the run)", "",
                     _common.table(ci_table(
                         levels, ["beliefs", "strategy"],
                         [c for c in (*LEVELS, "depth_2pct_usd") if levels[c].notna().any()],
                         signed=False))]
    _common.write_report(args, "Does the sale's impact last?", sections, figures)


def end_label(args) -> str:
    """When part 1's runs end, in words: how long after the sale."""
    hours = run_months(args) * 30 * 24 - args.sale_hours
    return f"{hours / 24:.3g} days after the sale ends" if hours >= 48 else \
        f"{hours:.3g} hours after the sale ends"


def part_one(args) -> tuple[list[str], list]:
    """Part 1's runs, its report sections and its figure."""
    rng = np.random.default_rng(0)
    meta = metaorders(args)
    # what was run, kept with the numbers (impact_frontier.py reads it)
    meta.attrs = {"sale_hours": args.sale_hours, "seller": args.seller,
                  "months": run_months(args), "sets": {k: str(v) for k, v in args.sets.items()}}
    meta.to_parquet(args.out / "metaorders.parquet", index=False)
    fit = exponent(meta)
    table_q = ci_table(meta.sort_values("q"), ["q"], ["peak", "1w", "1m", "net_sale"])
    perm = None
    for later in ("1w", "1m"):
        if meta[later].notna().any():
            part = permanent_fraction(meta, later, rng).rename(
                columns={"95% CI": f"{later} 95% CI"})
            perm = part if perm is None else perm.merge(part.drop(columns="seeds"),
                                                        on="Q (tokens)")
    perm = perm.merge(still_sold(meta), on="Q (tokens)") if perm is not None else pd.DataFrame()
    took = meta.groupby("q")[[f"took {h}" for h in takers(args.seller)]].mean()
    took = took.div(meta.groupby("q")["net_sale"].mean(), axis=0).round(2).reset_index()
    figures = [save(impact_figure(meta, fit, args.seller, args.sale_hours),
                    args.out / "impact.png")]
    path = decay_path(meta)
    has_path = len(path.columns) > 2              # the runs reach at least a day past the sale
    if has_path:
        figures.append(save(path_figure(path, args.seller, args.sale_hours),
                            args.out / "impact_path.png"))
    sections = [
        f"## Part 1: a sale of Q tokens over {args.sale_hours:g} hours by {SELLERS[args.seller]} "
        "against holding (loan 10M)", "",
        f"Impact exponent delta (peak gap at the end of the sale on Q): **{fit['exponent']:.2f}** "
        f"(95% CI {fit['ci_low']:.2f} to {fit['ci_high']:.2f}, "
        f"{'seed bootstrap' if fit['n_seeds'] > 1 else 'OLS: one seed, no bootstrap'}, "
        f"{fit['n_seeds']} seed{'s' if fit['n_seeds'] > 1 else ''}, R^2 {fit['r2']:.3f})."
        if "why" not in fit else f"Impact exponent delta: not fitted ({fit['why']}).", "",
        "Per Q: the gap to hold (log, positive: below hold) at the end of the sale, a week "
        "and a month later, and the seller's net sale (its holdings' fall against hold "
        "at the end of the sale; the market maker's includes its quotes).", "",
        _common.table(table_q), "",
        "The square-root law's prefactor: I = Y sigma_D sqrt(Q / V_D), sigma_D and V_D "
        "hold's daily volatility (the main CEX's hourly mids) and spot volume (tokens, every "
        "venue) over the listing day on the same seeds. Under the law Y is the same for "
        "every Q; the metaorder studies find it of order one (Toth et al. 2011).", "",
        _common.table(y) if len(y := prefactor(meta, np.random.default_rng(1)))
        else "(no size with a peak and a listing day to measure it on)", "",
        "Permanent part: the mean gap later over the mean peak, per Q; beside it the "
        "seller's mean net sale then over its net sale at the peak (net 1w / end: below 1, "
        "the market maker's quotes have bought back part of what they sold beyond Q).", "",
        _common.table(perm) if len(perm) else "(the runs do not reach a week)", "",
        "How the gap decays: the mean gap d days after listing (the sale's start) over the "
        "mean peak, per Q (largest se: the largest standard error of those means, as a share "
        "of the peak).",
        "", _common.table(path) if has_path else "(the runs do not reach a day "
        "past the sale's end)", "",
        balance_line(meta), "",
        "Who holds what the seller sold, at the end of the sale: each group's token "
        "holdings against hold, as a share of the seller's net sale (means over seeds; the "
        "latent books apart from the liquidity providers).", "",
        _common.table(took), "",
        f"Which retail traders hold it at the run's end ({end_label(args)}): each "
        "kind's tokens against hold, as a share of the seller's net sale then (means over "
        "seeds).", "",
        _common.table(retail_kinds(meta)), "",
        "What the market maker's quotes sold beyond hold over the run, by who took them "
        "(tokens, means over seeds; negative: its quotes bought). Its own sale's market "
        "orders are not in it: this is the selling its quotes add, and to whom.", "",
        _common.table(meta.groupby("q")[[f"quotes to {k}" for k in QUOTE_TAKERS]].mean()
                      .round(-3).reset_index()), "",
        f"Where the largest sale's tokens and its cash are, at its end and later: each "
        f"group's tokens and USDT against hold (millions, means over seeds; Q = "
        f"{meta['q'].max() / 1e6:g}M).", "",
        _common.table(holdings(meta)), ""]
    return sections, figures


if __name__ == "__main__":
    main()
