"""The example Prometheus rules and the Grafana dashboard in docs/monitoring/ name only metrics /metrics serves."""

from __future__ import annotations

import json
import re

from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import ROOT
from tests.web.test_metrics import _busy
from web.metrics import exposition

DOCS = ROOT / "docs" / "monitoring"
NAME = re.compile(r"\bhotline_[a-z0-9_]+\b")


def _served_names(folder) -> set[str]:
    """Every family and sample name of a scrape of a snapshot with figures (and cases)."""
    from data_access.snapshot_store import InMemorySnapshotStore
    from poller.engine import LiveEngine
    from settings import load_settings

    store = InMemorySnapshotStore()
    LiveEngine(load_settings({}, data_dir=str(folder), tz="UTC"), store).cycle()
    _v, snap = store.latest()
    text = exposition(_busy(snap), {"high": 1}, snap["generated_ts"]).decode()
    names = set()
    for family in text_string_to_metric_families(text):
        names.add(family.name)
        names |= {s.name for s in family.samples}
    return names


def _expressions() -> dict[str, list[str]]:
    rules = (DOCS / "hotline-rules.yml").read_text(encoding="utf-8")
    exprs = re.findall(r"expr:\s*(\|\s*\n\s+.+|.+)", rules)
    grafana = json.loads((DOCS / "grafana-hotline.json").read_text(encoding="utf-8"))
    return {"rules": exprs, "grafana": [t["expr"] for p in grafana["panels"] for t in p["targets"]]}


def test_every_metric_of_the_example_rules_and_dashboard_is_served(tmp_path):
    served = _served_names(tmp_path)
    found = _expressions()
    assert len(found["rules"]) >= 10 and len(found["grafana"]) >= 10
    for where, exprs in found.items():
        named = {n for e in exprs for n in NAME.findall(e)}
        assert named, where
        assert not named - served, f"{where} name metrics /metrics does not serve: {sorted(named - served)}"


def test_the_grafana_dashboard_is_valid_json_with_unique_panel_ids():
    grafana = json.loads((DOCS / "grafana-hotline.json").read_text(encoding="utf-8"))
    ids = [p["id"] for p in grafana["panels"]]
    assert len(ids) == len(set(ids)) and grafana["uid"]
