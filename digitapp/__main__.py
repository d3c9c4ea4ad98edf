"""``python -m digitapp``: the app, or the CLI when given a command."""

import sys

from digitapp.cli import main

if __name__ == "__main__":
    sys.exit(main())
