"""The Accounts pane."""
