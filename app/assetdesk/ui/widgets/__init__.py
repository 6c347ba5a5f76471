"""Leaf widgets and helpers that more than one pane uses: the one place panes share code from.

Panes (`ui/accounts`, `ui/uploads`, `ui/library`) never import each other; what two of them need
lives here. Nothing in this package knows a service: it takes data and emits signals.
"""
