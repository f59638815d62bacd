"""python -m dashboard.bench --rows N (same as `dashboard bench`)."""

import sys

from dashboard.cli import main

sys.exit(main(["bench", *sys.argv[1:]]))
