"""The batch's connection budget: at most max(jobs, segments) connections, shared by the files
that can run at once."""

from __future__ import annotations

import pytest

from assetdesk.services.batch_download import segments_per_file


@pytest.mark.parametrize(
    ("jobs", "segments", "count", "expected"),
    [
        (4, 4, 1, 4),  # one file alone keeps every segment asked for
        (4, 16, 1, 16),
        (4, 4, 4, 1),  # four at once: one connection each
        (4, 4, 1000, 1),
        (2, 4, 2, 2),  # two at once share four
        (2, 4, 5, 2),
        (3, 4, 6, 1),  # 4 // 3: three connections, never five
        (8, 16, 100, 2),
        (16, 1, 100, 1),
        (1, 4, 100, 4),  # one at a time: as before batches existed
    ],
)
def test_segments_per_file_stay_within_the_budget(
    jobs: int, segments: int, count: int, expected: int
) -> None:
    per_file = segments_per_file(jobs, segments, count)
    assert per_file == expected
    assert per_file * min(jobs, count) <= max(jobs, segments)
