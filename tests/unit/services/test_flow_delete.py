"""services/flow_delete.py: batches of at most 100 per account, and the search for bad ids.

A fake `delete_batch` stands in for the service HERE ONLY, on purpose: the point of these tests
is the refusal patterns (one bad id, several, a refusal that names no id, a lost answer) and how
many calls each costs, which a fake states exactly; the HTTP path is tested against the sandbox
with the provider client. The fake follows the documented rule: a batch is checked as a whole
and refused whole, and nothing of a refused batch is deleted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pytest

from assetdesk.core.errors import AssetDeskError, BadRequest, NetworkError, Throttled
from assetdesk.core.ids import MediaGenerationId
from assetdesk.services.flow_delete import BATCH_LIMIT, delete_flow_ids

pytestmark = pytest.mark.anyio

JO = "jo@x.co"
ANN = "ann@x.co"


def mid(n: int, email: str = JO) -> str:
    return str(MediaGenerationId(7, email, "image", f"media{n:05d}"))


@dataclass
class FakeFlow:
    """All-or-nothing batches: an id in `bad` refuses the batch with words naming it (or not,
    with `name_the_id=False`); `lose_after_applying` deletes, then loses the answer."""

    bad: set[str] = field(default_factory=set)
    name_the_id: bool = True
    lose_after_applying: bool = False
    stored: set[str] = field(default_factory=set)
    calls: list[tuple[str, list[str]]] = field(default_factory=list)

    async def delete_batch(self, email: str, ids: list[str]) -> None:
        self.calls.append((email, list(ids)))
        assert len(ids) <= BATCH_LIMIT
        refused = [text for text in ids if text in self.bad]
        if refused:
            words = f"Invalid mediaGenerationId {refused[0]}" if self.name_the_id else "Bad body"
            raise BadRequest("Google Flow refused the request", service_text=words, status=400)
        self.stored.difference_update(ids)
        if self.lose_after_applying:
            raise NetworkError("the connection to api.useapi.net was lost")


async def test_every_id_of_one_account_is_deleted_in_batches_of_100() -> None:
    ids = [mid(n) for n in range(250)]
    fake = FakeFlow(stored=set(ids))
    report = await delete_flow_ids(ids, fake.delete_batch)
    assert report.deleted == ids and report.not_deleted == []
    assert [len(batch) for _, batch in fake.calls] == [100, 100, 50]
    assert {email for email, _ in fake.calls} == {JO}
    assert report.calls == 3 and fake.stored == set()


async def test_ids_are_grouped_by_the_account_encoded_in_them() -> None:
    ids = [mid(1), mid(2, ANN), mid(3), mid(4, ANN), mid(3)]
    fake = FakeFlow()
    report = await delete_flow_ids(ids, fake.delete_batch)
    assert fake.calls == [(JO, [mid(1), mid(3)]), (ANN, [mid(2, ANN), mid(4, ANN)])]
    assert sorted(report.deleted) == sorted(set(ids))


async def test_one_bad_id_in_100_is_found_by_halves_in_about_2_log2_n_calls() -> None:
    ids = [mid(n) for n in range(100)]
    fake = FakeFlow(bad={ids[37]}, stored=set(ids))
    report = await delete_flow_ids(ids, fake.delete_batch)
    assert report.deleted == [text for text in ids if text != ids[37]]
    assert [item.id for item in report.not_deleted] == [ids[37]]
    reason = report.reasons()[ids[37]]
    assert reason.startswith("Google Flow image media000… was not deleted: jo@x.co refused it")
    assert f"Invalid mediaGenerationId {ids[37]}" in reason
    assert report.not_deleted[0].service_text == f"Invalid mediaGenerationId {ids[37]}"
    assert not report.not_deleted[0].unsure
    assert report.calls == len(fake.calls) <= 2 * math.ceil(math.log2(100)) + 1
    assert fake.stored == {ids[37]}


async def test_several_bad_ids_are_each_found_and_the_rest_deleted() -> None:
    ids = [mid(n) for n in range(100)]
    bad = {ids[0], ids[50], ids[51], ids[99]}
    fake = FakeFlow(bad=bad, stored=set(ids))
    report = await delete_flow_ids(ids, fake.delete_batch)
    assert {item.id for item in report.not_deleted} == bad
    assert set(report.deleted) == set(ids) - bad
    assert fake.stored == bad
    assert report.calls < 4 * 2 * math.ceil(math.log2(100))


async def test_a_refusal_that_names_no_id_stops_that_account_with_the_services_words() -> None:
    ids = [mid(n) for n in range(250)]
    others = [mid(n, ANN) for n in range(3)]
    fake = FakeFlow(bad={ids[120]}, name_the_id=False, stored=set(ids + others))
    report = await delete_flow_ids(ids + others, fake.delete_batch)
    # the first batch goes through; the second is refused; the third is never sent
    assert [(email, len(batch)) for email, batch in fake.calls] == [(JO, 100), (JO, 100), (ANN, 3)]
    assert report.deleted == ids[:100] + others
    assert [item.id for item in report.not_deleted] == ids[100:]
    for item in report.not_deleted:
        assert "refused the request and nothing more was sent: Bad body" in item.reason
        assert item.service_text == "Bad body" and not item.unsure


async def test_a_throttled_batch_stops_the_account_instead_of_splitting() -> None:
    ids = [mid(n) for n in range(100)]
    calls = 0

    async def busy(email: str, batch: list[str]) -> None:
        nonlocal calls
        calls += 1
        raise Throttled("Google Flow is busy", retry_after=30, service_text="Too many requests")

    report = await delete_flow_ids(ids, busy)
    assert calls == 1 and report.deleted == []
    assert len(report.not_deleted) == 100
    assert "Too many requests" in report.not_deleted[0].reason


async def test_a_lost_answer_leaves_the_sent_ids_unsure_for_the_next_refresh() -> None:
    ids = [mid(n) for n in range(150)]
    fake = FakeFlow(lose_after_applying=True, stored=set(ids))
    report = await delete_flow_ids(ids, fake.delete_batch)
    assert len(fake.calls) == 1 and report.deleted == []
    unsure = [item.id for item in report.not_deleted if item.unsure]
    assert unsure == ids[:100]
    assert "the next refresh checks whether it is still there" in report.reasons()[ids[0]]
    untouched = [item for item in report.not_deleted if not item.unsure]
    assert [item.id for item in untouched] == ids[100:]
    assert "nothing more was sent after the connection to jo@x.co broke" in untouched[0].reason


async def test_an_id_that_is_not_a_flow_id_is_not_sent() -> None:
    fake = FakeFlow()
    report = await delete_flow_ids(["user:1-runwayml:a@b.co-asset:x", mid(1)], fake.delete_batch)
    assert fake.calls == [(JO, [mid(1)])]
    (refused,) = report.not_deleted
    assert refused.id == "user:1-runwayml:a@b.co-asset:x"
    assert refused.reason == (
        "Not deleted: user:1-runwayml:a@b.co-… is not a Google Flow mediaGenerationId"
        " (missing the '-email:' part after the user number)."
    )


async def test_a_single_bad_id_costs_one_call() -> None:
    fake = FakeFlow(bad={mid(1)})
    report = await delete_flow_ids([mid(1)], fake.delete_batch)
    assert report.calls == 1 and report.deleted == []
    assert [item.id for item in report.not_deleted] == [mid(1)]


async def test_an_error_is_a_core_error_reported_not_raised() -> None:
    async def broken(email: str, batch: list[str]) -> None:
        raise AssetDeskError("the account is not connected", status=404)

    report = await delete_flow_ids([mid(1), mid(2)], broken)
    assert [item.id for item in report.not_deleted] == [mid(1), mid(2)]
    assert report.reasons()[mid(1)].endswith("the account is not connected.")
