"""Run the service on uvicorn: bound by us (so a busy port is one sentence, and port 0
gives a free port we know before starting), in the foreground for ``digitapp serve`` or in
a daemon thread for the GUI (:class:`BackgroundServer`).
"""

from __future__ import annotations

import ipaddress
import os
import socket
import threading
import time

import uvicorn

from digitapp.core.errors import DigitAppError
from digitapp.web import defaults
from digitapp.web.app import create_app
from digitapp.web.guard import ANY_HOST, LOOPBACK_NAMES

# Open connections get this long to finish their answers when the service stops.
GRACEFUL_SECONDS = 3
STARTUP_TIMEOUT = 15
BACKLOG = 2048


def is_loopback(host: str) -> bool:
    """True when only this computer can reach ``host``."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str, token: str | None) -> str | None:
    """One line to show when the service can be reached from other computers, or None."""
    if is_loopback(host):
        return None
    advice = "" if token else "; add --token to require a password"
    return f"serving on {host}: anyone who can reach this computer on the network can use the model{advice}."


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    if ":" in host:
        host = f"[{host}]"
    return f"http://{'127.0.0.1' if host == '0.0.0.0' else '[::1]' if host == '[::]' else host}:{port}/"


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (0: any free port).

    Raises:
        DigitAppError: the address is unknown, taken, or not this computer's.
    """
    name = host.strip("[]")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM,
                                                             proto=socket.IPPROTO_TCP)[0]
    except socket.gaierror:
        raise DigitAppError(f"cannot serve on {host}: no such address.") from None
    # The protocol must be IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on such sockets,
    # and without it every keep-alive answer waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, kind, proto)
    try:
        if os.name != "nt":  # on Windows this would let a second server take the same port
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        reason = exc.strerror or type(exc).__name__
        raise DigitAppError(f"cannot serve on {host}:{port} ({reason}).") from None
    return sock


def uvicorn_server(trained, host: str, *, token=None, max_upload_mb=defaults.MAX_UPLOAD_MB, cors=None):
    """A uvicorn server for ``trained``, answering only loopback Host names unless ``host``
    is reachable from elsewhere. Logging is left to the caller (no handlers installed)."""
    hosts = LOOPBACK_NAMES if is_loopback(host) else (ANY_HOST,)
    app = create_app(trained, token=token, max_upload_mb=max_upload_mb, cors=cors, allowed_hosts=hosts)
    config = uvicorn.Config(app, log_config=None, log_level="warning", access_log=False, lifespan="off",
                            timeout_graceful_shutdown=GRACEFUL_SECONDS)
    return uvicorn.Server(config)


class BackgroundServer:
    """The service for one model on uvicorn in a daemon thread; no Qt.

    ``start()`` returns once connections are accepted (``url`` tells where); ``stop()``
    returns once the server has stopped and its thread has ended. Usable as a context manager.

    Args:
        trained: a ``workflow.TrainedModel``.
        host, port: where to listen; port 0 picks a free port.
        token, max_upload_mb, cors: see :func:`digitapp.web.app.create_app`.
    """

    def __init__(self, trained, host: str = defaults.HOST, port: int = 0, *, token: str | None = None,
                 max_upload_mb: float = defaults.MAX_UPLOAD_MB, cors: list[str] | None = None):
        self.trained = trained
        self.host, self.port = host, port
        self._options = {"token": token, "max_upload_mb": max_upload_mb, "cors": cors}
        self._server: uvicorn.Server | None = None
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.url: str | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> str:
        """Start serving; returns the URL.

        Raises:
            DigitAppError: the address cannot be used, or the server did not come up.
        """
        if self.running:
            return self.url
        self._socket = bind(self.host, self.port)
        self._server = uvicorn_server(self.trained, self.host, **self._options)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]},
                                        name="digitapp-serve", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise DigitAppError("the web service did not start.")
            time.sleep(0.01)
        self.url = url_of(self._socket)
        return self.url

    def stop(self, timeout: float = GRACEFUL_SECONDS + 5) -> None:
        """Stop serving and wait for the thread to end (open connections get a moment)."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive() and self._server is not None:
                self._server.force_exit = True
                self._thread.join(timeout)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None
        self.url = None

    def __enter__(self) -> BackgroundServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
