"""The app's use cases, Qt-free."""
