"""The one read of a citizen's personal data in clear: for a security officer, with a reason, audited by the caller."""

from __future__ import annotations

from sqlalchemy import select

from data_access.base import FetchResult, describe_error
from data_access.engines import make_engine
from data_access.schema import crm


def reveal_citizen(crm_url: str, citizen_id: int) -> FetchResult[dict]:
    """The citizen's identity from the CRM (read-only), or an error value."""
    engine = make_engine(crm_url, read_only=True)
    c = crm.citizens
    try:
        with engine.connect() as conn:
            row = conn.execute(select(c.c.id, c.c.surname, c.c.given_name, c.c.patronymic, c.c.birth_date,
                                      c.c.phone, c.c.address, c.c.is_employee).where(c.c.id == citizen_id)).first()
    except Exception as exc:  # noqa: BLE001 - errors are data
        return FetchResult.failed(describe_error(exc))
    finally:
        engine.dispose()
    if row is None:
        return FetchResult.failed("no such citizen")
    data = dict(row._mapping)
    data["birth_date"] = data["birth_date"].isoformat() if data["birth_date"] else None
    return FetchResult(ok=True, data=data, rows=1)
