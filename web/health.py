"""What a load balancer or a person checking the service may know: are the parts up, is the data fresh.

Nothing private: no user, no figure, no error text beyond the name of the part that is down.
"""

from __future__ import annotations

import time

from sqlalchemy import text

from web.context import WebContext


def app_db_ok(context: WebContext) -> bool:
    try:
        with context.app_db.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - down is the answer, whatever the driver says
        return False
    return True


def health_report(context: WebContext) -> dict:
    """{"ok", "app_db", "snapshot_store", "snapshot_age_s", "stale"}: ok only when every part is up."""
    _version, snap = context.reader.get()
    store_ok = context.reader.problem is None
    age = round(time.time() - snap["generated_ts"], 1) if snap and snap.get("generated_ts") else None
    stale = age is None or age > context.settings.stale_after_s
    db_ok = app_db_ok(context)
    return {"ok": db_ok and store_ok, "app_db": "ok" if db_ok else "down",
            "snapshot_store": "ok" if store_ok else "down", "snapshot_age_s": age, "stale": stale}


def ready_report(context: WebContext) -> dict:
    """{"ready", "reasons", "snapshot_age_s"} for a load balancer: ready when the snapshot is fresh and both the
    snapshot store and the app database answer; otherwise the reasons, by name only."""
    report = health_report(context)
    reasons = [name for name, failed in (("app_db_down", report["app_db"] != "ok"),
                                         ("snapshot_store_down", report["snapshot_store"] != "ok"),
                                         ("no_snapshot", report["snapshot_age_s"] is None),
                                         ("snapshot_stale", report["snapshot_age_s"] is not None and report["stale"]))
               if failed]
    return {"ready": not reasons, "reasons": reasons, "snapshot_age_s": report["snapshot_age_s"]}
