"""Scores the access-anomaly detectors against the simulator's injected anomalies (its ground-truth file).

    python bench/detectors.py [--scale 1.0] [--warmup-days 23] [--days 7] [--anomaly-period N] [--dir DIR]

The simulator back-fills warm-up days (the baselines need history; D19 needs 21 days) plus the scored week, with
two sets of injections: the anomalies the detectors were tuned on (simulator/anomalies.py, codes Dxx) and the
adversarial insider who knows the thresholds (simulator/adversary.py, codes X..). The production security
pipeline (CRM-backed context, app database, cases, cumulative risk) then reads the journals in time order, as
the poller does live. Printed per set: recall per scenario (a labelled operator-day has a case at band medium or
above; also whether the scenario's own detector fired, for the tuned set); precision per detector over its hits
in cases at band medium and above (true: on a day an injection acted on, finished or not; for R07/R30, a day of
their window); cases at medium and above per 1,000 operator-days, all of them and those with no true hit (false
alarms). ``--anomaly-period N`` injects every scenario every N days (small scales otherwise see one or two of
each a week); ``--score-only FOLDER`` scores a finished run's app database again.
Targets: recall >= 0.9 for every scenario of both sets, precision >= 0.8, at most 15 medium+ per 1,000.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.poll_cycle import END, ensure_history, settings_for  # noqa: E402
from data_access.appdb import open_app_db  # noqa: E402
from domain.bands import bands_from  # noqa: E402
from domain.cases import REVIEWED_FROM  # noqa: E402
from domain.clock import day_add, local_day  # noqa: E402
from domain.detectors.risk import WINDOWS  # noqa: E402
from poller.security import SecurityPipeline  # noqa: E402
from settings import load_settings  # noqa: E402
from simulator.runner import config  # noqa: E402

CHUNK = 20000
RISK_DAYS = {w.detector: w.days for w in WINDOWS}
MEDIUM_UP = bands_from(REVIEWED_FROM)


def replay(pipeline: SecurityPipeline) -> int:
    """Feed both journals through the pipeline in time order, in chunks, as live polling would."""
    src, seen, after_a, fed = pipeline.source, 0, 0, 0
    pipeline.cursors = {"access": 0, "signin": 0}
    pipeline._refresh(END)
    signins = src.signins(after_id=0, limit=10**7)      # far fewer than the access rows: read once
    started = time.perf_counter()
    while True:
        accesses = src.accesses(after_id=after_a, limit=CHUNK)
        if not accesses:
            break
        horizon, first = accesses[-1].ts, fed
        while fed < len(signins) and signins[fed].ts <= horizon:
            fed += 1
        pipeline._run(accesses, signins[first:fed], horizon + 1)
        after_a = accesses[-1].id
        seen += len(accesses)
        if seen % 200000 < CHUNK:
            rate = seen / (time.perf_counter() - started)
            print(f"  {seen} access rows, at {local_day(horizon, pipeline.s.tz)} ({rate:.0f} rows/s)", flush=True)
    pipeline._run([], signins[fed:], END + 3600)
    # Saved as a live poller saves them: bench/poller_memory.py restarts a poller on this app database.
    pipeline.cursors = {"access": after_a, "signin": max([0] + [s.id for s in signins])}
    pipeline.saved_cursors.save(pipeline.cursors)
    return seen


def score(pipeline: SecurityPipeline, truth: list[dict], scored_from: str) -> dict:
    tz = pipeline.s.tz
    cases = [c for c in pipeline.cases.list(limit=10**6) if c["day"] >= scored_from]
    flagged = {(c["operator_id"], c["day"]): c for c in cases if c["band"] in MEDIUM_UP}
    # An injection whose last step falls after the history's end never completed: it is not a label for recall.
    labels = [t for t in truth if t["day"] >= scored_from and _ends_in_history(t)]
    # But every day an injection acted on, finished or not, is an injected operator-day: a case there is no
    # false alarm (a 'low and slow' insider still at it when the history ends was caught, not invented).
    injected = {(t["operator_id"], d) for t in truth for d in _days(t, tz)}
    recall: dict[str, Counter] = defaultdict(Counter)
    for t in labels:
        case = next((flagged[(t["operator_id"], d)] for d in _days(t, tz) if (t["operator_id"], d) in flagged),
                    None)
        recall[t["scenario"]]["labels"] += 1
        recall[t["scenario"]]["case"] += case is not None
        recall[t["scenario"]]["own_detector"] += case is not None and t["scenario"] in case["detectors"]
    precision: dict[str, Counter] = defaultdict(Counter)
    false = 0
    for (op, day), case in flagged.items():
        hits = {d: _true_hit(d, op, day, injected) for d in case["detectors"]}
        for detector, true in hits.items():
            precision[detector]["hits"] += 1
            precision[detector]["true"] += true
        false += not any(hits.values())
    return {"recall": recall, "precision": precision, "flagged": len(flagged), "cases": len(cases),
            "false": false, "unfinished": sum(t["day"] >= scored_from and not _ends_in_history(t) for t in truth),
            "injected": sum(day >= scored_from for _op, day in injected)}


def _true_hit(detector: str, op: int, day: str, injected: set) -> bool:
    """A hit on an injected operator-day is true; a cumulative one (R07, R30) also when a day of its window was
    injected (its evidence is those days' hits)."""
    window = RISK_DAYS.get(detector, 1)
    return any((op, day_add(day, -k)) in injected for k in range(window))


def _ends_in_history(label: dict) -> bool:
    from app import parse_time

    return not label.get("end") or parse_time(label["end"]) <= END


def _days(label: dict, tz: str) -> list[str]:
    """Every local day from the injection's first step to its last one (within the history), and its own day."""
    from app import parse_time

    first = local_day(parse_time(label["start"]), tz) if label.get("start") else label["day"]
    last = local_day(min(parse_time(label["end"]), END), tz) if label.get("end") else label["day"]
    days, day = [], min(first, label["day"])
    while day <= max(last, min(label["day"], local_day(END, tz))):
        days.append(day)
        day = day_add(day, 1)
    return days


def operator_days(pipeline: SecurityPipeline, scored_from: str) -> int:
    from sqlalchemy import func, select

    from data_access.schema.appdb import operator_days as D

    with pipeline.app_engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(D).where(D.c.day >= scored_from)).scalar()


def report(result: dict, op_days: int) -> None:
    for title, adversarial in (("tuned set (simulator/anomalies.py)", False),
                               ("adversarial set (simulator/adversary.py)", True)):
        print(f"\n{title}\n{'scenario':10} {'labels':>6} {'case>=medium':>12} {'recall':>7} {'own detector':>13}")
        for scenario, c in sorted(result["recall"].items()):
            if scenario.startswith("X") is adversarial:
                own = "" if adversarial else f"{c['own_detector'] / c['labels']:.2f}"
                print(f"{scenario:10} {c['labels']:>6} {c['case']:>12} {c['case'] / c['labels']:>7.2f} {own:>13}")
    print(f"\n{'detector':10} {'hits>=medium':>12} {'true':>6} {'precision':>9}")
    for detector, c in sorted(result["precision"].items()):
        print(f"{detector:10} {c['hits']:>12} {c['true']:>6} {c['true'] / c['hits']:>9.2f}")
    per_k = 1000 * result["flagged"] / op_days if op_days else 0
    if result["unfinished"]:
        print(f"\n{result['unfinished']} injection(s) end after the history and are not scored")
    false_k = 1000 * result["false"] / op_days if op_days else 0
    print(f"\ncases at medium and above: {result['flagged']} of {result['cases']} cases; {op_days} operator-days "
          f"worked; {per_k:.1f} alerts per 1,000 operator-days; {result['false']} on operator-days without an "
          f"injection ({false_k:.1f} per 1,000)")
    print(f"(the bench itself injected into {result['injected']} of those operator-days, "
          f"{1000 * result['injected'] / max(op_days, 1):.1f} per 1,000)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--warmup-days", type=float, default=23)
    parser.add_argument("--days", type=float, default=7)
    parser.add_argument("--anomaly-period", type=int, help="every scenario every N days (default: by the scale)")
    parser.add_argument("--dir", default="/tmp/hotline-bench")
    parser.add_argument("--score-only", metavar="FOLDER",
                        help="score the app database a run left in FOLDER again, without replaying")
    args = parser.parse_args()
    if args.score_only:
        settings = load_settings({}, data_dir=args.score_only, sim_scale=args.scale)
        return _score_and_report(SecurityPipeline(settings, open_app_db(settings.url("app_db"))), args.days)
    period = f"-every{args.anomaly_period}" if args.anomaly_period else ""
    folder = Path(args.dir) / f"detectors-scale{args.scale}-days{args.warmup_days + args.days:g}{period}-adv"
    cfg = replace(config(settings_for(folder, args.scale), args.scale), adversary=True,
                  anomaly_period_days=args.anomaly_period)
    history = ensure_history(folder, args.warmup_days + args.days, args.scale, two_cores=True, cfg=cfg)
    print(f"history: {history['rows'].get('pd_access_log')} access rows, back-filled in {history['backfill_s']} s")
    settings = load_settings({}, data_dir=str(folder), sim_scale=args.scale)
    for stale in folder.glob("app.db*"):   # each run scores from an empty app database
        stale.unlink()
    pipeline = SecurityPipeline(settings, open_app_db(settings.url("app_db")))
    t0 = time.perf_counter()
    rows = replay(pipeline)
    print(f"replayed {rows} access rows in {time.perf_counter() - t0:.0f} s; "
          f"engine stats {dict(pipeline.engine.stats)}")
    return _score_and_report(pipeline, args.days)


def _score_and_report(pipeline: SecurityPipeline, days: float) -> int:
    truth = [json.loads(line) for line in open(pipeline.s.ground_truth_path, encoding="utf-8")]
    scored_from = local_day(END - days * 86400 + 1, pipeline.s.tz)
    print(f"scored days: from {scored_from}")
    report(score(pipeline, truth, scored_from), operator_days(pipeline, scored_from))
    return 0


if __name__ == "__main__":
    sys.exit(main())
