"""Pure Python, no I/O: media kinds and limits, type sniffing, id parsing, errors."""
