"""Zip archives of several export files (CSV tables, an Obsidian folder) as bytes for a download.

Entries carry a fixed date, so the same subgraph zips to the same bytes.
"""

from __future__ import annotations

import io
import zipfile

_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can hold


def zip_bytes(files: dict[str, str | bytes]) -> bytes:
    """A zip of `files` (archive path -> content; text is written as UTF-8), in the given order."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)
    return buf.getvalue()
