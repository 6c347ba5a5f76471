"""The scripting CLI run as a user runs it (a child process, JSON lines on stdout, its exit
status), and the environment variables that point it at the sandbox's demo accounts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> tuple[int, list[dict[str, Any]], str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ASSETDESK_")}
    full_env.update(env or {})
    done = subprocess.run(
        [sys.executable, "-m", "assetdesk", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        check=False,
    )
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return done.returncode, lines, done.stderr


def useapi_env(sb: Any) -> dict[str, str]:
    return {"ASSETDESK_USEAPI_TOKEN": sb.demo["useapi_token"], "ASSETDESK_USEAPI_URL": sb.api_url}


def wordbee_env(sb: Any) -> dict[str, str]:
    return {
        "ASSETDESK_WORDBEE_URL": sb.wordbee_url,
        "ASSETDESK_WORDBEE_ACCOUNT_ID": sb.demo["wordbee_account_id"],
        "ASSETDESK_WORDBEE_KEY": sb.demo["wordbee_key"],
    }
