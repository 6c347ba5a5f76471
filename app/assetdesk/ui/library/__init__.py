"""The Library pane."""
