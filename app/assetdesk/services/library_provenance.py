"""Where a generated asset came from: the prompt, model and seed the service kept, read from a
Runway task (`GET /v1/runwayml/tasks/{taskId}`) or a Google Flow job started through useapi.net
(`GET /v1/google-flow/jobs/{jobId}`), both read defensively (MORE-ENDPOINTS.md 1.4 and 2.4).

- Runway: the task as `providers.runway.parse_task` reads it (prompt, seed, `taskType` as the
  model).
- Google Flow: `request.prompt`, `request.model`, `request.seed` (sent only when the caller
  chose one). A job names its media by mediaGenerationId in the older shape
  (`response.operations[].video.mediaGenerationId`, beside the `seed` the service used); the newer
  shape (`response.media[]`) names each by `name`, a UUID that the page does not tie to the
  mediaGenerationId: `flow_job_names` keeps those, and a medium whose id ends in that UUID is
  taken as the job's (services/flow_jobs.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from assetdesk.providers.http import whole_number
from assetdesk.providers.runway import RunwayTask
from assetdesk.store.library import AssetDraft

__all__ = [
    "Provenance",
    "flow_job_names",
    "flow_job_provenance",
    "runway_provenance",
    "with_provenance",
]


@dataclass(frozen=True, slots=True)
class Provenance:
    """What a generation was made with; None where the service did not say."""

    prompt: str | None = None
    model: str | None = None
    seed: int | None = None
    task_id: str | None = None


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def runway_provenance(task: RunwayTask) -> Provenance:
    """The prompt, seed and model of a Runway task as the client read it (providers/runway.py
    parses the answer, tolerantly)."""
    return Provenance(prompt=task.prompt, model=task.model, seed=task.seed, task_id=task.task_id)


def flow_job_provenance(job: Any) -> dict[str, Provenance]:
    """The provenance of each medium a Google Flow job record names, by mediaGenerationId."""
    record = _dict(job)
    common = _job_common(record)
    found: dict[str, Provenance] = {}
    for media_id, seed in _named_media(record.get("response")):
        found.setdefault(media_id, dataclasses.replace(common, seed=seed or common.seed))
    return found


def flow_job_names(job: Any) -> dict[str, Provenance]:
    """The newer record's media by their `name` (`response.media[].name`, with a
    `mediaMetadata` beside it), each with the job's provenance."""
    record = _dict(job)
    common = _job_common(record)
    media = _dict(record.get("response")).get("media")
    names: dict[str, Provenance] = {}
    for item in media if isinstance(media, list) else []:
        entry = _dict(item)
        name = _text(entry.get("name"))
        if name and "mediaMetadata" in entry:
            names.setdefault(name, common)
    return names


def _job_common(record: dict[str, Any]) -> Provenance:
    """What a job's request says of all its media: prompt, model, seed, and the job's id."""
    request = _dict(record.get("request"))
    return Provenance(
        prompt=_text(request.get("prompt")),
        model=_text(request.get("model")),
        seed=whole_number(request.get("seed")),
        task_id=_text(record.get("jobid")) or _text(record.get("jobId")),
    )


def _named_media(value: Any) -> Iterator[tuple[str, int | None]]:
    """Every (mediaGenerationId, seed beside it) in the answer, wherever it sits."""
    if isinstance(value, list):
        for item in value:
            yield from _named_media(item)
    elif isinstance(value, dict):
        named = value.get("mediaGenerationId")
        if isinstance(named, dict):  # {"mediaGenerationId": {"mediaGenerationId": "…"}}
            named = named.get("mediaGenerationId")
        if isinstance(named, str) and named.strip():
            yield named.strip(), whole_number(value.get("seed"))
        for key, item in value.items():
            if key != "mediaGenerationId":
                yield from _named_media(item)


def with_provenance(draft: AssetDraft, provenance: Provenance) -> AssetDraft:
    """The draft with what the provenance says (the draft's own values where it says nothing)."""
    return dataclasses.replace(
        draft,
        prompt=provenance.prompt or draft.prompt,
        model=provenance.model or draft.model,
        seed=provenance.seed if provenance.seed is not None else draft.seed,
        task_id=provenance.task_id or draft.task_id,
    )
