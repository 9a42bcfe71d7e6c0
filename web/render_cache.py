"""Rendered page parts per snapshot version: fifty screens showing one version cost one render."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Hashable


class RenderCache:
    """A small thread-safe LRU of rendered outputs keyed by (page, version, language, ...)."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def versioned(self, page: str, known: list | None, lang: str, current: tuple[int, dict | None],
                  render: Callable[[dict | None], object]) -> tuple[object, list]:
        """The page body for the ``current`` (version, snapshot) and the key the browser keeps; a browser that
        already shows this version in this language gets nothing (PreventUpdate)."""
        from dash.exceptions import PreventUpdate

        version, snap = current
        if known == [version, lang]:
            raise PreventUpdate
        return self.get((page, version, lang), lambda: plain(render(snap))), [version, lang]

    def get(self, key: Hashable, render: Callable[[], object]) -> object:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
        value = render()
        with self._lock:
            self.misses += 1
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


def plain(tree: object) -> object:
    """A component tree as plain JSON types: serialising it again (per viewer) is then a C-speed dump."""
    import orjson
    from dash._utils import to_json

    return orjson.loads(to_json(tree))
