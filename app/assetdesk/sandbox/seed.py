"""The deterministic demo world: users, accounts, and assets made from resources/demo."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assetdesk.sandbox.media_probe import MediaInfo, probe
from assetdesk.sandbox.state import (
    FLOW_BUCKET,
    RUNWAY_BUCKET,
    WORDBEE_BUCKET,
    FlowAccount,
    FlowAsset,
    RunwayAccount,
    RunwayAsset,
    SandboxState,
    User,
    WordbeeAsset,
    WordbeeSegment,
)

DEMO_TOKEN = "user:1001-SandboxDemoToken01"
OTHER_TOKEN = "user:2002-SandboxOtherUser02"
WORDBEE_ACCOUNT_ID = "assetdesk-demo"
WORDBEE_KEY = "wbk-SandboxDemoKey-0001"
WORDBEE_SCOPE = "pr7214"
WORDBEE_SEGMENTS = (27665601, 27665602)

_NAMESPACE = uuid.UUID("6f1c1e0a-9a57-4b8e-9a55-5a4d0b0e7a11")
_EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=UTC).timestamp()

_FLOW_SEED = (  # (file, content type, owner token, account email)
    ("sunrise-640x360.png", "image/png", DEMO_TOKEN, "jo.demo@gmail.com"),
    ("pattern-512x512.jpg", "image/jpeg", DEMO_TOKEN, "flow.second@gmail.com"),
    ("clip-320x180.mp4", "video/mp4", DEMO_TOKEN, "jo.demo@gmail.com"),
    ("bars-800x450.jpg", "image/jpeg", OTHER_TOKEN, "other.user@gmail.com"),
)
_RUNWAY_SEED = (  # (file, content type, owner token, account email, shown name)
    ("sunrise-640x360.png", "image/png", DEMO_TOKEN, "runway.demo@example.com", "Sunrise.png"),
    ("pattern-512x512.jpg", "image/jpeg", DEMO_TOKEN, "runway.demo@example.com", "Pattern.jpg"),
    ("portrait-320x480.webp", "image/webp", DEMO_TOKEN, "runway.demo@example.com", "Portrait.webp"),
    ("bars-800x450.jpg", "image/jpeg", DEMO_TOKEN, "runway.demo@example.com", "Race car.jpg"),
    ("pexels-gons3.jpg", "image/jpeg", DEMO_TOKEN, "runway.demo@example.com", "Dusk.jpg"),
    ("clip-320x180.mp4", "video/mp4", DEMO_TOKEN, "runway.demo@example.com", "Test clip.mp4"),
    ("swatch-256x256.png", "image/png", OTHER_TOKEN, "other.one@example.com", "Swatch.png"),
)
_WORDBEE_SEED = (  # (file, content type, segment, locale, relative path, stored name)
    ("pexels-gons3.jpg", "image/jpeg", 27665601, "en", "", "pexels-gons3.jpg"),
    ("bars-800x450.jpg", "image/jpeg", 27665601, "de", "", "pexels-gons3.jpg"),
    ("sunrise-640x360.png", "image/png", 27665601, None, "refs/", "moodboard.png"),
    ("clip-320x180.mp4", "video/mp4", 27665601, None, "", "clip.mp4"),
    ("swatch-256x256.png", "image/png", 27665602, None, "", "café münchen.png"),
    ("swatch-256x256.png", "image/png", 27665602, None, "", "../../evil.png"),
    ("pattern-512x512.jpg", "image/jpeg", 27665602, None, "", "..\\..\\evil-win.jpg"),
)


def stable_uuid(name: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, name))


def flow_media_id(user_id: int, email: str, kind: str, media_id: str) -> str:
    return f"user:{user_id}-email:{email.encode().hex()}-{kind}:{media_id}"


def record_flow_asset(
    state: SandboxState,
    user_id: int,
    email: str,
    content_type: str,
    media_id: str,
    info: MediaInfo,
    display_name: str,
    created: float,
) -> tuple[str, str]:
    """Record a Google Flow asset whose bytes are (or will be) stored under the returned object
    key; returns (mediaGenerationId, object key)."""
    kind = "video" if content_type.startswith("video/") else "image"
    key = f"{FLOW_BUCKET}/{media_id}"
    mgid = flow_media_id(user_id, email, kind, media_id)
    state.flow_assets[mgid] = FlowAsset(
        mgid,
        user_id,
        email,
        kind,
        media_id,
        key,
        info.width,
        info.height,
        info.duration,
        display_name,
        created,
    )
    return mgid, key


def seed_demo(state: SandboxState) -> dict[str, Any]:
    """Fill `state` with the demo world; returns the `demo` block of the --json line."""
    seed = state.seed_dir
    demo = User(1001, DEMO_TOKEN, "demo@assetdesk.invalid", "Sandbox Demo", _EPOCH - 86400 * 30)
    other = User(2002, OTHER_TOKEN, "other@assetdesk.invalid", "Other User", _EPOCH - 86400 * 20)
    for i, email in enumerate(("jo.demo@gmail.com", "flow.second@gmail.com")):
        demo.flow_accounts[email] = new_flow_account(email, _EPOCH - 86400 * (10 - i))
    other.flow_accounts["other.user@gmail.com"] = new_flow_account("other.user@gmail.com", _EPOCH)
    demo.runway_accounts["runway.demo@example.com"] = RunwayAccount(
        "runway.demo@example.com", _EPOCH - 86400 * 9, "runwaydemo", 4242001
    )
    for n, email in enumerate(("other.one@example.com", "other.two@example.com")):
        other.runway_accounts[email] = RunwayAccount(email, _EPOCH, f"other{n}", 4242100 + n)
    state.users = {demo.token: demo, other.token: other}

    flow_ids: dict[str, list[str]] = {DEMO_TOKEN: [], OTHER_TOKEN: []}
    for n, (name, ctype, token, email) in enumerate(_FLOW_SEED):
        user = state.users[token]
        path = seed / name
        media_id = stable_uuid(f"flow/{name}/{email}")
        mgid, key = record_flow_asset(
            state, user.user_id, email, ctype, media_id, probe(path, ctype), name, _EPOCH + 3600 * n
        )
        state.blobs.add_file(key, path, ctype)
        flow_ids[token].append(mgid)

    runway_ids: dict[str, list[str]] = {DEMO_TOKEN: [], OTHER_TOKEN: []}
    for n, (name, ctype, token, email, shown) in enumerate(_RUNWAY_SEED):
        user = state.users[token]
        asset_uuid = stable_uuid(f"runway/{name}/{email}")
        asset = add_runway_asset(
            state,
            seed / name,
            ctype,
            user,
            email,
            shown,
            asset_uuid,
            _EPOCH + 1800 * n,
            poster=seed / "clip-320x180-poster.jpg",
        )
        asset.with_metadata = n != 0  # the first one answers `metadata: null`, like the page
        runway_ids[token].append(asset.asset_id)
    sparse = add_runway_asset(  # the oldest, so it is listed last
        state,
        seed / "swatch-256x256.png",
        "image/png",
        demo,
        "runway.demo@example.com",
        "Bare upload.png",
        stable_uuid("runway/sparse"),
        _EPOCH - 1800,
    )
    sparse.sparse = True  # no previewUrls, fileSize or other optional fields
    runway_ids[DEMO_TOKEN].append(sparse.asset_id)

    state.wordbee_accounts = {WORDBEE_ACCOUNT_ID: WORDBEE_KEY}
    for n, (name, ctype, segment, locale, rel, stored) in enumerate(_WORDBEE_SEED):
        key = f"{WORDBEE_BUCKET}/seed-{n}"
        state.blobs.add_file(key, seed / name, ctype)
        state.wordbee_assets.append(
            WordbeeAsset(
                WORDBEE_SCOPE,
                7214,
                880 + segment % 10,
                segment,
                locale,
                rel,
                stored,
                key,
                _EPOCH + 600 * n,
            )
        )

    for segment in WORDBEE_SEGMENTS:  # they exist also once their files are deleted
        state.wordbee_segments[segment] = WordbeeSegment(7214, segment, 880 + segment % 10, 0)

    return {
        "useapi_token": DEMO_TOKEN,
        "other_user_token": OTHER_TOKEN,
        "user_id": demo.user_id,
        "other_user_id": other.user_id,
        "google_flow_emails": list(demo.flow_accounts),
        "runway_emails": list(demo.runway_accounts),
        "wordbee_account_id": WORDBEE_ACCOUNT_ID,
        "wordbee_key": WORDBEE_KEY,
        "media_generation_ids": flow_ids[DEMO_TOKEN],
        "other_user_media_generation_ids": flow_ids[OTHER_TOKEN],
        "runway_asset_ids": runway_ids[DEMO_TOKEN],
        "wordbee": {"scope": WORDBEE_SCOPE, "segment_ids": list(WORDBEE_SEGMENTS)},
    }


def new_flow_account(email: str, created: float) -> FlowAccount:
    project = stable_uuid(f"project/{email}")
    return FlowAccount(email, created, project, f"AssetDesk sandbox ({email.split('@')[0]})")


def add_runway_asset(
    state: SandboxState,
    path: Path,
    content_type: str,
    user: User,
    email: str,
    name: str,
    asset_uuid: str,
    created: float,
    *,
    poster: Path | None = None,
) -> RunwayAsset:
    """Register `path` as a Runway asset (and its preview: the poster for videos)."""
    kind = content_type.split("/")[0]
    ext = {"image/jpeg": "jpeg", "image/png": "png", "image/webp": "webp", "video/mp4": "mp4"}.get(
        content_type, content_type.split("/")[-1]
    )
    key = f"{RUNWAY_BUCKET}/{asset_uuid}.{ext}"
    state.blobs.add_file(key, path, content_type)
    preview_key = key
    width = height = None
    duration = None
    if kind in ("image", "video"):
        info = probe(path, content_type)
        width, height, duration = info.width, info.height, info.duration
    if kind == "video" and poster is not None and poster.is_file():
        preview_key = f"{RUNWAY_BUCKET}/{asset_uuid}-preview.jpg"
        state.blobs.add_file(preview_key, poster, "image/jpeg")
    asset = RunwayAsset(
        asset_id=f"user:{user.user_id}-runwayml:{email}-asset:{asset_uuid}",
        uuid=asset_uuid,
        user_id=user.user_id,
        email=email,
        name=name,
        media_type=kind,
        ext=ext,
        object_key=key,
        preview_key=preview_key,
        width=width,
        height=height,
        duration=duration,
        created=created,
    )
    state.runway_assets[asset.asset_id] = asset
    return asset
