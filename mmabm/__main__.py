"""`python -m mmabm`: the same as the `mmabm` command (see mmabm/cli.py)."""
import sys

from mmabm.cli import main

if __name__ == "__main__":
    sys.exit(main())
