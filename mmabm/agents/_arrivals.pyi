"""Type stub of the compiled candidate draws (mmabm/agents/_arrivals.pyx)."""
import numpy as np
import numpy.typing as npt

class CandidateDraws:
    n_traders: int
    def __init__(self, arrivals: np.random.Generator, decisions: np.random.Generator,
                 sizes: np.random.Generator, n_traders: int, order_usd_median: float,
                 order_usd_sigma: float) -> None: ...
    def draw(self, top: float, keep_chance: float) -> tuple[
        npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64],
        npt.NDArray[np.float64]] | None: ...
