"""`assetdesk wordbee upload` as a user runs it, against the sandbox over real HTTP: files and a
folder's sub-folders attached to a segment and read back byte for byte, the catalog id the
Library gives the same file, a session that expires between the two calls, a lost answer, and
the refusals before anything is sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers.cli_process import run_cli, wordbee_env
from tests.helpers.http_calls import api_requests
from tests.helpers.media_files import MEDIA

SCOPE = "pr7214"
SEGMENT = "27665602"


def upload(sb: Any, *args: str) -> tuple[int, list[dict[str, Any]], str]:
    return run_cli(
        "wordbee", "upload", *args, "--scope", SCOPE, "--segment-id", SEGMENT, env=wordbee_env(sb)
    )


def read_back(sb: Any, tmp_path: Path, name: str, *where: str) -> bytes:
    """The file as `wordbee download` saves it from the segment."""
    folder = tmp_path / f"back-{len(list(tmp_path.glob('back-*')))}"
    folder.mkdir()
    status, (saved,), stderr = run_cli(
        "wordbee",
        "download",
        SEGMENT,
        "--scope",
        SCOPE,
        "--filename",
        name,
        *where,
        "--to",
        str(folder),
        env=wordbee_env(sb),
    )
    assert status == 0, stderr
    return Path(saved["path"]).read_bytes()


def stagings(sb: Any) -> list[dict[str, Any]]:
    return [r for r in api_requests(sb, "/api/media/upload", "wordbee") if r["method"] == "POST"]


def test_files_of_any_type_are_attached_and_read_back_byte_for_byte(
    sb: Any, tmp_path: Path
) -> None:
    picture, clip = MEDIA / "picture.tiff", MEDIA / "clip.mov"
    status, items, stderr = upload(
        sb, str(picture), str(clip), "--locale", "fr", "--relative-path", "/boards/"
    )
    assert status == 0, stderr
    first, second = items
    assert first == {
        "file": str(picture),
        "id": "pr7214/27665602/fr/boards/picture.tiff",
        "segmentId": 27665602,
        "scope": SCOPE,
        "name": "picture.tiff",
        "locale": "fr",
        "relativePath": "boards",
        "size": picture.stat().st_size,
        "contentType": "image/tiff",
    }
    assert (second["id"], second["size"]) == (
        "pr7214/27665602/fr/boards/clip.mov",
        clip.stat().st_size,
    )
    where = ("--locale", "fr", "--relative-path", "boards")
    assert read_back(sb, tmp_path, "picture.tiff", *where) == picture.read_bytes()
    assert read_back(sb, tmp_path, "clip.mov", *where) == clip.read_bytes()


def test_a_folder_keeps_its_sub_folders_under_the_relative_path(sb: Any, tmp_path: Path) -> None:
    drop = tmp_path / "shots"
    (drop / "day 1" / "takes").mkdir(parents=True)
    top = drop / "cover.png"
    top.write_bytes((MEDIA / "picture.png").read_bytes())
    inner = drop / "day 1" / "voice.wav"
    inner.write_bytes((MEDIA / "sound.wav").read_bytes())
    deep = drop / "day 1" / "takes" / "notes.psd"
    deep.write_bytes(b"8BPS\x00\x01" + bytes(300))
    (drop / "day 1" / ".DS_Store").write_bytes(b"\0" * 10)
    status, items, stderr = upload(sb, str(drop), "--relative-path", "uploads")
    assert status == 0, stderr
    assert "skipped 1 hidden file" in stderr
    assert [(i["file"], i["relativePath"], i["id"]) for i in items] == [
        (str(top), "uploads", "pr7214/27665602//uploads/cover.png"),
        (str(inner), "uploads/day 1", "pr7214/27665602//uploads/day 1/voice.wav"),
        (str(deep), "uploads/day 1/takes", "pr7214/27665602//uploads/day 1/takes/notes.psd"),
    ]
    status, listed, stderr = run_cli(
        "wordbee", "list", SEGMENT, "--scope", SCOPE, env=wordbee_env(sb)
    )
    assert status == 0, stderr
    kept = {(a["relativePath"], a["name"]): a["size"] for a in listed}
    for path, line in zip((top, inner, deep), items, strict=True):
        assert kept[(line["relativePath"], path.name)] == path.stat().st_size
        where = ("--relative-path", line["relativePath"])
        assert read_back(sb, tmp_path, path.name, *where) == path.read_bytes()


def test_the_id_is_the_one_the_library_files_the_file_under(sb: Any, tmp_path: Path) -> None:
    """A Library refresh of the segment gives the same reference (no duplicate in the catalog)."""
    from assetdesk.core.ids import wordbee_key

    status, (line,), stderr = upload(sb, str(MEDIA / "sound.flac"), "--locale", "de")
    assert status == 0, stderr
    status, listed, _ = run_cli("wordbee", "assets", SEGMENT, "--scope", SCOPE, env=wordbee_env(sb))
    (found,) = [a for a in listed if a["name"] == "sound.flac"]
    assert line["id"] == wordbee_key(
        SCOPE, found["segmentId"], found["locale"], found["relativePath"], found["name"]
    )
    assert line["id"] == "pr7214/27665602/de//sound.flac"


def test_a_session_that_expires_between_the_two_calls_is_renewed(sb: Any, tmp_path: Path) -> None:
    sb.expire_wordbee(session_after_staging=1)
    picture = MEDIA / "picture.gif"
    status, (line,), stderr = upload(sb, str(picture))
    assert status == 0, stderr
    assert line["size"] == picture.stat().st_size
    assert len(stagings(sb)) == 1, "the staged file was not sent again"
    assert read_back(sb, tmp_path, "picture.gif") == picture.read_bytes()


def test_a_lost_attach_answer_is_reported_and_never_sent_again(sb: Any) -> None:
    sb.fault("wordbee", f"/api/resources/assets/{SEGMENT}", method="POST", lose_answer=True)
    clip = MEDIA / "clip.webm"
    status, (line,), _ = upload(sb, str(clip))
    assert status == 1
    assert line["kind"] == "outcome_unknown"
    assert (line["file"], line["segmentId"], line["scope"]) == (str(clip), 27665602, SCOPE)
    assert line["error"].endswith(
        "it is not known whether Wordbee kept clip.webm. It may be on the segment now, so it "
        "was not sent again: look for it with `assetdesk wordbee list 27665602 --scope pr7214` "
        "before sending it again."
    )
    assert len(stagings(sb)) == 1
    status, listed, _ = run_cli("wordbee", "list", SEGMENT, "--scope", SCOPE, env=wordbee_env(sb))
    assert [a["name"] for a in listed].count("clip.webm") == 1, "attached once, not again"


def test_refusals_before_anything_is_sent(sb: Any, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = tmp_path / "gone.png"
    huge = tmp_path / "master.mov"
    with huge.open("wb") as handle:
        handle.write((MEDIA / "clip.mov").read_bytes())
        handle.truncate(600_000_000)
    status, items, _ = upload(sb, str(empty), str(missing), str(huge))
    assert status == 1
    assert items == [
        {
            "file": str(empty),
            "error": "empty: the folder holds no file to upload.",
            "kind": "invalid_input",
        },
        {"file": str(missing), "error": "gone.png: there is no such file.", "kind": "local_file"},
        {
            "file": str(huge),
            "error": "master.mov: this MOV is 572.2 MiB; Wordbee takes files up to 500 MiB",
            "kind": "too_large",
        },
    ]
    assert sb.requests("wordbee") == [], "not even a sign-in"


def test_a_scope_that_is_not_a_project_is_a_usage_error(sb: Any) -> None:
    status, items, stderr = run_cli(
        "wordbee",
        "upload",
        str(MEDIA / "picture.png"),
        "--scope",
        "jbs7214",
        "--segment-id",
        SEGMENT,
        env=wordbee_env(sb),
    )
    assert (status, items) == (2, [])
    assert "a project's segments" in stderr and "pr7214" in stderr
    assert sb.requests("wordbee") == []


def test_a_segment_the_project_lacks_is_an_error_line_with_the_services_words(sb: Any) -> None:
    picture = MEDIA / "picture.png"
    status, (line,), _ = run_cli(
        "wordbee",
        "upload",
        str(picture),
        "--scope",
        SCOPE,
        "--segment-id",
        "123",
        env=wordbee_env(sb),
    )
    assert status == 1
    assert (line["kind"], line["status"]) == ("not_found", 404)
    assert line["service_text"] == "The segment 123 does not exist in pr7214. Not found"
    assert (line["file"], line["segmentId"], line["scope"]) == (str(picture), 123, SCOPE)
