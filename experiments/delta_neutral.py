"""Question 2 (claim 1, "delta-neutral"): the market maker's delta in both views over time.

The inventory view is the article's (spot + pool + perps + the calls' delta); the liability view
subtracts the tokens owed back to the project. How directional is each strategy really?
    .venv/bin/python experiments/delta_neutral.py --quick
"""
import _common
import pandas as pd

from mmabm.runner import compare, fan
from mmabm.plots import fan_figure, save

STRATEGIES = ["article", "hold", "liability_neutral"]


def delta_table(paths: pd.DataFrame, loan: float) -> pd.DataFrame:
    rows = []
    for strategy, part in paths.groupby("strategy", sort=False):
        for view in ("inventory", "liability"):
            d = part[f"mm_delta_{view}"]
            rows.append({"strategy": strategy, "view": view, "mean delta (tokens)": d.mean(),
                         "mean abs delta (tokens)": d.abs().mean(),
                         "mean abs delta / loan": d.abs().mean() / loan,
                         "hours within ±5% of the loan": (d.abs() <= 0.05 * loan).mean()})
    return pd.DataFrame(rows)


def main() -> None:
    args = _common.options(__doc__.splitlines()[0], quick=(0.25, 2), full=(12, 10))
    config = _common.base_config(args)
    result = compare(config, STRATEGIES, args.seeds, workers=args.workers, dask=args.dask,
                     on_done=_common.progress)
    figures = [save(fan_figure(fan(result.paths, f"mm_delta_{v}"), f"mm_delta_{v}",
                               f"Market maker's delta, {v} view (tokens; median, 10-90%)"),
                    args.out / f"delta_{v}.png") for v in ("inventory", "liability")]
    _common.write_report(args, "How delta-neutral is the delta-neutral market maker?", [
        f"Loan: {config.contract.loan_tokens:,.0f} tokens. Every recorded hour of every seed.", "",
        _common.table(delta_table(result.paths, config.contract.loan_tokens))], figures)


if __name__ == "__main__":
    main()
