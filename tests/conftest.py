"""Test set-up: the stream generator and the example budget in this folder import as top-level."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
