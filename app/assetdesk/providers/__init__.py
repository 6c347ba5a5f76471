"""One async httpx client per service."""
