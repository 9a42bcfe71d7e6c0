"""A build id that changes when the deployed code changes, so open screens reload themselves."""

from __future__ import annotations

import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("app.py", "settings.py", "web", "pages", "components", "assets", "domain")


def build_id() -> str:
    """A short hash of the code and assets (computed once, when the app is created)."""
    digest = hashlib.sha1()
    for part in PARTS:
        path = ROOT / part
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()
                                                     and "__pycache__" not in p.parts)
        for file in files:
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:12]
