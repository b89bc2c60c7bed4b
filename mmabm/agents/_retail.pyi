"""Type stub of the compiled retail decision loop (mmabm/agents/_retail.pyx)."""
import numpy as np
import numpy.typing as npt

def act_batch(pop: object, who: npt.NDArray[np.int64], picks: npt.NDArray[np.int64],
              coins: npt.NDArray[np.float64], sizes: npt.NDArray[np.float64], buy_base: float,
              log_anchor: float) -> None: ...
