"""Reading Google Flow listing answers by what they carry: shapes the sandbox does not serve."""

from __future__ import annotations

from assetdesk.providers.google_flow_listing import next_cursor, parse_media, parse_projects

JO_HEX = b"jo.demo@gmail.com".hex()
IMAGE = f"user:1001-email:{JO_HEX}-image:abc"
VIDEO = f"user:1001-email:{JO_HEX}-video:def"


def test_a_bare_list_of_entries_is_read() -> None:
    body = [
        {"mediaGenerationId": IMAGE, "likelyUpload": False, "createdAt": "2026-09-01T00:00:00Z"},
        {"mediaGenerationId": VIDEO},
    ]
    first, second = parse_media(body, "p1")
    assert (first.kind, first.likely_upload, first.created) == (
        "image",
        False,
        "2026-09-01T00:00:00Z",
    )
    assert (second.kind, second.likely_upload, second.project_id) == ("video", None, "p1")


def test_an_entry_whose_id_sits_deep_keeps_its_wrapper_fields() -> None:
    body = {
        "timeline": [
            {
                "item": {
                    "ids": {"mediaGenerationId": {"mediaGenerationId": VIDEO}},
                    "video": {"dimensions": {"width": "1280", "height": 720}},
                    "mediaMetadata": {"mediaTitle": "a cat", "createTime": "T"},
                    "projectId": "p9",
                }
            }
        ],
        "attached": [{"image": {"userUploadedImage": {}}, "mediaGenerationId": IMAGE}],
    }
    video, image = parse_media(body)
    assert (video.width, video.height, video.title, video.project_id) == (1280, 720, "a cat", "p9")
    assert image.likely_upload is True  # marked as an upload by Google's own field


def test_cursor_keys_and_urls_and_the_end_of_a_listing() -> None:
    assert next_cursor({"nextPageToken": "abc", "items": []}) == "abc"
    assert next_cursor({"links": {"next": "/v1/x?cursor=c2&projectId=p"}}) == "c2"
    assert next_cursor({"pagination": {"cursor": None, "hasMore": False}}) is None
    assert next_cursor({"nextCursor": ""}) is None
    # a cursor inside an entry belongs to the entry, not to the listing
    assert next_cursor({"projects": [{"projectId": "p", "cursor": "x"}]}) is None


def test_projects_by_any_id_key_with_their_counts() -> None:
    body = {
        "projects": [
            {"projectId": "p1", "projectTitle": "One", "mediaCount": 4},
            {"project": {"id": "p2"}, "stats": {"total": "7"}},
            {"unrelated": True},
        ]
    }
    one, two = parse_projects(body)
    assert (one.project_id, one.title, one.media_count) == ("p1", "One", 4)
    assert (two.project_id, two.title, two.media_count) == ("p2", None, 7)
    assert parse_projects({"hello": "world"}) == []
