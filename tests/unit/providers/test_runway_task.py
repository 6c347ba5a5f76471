"""Reading a Runway task tolerantly: the documented gen3a options, and other task types whose
option keys are unknown (the prompt then comes from the task's name)."""

from __future__ import annotations

import pytest

from assetdesk.core.errors import UpstreamFailed
from assetdesk.providers.runway import parse_task


def test_documented_gen3a_task() -> None:
    task = parse_task(
        {
            "taskId": "user:1-runwayml:a@b.c-task:x",
            "taskType": "gen3a",
            "name": "Gen-3 Alpha 123, a fox",
            "options": {"text_prompt": "a fox in snow", "seed": 123},
            "status": "SUCCEEDED",
            "progressRatio": "1",
        },
        task_id="asked",
    )
    assert (task.task_id, task.model, task.prompt, task.seed) == (
        "user:1-runwayml:a@b.c-task:x",
        "gen3a",
        "a fox in snow",
        123,
    )


def test_unknown_options_fall_back_on_the_name() -> None:
    task = parse_task(
        {"taskType": "gen4_turbo", "name": "Gen-4 Turbo 77, neon rain", "options": {"seed": 7.0}},
        task_id="asked",
    )
    assert (task.task_id, task.prompt, task.seed) == ("asked", "neon rain", 7)
    bare = parse_task({"options": None}, task_id="asked")
    assert (bare.model, bare.prompt, bare.seed, bare.status) == (None, None, None, None)


def test_a_task_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(UpstreamFailed):
        parse_task(["no"], task_id="asked")
