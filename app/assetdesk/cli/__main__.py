"""`python -m assetdesk.cli`, as `python -m assetdesk`."""

import sys

from assetdesk.cli import main

sys.exit(main())
