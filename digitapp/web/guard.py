"""What every request passes before the application sees it: the Host it is addressed to,
and the size of its body.

A service on 127.0.0.1 is still reachable from any web page the user opens, through DNS
rebinding (a page's own host name re-pointed at 127.0.0.1); answering only requests
addressed to a loopback name closes that door. The body limit refuses an oversized
upload by its Content-Length before reading it, and stops reading one that lies or is
sent in chunks as soon as it passes the limit: memory and disk never hold more.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Host names that only ever mean this computer.
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
ANY_HOST = "*"
MEGABYTE = 1024 * 1024


class BodyTooLargeError(Exception):
    """Raised while the body is read past the limit."""


class RequestGuard:
    """ASGI middleware: refuse other hosts (400) and bodies over ``max_body_bytes`` (413),
    each with ``{"error": sentence}``.

    Args:
        allowed_hosts: host names to answer (without port); ``"*"`` answers any.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int, allowed_hosts=LOOPBACK_NAMES):
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.allowed_hosts = {h.lower().strip("[]") for h in allowed_hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = host_name(headers.get("host", ""))
        if ANY_HOST not in self.allowed_hosts and host not in self.allowed_hosts:
            shown = host or "none"
            await _send_error(send, 400, f"This service only answers requests addressed to this computer "
                                         f"(localhost), not to {shown!r}.")
            return
        too_large = f"The upload is larger than the {_megabytes(self.max_body_bytes)} this service accepts."
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await _send_error(send, 413, too_large)
            return

        received = 0
        exceeded = started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    exceeded = True
                    raise BodyTooLargeError
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:  # whatever the application made of the cut-off body ("cannot parse"), say why
                if not started:
                    started = True
                    await _send_error(send, 413, too_large)
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except BodyTooLargeError:
            if not started:
                await _send_error(send, 413, too_large)


def host_name(host_header: str) -> str:
    """``example.com:8000`` → ``example.com``; ``[::1]:8000`` → ``::1``; lower case."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _megabytes(size: int) -> str:
    return f"{size / MEGABYTE:g} MB"


async def _send_error(send: Send, status: int, sentence: str) -> None:
    body = json.dumps({"error": sentence}).encode("utf-8")
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode("ascii")),
        (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
