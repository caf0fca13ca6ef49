"""`python -m salesboard` is the `salesboard` console script."""

import sys

from salesboard.cli import main

sys.exit(main())
