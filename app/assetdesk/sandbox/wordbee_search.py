"""Wordbee's segment search (`POST /api/resources/segments/search`) over the sandbox's segments.

The page names the scope object (`{"type": "Project", "projectid": N}`, `{"type": "Job",
"jobid": N, "jobcdyt": bool}`) and the answer's `result.rows[]` (`sid`, `did`, `dsid`, `bsid`,
`bssid`, `no`), `result.docs` and `result.users`; it says paging is skip/take without the exact
names. Chosen here as in API2's generic lists: `skip` (default 0) and `take` (default 20, at most
500); anything else answers 400. A project's segments are the ones a control registered plus any
that hold assets under `pr{project}`. Jobs are not modelled: a job scope finds no segments.
"""

from __future__ import annotations

from typing import Any

from assetdesk.sandbox.state import SandboxState, WordbeeSegment

TAKE_DEFAULT = 20
TAKE_MAX = 500


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def project_segments(state: SandboxState, project: int) -> list[WordbeeSegment]:
    """The project's segments in document order, then segment id."""
    found = {s.segment_id: s for s in state.wordbee_segments.values() if s.project_id == project}
    for asset in state.wordbee_assets:
        if asset.scope == f"pr{project}" and asset.segment_id not in found:
            found[asset.segment_id] = WordbeeSegment(
                project, asset.segment_id, asset.document_id, 0
            )
    ordered = sorted(found.values(), key=lambda s: (s.document_id, s.segment_id))
    return [
        WordbeeSegment(s.project_id, s.segment_id, s.document_id, s.number or n + 1)
        for n, s in enumerate(ordered)
    ]


def search_segments(state: SandboxState, payload: Any) -> dict[str, Any] | str:
    """The answer for a search body, or the sentence of a 400."""
    if not isinstance(payload, dict):
        return "The request body must be a JSON object."
    fields = {str(k).lower(): v for k, v in payload.items()}
    scope = fields.get("scope")
    if not isinstance(scope, dict):
        return "The parameter 'scope' is mandatory and must be a scope object."
    scope = {str(k).lower(): v for k, v in scope.items()}
    kind = str(scope.get("type") or "").lower()
    skip = _whole(fields.get("skip", 0))
    take = _whole(fields.get("take", TAKE_DEFAULT))
    if skip is None or skip < 0:
        return "The parameter 'skip' must be a whole number of at least 0."
    if take is None or not 1 <= take <= TAKE_MAX:
        return f"The parameter 'take' must be a whole number from 1 to {TAKE_MAX}."
    if kind == "project":
        project = _whole(scope.get("projectid"))
        if project is None:
            return "The scope of type 'Project' needs a 'projectid'."
        segments = project_segments(state, project)
    elif kind == "job":
        if _whole(scope.get("jobid")) is None:
            return "The scope of type 'Job' needs a 'jobid'."
        segments = []
    else:
        return f"Unknown scope type '{scope.get('type')}'."
    page = segments[skip : skip + take]
    rows = [
        {
            "sid": s.segment_id,
            "did": s.document_id,
            "dsid": 5000 + s.project_id,
            "bsid": s.number,
            "bssid": 0,
            "no": s.number,
        }
        for s in page
    ]
    docs = {
        str(s.document_id): {"did": s.document_id, "name": f"Document {s.document_id}.docx"}
        for s in page
    }
    return {"result": {"rows": rows, "docs": docs, "users": {}}}
