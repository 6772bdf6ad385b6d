"""`python -m chapterhouse` runs the command line."""

import sys

from chapterhouse.cli import main

sys.exit(main())
