"""Russian surnames compared across their gendered forms: Иванов/Иванова, Петровский/Петровская, Толстой/Толстая.

Possessive surnames (-ов, -ев, -ин, -ын) take -а in the feminine; adjectival ones (-ский, -ой, -ый, -ий) change
their ending to -ая/-яя; indeclinable ones (Белых, Шевченко, Ким) are the same for both. The key drops what differs.
"""

from __future__ import annotations

_FEMININE_POSSESSIVE = ("ова", "ева", "ина", "ына")
_ADJECTIVAL = ("ая", "яя", "ий", "ый", "ой")
_MIN_STEM = 3  # Цой, Ли: too short to be an adjective; stripping would make unrelated names collide


def _part_key(part: str) -> str:
    if part.endswith(_FEMININE_POSSESSIVE) and len(part) - 1 >= _MIN_STEM:
        return part[:-1]
    if part.endswith(_ADJECTIVAL) and len(part) - 2 >= _MIN_STEM:
        return part[:-2]
    return part


def surname_key(surname: str | None) -> str:
    """The gender-neutral comparison key of a surname ('' when empty); double surnames keyed part by part."""
    text = (surname or "").strip().casefold().replace("ё", "е")
    parts = [p for p in text.replace("—", "-").replace(" ", "-").split("-") if p]
    return "-".join(_part_key(p) for p in parts)


def same_surname(a: str | None, b: str | None) -> bool:
    """Whether two surnames are the same family name (in either gender form); empty names never match."""
    ka = surname_key(a)
    return bool(ka) and ka == surname_key(b)
