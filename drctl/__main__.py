"""``python -m drctl``: the same command line as the ``drctl`` script."""

import sys

from drctl.cli import main

sys.exit(main())
