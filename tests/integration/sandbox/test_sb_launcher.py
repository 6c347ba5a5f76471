"""The sandbox process: --json line, text banner, clean exit, control surface only on request."""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import httpx
import pytest
from tests.helpers.waiting import wait_until

from assetdesk.sandbox.launcher import SandboxProcess

APP_ROOT = Path(__file__).resolve().parents[3] / "app"


def test_json_line_names_three_live_origins_and_the_demo(sb: SandboxProcess) -> None:
    urls = {sb.api_url, sb.storage_url, sb.wordbee_url}
    assert len(urls) == 3
    assert all(u.startswith("http://127.0.0.1:") for u in urls)
    assert sb.demo["useapi_token"] == "user:1001-SandboxDemoToken01"
    assert sb.demo["user_id"] == 1001
    assert sb.demo["google_flow_emails"] == ["jo.demo@gmail.com", "flow.second@gmail.com"]
    assert sb.demo["runway_emails"] == ["runway.demo@example.com"]
    assert sb.demo["wordbee"] == {"scope": "pr7214", "segment_ids": [27665601, 27665602]}
    assert len(sb.demo["media_generation_ids"]) == 3
    assert len(sb.demo["runway_asset_ids"]) == 7
    with httpx.Client() as client:
        assert client.get(sb.api_url + "/v2/account").status_code == 401
        assert client.get(sb.storage_url + "/flow-content/x").status_code == 403
        assert client.post(sb.wordbee_url + "/api/auth/token", json={}).status_code == 400


def test_without_control_the_control_paths_are_plain_404(tmp_path: Path) -> None:
    with SandboxProcess.start(data_dir=tmp_path) as plain:
        assert plain.control is False
        response = httpx.post(plain.api_url + "/_sandbox/reset")
        assert response.status_code == 404
        with pytest.raises(RuntimeError, match="control=True"):
            plain.reset()
        process = plain.process
    assert process.returncode == 0  # stop() sent SIGTERM and the sandbox exited cleanly
    plain.stop()  # idempotent


def test_text_banner_and_sigint_exit_status_zero(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "assetdesk.sandbox", "--port", "0", "--data", str(tmp_path)]
    child = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, text=True, env={"PYTHONPATH": str(APP_ROOT), "PATH": ""}
    )
    assert child.stdout is not None
    lines: list[str] = []
    while not lines or "curl" not in lines[-1]:  # the banner's last line
        line = child.stdout.readline()
        assert line, "the sandbox ended before printing its banner"
        lines.append(line)
    text = "".join(lines)
    assert "AssetDesk sandbox is running" in text
    assert "export ASSETDESK_USEAPI_TOKEN='user:1001-SandboxDemoToken01'" in text
    assert "ASSETDESK_WORDBEE_KEY=" in text
    api_url = next(line.split("=", 1)[1].strip() for line in lines if "USEAPI_URL=" in line)
    assert httpx.get(api_url + "/v2/account").status_code == 401
    child.send_signal(signal.SIGINT)
    assert child.wait(10) == 0


def test_start_failure_reports_the_childs_stderr(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="stderr"):
        SandboxProcess.start(seed_dir=tmp_path / "missing", timeout=15)


def pipe_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    """ResourceWarnings about an unclosed pipe file object or a child never waited for."""
    return [
        str(w.message)
        for w in caught
        if issubclass(w.category, ResourceWarning)
        and any(s in str(w.message) for s in ("_io.Buffered", "subprocess"))
    ]


def test_stop_closes_every_pipe_and_ends_its_reader_threads(tmp_path: Path) -> None:
    gc.collect()  # earlier tests' garbage is not ours
    threads_before = set(threading.enumerate())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        sandbox = SandboxProcess.start(data_dir=tmp_path)
        pipes = [sandbox.process.stdin, sandbox.process.stdout, sandbox.process.stderr]
        assert all(p is not None and not p.closed for p in pipes)
        sandbox.stop()
        assert all(p is not None and p.closed for p in pipes)
        assert set(threading.enumerate()) <= threads_before  # the readers have ended
        sandbox.stop()  # still idempotent
        del sandbox, pipes
        gc.collect()
    assert pipe_warnings(caught) == []


def test_failed_start_closes_every_pipe(tmp_path: Path) -> None:
    gc.collect()
    threads_before = set(threading.enumerate())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        try:
            SandboxProcess.start(seed_dir=tmp_path / "missing", timeout=15)
        except RuntimeError as exc:
            assert "no demo media" in str(exc)
        else:
            raise AssertionError("the sandbox started without its demo media")
        gc.collect()
    assert pipe_warnings(caught) == []
    assert set(threading.enumerate()) <= threads_before


def test_stderr_since_a_mark_has_exactly_the_new_lines(sb: SandboxProcess) -> None:
    mark = sb.stderr_mark()
    assert sb.stderr_since(mark) == []
    sb.write_stderr("first line from the test")
    sb.write_stderr("second line")
    assert sb.stderr_since(mark) == ["first line from the test\n", "second line\n"]
    later = sb.stderr_mark()
    assert sb.stderr_since(later) == []
    assert "second line" in sb.stderr_tail and "mark" not in sb.stderr_tail


CRASHING_TEST = """
def test_sandbox_wrote_a_traceback(sb):
    sb.write_stderr("Exception in ASGI application")


def test_sandbox_wrote_nothing_alarming(sb):
    sb.write_stderr("just a remark")
"""


def test_sb_fixture_fails_the_test_that_made_the_sandbox_crash(tmp_path: Path) -> None:
    """Runs a small suite with the shared fixtures in a fresh pytest and reads its verdict."""
    test_file = tmp_path / "test_crash_check.py"
    test_file.write_text(CRASHING_TEST)
    root = APP_ROOT.parent
    options = ["-p", "tests.conftest", "-p", "no:cacheprovider", "-q"]
    options += ["-c", str(root / "pyproject.toml"), "--rootdir", str(root)]
    # The hang report file is the outer run's (tests/conftest.py); the inner run keeps off it.
    env = {k: v for k, v in os.environ.items() if k != "ASSETDESK_HANG_REPORT"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *options, str(test_file)],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        timeout=120,
    )
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "2 passed, 1 error" in out  # the call passed, the fixture's teardown failed
    assert "ERROR at teardown of test_sandbox_wrote_a_traceback" in out
    assert "the sandbox crashed during this test" in out
    assert "just a remark" not in out  # the other test's line is not blamed on this one


def test_json_flag_prints_exactly_one_json_line(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "assetdesk.sandbox", "--port", "0", "--json"]
    child = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, text=True, env={"PYTHONPATH": str(APP_ROOT), "PATH": ""}
    )
    assert child.stdout is not None
    info = json.loads(child.stdout.readline())
    assert info["control"] is False
    assert set(info) == {"api_url", "storage_url", "wordbee_url", "control", "demo"}
    child.terminate()
    assert child.wait(10) == 0
    assert child.stdout.read() == ""


def test_sandbox_child_stops_when_its_parent_is_killed(tmp_path: Path) -> None:
    """SIGKILL gives the parent no chance to clean up; the child must still not linger."""
    import os
    import signal
    import subprocess
    import sys

    # The parent keeps running (its sleep) until the test kills it.
    script = (
        "import sys, time\n"
        "from assetdesk.sandbox.launcher import SandboxProcess\n"
        "sb = SandboxProcess.start()\n"
        "print(sb.process.pid, flush=True)\n"
        "time.sleep(120)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child_pid = int(parent.stdout.readline())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(10)

    def gone() -> bool:
        try:
            os.kill(child_pid, 0)
        except ProcessLookupError:
            return True
        # the child is re-parented and reaped by init; until then it may be a zombie
        state = Path(f"/proc/{child_pid}/stat")
        return state.exists() and state.read_text().split(")")[-1].split()[0] == "Z"

    try:
        wait_until(gone, "the sandbox child ended with its killed parent", 15, interval=0.1)
    except AssertionError:
        os.kill(child_pid, signal.SIGKILL)
        raise
