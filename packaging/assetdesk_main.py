"""The frozen app's entry point: the same `assetdesk` command as `pip install` gives."""

import sys

from assetdesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
