import time as _time
from datetime import datetime, timezone

import pytest
from sqlalchemy import insert

from data_access.engines import make_engine
from data_access.schema import crm, telephony


def utc(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()


class Sources:
    """Writable handles on the two source databases of a test (the poller itself only reads)."""

    def __init__(self, settings):
        self.tel = make_engine(settings.url("telephony"))
        self.crm = make_engine(settings.url("ticketing"))
        telephony.metadata.create_all(self.tel)
        crm.metadata.create_all(self.crm)

    def queue_log(self, *rows):
        """Rows as (iso time, callid, queue, agent, event, data...)."""
        values = []
        for time, callid, queue, agent, event, *data in rows:
            data = list(data) + [""] * (5 - len(data))
            values.append({"time": datetime.fromisoformat(time), "callid": callid, "queuename": queue,
                           "agent": agent, "event": event, **{f"data{i + 1}": d for i, d in enumerate(data)}})
        with self.tel.begin() as conn:
            conn.execute(insert(telephony.queue_log), values)

    def crm_rows(self, table, *rows):
        with self.crm.begin() as conn:
            conn.execute(insert(getattr(crm, table)), list(rows))


@pytest.fixture
def sources(settings):
    return Sources(settings)


@pytest.fixture(scope="module")
def security_day(tmp_path_factory):
    """A simulated day (scale 0.02) of both sources ending yesterday at 16:00 local; (settings, end time)."""
    from domain.clock import day_start
    from settings import load_settings
    from simulator.runner import backfill

    settings = load_settings({}, data_dir=str(tmp_path_factory.mktemp("sec")), sim_scale=0.02)
    # Yesterday 16:00 local, whatever the hour the suite runs at: the judged day and its hour after stay one day.
    now = day_start(_time.time(), settings.tz) - 8 * 3600
    backfill(settings, now - 86400, now, scale=0.02, two_cores=False)
    return settings, now
