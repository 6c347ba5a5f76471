"""Streaming upload bodies and downloads to disk."""
