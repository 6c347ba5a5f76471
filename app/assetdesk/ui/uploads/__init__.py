"""The Uploads pane."""
