"""``python -m fastw2v``: the same as the ``fastw2v`` command."""
import sys

from fastw2v.cli import main

sys.exit(main())
