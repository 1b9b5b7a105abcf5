"""Plotly's JavaScript, served from the installed ``plotly`` package (no CDN, works offline).

The URL carries Plotly's version (``/assets/plotly-<version>.min.js``), so the answer may be
cached for a year (``immutable``); a new plotly package gives a new URL. The script is kept
gzip-compressed in memory once and sent compressed to browsers that accept gzip.
"""

from __future__ import annotations

import gzip
import hashlib
from functools import lru_cache

from fastapi import APIRouter, Request
from fastapi.responses import Response

from netruimte.errors import NotFound

__all__ = ["PLOTLY_PATH", "plotly_url", "router"]

PLOTLY_PATH = "/assets/plotly-{version}.min.js"

router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=1)
def _plotly_version() -> str:
    from plotly.offline import get_plotlyjs_version

    return str(get_plotlyjs_version())


def plotly_url() -> str:
    """Where the pages load Plotly from."""
    return PLOTLY_PATH.format(version=_plotly_version())


@lru_cache(maxsize=1)
def _plotly_bytes() -> tuple[bytes, bytes, str]:
    from plotly.offline import get_plotlyjs

    raw = str(get_plotlyjs()).encode("utf-8")
    etag = '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'
    return raw, gzip.compress(raw, compresslevel=6, mtime=0), etag


@router.get("/assets/plotly-{version}.min.js", name="plotly_js")
def plotly_js(version: str, request: Request) -> Response:
    """Plotly's bundled JavaScript (cached for a year; gzip when the browser accepts it)."""
    if version != _plotly_version():
        raise NotFound(f"this server has plotly.js {_plotly_version()}, not {version}")
    raw, packed, etag = _plotly_bytes()
    headers = {
        "Cache-Control": "public, max-age=31536000, immutable",
        "ETag": etag,
        "Vary": "Accept-Encoding",
        "X-Content-Type-Options": "nosniff",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    accepts = request.headers.get("accept-encoding", "")
    if "gzip" in [part.split(";")[0].strip() for part in accepts.split(",")]:
        headers["Content-Encoding"] = "gzip"
        return Response(packed, media_type="text/javascript", headers=headers)
    return Response(raw, media_type="text/javascript", headers=headers)
