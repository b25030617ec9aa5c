import sys

from review.cli import run

sys.exit(run())
