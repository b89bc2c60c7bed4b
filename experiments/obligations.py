"""Issue 14: the market maker's quoting obligations as a contract measures them (its own
quotes, every minute), by strategy and compliance policy: uptime per exchange, the months
below the threshold, the penalties and what the project gets back.

A miss costs nothing in the article's deal; here it costs --penalty USDT per hour missed in a
month below contract.uptime_threshold (an assumption, stated in the report), so the penalties
are measured; --forfeit and --end-after add the other miss costs. The policies: accept and
requote (its quotes only), rebuy (it buys the tokens its asks lack), borrow (it borrows them,
up to --extra-loan tokens), and rebuy with a deeper ladder (3 rungs inside the spread, 50%
depth margin). Strategies are paired on the same seeds within each policy.
    .venv/bin/python experiments/obligations.py --quick
"""
import _common
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from mmabm.runner import compare
from mmabm.plots import save
from mmabm.stylized import mean_ci

STRATEGIES = ["article", "hold", "twap_sale"]
#: each policy's overrides (borrow's loan cap comes from --extra-loan)
POLICIES = {"accept": {}, "requote": {}, "rebuy": {}, "borrow": {},
            "rebuy + deep ladder": {"market_maker.inner_rungs": 3,
                                   "market_maker.depth_margin": 0.5}}
OUTCOMES = ["mm_penalties_usdt", "mm_compliance_usdt", "project_extra_lent_tokens",
            "mm_calls_forfeited", "project_usdt_received", "project_shortfall_tokens",
            "mm_pnl_total", "price_end"]


def fmt(m: float, lo: float, hi: float, digits: int) -> str:
    if hi != hi:
        return f"{m:,.{digits}f}"
    return f"{m:,.{digits}f} [{lo:,.{digits}f}, {hi:,.{digits}f}]"


def uptime_table(runs: pd.DataFrame, cexs: list[str]) -> pd.DataFrame:
    """Per policy and strategy: each CEX's own uptime, months below the threshold, and the
    whole book's uptime on the main CEX (mean [95% CI] over seeds)."""
    rows = []
    for (policy, strategy), part in runs.groupby(["policy", "strategy"], sort=False):
        row = {"policy": policy, "strategy": strategy}
        for cex in cexs:
            row[f"own uptime, {cex}"] = fmt(*mean_ci(part[f"mm_uptime_{cex}"].to_numpy(float)),
                                            2)
            row[f"windows missed, {cex}"] = f"{part[f'mm_windows_missed_{cex}'].mean():.1f}"
        row["whole book, main"] = fmt(*mean_ci(part["obligation_uptime_main"].to_numpy(float)),
                                      2)
        rows.append(row)
    return pd.DataFrame(rows)


def outcome_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Per policy and strategy: penalties, the project's USDT and token shortfall, the
    maker's P&L and the end price (mean [95% CI] over seeds)."""
    rows = []
    for (policy, strategy), part in runs.groupby(["policy", "strategy"], sort=False):
        rows.append({"policy": policy, "strategy": strategy,
                     **{metric: fmt(*mean_ci(part[metric].to_numpy(float)),
                                    3 if metric == "price_end" else 0)
                        for metric in OUTCOMES}})
    return pd.DataFrame(rows)


def uptime_figure(runs: pd.DataFrame, threshold: float) -> Figure:
    """The main CEX's own uptime per strategy, one bar per policy, with 95% intervals."""
    fig = Figure(figsize=(8, 4.5))
    ax = fig.subplots()
    policies = list(dict.fromkeys(runs["policy"]))
    width = 0.8 / len(policies)
    for k, policy in enumerate(policies):
        stats_ = [mean_ci(runs[(runs.policy == policy) & (runs.strategy == s)]
                          ["mm_uptime_main"].to_numpy(float))
                  for s in STRATEGIES]
        means = [m for m, _, _ in stats_]
        errors = [0.0 if hi != hi else hi - m for m, _, hi in stats_]
        ax.bar(np.arange(len(STRATEGIES)) + (k - (len(policies) - 1) / 2) * width, means, width,
               yerr=errors, capsize=4, label=f"compliance = {policy}")
    ax.axhline(threshold, color="grey", ls=":", label=f"the contract's threshold ({threshold:g})")
    ax.set_xticks(np.arange(len(STRATEGIES)), STRATEGIES)
    ax.set(ylim=(0, 1), ylabel="share of minutes its own quotes met the obligation",
           title="The market maker's own quoting uptime on the main CEX (mean, 95% CI)")
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(alpha=0.3, axis="y")
    return fig


#: the miss costs and the loan on offer: (flag, low, high, unit, default, help)
OPTIONS = (("--penalty", 0, 1e9, "USDT per hour", 100.0, "USDT per hour missed in a window "
            "below the threshold (default 100; the article's deal: 0)"),
           ("--forfeit", 0, 100, "call tranches", 0, "call tranches forfeited per window with "
            "a miss (default 0)"),
           ("--end-after", 0, 10_000, "windows", 0, "windows with a miss after which the "
            "mandate ends (default 0: never)"),
           ("--extra-loan", 0, 1e12, "tokens", 1_000_000.0, "tokens the project lends the "
            "borrow policy beyond the loan (default 1,000,000)"))


def _policies(text: str) -> list[str]:
    """--policies: a comma-separated choice of POLICIES' names."""
    chosen = [p.strip() for p in text.split(",") if p.strip()]
    unknown = [p for p in chosen if p not in POLICIES]
    if not chosen or unknown:
        raise _common.argparse.ArgumentTypeError(
            f"must be names of {', '.join(POLICIES)} separated by commas, got {text!r}")
    return chosen


def _option(flag, low, high, unit, default, text):
    """An argparse adder for one of OPTIONS."""
    return lambda p: p.add_argument(flag, type=_common.number_in(low, high, unit),
                                    default=default, help=text)


def main() -> None:
    args = _common.options(__doc__.splitlines()[0], quick=(0.25, 2), full=(12, 5),
                           swept=("market_maker.compliance", "market_maker.strategy"),
                           extra=(*(_option(*o) for o in OPTIONS), lambda p: p.add_argument(
                               "--policies", type=_policies, default=list(POLICIES),
                               help=f"which policies (default: all: {', '.join(POLICIES)})")))
    frames = []
    for policy in args.policies:
        overrides = POLICIES[policy]
        config = _common.base_config(args, {
            "market_maker.compliance": policy.split(" ")[0],
            "contract.penalty_usdt_per_hour": args.penalty,
            "contract.forfeit_calls_per_miss": int(args.forfeit),
            "contract.end_mandate_after_misses": int(args.end_after),
            "contract.extra_loan_tokens": args.extra_loan, **overrides})
        result = compare(config, STRATEGIES, args.seeds, workers=args.workers, dask=args.dask,
                         on_done=_common.progress,
                         store=args.out / "runs" / policy.replace(" + ", "_").replace(" ", "_"))
        frames.append(result.runs.assign(policy=policy))
    runs = pd.concat(frames, ignore_index=True)
    runs.to_parquet(args.out / "runs.parquet")
    cexs = [c.name for c in config.cex]
    threshold = config.contract.uptime_threshold
    figure = save(uptime_figure(runs, threshold), args.out / "uptime.png")
    _common.write_report(args, "The market maker's quoting obligations by strategy and policy", [
        f"Own quotes sampled at the end of every minute; windows of a "
        f"{config.contract.uptime_window}, threshold {threshold:g}; a miss costs "
        f"{args.penalty:g} USDT per hour missed in a window below it, {int(args.forfeit)} call "
        f"tranches per window with a miss, and the mandate ends after "
        f"{int(args.end_after) or 'no number of'} such windows (assumptions: the article's "
        f"deal names no cost); the borrow policy may borrow {args.extra_loan:,.0f} tokens "
        f"beyond the loan; {runs['mm_windows_closed'].mean():g} windows "
        f"closed per run (a window is a penalty's unit: a run shorter than one charges "
        f"nothing). Mean [95% CI] over seeds.", "",
        "## Uptime", "", _common.table(uptime_table(runs, cexs)), "",
        "## What it costs and what the project gets back", "",
        _common.table(outcome_table(runs))], [figure])


if __name__ == "__main__":
    main()
