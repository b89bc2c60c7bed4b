"""How many examples a property test draws: all of them in the release pass, a quarter in the
debug/coverage pass (`MMABM_DEBUG_PASS=1`, set by `make test-debug`). That pass exists to trace
the compiled code and check its bounds, not to search again what the release pass searched, and
line tracing makes each example several times slower."""
import os


def examples(n: int) -> int:
    """`n`, or a quarter of it (at least 10, never more than `n`) in the debug/coverage pass."""
    return min(n, max(10, n // 4)) if os.environ.get("MMABM_DEBUG_PASS") == "1" else n
