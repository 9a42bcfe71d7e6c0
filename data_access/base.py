"""The small base every source adapter shares: results carry their errors as data."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections import Counter
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from data_access.engines import make_engine, sqlite_path

T = TypeVar("T")


@dataclass
class FetchResult(Generic[T]):
    """What one read of a source gave: data or an error, never an exception."""

    ok: bool
    data: T | None = None
    error: str | None = None
    rows: int = 0
    bad: Counter = field(default_factory=Counter)
    newest_ts: float | None = None

    @classmethod
    def failed(cls, error: str) -> "FetchResult[T]":
        return cls(ok=False, error=error)


class SourceAdapter(ABC):
    """A read-only source database. Subclasses read rows and return them as domain objects."""

    name: str = ""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.url, read_only=True)
        return self._engine

    def check_available(self) -> str | None:
        """Why the source cannot be read right now (None if it can): a missing SQLite file is not created."""
        path = sqlite_path(self.url)
        if path is not None and not os.path.exists(path):
            return f"database file {path} does not exist"
        return None

    @abstractmethod
    def test_connection(self) -> str | None:
        """None when the source answers, otherwise the error text."""

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def describe_error(exc: BaseException) -> str:
    """A one-line error text for the UI and log (no stack trace, no bound parameters)."""
    if isinstance(exc, SQLAlchemyError):
        text = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        return f"{type(exc).__name__}: {text}"[:300]
    return f"{type(exc).__name__}: {exc}"[:300]
