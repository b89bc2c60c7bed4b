"""Running the model: one run, paired comparisons of strategies, and parameter sweeps (the
library the scripts in experiments/ are built on; named apart from them)."""
from mmabm.runner.compare import Comparison, compare, fan, paired_differences, report_markdown
from mmabm.runner.run import RunResult, run
from mmabm.runner.sweep import SweepSpec, heatmap_table, load_sweep, sweep, sweep_spec

__all__ = ["Comparison", "RunResult", "SweepSpec", "compare", "fan", "heatmap_table",
           "load_sweep", "paired_differences", "report_markdown", "run", "sweep", "sweep_spec"]
