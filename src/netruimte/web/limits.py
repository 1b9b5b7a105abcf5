"""A limit on the size of every request body, enforced while the body streams in.

A ``Content-Length`` over the limit is refused at once with 413, before a byte is read; a body
without one (chunked) is counted as it arrives and cut off with 413 as soon as it passes the
limit, so no handler, multipart parser or temporary file ever sees more than the limit. Upload
routes (multipart forms) get the upload limit; every other body (JSON, forms) a small one.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["MAX_BODY_BYTES", "BodyLimit"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY_BYTES = 1024 * 1024
"""Largest body of a request that is not an upload (JSON bodies, sign-in forms): 1 MB."""


class BodyLimit:
    """ASGI middleware: 413 for bodies over ``upload_bytes`` (multipart) or ``body_bytes``."""

    def __init__(self, app: ASGIApp, upload_bytes: int, body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.upload_bytes = upload_bytes
        self.body_bytes = body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        limit = self.upload_bytes if kind == b"multipart/form-data" else self.body_bytes
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                await _refuse(send, 400, "bad-request", "Content-Length is not a number")
                return
            if length > limit:
                await _refuse(send, 413, "too-large", _message(limit))
                return
        seen = 0
        over = started = False

        async def counted() -> Message:
            nonlocal seen, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:  # the app sees a client that went away; the client gets 413
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if over:  # whatever the app answers to the cut-off body, the answer is 413
                if message["type"] == "http.response.start" and not started:
                    started = True
                    await _refuse(send, 413, "too-large", _message(limit))
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except Exception:
            if not over:
                raise
            if not started:
                await _refuse(send, 413, "too-large", _message(limit))


def _message(limit: int) -> str:
    return f"the request body is larger than {limit // (1024 * 1024)} MB"


async def _refuse(send: Send, status: int, kind: str, message: str) -> None:
    body = json.dumps(
        {"error": kind, "message": message, "field": None, "source": None, "line": None}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
