"""D12 bulk export/print and D13 search burst: many distinct citizens within a few minutes."""

from __future__ import annotations

from domain.detectors.config import DetectorConfig
from domain.detectors.env import Env
from domain.detectors.model import AccessEvent, Hit
from domain.detectors.spread import span_text
from domain.detectors.windows import Burst, Bursts


def _told(burst: Burst, env: Env) -> tuple[list[int], list[int], int, tuple[str, str]]:
    """(access ids, citizen ids, distinct citizens, the real span in words) of a burst as far as seen."""
    items = burst.items
    times = [ts for ts, _, _ in items]
    return ([ref for _, _, ref in items], [cid for _, cid, _ in items], len({cid for _, cid, _ in items}),
            span_text(min(times), max(times), env))


class BulkOutput:
    """D12: >= N distinct citizens exported or printed by one operator within the window."""

    def __init__(self, cfg: DetectorConfig) -> None:
        self.bursts = Bursts(cfg.export_window_s, cfg.export_min_citizens)

    def on_output(self, a: AccessEvent, day: str, env: Env) -> Hit | None:
        """Feed an export/print row with a citizen; a hit when a new burst starts."""
        if not env.cfg.on("D12"):
            return None
        burst = self.bursts.observe(a.operator_id, a.ts, a.citizen_id, a.id)
        if burst is None:
            return None
        ids, citizens, n, (span_ru, span_en) = _told(burst, env)
        return env.hit("D12", a.operator_id, day, a.ts,
                       (f"{n} разных граждан выгружено или распечатано подряд: {span_ru}",
                        f"{n} distinct citizens exported or printed in a row: {span_en}"),
                       access_ids=ids, citizen_ids=citizens, scope=f"a{burst.start[2]}")


class SearchBurst:
    """D13: >= N distinct citizens found by searches within the window while the operator has no live call."""

    def __init__(self, cfg: DetectorConfig) -> None:
        self.bursts = Bursts(cfg.search_window_s, cfg.search_min_citizens)

    def on_search(self, a: AccessEvent, day: str, env: Env) -> Hit | None:
        """Feed a search row with a citizen; a hit when a new burst starts with no phone ticket open in it."""
        if not env.cfg.on("D13"):
            return None
        burst = self.bursts.observe(a.operator_id, a.ts, a.citizen_id, a.id,
                                    gate=lambda window: not _live_call(a.operator_id, window, env))
        if burst is None:
            return None
        ids, citizens, n, (span_ru, span_en) = _told(burst, env)
        return env.hit("D13", a.operator_id, day, a.ts,
                       (f"поиском найдено {n} разных граждан подряд без активного звонка: {span_ru}",
                        f"{n} distinct citizens searched in a row with no active call: {span_en}"),
                       access_ids=ids, citizen_ids=citizens, scope=f"a{burst.start[2]}")


def _live_call(operator_id: int, window: list, env: Env) -> bool:
    """Whether a phone ticket of the operator was open during the window (opened at most call_max_age_s before)."""
    lo, hi = window[0][0], window[-1][0]
    calls = env.ctx.calls_of_operator(operator_id, lo - env.cfg.call_max_age_s, hi)
    return any(t.opened_at <= hi and (t.closed_at is None or t.closed_at >= lo) for t in calls)
