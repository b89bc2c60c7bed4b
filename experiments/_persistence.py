"""What impact_persistence.py makes of its runs: the log gaps to hold, the impact exponent, the
square-root law's prefactor, the permanent part and its path, who holds the sale, and the
figures. Apart from the runs themselves so that impact_frontier.py reads saved outputs with the
very same fits.
"""
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from mmabm.stylized import impact_exponent, mean_ci, power_law_fit

#: who can end up holding what the market maker sold (supply_tokens_* of the time series)
TAKERS = ("retail", "early_holder", "arbitrage", "liquidity_provider", "latent_book", "pool")
HOLDERS = (*TAKERS, "insider", "market_maker")
#: when part 1 asks who holds the sale's tokens and its cash: its end, a week and a month on
LATER = {"1w": 7 * 1440, "1m": 30 * 1440}
#: days after listing (when the sale starts) at which part 1 reads the gap's path, as 1w and
#: 1m are read: how the impact decays (a share of the peak at a week and a month says nothing
#: of what it did in between)
PATH_DAYS = (1.5, 2, 3, 5, 7, 10, 14, 21, 30, 60, 90)
#: one side of the price holding more than this many times the other's latent intentions
#: within 1% is a wall (`latent_balance`)
WALL = 10.0
#: retail's kinds, whose tokens the summary counts apart at the run's end (retail_tokens_*)
RETAIL_KINDS = ("noise", "momentum", "fundamentalist")
SELLERS = {"maker": "the market maker", "outside": "an outside seller (insiders)"}


def gap_at(run: pd.Series, base: pd.Series, minute: int) -> float:
    """log(run / base) at the last hourly row at or before `minute`; NaN past the run, and
    where either is 0 (a book's depth emptied: no log gap; the tables count what is left out,
    a -inf would swallow the mean)."""
    if base.index[-1] < minute:
        return np.nan
    a, b = run.loc[:minute].iloc[-1], base.loc[:minute].iloc[-1]
    return float(np.log(a / b)) if a > 0 and b > 0 else np.nan


def takers(seller: str) -> tuple[str, ...]:
    """The groups that can take the sale: the market maker too when it is not the seller."""
    return TAKERS if seller == "maker" else (*TAKERS, "market_maker")


def day_scale(base: pd.DataFrame) -> tuple[float, float]:
    """(sigma_D, V_D) of a hold run over its first day (the part of it the run reaches): the
    main CEX's hourly log mids' volatility and the tokens traded on every spot venue, per
    day. They are the square-root law's units, I = Y sigma_D sqrt(Q / V_D) (Toth et al.
    2011), in which the impacts of markets of any size and volatility compare."""
    span = min(1440, int(base.index[-1]))
    day = base.loc[:span]
    step = float(np.median(np.diff(day.index)))
    returns = np.diff(np.log(day["mid"].to_numpy(float)))
    sigma = float(np.std(returns, ddof=1) * np.sqrt(1440 / step)) if len(returns) > 1 else np.nan
    traded = (day["volume_usd"] / day["mid"]).loc[day.index > 0].sum()
    return sigma, float(traded * 1440 / span)


def latent_balance(base: pd.DataFrame, end: int) -> dict[str, float]:
    """Where hold's price sits in the main CEX's latent book after the sale's hours: the
    median |log(mid / the latent investors' centre)| and, in the diffusing frame, the share
    of hours in which one side of the price held more than WALL times the other's intentions
    within 1% (NaN in the other frames). A book in balance has its V at the price; a sale
    that meets a wall or a gap instead is not the square-root law's."""
    after = base.loc[base.index > end]
    offset = np.abs(np.log(after["mid"] / after["latent_centre"])).median()
    bids, asks = after["latent_bids_1pct"], after["latent_asks_1pct"]
    walls = ((np.maximum(bids, asks) > WALL * np.maximum(np.minimum(bids, asks), 1.0)).mean()
             if bids.notna().any() else np.nan)
    return {"latent offset": float(offset), "latent walls": float(walls)}


def balance_line(meta: pd.DataFrame) -> str:
    """The report's sentence on `latent_balance`, means over the seeds."""
    seeds = meta.drop_duplicates("seed")
    offset, walls = seeds["latent offset"].mean(), seeds["latent walls"].mean()
    if offset != offset:
        return "Where the price sits in the latent book: no latent book's centre to read."
    line = (f"Where hold's price sits in the main CEX's latent book after the sale's hours "
            f"(means over seeds): {offset:.2%} from the latent investors' centre (median "
            f"hour)")
    if walls == walls:
        line += (f"; one side of the price held more than {WALL:g} times the other's "
                 f"intentions within 1% in {walls:.0%} of hours (a V at the price would "
                 f"show none)")
    return line + "."


def exponent(meta: pd.DataFrame) -> dict:
    """delta with a seed-bootstrap interval; with a single seed, the OLS fit's own interval
    (`n_seeds` says which)."""
    n_seeds = int(meta["seed"].nunique())
    try:
        return impact_exponent(meta.rename(columns={"peak": "impact"}), n_boot=2000, rng=0)
    except ValueError:
        means = meta.groupby("q")["peak"].mean()
        try:
            return {**power_law_fit(means.index.to_numpy(float), means.to_numpy(float)),
                    "n_seeds": n_seeds}
        except ValueError as error:     # e.g. a size's mean peak not above hold's
            low = means[means <= 0]
            why = (f"the mean peak of Q = {low.index[0]:g} is {low.iloc[0]:+.3g}, not above "
                   "hold (more seeds)" if len(low) else str(error))
            return {"exponent": np.nan, "prefactor": np.nan, "ci_low": np.nan,
                    "ci_high": np.nan, "r2": np.nan, "n_seeds": n_seeds, "why": why}


def ci_table(frame: pd.DataFrame, by: list[str], columns: list[str],
             signed: bool = True) -> pd.DataFrame:
    """Mean and 95% CI of each column per group, as 'mean [low, high]' strings ('(n k of
    N)' after it when only k of the group's N runs have a value); `signed`: with a sign, for
    differences."""
    out, f = [], "{:+.3g}" if signed else "{:.3g}"
    for key, part in frame.groupby(by, sort=False):
        row = dict(zip(by, key if isinstance(key, tuple) else (key,)))
        for c in columns:
            values = part[c].to_numpy(float)
            m, lo, hi = mean_ci(values)
            row[c] = f"{f.format(m)} [{f.format(lo)}, {f.format(hi)}]" if m == m else "null"
            if m == m and (k := int(np.sum(values == values))) < len(values):
                row[c] += f" (n {k} of {len(values)})"
        out.append(row)
    return pd.DataFrame(out)


def ratio_of_means(num: pd.Series, den: pd.Series,
                   rng: np.random.Generator) -> tuple[float, float, float]:
    """mean(num) / mean(den) over seeds (paired rows) and its 95% interval from 1000
    resamples of the seeds."""
    num, den = num.to_numpy(float), den.to_numpy(float)
    pick = rng.integers(0, len(num), (1000, len(num)))
    boot = num[pick].mean(axis=1) / den[pick].mean(axis=1)
    return (float(num.mean() / den.mean()), float(np.quantile(boot, 0.025)),
            float(np.quantile(boot, 0.975)))


def permanent_fraction(frame: pd.DataFrame, later: str, rng: np.random.Generator):
    """Mean gap at `later` over mean peak, per Q, with a 95% interval from resampling seeds."""
    rows = []
    for q, part in frame.groupby("q"):
        part = part.dropna(subset=["peak", later])
        if len(part) < 2:
            continue
        ratio, low, high = ratio_of_means(part[later], part["peak"], rng)
        rows.append({"Q (tokens)": q, f"{later} / peak": ratio,
                     "95% CI": f"[{low:.2f}, {high:.2f}]", "seeds": len(part)})
    return pd.DataFrame(rows)


def prefactor(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Per Q: the square-root law's prefactor Y = mean peak / mean sigma_D sqrt(Q / V_D) (hold's
    listing day on the same seeds), with a 95% interval from resampling seeds, and the
    participation Q / V_D. Under the law Y is the same for every Q; the metaorder studies
    find it of order one (Toth et al. 2011)."""
    rows = []
    for q, part in frame.groupby("q"):
        part = part.dropna(subset=["peak", "sigma_D", "V_D"])
        if not len(part):
            continue
        y, low, high = ratio_of_means(part["peak"], part["sigma_D"] * np.sqrt(q / part["V_D"]),
                                      rng)
        rows.append({"Q (tokens)": q, "Q / V_D": round(float(np.mean(q / part["V_D"])), 4),
                     "sigma_D": round(float(part["sigma_D"].mean()), 4), "Y": round(y, 2),
                     "Y 95% CI": f"[{low:.2f}, {high:.2f}]" if len(part) > 1
                     else "(one seed)"})
    return pd.DataFrame(rows)


def still_sold(frame: pd.DataFrame) -> pd.DataFrame:
    """Per Q: the seller's mean net sale a week and a month on over its mean net sale at the
    end of the sale (where the runs reach): how much of the peak's sale is still sold when
    the permanent part is read."""
    later = [x for x in LATER if f"net_sale {x}" in frame and frame[f"net_sale {x}"].notna().any()]
    means = frame.groupby("q")[["net_sale", *(f"net_sale {x}" for x in later)]].mean()
    return pd.DataFrame({"Q (tokens)": means.index,
                         **{f"net {x} / end": (means[f"net_sale {x}"] / means["net_sale"])
                            .round(2).to_numpy() for x in later}})


def impact_figure(frame: pd.DataFrame, fit: dict, seller: str = "maker",
                  hours: float = 24.0) -> Figure:
    fig = Figure(figsize=(10, 4.8))
    fig.suptitle(f"Q tokens sold over {hours:g} hours by {SELLERS[seller]}, against holding")
    ax, bx = fig.subplots(1, 2)
    means = frame.groupby("q")[["peak", "1w", "1m"]].mean()
    for col, style in (("peak", "o-"), ("1w", "s--"), ("1m", "^:")):
        if col in means and means[col].notna().any():
            ax.plot(means.index / 1e6, means[col], style, label=f"gap to hold, {col}")
    q = np.array(means.index)
    if fit["exponent"] == fit["exponent"]:
        ax.plot(q / 1e6, fit["prefactor"] * q ** fit["exponent"], color="grey", lw=0.8,
                label=f"fit: Q^{fit['exponent']:.2f}")
    ticks = [x / 1e6 for x in means.index]
    ax.set(xscale="log", yscale="log", xlabel=f"tokens sold over {hours:g} hours, million",
           ylabel="price impact, -log(mid / hold mid)",
           title="Peak impact grows like a power of the size")
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks], minor=False)
    ax.set_xticks([], minor=True)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    for label in ("1w", "1m"):
        if label in means and means[label].notna().any():
            bx.plot(means.index / 1e6, means[label] / means["peak"], "o-",
                    label=f"{label} after / peak")
    bx.axhspan(0.4, 0.8, color="green", alpha=0.08, label="target 0.4-0.8")
    bx.set(xscale="log", ylim=(0, 1.5), xlabel=f"tokens sold over {hours:g} hours, million",
           ylabel="share of the peak impact left", title="How much of the impact stays")
    bx.set_xticks(ticks, [f"{t:g}" for t in ticks], minor=False)
    bx.set_xticks([], minor=True)
    bx.legend(fontsize=8)
    bx.grid(alpha=0.3)
    return fig


def decay_path(frame: pd.DataFrame) -> pd.DataFrame:
    """Per Q: the mean gap d days after listing over the mean peak (the days the runs reach
    after the sale's end), and the largest standard error of those means over the peak: the
    decay curve."""
    cols = [f"day {d}" for d in PATH_DAYS if frame[f"day {d}"].notna().any()]
    rows = []
    for q, part in frame.groupby("q"):
        peak = part["peak"].mean()
        se = part[cols].std() / np.sqrt(part[cols].notna().sum())
        rows.append({"Q (tokens)": q, **{c: round(part[c].mean() / peak, 2) for c in cols},
                     "largest se": round(float(se.max() / peak), 2) if len(part) > 1
                     else np.nan})
    return pd.DataFrame(rows)


def path_figure(path: pd.DataFrame, seller: str = "maker", hours: float = 24.0) -> Figure:
    """The decay curve of each Q: the share of the peak left, day by day after listing."""
    fig = Figure(figsize=(7, 4.5))
    ax = fig.subplots()
    days = [float(c.split()[1]) for c in path.columns if c.startswith("day ")]
    for _, row in path.iterrows():
        ax.plot(days, [row[f"day {d:g}"] for d in days], "o-", ms=3,
                label=f"Q = {row['Q (tokens)'] / 1e6:g}M")
    ax.axhspan(0.4, 0.8, color="green", alpha=0.08, label="target 0.4-0.8")
    ax.axhline(0, color="grey", lw=0.6)
    ax.set(xscale="log", xlabel=f"days after listing (the sale ends at {hours:g} hours)",
           ylabel="share of the peak impact left",
           title=f"How the impact of {SELLERS[seller]}'s {hours:g}-hour sale decays")
    ax.set_xticks(days, [f"{d:g}" for d in days], minor=False)
    ax.set_xticks([], minor=True)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def retail_kinds(meta: pd.DataFrame) -> pd.DataFrame:
    """Per Q: each retail kind's tokens against hold at the run's end over the seller's net
    sale then (means over seeds)."""
    means = meta.groupby("q")[[f"retail {k}" for k in RETAIL_KINDS] + ["net_sale run end"]].mean()
    return pd.DataFrame({"Q (tokens)": means.index,
                         **{k: (means[f"retail {k}"] / means["net_sale run end"]).round(2)
                            .to_numpy() for k in RETAIL_KINDS}})


def holdings(meta: pd.DataFrame) -> pd.DataFrame:
    """Per holder group: its tokens and USDT against hold at the sale's end, a week and a
    month on (the columns the runs reached), for the largest Q, in millions."""
    largest = meta[meta["q"] == meta["q"].max()]
    labels = [x for x in ("end", *LATER) if f"tokens {HOLDERS[0]} {x}" in largest]
    return pd.DataFrame([{"holder": h, **{f"{kind} {x}": round(largest[f"{kind} {h} {x}"].mean()
                                                                / 1e6, 3)
                                          for kind in ("tokens", "usdt") for x in labels}}
                         for h in HOLDERS])
