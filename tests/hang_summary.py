"""Summarise a hang report (tests/conftest.py) for the end of a test log.

A stuck test ends the run with faulthandler's dump of every thread, innermost frame first. A
log viewer that shows only the tail would show the outermost frames of the last thread (pytest's
own); this prints the test's name and each thread's innermost frames last.

usage: python tests/hang_summary.py REPORT
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

FRAMES = 6
FRAME = re.compile(r'\s*File "(?P<file>[^"]+)", line (?P<line>\d+) in (?P<name>\S+)')


def summary(text: str) -> list[str]:
    lines = text.splitlines()
    test = lines[0] if lines else "(unknown test)"
    threads: list[tuple[str, list[str]]] = []
    for line in lines[1:]:
        if "(most recent call first)" in line:
            threads.append((line.split(" (most")[0], []))
        elif (match := FRAME.match(line)) and threads:
            where = "/".join(Path(match["file"]).parts[-2:])
            threads[-1][1].append(f"{match['name']} ({where}:{match['line']})")
    if not threads:  # the file names the test but holds no dump: the process died in it
        return [f"DIED: the run ended during {test} without a hang dump (a crash? see above)."]
    out = [f"HUNG: {test} made no progress for the hang limit; every stack is above."]
    for name, frames in threads:
        shown = " <- ".join(frames[:FRAMES]) + (" <- ..." if len(frames) > FRAMES else "")
        out.append(f"  {name}: {shown or '(no Python frames)'}")
    out.append(f"HUNG: {test}")
    return out


if __name__ == "__main__":
    text = Path(sys.argv[1]).read_text(encoding="utf-8", errors="replace")
    print(text)
    print("\n".join(summary(text)))
