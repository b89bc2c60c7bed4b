"""Type stub of mmabm/_ladder.pyx (one side of a book's level window)."""
from typing import Final

MAX_SPAN_TICKS: Final[int]
