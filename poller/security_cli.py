"""The security commands of ``app.py``: re-judging a period, exporting cases.

    python app.py security replay --from DATE --to DATE [--operator ID ...]
    python app.py cases list --since DATE [--min-band BAND] [--format json|csv] [--lang ru|en]
"""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from collections import defaultdict
from datetime import date

from domain.detectors.scoring import case_reasons
from settings import Settings

CASE_FIELDS = ("id", "operator_id", "operator", "day", "band", "score", "status", "assignee", "legal_hold",
               "detectors", "reasons", "closure", "closed_by", "confirmed_by", "confirmed_at")  # new ones at the end


class _BadDay(ValueError):
    pass


def _day(text: str | None, name: str) -> str:
    try:
        return date.fromisoformat(text or "").isoformat()
    except ValueError:
        raise _BadDay(f"error: {name} is a local day, YYYY-MM-DD") from None


def replay(settings: Settings, day_from: str, day_to: str | None, operators: list[int] | None) -> int:
    """Judge the local days again from the CRM journals, in time order; prints what changed."""
    from data_access.appdb import open_app_db
    from poller.rejudge import rejudge
    from poller.security import SecurityPipeline

    try:
        first, last = _day(day_from, "--from"), _day(day_to or day_from, "--to")
    except _BadDay as exc:
        print(exc, file=sys.stderr)
        return 2
    if last < first:
        print("error: --to is before --from", file=sys.stderr)
        return 2
    pipeline = SecurityPipeline(settings, open_app_db(settings.url("app_db")))
    problem = pipeline.source.check_available()
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    done = rejudge(pipeline, first, last, time.time(), operators=set(operators) if operators else None)
    print(f"re-judged {first}..{last}: {done.rows} access rows, {done.verdicts} verdicts; hits: {done.added} added, "
          f"{done.updated} updated, {done.removed} removed; {len(done.cases)} case(s) changed")
    return 0


def case_rows(cases: list[dict], hits: list, names: dict[int, str], lang: str) -> list[dict]:
    """One row per case: operator, day, band, score, status, closure (who closed, who confirmed a clearance),
    detectors and the reasons in words (strongest first)."""
    by_case = defaultdict(list)
    for h in hits:
        by_case[(h.operator_id, h.day)].append(h)
    return [{"id": c["id"], "operator_id": c["operator_id"], "operator": names.get(c["operator_id"], ""),
             "day": c["day"], "band": c["band"], "score": c["score"], "status": c["status"],
             "assignee": c["assignee"] or "", "legal_hold": c["legal_hold"], "closure": c["closure"] or "",
             "closed_by": c["closed_by"] or "", "confirmed_by": c["confirmed_by"] or "",
             "confirmed_at": c["confirmed_at"] or "", "detectors": c["detectors"],
             "reasons": case_reasons(by_case[(c["operator_id"], c["day"])], lang)}
            for c in sorted(cases, key=lambda c: (c["day"], c["operator_id"]))]


def list_cases(settings: Settings, since: str, min_band: str | None, fmt: str, lang: str) -> int:
    """Print the cases of ``since`` and later as JSON (a list) or CSV (detectors and reasons joined by ' | ')."""
    from data_access.appdb import open_app_db
    from data_access.case_repo import CaseRepository
    from data_access.operator_names import OperatorNames

    try:
        first = _day(since, "--since")
    except _BadDay as exc:
        print(exc, file=sys.stderr)
        return 2
    engine = open_app_db(settings.url("app_db"))
    repo = CaseRepository(engine)
    cases = repo.list(since_day=first, min_band=min_band, limit=10**7)
    names = {i: n.login for i, n in OperatorNames(engine).all().items()}
    rows = case_rows(cases, repo.hits_between(first, "9999-12-31"), names, lang)
    if fmt == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CASE_FIELDS)
    for r in rows:
        writer.writerow([" | ".join(r[f]) if f in ("detectors", "reasons") else r[f] for f in CASE_FIELDS])
    sys.stdout.write(out.getvalue())
    return 0
