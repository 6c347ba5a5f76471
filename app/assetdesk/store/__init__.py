"""SQLite catalog, keyring access, app folders."""
