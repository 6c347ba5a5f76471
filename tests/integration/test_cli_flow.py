"""`assetdesk flow projects` and `assetdesk flow media` as a user runs them, against the sandbox."""

from __future__ import annotations

from typing import Any

import pytest
from tests.helpers.cli_process import run_cli, useapi_env
from tests.helpers.flow_library import FLOW_SHAPES, flow_listing_shape, seed_flow_library

JO, SECOND = "jo.demo@gmail.com", "flow.second@gmail.com"


def _library_env(sb: Any, **counts: int) -> tuple[dict[str, str], dict[str, list[str]]]:
    made = seed_flow_library(sb, **counts)["users"][0]
    env = {"ASSETDESK_USEAPI_TOKEN": made["token"], "ASSETDESK_USEAPI_URL": sb.api_url}
    return env, made["google_flow_projects"]


def test_projects_of_one_account_follow_every_page(sb: Any) -> None:
    env, projects = _library_env(sb, projects=5, assets=20)
    ((email, ids),) = projects.items()
    status, items, stderr = run_cli("flow", "projects", "--email", email, env=env)
    assert status == 0, stderr
    assert [item["projectId"] for item in items] == ids
    assert all(item["email"] == email and item["title"] for item in items)


@pytest.mark.parametrize("shape", FLOW_SHAPES)
def test_media_of_every_account_without_email(sb: Any, shape: str) -> None:
    flow_listing_shape(sb, shape)
    status, items, stderr = run_cli("flow", "media", env=useapi_env(sb))
    assert status == 0, stderr
    demo = sb.demo["media_generation_ids"]
    assert sorted(item["mediaGenerationId"] for item in items) == sorted(demo[:3])
    assert all(item["likelyUpload"] is True for item in items)
    assert {item["email"] for item in items} == {JO, SECOND}
    status, items, stderr = run_cli("flow", "projects", env=useapi_env(sb))
    assert status == 0, stderr
    assert sorted(item["email"] for item in items) == sorted([JO, SECOND])


def test_media_of_a_named_project_finds_its_account(sb: Any) -> None:
    env, projects = _library_env(sb, accounts=2, projects=3, assets=30)
    email, ids = list(projects.items())[1]
    status, items, stderr = run_cli("flow", "media", "--project", ids[2], env=env)
    assert status == 0, stderr
    assert len(items) == 5  # 30 assets over 6 projects
    assert all(item["projectId"] == ids[2] and item["email"] == email for item in items)
    assert all(f"-email:{email.encode().hex()}-" in item["mediaGenerationId"] for item in items)
    status, items, _ = run_cli("flow", "media", "--project", "nope", env=env)
    assert status == 1 and "nope" in items[0]["error"]


def test_a_failing_account_says_so_and_the_others_go_on(sb: Any) -> None:
    sb.set_google_flow_account(SECOND, session_error=True)
    status, items, _ = run_cli("flow", "media", env=useapi_env(sb))
    assert status == 1
    listed = [item for item in items if "mediaGenerationId" in item]
    assert {item["email"] for item in listed} == {JO}
    (failure,) = [item for item in items if "error" in item]
    assert failure["email"] == SECOND and failure["kind"] == "session_expired"
