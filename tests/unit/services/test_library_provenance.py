"""services/library_provenance.py: prompt, model and seed from Runway tasks and Flow jobs."""

from __future__ import annotations

from assetdesk.core.ids import MediaGenerationId
from assetdesk.core.provider import Provider
from assetdesk.providers.runway import parse_task
from assetdesk.services.flow_jobs import JobProvenance
from assetdesk.services.library_provenance import (
    Provenance,
    flow_job_provenance,
    runway_provenance,
    with_provenance,
)
from assetdesk.store.library import AssetDraft


def test_a_runway_task_gives_prompt_seed_and_model() -> None:
    task = parse_task(
        {
            "taskId": "user:1-runwayml:jo@x.co-task:t1",
            "taskType": "gen3a",
            "options": {"text_prompt": "a red fox", "seed": 123, "seconds": 5},
            "progressRatio": "1",
        },
        task_id="asked",
    )
    assert runway_provenance(task) == Provenance(
        "a red fox", "gen3a", 123, "user:1-runwayml:jo@x.co-task:t1"
    )


def test_an_older_flow_job_links_each_video_to_its_seed() -> None:
    job = {
        "jobid": "j1-bot:google-flow",
        "request": {"prompt": "a cat", "model": "veo-3.1-fast"},
        "response": {
            "operations": [
                {"video": {"mediaGenerationId": "m1", "seed": 11}},
                {"video": {"mediaGenerationId": "m2", "seed": 12}},
            ]
        },
    }
    assert flow_job_provenance(job) == {
        "m1": Provenance("a cat", "veo-3.1-fast", 11, "j1-bot:google-flow"),
        "m2": Provenance("a cat", "veo-3.1-fast", 12, "j1-bot:google-flow"),
    }


def test_a_newer_flow_job_links_what_it_names_and_keeps_the_request_seed() -> None:
    job = {
        "jobid": "j2",
        "request": {"prompt": "a dog", "model": "imagen-4", "seed": 5},
        "response": {
            "media": [
                {"name": "uuid-1", "mediaGenerationId": {"mediaGenerationId": "m3"}},
                {"name": "uuid-2", "mediaMetadata": {"mediaTitle": "a dog"}},
            ]
        },
    }
    assert flow_job_provenance(job) == {"m3": Provenance("a dog", "imagen-4", 5, "j2")}
    assert flow_job_provenance({"response": None}) == {}


def test_with_provenance_fills_a_draft() -> None:
    draft = AssetDraft(Provider.RUNWAY, "r1", "listed", task_id="t0", seed=1)
    filled = with_provenance(draft, Provenance(prompt="a fox", model="gen3a"))
    assert (filled.prompt, filled.model, filled.seed, filled.task_id) == ("a fox", "gen3a", 1, "t0")
    assert with_provenance(draft, Provenance(seed=0)).seed == 0


def test_a_newer_job_record_names_its_media_by_name_and_they_are_matched_by_their_id() -> None:
    media_uuid = "0b7c6f7e-1111-4222-8333-444455556666"
    mgid = str(MediaGenerationId(5, "jo@example.com", "image", media_uuid))
    record = {
        "jobid": "j1v-u5-email:jo***@example.com-bot:google-flow",
        "request": {"prompt": "a fox", "model": "imagen-4", "seed": 7},
        "response": {"media": [{"name": media_uuid, "mediaMetadata": {"mediaTitle": "a fox"}}]},
    }
    assert flow_job_provenance(record) == {}, "the newer shape names no mediaGenerationId"
    jobs = JobProvenance()
    jobs.add(record)
    found = jobs.of(mgid)
    assert found is not None and (found.prompt, found.model, found.seed) == ("a fox", "imagen-4", 7)
    assert found.task_id == record["jobid"]
    assert jobs.of(str(MediaGenerationId(5, "jo@example.com", "image", "other"))) is None
    assert jobs.of("not an id") is None
