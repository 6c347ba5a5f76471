"""The check that no file under a folder holds a secret (database, WAL, logs, settings...)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def assert_no_file_holds(
    root: Path, secrets: Iterable[str | bytes], *, expected: Iterable[Path]
) -> list[Path]:
    """Fail when a file under `root` contains one of `secrets`; the files scanned.

    `expected` names files that must be among them (at least one), so that a scan of an empty or
    wrong folder fails instead of passing on nothing.
    """
    files = sorted(path for path in root.rglob("*") if path.is_file())
    wanted = list(expected)
    assert wanted, "name at least one file the scan must find"
    found = {path.resolve() for path in files}
    missing = [path for path in wanted if path.resolve() not in found]
    assert not missing, f"nothing to scan at {missing}; under {root} are {files}"
    forms = [secret.encode() if isinstance(secret, str) else secret for secret in secrets]
    assert forms and all(forms), "no secret to look for"
    for path in files:
        data = path.read_bytes()
        for form in forms:
            assert form not in data, f"a secret ({form[:6]!r}…) reached {path}"
    return files
