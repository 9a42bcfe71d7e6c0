"""The ``snapshot`` command: today's state rebuilt from local midnight up to a given time, as the poller sees it."""

from __future__ import annotations

from dataclasses import replace

from data_access.snapshot_store import InMemorySnapshotStore
from poller.engine import LiveEngine
from settings import Settings


def replay_snapshot(settings: Settings, now: float) -> dict:
    """The snapshot the poller would have published at ``now`` (alerts: the conditions holding then)."""
    settings = replace(settings, alert_raise_after_s=0.0)
    engine = LiveEngine(settings, InMemorySnapshotStore(), clock=lambda: now)
    engine.start(now)
    snapshot = engine.cycle(now, until=now)
    for source in (engine.tel_src, engine.crm_src):
        source.dispose()
    return snapshot


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _num(value: float | None, unit: str = "") -> str:
    return "—" if value is None else f"{value:.0f}{unit}"


def format_summary(s: dict) -> str:
    """A plain-text summary of a snapshot for people comparing it with a PBX report."""
    lines = [f"snapshot at {s['generated_at']} (zone {s['tz']}, day from {s['day_start']})", "", "sources:"]
    for name, src in s["sources"].items():
        state = "ok" if src["ok"] else f"NOT OK: {src['error'] or 'stale'}"
        lines.append(f"  {name:10} {state}  rows {src['rows_read']}  bad {sum(src['bad_rows'].values())}")
    lines += ["", f"{'queue':12} {'wait':>4} {'longest':>7} {'offer':>6} {'answ':>6} {'aband':>6} {'short':>5} "
                  f"{'tmout':>5} {'SL':>7} {'ASA':>5} {'AHT':>5} {'abd%':>6}  agents(in/avail/call/wrap/pause)"]
    for name, q in s["queues"].items():
        a = q["agents"]
        lines.append(f"{name:12} {q['waiting']:>4} {_num(q['longest_wait_s'], 's'):>7} {q['offered']:>6} "
                     f"{q['answered']:>6} {q['abandoned']:>6} {q['short_abandoned']:>5} {q['timed_out']:>5} "
                     f"{_pct(q['service_level']):>7} {_num(q['asa_s']):>5} {_num(q['aht_s']):>5} "
                     f"{_pct(q['abandon_rate']):>6}  {a['logged_in']}/{a['available']}/{a['on_call']}/"
                     f"{a['wrap_up']}/{a['paused']}")
    if s["channels"]:
        lines += ["", f"{'channel':12} {'wait':>5} {'oldest':>8} {'created':>7} {'resp':>6} {'SL':>7}"]
        for name, c in s["channels"].items():
            lines.append(f"{name:12} {c['waiting']:>5} {_num(c['oldest_wait_s'], 's'):>8} {c['created']:>7} "
                         f"{c['responded']:>6} {_pct(c['service_level']):>7}")
    down = [x["code"] for x in s["services"] if x["status"] in ("down", "degraded")]
    lines += ["", f"services not up: {', '.join(down) or 'none'}; open incidents: {len(s['incidents'])}",
              f"alerts: {len(s['alerts'])}"]
    lines += [f"  {a['severity']:8} {a['key']}" for a in s["alerts"]]
    return "\n".join(lines)
