"""Run the three origins (api, storage, wordbee) as uvicorn servers in one asyncio loop."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import uvicorn

from assetdesk.sandbox.control_routes import control_app, control_files
from assetdesk.sandbox.control_secret import SECRET_HEADER, secret_from_environment
from assetdesk.sandbox.faults import OriginMiddleware, hide_drop_tracebacks
from assetdesk.sandbox.seed import seed_demo
from assetdesk.sandbox.state import SandboxState
from assetdesk.sandbox.storage_routes import storage_app
from assetdesk.sandbox.useapi_routes import useapi_app
from assetdesk.sandbox.wordbee_routes import wordbee_app

log = logging.getLogger("assetdesk.sandbox")


def default_seed_dir() -> Path:
    """resources/demo of the source tree, or of the frozen bundle."""
    here = Path(__file__).resolve().parents[3] / "resources" / "demo"
    frozen = getattr(sys, "_MEIPASS", None)
    if not here.is_dir() and frozen:
        return Path(frozen) / "resources" / "demo"
    return here


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="assetdesk sandbox",
        description="Local emulator of useapi.net (Google Flow, Runway), its signed-URL storage "
        "and Wordbee Translator, on 127.0.0.1.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="useapi.net origin (0 = any free)")
    parser.add_argument("--storage-port", type=int, help="signed-URL origin (default --port+1)")
    parser.add_argument("--wordbee-port", type=int, help="Wordbee origin (default --port+2)")
    parser.add_argument("--control", action="store_true", help="enable /_sandbox/ (tests)")
    parser.add_argument("--json", action="store_true", help="print one JSON line when ready")
    parser.add_argument("--data", type=Path, help="folder for uploaded bytes (default: temp)")
    parser.add_argument("--seed-dir", type=Path, help="demo media folder (default resources/demo)")
    parser.add_argument(
        "--exit-with-stdin",
        action="store_true",
        help="stop when standard input closes (the parent that started us has gone, even killed)",
    )
    return parser.parse_args(argv)


def watch_stdin(loop: asyncio.AbstractEventLoop, stop: Callable[[], None]) -> None:
    """Call `stop` on the loop once standard input reaches end of file.

    The launcher keeps a pipe to our stdin open for as long as it lives; when its process dies,
    however it dies, the OS closes the pipe and we follow it instead of lingering as an orphan.
    """

    fd = sys.stdin.fileno()

    def wait() -> None:
        # os.read on the raw descriptor: a daemon thread blocked in the buffered sys.stdin would
        # hold its lock and abort the interpreter at exit.
        try:
            while os.read(fd, 4096):
                pass
        except OSError:
            pass
        with contextlib.suppress(RuntimeError):  # the loop may already be closed
            loop.call_soon_threadsafe(stop)

    threading.Thread(target=wait, name="sandbox-stdin-watch", daemon=True).start()


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


class _Server(uvicorn.Server):
    """uvicorn.Server that leaves signal handling to us (three servers share one process)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _uvicorn(app: Any) -> _Server:
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        server_header=False,
        timeout_graceful_shutdown=2,
    )
    return _Server(config)


async def serve(args: argparse.Namespace) -> int:
    seed_dir = args.seed_dir or default_seed_dir()
    if not (seed_dir / "clip-320x180.mp4").is_file():
        print(f"assetdesk sandbox: no demo media in {seed_dir} (see --seed-dir)", file=sys.stderr)
        return 2
    api_port = args.port
    storage_port = (
        args.storage_port if args.storage_port is not None else (api_port + 1 if api_port else 0)
    )
    wordbee_port = (
        args.wordbee_port if args.wordbee_port is not None else (api_port + 2 if api_port else 0)
    )
    try:
        sockets = {
            "api": _bind(args.host, api_port),
            "storage": _bind(args.host, storage_port),
            "wordbee": _bind(args.host, wordbee_port),
        }
    except OSError as exc:
        print(f"assetdesk sandbox: cannot listen on {args.host}: {exc}", file=sys.stderr)
        return 2
    urls = {name: f"http://{args.host}:{s.getsockname()[1]}" for name, s in sockets.items()}

    temp_dir = None
    data_dir: Path = args.data
    if data_dir is None:
        temp_dir = tempfile.mkdtemp(prefix="assetdesk-sandbox-")
        data_dir = Path(temp_dir)
    secret = secret_from_environment() if args.control else None
    state = SandboxState(
        storage_url=urls["storage"],
        wordbee_url=urls["wordbee"],
        data_dir=data_dir,
        seed_dir=seed_dir,
        seed=seed_demo,
        control_secret=secret,
    )
    try:
        state.reset()
        apps = {
            "api": useapi_app(state, control_app(state, secret) if secret else None),
            "storage": storage_app(state),
            "wordbee": wordbee_app(state),
        }
        hide_drop_tracebacks()
        servers = {
            name: _uvicorn(
                OriginMiddleware(
                    app, name, state.faults, state.requests, state.bandwidth, control=args.control
                )
            )
            for name, app in apps.items()
        }
        loop = asyncio.get_running_loop()

        def stop() -> None:
            for server in servers.values():
                server.should_exit = True

        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop)
        if args.exit_with_stdin:
            watch_stdin(loop, stop)
        tasks = [
            asyncio.create_task(server.serve(sockets=[sockets[name]]), name=f"sandbox-{name}")
            for name, server in servers.items()
        ]
        while not all(server.started for server in servers.values()):
            if any(task.done() for task in tasks):
                stop()
                await asyncio.gather(*tasks, return_exceptions=True)
                print("assetdesk sandbox: a server failed to start", file=sys.stderr)
                return 1
            await asyncio.sleep(0.01)
        if secret is not None:
            control_files(data_dir).mkdir(mode=0o700, exist_ok=True)
        announce(urls, state.demo, secret=secret, data_dir=data_dir, as_json=args.json)
        await asyncio.gather(*tasks)
    finally:
        state.blobs.close()
        if temp_dir:
            shutil.rmtree(temp_dir, ignore_errors=True)
    return 0


def announce(
    urls: dict[str, str],
    demo: dict[str, Any],
    *,
    secret: str | None,
    data_dir: Path,
    as_json: bool,
) -> None:
    """The JSON line for the launcher (never the secret: the launcher made it), or the banner."""
    if as_json:
        info = {
            "api_url": urls["api"],
            "storage_url": urls["storage"],
            "wordbee_url": urls["wordbee"],
            "control": secret is not None,
            "demo": demo,
        }
        if secret is not None:
            info["control_files"] = str(control_files(data_dir).resolve())
        sys.stdout.write(json.dumps(info) + "\n")
        sys.stdout.flush()
        return
    lines = [
        "AssetDesk sandbox is running (Ctrl+C to stop).",
        f"  useapi.net (Google Flow, Runway): {urls['api']}",
        f"  signed-URL storage:               {urls['storage']}",
        f"  Wordbee Translator:               {urls['wordbee']}",
        "",
        "Demo credentials:",
        f"  useapi.net token:   {demo['useapi_token']}",
        f"  Google Flow:        {', '.join(demo['google_flow_emails'])}",
        f"  Runway:             {', '.join(demo['runway_emails'])}",
        f"  Wordbee account id: {demo['wordbee_account_id']}",
        f"  Wordbee API key:    {demo['wordbee_key']}",
        f"  Wordbee scope:      {demo['wordbee']['scope']}, segments "
        + ", ".join(str(s) for s in demo["wordbee"]["segment_ids"]),
        "",
        "Use it from the assetdesk CLI:",
        f"  export ASSETDESK_USEAPI_URL={urls['api']}",
        f"  export ASSETDESK_USEAPI_TOKEN='{demo['useapi_token']}'",
        f"  export ASSETDESK_WORDBEE_URL={urls['wordbee']}",
        f"  export ASSETDESK_WORDBEE_ACCOUNT_ID={demo['wordbee_account_id']}",
        f"  export ASSETDESK_WORDBEE_KEY={demo['wordbee_key']}",
        "",
        "Or with curl:",
        f"  curl -H 'Authorization: Bearer {demo['useapi_token']}' {urls['api']}/v2/account",
    ]
    if secret is not None:
        lines += ["", f"Control surface: {urls['api']}/_sandbox/ with {SECRET_HEADER}: {secret}"]
    print("\n".join(lines), flush=True)


def main(argv: list[str] | None = None) -> int:
    """`python -m assetdesk.sandbox` / `assetdesk sandbox`."""
    args = parse_args(argv)
    return asyncio.run(serve(args))
