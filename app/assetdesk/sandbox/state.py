"""Everything the sandbox knows: users, accounts, assets, objects, the clock and the settings.

The sandbox keeps its own copy of the services' limits and id formats on purpose: it is the
independent check of the clients, so nothing here is imported from the rest of assetdesk.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from assetdesk.sandbox.blobs import BlobStore, Digest
from assetdesk.sandbox.faults import FaultBook
from assetdesk.sandbox.request_log import RequestLog
from assetdesk.sandbox.settings import Settings

IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp")
VIDEO_TYPES = ("video/mp4",)
IMAGE_LIMIT = 20 * 1024 * 1024  # 20971520
VIDEO_LIMIT = 100 * 1024 * 1024  # 104857600
FLOW_BUCKET = "flow-content"
RUNWAY_BUCKET = "runway-assets"
WORDBEE_BUCKET = "wordbee-assets"


def iso(ts: float) -> str:
    """`2026-02-27T16:34:25.128Z` style timestamps."""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def mask_email(email: str) -> str:
    """`jo.demo@gmail.com` -> `jo***@gmail.com`, like useapi.net."""
    local, _, domain = email.partition("@")
    return f"{local[:2]}***@{domain}"


@dataclass
class FlowAccount:
    email: str
    created: float
    project_id: str
    project_title: str
    health: str = "OK"
    throttled_until: float | None = None
    session_error: bool = False
    credits: int = 12500
    projects: dict[str, str] = field(default_factory=dict)  # other projects: id -> title


@dataclass
class RunwayAccount:
    email: str
    created: float
    username: str
    runway_user_id: int


@dataclass
class User:
    user_id: int
    token: str
    email: str
    name: str
    created: float
    flow_accounts: dict[str, FlowAccount] = field(default_factory=dict)
    runway_accounts: dict[str, RunwayAccount] = field(default_factory=dict)


@dataclass
class FlowAsset:
    media_generation_id: str
    user_id: int
    email: str
    kind: str  # image | video
    media_id: str
    object_key: str
    width: int
    height: int
    duration: float | None
    display_name: str
    created: float
    project_id: str | None = None  # None: the account's current project
    uploaded: bool = True  # False: generated in Flow (counted by the projects listing)
    job_id: str | None = None  # the useapi.net job that generated it (GET /jobs/{jobId})
    job_request: dict[str, object] | None = None  # that job's request: prompt, model, seed...


@dataclass
class RunwayAsset:
    asset_id: str
    uuid: str
    user_id: int
    email: str
    name: str
    media_type: str  # image | video | audio
    ext: str
    object_key: str
    preview_key: str
    width: int | None
    height: int | None
    duration: float | None
    created: float
    with_metadata: bool = True
    sparse: bool = False  # answer only assetId, name, mediaType, url and `metadata: null`
    task_id: str | None = None  # a generated asset's task (runway_tasks); None for an upload


@dataclass
class RunwayTask:
    task_id: str
    user_id: int
    email: str
    task_type: str  # gen3a, gen4_turbo...
    prompt: str
    seed: int
    created: float


@dataclass
class WordbeeAsset:
    scope: str
    project_id: int
    document_id: int
    segment_id: int
    locale: str | None
    relative_path: str
    name: str
    object_key: str
    created: float


@dataclass
class WordbeeStaged:
    """A file staged by `POST /api/media/upload`, waiting for an attach to take its token."""

    account_id: str
    name: str
    path: Path
    digest: Digest
    created: float


@dataclass
class WordbeeSegment:
    project_id: int
    segment_id: int
    document_id: int
    number: int  # the display number (`no`)


@dataclass
class WordbeeToken:
    account_id: str
    last_used: float


class SandboxState:
    """The mutable world of one sandbox process. `reset()` restores the seeded demo.

    `seed` fills an emptied state with the demo and returns what it made (sandbox/seed.py's
    `seed_demo`); it is handed in because the seed builds on this module's types.
    """

    def __init__(
        self,
        *,
        storage_url: str,
        wordbee_url: str,
        data_dir: Path,
        seed_dir: Path,
        seed: Callable[[SandboxState], dict[str, object]],
        control_secret: str | None = None,
    ):
        self._seed = seed
        self.storage_url = storage_url
        self.wordbee_url = wordbee_url
        self.seed_dir = seed_dir
        self.data_dir = data_dir
        self.blobs = BlobStore(data_dir / "objects")
        self.faults = FaultBook()
        self.requests = RequestLog(control_secret)
        self.bandwidth: dict[str, int] = {}
        self._secret = secrets.token_bytes(32)
        self.clock_offset = 0.0
        self.settings = Settings()
        self.users: dict[str, User] = {}
        self.flow_assets: dict[str, FlowAsset] = {}
        self.runway_assets: dict[str, RunwayAsset] = {}
        self.runway_tasks: dict[str, RunwayTask] = {}
        self.wordbee_segments: dict[int, WordbeeSegment] = {}
        self.wordbee_assets: list[WordbeeAsset] = []
        self.wordbee_accounts: dict[str, str] = {}  # account id -> key
        self.wordbee_tokens: dict[str, WordbeeToken] = {}
        self.wordbee_staged: dict[str, WordbeeStaged] = {}  # file token -> staged file
        #: One-shot expiries (control `/wordbee/expire`): how many more stagings end their
        #: session token, and how many more attaches find their file token expired.
        self.wordbee_expiries: dict[str, int] = {}
        self.demo: dict[str, object] = {}

    def now(self) -> float:
        """The sandbox's notion of now (moves with advance_clock)."""
        return time.time() + self.clock_offset

    def reset(self) -> None:
        self.blobs.clear()
        self.faults.clear()
        self.requests.clear()
        self.bandwidth.clear()
        self.clock_offset = 0.0
        self.settings = Settings()
        self.users.clear()
        self.flow_assets.clear()
        self.runway_assets.clear()
        self.runway_tasks.clear()
        self.wordbee_segments.clear()
        self.wordbee_assets.clear()
        self.wordbee_accounts.clear()
        self.wordbee_tokens.clear()
        self.wordbee_staged.clear()
        self.wordbee_expiries.clear()
        self.demo = self._seed(self)

    # ------------------------------------------------------------------- lookups

    def user_for_authorization(self, header: str | None) -> User | None:
        if not header or not header.startswith("Bearer "):
            return None
        return self.users.get(header[len("Bearer ") :].strip())

    def user_by_id(self, user_id: int) -> User | None:
        return next((u for u in self.users.values() if u.user_id == user_id), None)

    # -------------------------------------------------------------- signed URLs

    def _signature(self, key: str, expires: int) -> str:
        message = f"/{key}\n{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def signed_url(self, key: str, ttl: float | None = None) -> str:
        """`{storage}/{bucket}/{object}?GoogleAccessId=..&Expires=..&Signature=..`."""
        path = "/" + urllib.parse.quote(key)
        lifetime = self.settings.signed_url_ttl if ttl is None else ttl
        expires = int(self.now() + lifetime)
        query = urllib.parse.urlencode(
            {
                "GoogleAccessId": "sandbox-signer@assetdesk-sandbox.iam.gserviceaccount.com",
                "Expires": expires,
                "Signature": self._signature(key, expires),
            }
        )
        return f"{self.storage_url}{path}?{query}"

    def check_signature(self, key: str, expires: int, signature: str) -> bool:
        """`key` is the decoded URL path without its leading slash."""
        return hmac.compare_digest(self._signature(key, expires), signature)
