"""Google Flow provenance from useapi.net jobs (services/flow_jobs.py) over real HTTP to the
sandbox, into a real SQLite catalog: a refresh reads the token's recent jobs (and only the ones no
asset names yet), a pasted job id files its media with their prompt; both job record shapes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from tests.helpers.flow_library import FLOW_SHAPES, flow_listing_shape, seed_flow_library
from tests.helpers.http_calls import api_requests

from assetdesk.core.errors import InvalidInput, NotFound
from assetdesk.core.provider import AccountKind, Provider
from assetdesk.services.accounts import AccountsService
from assetdesk.services.library import LibraryService
from assetdesk.store.paths import AppPaths

pytestmark = pytest.mark.anyio


@pytest.fixture
async def library(app_paths: AppPaths, accounts: AccountsService) -> AsyncIterator[LibraryService]:
    service = LibraryService(app_paths.database, accounts)
    yield service
    await service.aclose()


async def studio(accounts: AccountsService, sb: Any, token: str) -> int:
    info = await accounts.add_session_account(
        name="Studio", kind=AccountKind.USEAPI, base_url=sb.api_url, secret=token
    )
    return info.id


def generate(sb: Any, token: str, email: str, **request: Any) -> dict[str, Any]:
    """Play a generation started through useapi.net just now (the sandbox's job control)."""
    answer = httpx.post(
        f"{sb.api_url}/_sandbox/google-flow/jobs",
        json={"token": token, "email": email, **request},
        headers=sb.control_headers,
        timeout=10,
    )
    answer.raise_for_status()
    made: dict[str, Any] = answer.json()
    return made


def job_reads(sb: Any) -> list[str]:
    return [r["path"] for r in api_requests(sb, "/v1/google-flow/jobs/")]


@pytest.mark.parametrize("shape", FLOW_SHAPES)
async def test_a_refresh_gives_recent_generations_their_prompt_model_and_seed(
    sb: Any, accounts: AccountsService, library: LibraryService, shape: str
) -> None:
    flow_listing_shape(sb, shape)
    (user,) = seed_flow_library(sb, users=1, accounts=1, projects=2, assets=6)["users"]
    (email,) = user["google_flow_projects"]
    job = generate(
        sb,
        user["token"],
        email,
        prompt="a red fox in the snow",
        model="imagen-4",
        seed=4242,
        count=2,
    )
    await studio(accounts, sb, user["token"])
    sb.clear_requests()

    await library.refresh()

    by_id = {a.remote_id: a for a in await library.assets()}
    made = [by_id[media_id] for media_id in job["mediaGenerationIds"]]
    for asset in made:
        assert (asset.prompt, asset.model, asset.seed) == (
            "a red fox in the snow",
            "imagen-4",
            4242,
        )
        assert asset.task_id == job["jobid"] and asset.uploaded is False
    others = [a for a in by_id.values() if a.remote_id not in job["mediaGenerationIds"]]
    assert others and all(a.task_id is None for a in others), "old jobs are not in the history"
    history = api_requests(sb, "/v1/google-flow/jobs")
    assert [r["params"] for r in history if r["path"] == "/v1/google-flow/jobs"] == [
        {"options": "history"}
    ]
    assert job_reads(sb) == [f"/v1/google-flow/jobs/{job['jobid']}"]

    sb.clear_requests()
    await library.refresh()
    assert job_reads(sb) == [], "a job already filed is not read again"
    assert (await library.assets()) and all(
        a.prompt == "a red fox in the snow" for a in await library.assets() if a.task_id
    )


async def test_a_pasted_job_id_files_its_media_with_their_provenance(
    sb: Any, accounts: AccountsService, library: LibraryService
) -> None:
    (user,) = seed_flow_library(sb, users=1, accounts=1, projects=1, assets=2)["users"]
    (email,) = user["google_flow_projects"]
    job = generate(sb, user["token"], email, prompt="tide pools at noon", kind="video")
    account_id = await studio(accounts, sb, user["token"])

    outcome = await library.add_reference(f"  {job['jobid']} ", account_id)

    assert (outcome.added, outcome.already) == (1, 0)
    (asset,) = outcome.assets
    assert asset.remote_id == job["mediaGenerationIds"][0]
    assert (asset.provider, asset.kind, asset.origin) == (Provider.GOOGLE_FLOW, "video", "pasted")
    assert (asset.prompt, asset.model, asset.seed) == ("tide pools at noon", "veo-3.1-fast", None)
    assert asset.account_email == email and asset.task_id == job["jobid"]

    again = await library.add_reference(job["jobid"], account_id)
    assert (again.added, again.already) == (0, 1)
    await library.refresh()  # the listing finds it too: still one row, still with its prompt
    (same,) = [a for a in await library.assets() if a.remote_id == asset.remote_id]
    assert same.prompt == "tide pools at noon" and same.id == asset.id


async def test_a_job_id_the_service_does_not_know_is_named_in_the_refusal(
    sb: Any, accounts: AccountsService, library: LibraryService
) -> None:
    account_id = await studio(accounts, sb, sb.demo["useapi_token"])
    missing = "j0000001v-u1-email:jo***@gmail.com-bot:google-flow"

    with pytest.raises(NotFound) as caught:
        await library.add_reference(missing, account_id)
    assert caught.value.message.startswith(f"Not found (Google Flow job {missing})")
    with pytest.raises(InvalidInput) as bad:
        await library.add_reference("jx-bot:google-flow", account_id)
    assert "Google Flow job id" in bad.value.message
