"""The scripting CLI as a user runs it: a child process, JSON lines on stdout, exit statuses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from tests.helpers.cli_process import run_cli, useapi_env, wordbee_env
from tests.helpers.media_files import DEMO
from tests.helpers.secrets_on_disk import assert_no_file_holds


def test_help_and_scripting_paths_import_no_qt() -> None:
    code = (
        "import sys, time; t = time.perf_counter(); from assetdesk.cli.parser import build_parser; "
        "build_parser().format_help(); import assetdesk.cli.commands; "
        "print(time.perf_counter() - t); "
        "sys.exit(1 if any(m.startswith(('PySide6', 'keyring')) for m in sys.modules) else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, (
        "the scripting paths must not import Qt, nor the keyring before --account"
    )
    shown = subprocess.run(
        [sys.executable, "-m", "assetdesk", "--help"], capture_output=True, text=True, check=False
    )
    assert shown.returncode == 0
    assert "upload" in shown.stdout and "ASSETDESK_USEAPI_TOKEN" in shown.stdout


def test_upload_then_resolve_then_fetch(sb: Any, tmp_path: Path) -> None:
    image = DEMO / "sunrise-640x360.png"
    video = DEMO / "clip-320x180.mp4"
    status, items, stderr = run_cli("upload", str(image), str(video), env=useapi_env(sb))
    assert status == 0, stderr
    assert [item["file"] for item in items] == [str(image), str(video)]
    assert items[0]["kind"] == "image" and (items[0]["width"], items[0]["height"]) == (640, 360)
    assert items[1]["kind"] == "video" and items[1]["durationSeconds"] > 1

    ids = [item["mediaGenerationId"] for item in items]
    status, resolved, stderr = run_cli("resolve", *ids, env=useapi_env(sb))
    assert status == 0, stderr
    import httpx

    for item, source in zip(resolved, (image, video), strict=True):
        assert httpx.get(item["url"]).content == source.read_bytes()


def test_refused_file_is_never_sent(sb: Any, tmp_path: Path) -> None:
    psd = tmp_path / "layers.psd"
    psd.write_bytes(b"8BPS\x00\x01" + bytes(200))
    renamed = tmp_path / "really-a-png.jpg"
    renamed.write_bytes((DEMO / "swatch-256x256.png").read_bytes())
    status, items, _ = run_cli("upload", str(psd), str(renamed), env=useapi_env(sb))
    assert status == 1
    refused, sent = items
    assert refused["kind"] == "bad_type"
    assert (
        refused["error"] == "layers.psd: Google Flow does not take PSD files — "
        "use PNG, JPEG, WEBP or MP4; Wordbee takes any file"
    )
    assert sent["type"] == "image/png" and "really PNG" in sent["note"]
    posts = [r for r in sb.requests("api") if r["method"] == "POST"]
    assert len(posts) == 1 and posts[0]["headers"]["content-type"] == "image/png"


def test_too_large_video_is_refused_before_any_request(sb: Any, tmp_path: Path) -> None:
    big = tmp_path / "big.mp4"
    with big.open("wb") as handle:
        handle.write((DEMO / "clip-320x180.mp4").read_bytes()[:64])
        handle.truncate(131_200_000)
    status, items, _ = run_cli("upload", str(big), env=useapi_env(sb))
    assert status == 1
    assert items == [
        {
            "file": str(big),
            "error": "big.mp4: this MP4 is 125.1 MiB; "
            "Google Flow takes videos up to 100 MiB; Runway takes .mp4",
            "kind": "too_large",
        }
    ]
    assert sb.requests("api") == []


def test_resolve_errors_are_one_line_each(sb: Any) -> None:
    good = sb.demo["media_generation_ids"][0]
    status, items, _ = run_cli("resolve", "not-a-valid-ref-id", good, env=useapi_env(sb))
    assert status == 1
    assert items[0]["kind"] == "invalid_input"
    assert items[0]["error"].startswith("Invalid mediaGenerationId:")
    assert items[1]["url"].startswith(sb.storage_url)


def test_runway_get_and_list(sb: Any) -> None:
    status, listed, _ = run_cli("runway", "list", "--limit", "3", env=useapi_env(sb))
    assert status == 0 and len(listed) == 3
    status, got, _ = run_cli("runway", "get", listed[0]["assetId"], env=useapi_env(sb))
    assert status == 0 and got[0]["assetId"] == listed[0]["assetId"]
    status, bad, _ = run_cli("runway", "list", "--limit", "99", env=useapi_env(sb))
    assert status == 1 and bad[0]["kind"] == "invalid_input"


def test_wordbee_list(sb: Any) -> None:
    scope = sb.demo["wordbee"]["scope"]
    segment = str(sb.demo["wordbee"]["segment_ids"][0])
    status, items, stderr = run_cli(
        "wordbee", "list", segment, "--scope", scope, env=wordbee_env(sb)
    )
    assert status == 0, stderr
    assert items and all(item["segmentId"] == int(segment) for item in items)


def test_missing_credentials_is_a_usage_error() -> None:
    status, items, stderr = run_cli("resolve", "x")
    assert status == 2 and items == []
    assert "ASSETDESK_USEAPI_TOKEN" in stderr


def test_unreachable_service_is_reported_per_item(tmp_path: Path) -> None:
    env = {
        "ASSETDESK_USEAPI_TOKEN": "user:1-abcdefgh12",
        "ASSETDESK_USEAPI_URL": "http://127.0.0.1:9",
    }
    started = time.monotonic()
    status, items, _ = run_cli("runway", "get", "a", env=env)
    assert status == 1 and items[0]["kind"] == "network"
    assert time.monotonic() - started < 30
    assert "user:1-abcdefgh12" not in json.dumps(items)


@pytest.mark.keyring
def test_saved_account_is_used_by_name(sb: Any, tmp_path: Path) -> None:
    """--account NAME reads the saved account from SQLite and its token from the keyring."""
    import asyncio

    from assetdesk.services.app import build_services
    from assetdesk.store.paths import AppPaths

    if os.environ.get("ASSETDESK_TEST_KEYRING") != "secret-service":
        pytest.skip("needs the real Secret Service: run `make test`")
    paths = AppPaths.from_option(str(tmp_path / "data"))
    paths.ensure()

    async def save() -> None:
        services = build_services(paths)
        try:
            await services.accounts.add(
                name="Studio", kind="useapi", secret=sb.demo["useapi_token"], base_url=sb.api_url
            )
        finally:
            await services.aclose()

    asyncio.run(save())
    data_dir = str(tmp_path / "data")
    status, items, stderr = run_cli(
        "--data-dir", data_dir, "--account", "studio", "runway", "list", "--limit", "1"
    )
    assert status == 0, stderr
    assert len(items) == 1
    token = sb.demo["useapi_token"]
    data = tmp_path / "data"
    assert_no_file_holds(data, [token], expected=[data / "assetdesk.sqlite3"])
    status, items, _ = run_cli("--data-dir", data_dir, "--account", "nobody", "runway", "list")
    assert status == 1 and items[0]["kind"] == "not_found"


def test_sandbox_command_prints_urls_and_credentials_and_stops_cleanly() -> None:
    import re
    import signal

    import httpx

    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSETDESK_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "assetdesk", "sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        shown: list[str] = []
        for line in process.stdout:
            shown.append(line)
            if "ASSETDESK_USEAPI_TOKEN=" in line:
                break
        text = "".join(shown)
        api_url = re.search(r"export ASSETDESK_USEAPI_URL=(\S+)", text)
        token = re.search(r"export ASSETDESK_USEAPI_TOKEN='?([^'\s]+)", text)
        assert api_url and token, text
        answer = httpx.get(
            f"{api_url[1]}/v2/account", headers={"Authorization": f"Bearer {token[1]}"}
        )
        assert answer.status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        status = process.wait(timeout=20)
    assert status == 0, process.stderr.read() if process.stderr else ""


def test_sandbox_options_pass_through_after_global_options(tmp_path: Path) -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "assetdesk", "--data-dir", str(tmp_path), "sandbox", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    assert "--storage-port" in shown.stdout and "--wordbee-port" in shown.stdout


def test_malformed_token_in_environment_is_a_usage_error_without_echo() -> None:
    status, items, stderr = run_cli(
        "resolve", "x", env={"ASSETDESK_USEAPI_TOKEN": "Bearer sk-live-Secret123"}
    )
    assert status == 2 and items == []
    assert "ASSETDESK_USEAPI_TOKEN" in stderr and "Secret123" not in stderr
