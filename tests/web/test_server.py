"""The service on a real uvicorn server in a background thread, as the GUI runs it."""

import json
import socket
import threading
import urllib.error
import urllib.request

import pytest

from digitapp.core.errors import DigitAppError
from digitapp.web.server import BackgroundServer, bind, exposure_warning, is_loopback, url_of
from tests.helpers import one_sentence


def _serving_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "digitapp-serve"]


def test_background_server_answers_and_stops(served):
    server = BackgroundServer(served, port=0)
    url = server.start()
    try:
        assert url.startswith("http://127.0.0.1:") and not url.endswith(":0/") and server.running
        with urllib.request.urlopen(url + "health", timeout=10) as answer:
            assert json.load(answer) == {"status": "ok"}
        with urllib.request.urlopen(url + "model", timeout=10) as answer:
            assert json.load(answer)["classes"] == served.info.class_names
    finally:
        server.stop()
    assert not server.running and server.url is None and _serving_threads() == []
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "health", timeout=2)


def test_it_can_start_again_after_stopping(served):
    with BackgroundServer(served) as server:
        first = server.url
    with BackgroundServer(served) as server, urllib.request.urlopen(server.url + "health", timeout=10) as answer:
        assert answer.status == 200
    assert first and _serving_threads() == []


def test_a_taken_port_is_one_sentence(served):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(DigitAppError) as caught:
            BackgroundServer(served, port=port).start()
    assert one_sentence(str(caught.value)) and str(port) in str(caught.value)
    assert _serving_threads() == []


def test_an_unknown_host_is_one_sentence():
    with pytest.raises(DigitAppError, match="no such address") as caught:
        bind("no-such-host.invalid", 0)
    assert one_sentence(str(caught.value))


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True), ("127.0.0.2", True),
    ("0.0.0.0", False), ("192.168.1.5", False), ("::", False), ("example.com", False),
])
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_exposure_warning():
    assert exposure_warning("127.0.0.1", None) is None
    warning = exposure_warning("0.0.0.0", None)
    assert "--token" in warning and "\n" not in warning
    assert "--token" not in exposure_warning("0.0.0.0", "secret")


def test_url_of_a_wildcard_address_is_one_a_browser_can_open():
    with socket.create_server(("0.0.0.0", 0)) as sock:
        assert url_of(sock) == f"http://127.0.0.1:{sock.getsockname()[1]}/"


def test_the_listening_socket_is_tcp_so_answers_are_not_delayed():
    """asyncio turns Nagle's algorithm off only on sockets whose protocol is IPPROTO_TCP; with
    protocol 0 each keep-alive answer waited ~40 ms for the client's delayed ACK (measured)."""
    with bind("127.0.0.1", 0) as sock:
        assert sock.proto == socket.IPPROTO_TCP
