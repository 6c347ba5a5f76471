"""`python -m assetdesk.sandbox`."""

import sys

from assetdesk.sandbox.server import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
