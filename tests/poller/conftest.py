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
