"""The calls to a running sandbox's /_sandbox/ control surface (stdlib only, synchronous).

`SandboxControls` is the half of `launcher.SandboxProcess` that talks to the control surface:
every call carries the run's secret (`X-Sandbox-Secret`) and POSTs a JSON body. A file given to a
`put_*_asset` helper is hard-linked (or copied, across file systems) into the sandbox's
control-files folder, the only place besides its own data and demo media it serves files from;
`objects()` and `google_flow_assets()` still name it as it was given. The request log shows a
credential only as `redacted(value)`.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from assetdesk.sandbox.control_secret import SECRET_HEADER, redacted


class SandboxControls:
    """Control helpers; each raises RuntimeError when the sandbox was started without control."""

    def __init__(self, api_url: str, secret: str | None, control_files: str | None) -> None:
        self.api_url = api_url
        self.control = secret is not None
        self._secret = secret
        #: Where the put_*_asset helpers link a file for the sandbox to serve (None: no control).
        self.control_files = Path(control_files) if control_files else None
        #: Files linked into the control-files folder -> the path they were given as.
        self._imported: dict[str, str] = {}

    def reset(self) -> None:
        """Back to the seeded demo: no faults, caps, log, uploads; real clock; default settings."""
        self._call("POST", "/_sandbox/reset")
        self._forget_imports()

    @property
    def control_headers(self) -> dict[str, str]:
        """The header a caller's own HTTP client sends to /_sandbox/ (with a JSON body)."""
        if self._secret is None:
            raise RuntimeError("the sandbox was started without control=True")
        return {SECRET_HEADER: self._secret}

    def redacted(self, value: str) -> str:
        """What `requests()` shows in place of the credential `value` (a header's whole value,
        such as `Bearer TOKEN`, or a query parameter's value)."""
        if self._secret is None:
            raise RuntimeError("the sandbox was started without control=True")
        return redacted(self._secret, value)

    def fault(
        self,
        origin: str,
        path: str,
        *,
        method: str | None = None,
        count: int = 1,
        status: int | None = None,
        body: str | bytes | dict[str, Any] | list[Any] | None = None,
        headers: dict[str, str] | None = None,
        drop_after_bytes: int | None = None,
        stall_after_bytes: int | None = None,
        stall_seconds: float | None = None,
        latency: float | None = None,
        corrupt_byte_at: int | None = None,
        content_length: int | None = None,
        drop_headers: list[str] | None = None,
        lose_answer: bool = False,
        drop_after_request_bytes: int | None = None,
    ) -> None:
        """Queue a rule for the next `count` requests to `origin` matching `path` (a trailing `*`
        makes it a prefix) and `method`. See sandbox/faults.py for what each option does."""
        rule: dict[str, Any] = {"origin": origin, "path": path, "method": method, "count": count}
        rule.update(
            status=status,
            headers=headers,
            drop_after_bytes=drop_after_bytes,
            stall_after_bytes=stall_after_bytes,
            stall_seconds=stall_seconds,
            latency=latency,
            corrupt_byte_at=corrupt_byte_at,
            content_length=content_length,
            drop_headers=drop_headers,
            lose_answer=lose_answer,
            drop_after_request_bytes=drop_after_request_bytes,
        )
        if isinstance(body, bytes):
            rule["body_b64"] = base64.b64encode(body).decode()
        elif isinstance(body, str):
            rule["body_text"] = body
        elif body is not None:
            rule["body_json"] = body
        self._call("POST", "/_sandbox/faults", rule)

    def clear_faults(self) -> None:
        self._call("DELETE", "/_sandbox/faults")

    def bandwidth(self, origin: str, bytes_per_second: int | None) -> None:
        """Cap each connection of `origin` (request and response bodies); None lifts the cap."""
        self._call(
            "POST", "/_sandbox/bandwidth", {"origin": origin, "bytes_per_second": bytes_per_second}
        )

    def requests(self, origin: str | None = None) -> list[dict[str, Any]]:
        """Recorded requests in arrival order: {origin, method, path, query, headers} (headers is a
        dict with lower-case names)."""
        query = "?" + urllib.parse.urlencode({"origin": origin}) if origin else ""
        result: list[dict[str, Any]] = self._call("GET", "/_sandbox/requests" + query)
        return result

    def clear_requests(self) -> None:
        self._call("DELETE", "/_sandbox/requests")

    def advance_clock(self, seconds: float) -> float:
        """Move the sandbox's "now" forward; returns the new sandbox time (unix seconds)."""
        result = self._call("POST", "/_sandbox/clock", {"advance": seconds})
        return float(result["now"])

    def now(self) -> float:
        return float(self._call("GET", "/_sandbox/clock")["now"])

    def set_google_flow_account(
        self,
        email: str,
        *,
        health: str = "OK",
        throttled_for: float | None = None,
        session_error: bool = False,
        present: bool = True,
        token: str | None = None,
    ) -> None:
        """Add, change or (present=False) remove a Google Flow account of `token` (default demo)."""
        self._call(
            "POST",
            "/_sandbox/google-flow/accounts",
            {
                "email": email,
                "health": health,
                "throttled_for": throttled_for,
                "session_error": session_error,
                "present": present,
                "token": token,
            },
        )

    def configure(self, **settings: Any) -> dict[str, Any]:
        """Change settings until the next reset; returns all of them. See sandbox/settings.py:
        signed_url_ttl, wordbee_token_idle (seconds); wordbee_expired_status (400 or 401);
        ignore_range, stored_length (bool); hash_header ("both", "crc32c", "md5", "none",
        "separate")."""
        result: dict[str, Any] = self._call("POST", "/_sandbox/configure", settings)
        return result

    def put_google_flow_asset(
        self,
        path: Path | str,
        content_type: str,
        *,
        email: str | None = None,
        token: str | None = None,
    ) -> str:
        """Register a local file (served in place, not copied; e.g. a 1 GiB benchmark file) as an
        already uploaded Google Flow asset; returns its mediaGenerationId."""
        body: dict[str, Any] = {"path": self._served(path), "content_type": content_type}
        body.update(email=email, token=token)
        result = self._call("POST", "/_sandbox/google-flow/assets", body)
        return str(result["mediaGenerationId"])

    def put_runway_asset(
        self,
        path: Path | str,
        content_type: str,
        *,
        name: str | None = None,
        email: str | None = None,
        token: str | None = None,
    ) -> str:
        """Register a local file as a Runway asset; returns its assetId."""
        body: dict[str, Any] = {"path": self._served(path), "content_type": content_type}
        body.update(name=name, email=email, token=token)
        return str(self._call("POST", "/_sandbox/runway/assets", body)["assetId"])

    def put_wordbee_asset(
        self,
        path: Path | str,
        content_type: str,
        *,
        name: str,
        segment_id: int,
        scope: str = "pr7214",
        locale: str | None = None,
        relative_path: str = "",
    ) -> None:
        """Register a local file as a Wordbee segment asset."""
        body: dict[str, Any] = {"path": self._served(path), "content_type": content_type}
        body.update(
            name=name,
            segment_id=segment_id,
            scope=scope,
            locale=locale,
            relative_path=relative_path,
        )
        self._call("POST", "/_sandbox/wordbee/assets", body)

    def expire_wordbee(
        self, *, session_after_staging: int = 0, file_token_at_attach: int = 0
    ) -> None:
        """The next `session_after_staging` media uploads end their session token as they answer;
        the next `file_token_at_attach` attaches find their file token expired."""
        counts = dict(
            session_after_staging=session_after_staging, file_token_at_attach=file_token_at_attach
        )
        self._call("POST", "/_sandbox/wordbee/expire", counts)

    def google_flow_assets(self) -> list[dict[str, Any]]:
        """Every Google Flow asset the sandbox holds (seeded and uploaded), with size, md5 and the
        file it is stored in."""
        result: list[dict[str, Any]] = self._call("GET", "/_sandbox/google-flow/assets")
        for asset in result:
            if asset.get("object"):
                self._name_as_given(asset["object"])
        return result

    def objects(self) -> list[dict[str, Any]]:
        """Every stored object of the storage origin: key, size, content_type, md5, crc32c, file."""
        result: list[dict[str, Any]] = self._call("GET", "/_sandbox/objects")
        for obj in result:
            self._name_as_given(obj)
        return result

    def signed_url(self, key: str, *, ttl: float | None = None) -> str:
        """A signed storage URL for an object key (`bucket/object`)."""
        return str(self._call("POST", "/_sandbox/sign", {"key": key, "ttl": ttl})["url"])

    def _served(self, path: Path | str) -> str:
        """The path the sandbox may serve `path` from: a hard link (a copy across file systems)
        in its control-files folder, so a big file costs no copy."""
        if self.control_files is None:
            raise RuntimeError("the sandbox was started without control=True")
        given = Path(path).resolve()
        if not given.is_file():
            return str(given)  # for the sandbox to refuse, as it refuses any bad path
        folder = self.control_files / uuid.uuid4().hex  # the name stays: it names the asset
        folder.mkdir()
        linked = folder / given.name
        try:
            os.link(given, linked)
        except OSError:
            shutil.copyfile(given, linked)
        self._imported[str(linked)] = str(given)
        return str(linked)

    def given_name(self, served: str) -> str:
        """The path a file the sandbox serves was given to us as (`served` when not ours)."""
        return self._imported.get(served, served)

    def _name_as_given(self, described: dict[str, Any]) -> None:
        if isinstance(described.get("file"), str):
            described["file"] = self.given_name(described["file"])

    def _forget_imports(self) -> None:
        for linked in self._imported:
            Path(linked).unlink(missing_ok=True)
            with contextlib.suppress(FileNotFoundError):  # a sandbox's own data folder: gone
                Path(linked).parent.rmdir()
        self._imported.clear()

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        if not self.control or self._secret is None:
            raise RuntimeError("the sandbox was started without control=True")
        if body is None and method == "POST":
            body = {}
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.api_url + path, data=data, method=method)
        request.add_header(SECRET_HEADER, self._secret)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")
            raise RuntimeError(f"sandbox control {method} {path}: {exc.code} {detail}") from None
        return json.loads(raw) if raw else None
