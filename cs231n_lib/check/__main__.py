"""``python -m cs231n_lib.check PATH``: see :func:`cs231n_lib.check.cli.main`."""
import sys

from .cli import main

sys.exit(main())
