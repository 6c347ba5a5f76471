"""services/local_files.py: real files checked against each target before anything is sent (by
their bytes, their size: sparse files for the caps), probed, and collected with their folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.helpers.media_files import MEDIA

from assetdesk.core.errors import BadType, EmptyFile, TooLarge
from assetdesk.core.media import MIB, MOV, OCTET_STREAM, PNG, WAV, WEBM_AUDIO
from assetdesk.core.probe import Probe
from assetdesk.core.provider import Provider
from assetdesk.services.local_files import collect_uploads, inspect_upload

pytestmark = pytest.mark.anyio

GOOGLE_FLOW, RUNWAY, WORDBEE = Provider.GOOGLE_FLOW, Provider.RUNWAY, Provider.WORDBEE


def copy(name: str, to: Path, as_name: str | None = None) -> Path:
    return Path(shutil.copy(MEDIA / name, to / (as_name or name)))


def grown(name: str, to: Path, size: int, as_name: str | None = None) -> Path:
    """A real file's header grown to `size` bytes (sparse: no disk is used for the rest)."""
    path = copy(name, to, as_name)
    with path.open("r+b") as handle:
        handle.truncate(size)
    return path


async def test_google_flow_is_the_target_unless_told(tmp_path: Path) -> None:
    clip = copy("clip.mov", tmp_path)
    with pytest.raises(BadType) as caught:
        await inspect_upload(clip)
    assert str(caught.value) == (
        "clip.mov: Google Flow does not take MOV videos — "
        "use PNG, JPEG, WEBP or MP4; Runway takes .mov"
    )
    candidate = await inspect_upload(clip, RUNWAY)
    assert (candidate.media_type, candidate.size, candidate.note) == (MOV, 2385, None)
    assert candidate.probe == Probe(64, 48, 0.5)


async def test_each_target_judges_the_same_files_its_own_way(tmp_path: Path) -> None:
    voice = copy("sound.weba", tmp_path, "voice.webm")
    layers = tmp_path / "layers.psd"
    layers.write_bytes(b"8BPS\x00\x01" + bytes(200))

    with pytest.raises(BadType) as by_flow:
        await inspect_upload(voice, GOOGLE_FLOW)
    assert "Google Flow does not take WebM audio" in str(by_flow.value)
    assert (await inspect_upload(voice, RUNWAY)).media_type is WEBM_AUDIO
    assert (await inspect_upload(voice, WORDBEE)).media_type is WEBM_AUDIO

    with pytest.raises(BadType) as by_runway:
        await inspect_upload(layers, RUNWAY)
    assert str(by_runway.value) == (
        "layers.psd: Runway does not take PSD files; Wordbee takes any file"
    )
    to_wordbee = await inspect_upload(layers, WORDBEE)
    assert (to_wordbee.media_type, to_wordbee.note) == (OCTET_STREAM, None)
    assert to_wordbee.probe == Probe(None, None, None)


async def test_a_renamed_file_goes_as_what_it_is_with_a_note(tmp_path: Path) -> None:
    song = copy("sound.wav", tmp_path, "song.mp3")
    candidate = await inspect_upload(song, RUNWAY)
    assert candidate.media_type is WAV
    assert candidate.note == "named .mp3 but is really WAV; it is sent as WAV"
    assert candidate.probe.duration_seconds == pytest.approx(0.3)


@pytest.mark.parametrize(
    ("name", "provider", "cap", "sentence"),
    [
        (
            "sound.wav",
            RUNWAY,
            100 * MIB,
            "big.wav: this WAV is just over 100 MiB; Runway takes audio up to 100 MiB; "
            "Wordbee takes any file",
        ),
        (
            "clip.mov",
            RUNWAY,
            500 * MIB,
            "big.mov: this MOV is just over 500 MiB; Runway takes videos up to 500 MiB",
        ),
        (
            "picture.gif",
            RUNWAY,
            20 * MIB,
            "big.gif: this GIF is just over 20 MiB; Runway takes images up to 20 MiB; "
            "Wordbee takes any file",
        ),
        (
            "sound.m4a",
            WORDBEE,
            500 * MIB,
            "big.m4a: this file is just over 500 MiB; Wordbee takes files up to 500 MiB",
        ),
        (
            "clip.mp4",
            GOOGLE_FLOW,
            100 * MIB,
            "big.mp4: this MP4 is just over 100 MiB; "
            "Google Flow takes videos up to 100 MiB; Runway takes .mp4",
        ),
    ],
)
async def test_sizes_up_to_the_cap_go_and_one_byte_more_is_refused(
    tmp_path: Path, name: str, provider: Provider, cap: int, sentence: str
) -> None:
    as_name = "big" + Path(name).suffix
    at_cap = await inspect_upload(grown(name, tmp_path, cap, as_name), provider)
    assert at_cap.size == cap
    with pytest.raises(TooLarge) as caught:
        await inspect_upload(grown(name, tmp_path, cap + 1, as_name), provider)
    assert str(caught.value) == sentence
    assert caught.value.limit == cap


@pytest.mark.parametrize("provider", list(Provider), ids=str)
async def test_an_empty_file_is_refused_by_every_target(tmp_path: Path, provider: Provider) -> None:
    empty = tmp_path / "empty.wav"
    empty.touch()
    with pytest.raises(EmptyFile) as caught:
        await inspect_upload(empty, provider)
    assert str(caught.value) == "empty.wav: the file is empty (0 bytes)"


async def test_a_dropped_folder_is_checked_against_the_target_with_each_files_folder(
    tmp_path: Path,
) -> None:
    drop = tmp_path / "refs"
    (drop / "shots" / "day 1").mkdir(parents=True)
    (drop / ".cache").mkdir()
    copy("picture.png", drop)
    copy("clip.mov", drop / "shots")
    copy("sound.flac", drop / "shots" / "day 1")
    copy("picture.png", drop / ".cache")
    (drop / "shots" / "notes.txt").write_text("what to shoot\n")
    single = copy("picture.gif", tmp_path)

    collected = await collect_uploads([drop, single], RUNWAY)

    found = {c.path.name: c for c in collected.files}
    assert {name: c.folder for name, c in found.items()} == {
        "picture.png": "",
        "clip.mov": "shots",
        "notes.txt": "shots",
        "sound.flac": "shots/day 1",
        "picture.gif": "",  # named directly: no folder of its own
    }
    assert collected.hidden_skipped == 1
    refused = {name: str(c.error) for name, c in found.items() if c.error is not None}
    assert refused == {
        "notes.txt": "notes.txt: this file is not an image, video or audio file Runway takes; "
        "Wordbee takes any file"
    }
    assert found["picture.png"].candidate is not None
    assert found["picture.png"].candidate.media_type is PNG
    assert found["picture.png"].candidate.probe == Probe(64, 48, None)

    by_default = await collect_uploads([drop])  # Google Flow
    errors = {c.path.name for c in by_default.files if c.error is not None}
    assert errors == {"clip.mov", "notes.txt", "sound.flac"}
