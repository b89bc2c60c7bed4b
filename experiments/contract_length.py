"""Question 4 (claim 3, "12 vs 24 months; projects peak at launch"): outcomes against the
contract's length and how fast launch attention fades.
    .venv/bin/python experiments/contract_length.py --quick      # 1 vs 2 month contracts
"""
import _common
import pandas as pd

from mmabm.runner import heatmap_table, sweep, sweep_spec
from mmabm.plots import heatmap_figure, save

METRICS = ["price_end", "mm_pnl_total", "project_tokens_returned", "mm_buyback_usdt"]


def main() -> None:
    args = _common.options(__doc__.splitlines()[0], quick=(1, 1), full=(12, 10),
                           swept=("contract.months", "world.attention_halflife_days"))
    lengths = [args.months, 2 * args.months]
    args.run_months = 2 * args.months            # both contracts mature inside the run
    spec = sweep_spec(_common.sweep_of(args, {"run.months": 2 * args.months}, {
        "contract.months": lengths,
        "world.attention_halflife_days": [7.0, 60.0] if args.quick else [7.0, 30.0, 120.0]}))
    runs = sweep(spec, args.out / "sweep", workers=args.workers, dask=args.dask,
                 on_done=_common.progress)
    summary = pd.read_parquet(args.out / "sweep" / "summary.parquet")
    figures, sections = [], []
    for metric in METRICS:
        t = heatmap_table(summary, metric, "contract.months", "world.attention_halflife_days")
        figures.append(save(heatmap_figure(t, metric), args.out / f"{metric}.png"))
        sections += [f"## {metric} (mean over seeds)", "", _common.grid_table(t), ""]
    sections.append(f"{int((runs.status == 'ok').sum())} of {len(runs)} runs finished. The run lasts "
                    f"{2 * args.months:g} months; a contract shorter than the run matures inside it.")
    _common.write_report(args, "Outcomes against contract length and attention decay", sections,
                         figures)


if __name__ == "__main__":
    main()
