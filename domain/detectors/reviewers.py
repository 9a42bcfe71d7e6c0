"""D20: reviewers' own access to personal data outside the cases they were given (research 5.1: AU-9(4)).

A security officer may reveal a citizen, or read and export the access journal of an operator or a citizen, for a
case assigned to them. The same act outside every case of theirs is a finding for the data protection officer
(the administrator's audit page), worth ``POINTS``: revealing a citizen no case of theirs lists, filtering the
journal by an operator or a citizen none of their cases concerns, exporting the journal with neither filter,
reading it with a filter the audit trail could not keep whole. One finding per reviewer, day, act and subject;
reading more blocks of the same selection adds nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Callable, Iterable

POINTS = 50
REVEAL, VIEW, ROWS, EXPORT = "reveal", "access_log_view", "access_log_rows", "export"
WATCHED_ACTIONS = (REVEAL, VIEW, ROWS, EXPORT)


@dataclass(frozen=True)
class ReviewerAct:
    """One audited act of a reviewer on personal data (from the dashboard's audit trail)."""

    entry_id: int
    ts: float
    day: str
    actor: str
    action: str
    operator_id: int | None = None
    citizen_id: int | None = None
    rows: int = 0
    unreadable: bool = False    # its audited filter could not be read (cut or malformed): a finding by itself


@dataclass(frozen=True)
class Cover:
    """What a reviewer's assigned cases concern: their operators and the citizens of their evidence."""

    operators: frozenset[int] = frozenset()
    citizens: frozenset[int] = frozenset()


@dataclass(frozen=True)
class ReviewerFinding:
    """A D20 finding: the first act of its kind, its count on the day, and the reason in both languages."""

    act: ReviewerAct
    acts: int
    points: int
    reason_ru: str
    reason_en: str
    kind: str = ""       # reveal | journal
    subject: str = ""    # citizen:ID | operator:ID | all | unreadable

    def reason(self, lang: str = "ru") -> str:
        return self.reason_en if lang == "en" else self.reason_ru


def findings(acts: Iterable[ReviewerAct], cover_of: Callable[[str], Cover]) -> list[ReviewerFinding]:
    """The D20 findings among ``acts`` (in time order), newest first."""
    first: dict[tuple, ReviewerAct] = {}
    counts: dict[tuple, int] = {}
    covers: dict[str, Cover] = {}
    for act in acts:
        cover = covers.get(act.actor)
        if cover is None:
            cover = covers[act.actor] = cover_of(act.actor)
        subject = _outside(act, cover)
        if subject is None:
            continue
        key = (act.actor, act.day, "reveal" if act.action == REVEAL else "journal", subject)
        first.setdefault(key, act)
        counts[key] = counts.get(key, 0) + 1
    out = [replace(_finding(first[k], k[3], counts[k]), kind=k[2], subject=k[3]) for k in first]
    return sorted(out, key=lambda f: -f.act.ts)


def finding_key(f: ReviewerFinding) -> str:
    """A finding's stable key without personal data: a digest of (reviewer, day, kind of act, subject)."""
    return hashlib.sha256(repr((f.act.actor, f.act.day, f.kind, f.subject)).encode()).hexdigest()[:16]


def _outside(act: ReviewerAct, cover: Cover) -> str | None:
    """The subject of an act no case of the reviewer covers ('citizen:ID', 'operator:ID', 'all', 'unreadable'),
    else None."""
    if act.unreadable:
        return "unreadable"
    if act.citizen_id is not None and act.citizen_id not in cover.citizens:
        return f"citizen:{act.citizen_id}"
    if act.action == REVEAL:
        return None
    if act.operator_id is not None and act.operator_id not in cover.operators:
        return f"operator:{act.operator_id}"
    if act.action == EXPORT and act.operator_id is None and act.citizen_id is None:
        return "all"
    return None


def _finding(act: ReviewerAct, subject: str, n: int) -> ReviewerFinding:
    kind, _, ident = subject.partition(":")
    times_ru, times_en = (f" (за день: {n})", f" ({n} times that day)") if n > 1 else ("", "")
    if act.action == REVEAL:
        ru, en = f"раскрыт гражданин №{ident}", f"revealed citizen #{ident}"
    elif kind == "unreadable":
        ru, en = "прочитан журнал доступа с фильтром, который не удалось разобрать", \
            "read the access journal with a filter that could not be read"
    elif kind == "all":
        ru, en = f"выгружен журнал без фильтра по оператору или гражданину: {act.rows} строк", \
            f"exported the journal with no operator or citizen filter: {act.rows} rows"
    else:
        who_ru = f"гражданина №{ident}" if kind == "citizen" else f"оператора #{ident}"
        who_en = f"citizen #{ident}" if kind == "citizen" else f"operator #{ident}"
        verb_ru, verb_en = ("выгружен", "exported") if act.action == EXPORT else ("просмотрен", "read")
        ru, en = f"{verb_ru} журнал доступа {who_ru}", f"{verb_en} the access journal of {who_en}"
    if kind != "unreadable":
        ru, en = f"{ru}, а ни один назначенный проверяющему случай его не касается", \
            f"{en}, and no case assigned to the reviewer concerns it"
    return ReviewerFinding(act, n, POINTS, ru + times_ru, en + times_en)
