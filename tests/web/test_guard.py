"""The request guard: Host names answered, bodies cut off at the limit, JSON sentences."""

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from digitapp.web.guard import LOOPBACK_NAMES, RequestGuard, host_name
from tests.helpers import one_sentence


async def _echo_size(request: Request) -> JSONResponse:
    return JSONResponse({"size": len(await request.body())})


def _client(limit=100, hosts=LOOPBACK_NAMES, base_url="http://localhost:8000") -> TestClient:
    app = Starlette(routes=[Route("/", _echo_size, methods=["POST"])])
    app.add_middleware(RequestGuard, max_body_bytes=limit, allowed_hosts=hosts)
    return TestClient(app, base_url=base_url)


@pytest.mark.parametrize(("header", "name"), [
    ("localhost:8000", "localhost"), ("127.0.0.1", "127.0.0.1"), ("[::1]:8000", "::1"), ("[::1]", "::1"),
    ("EXAMPLE.com:80", "example.com"), ("", ""),
])
def test_host_name(header, name):
    assert host_name(header) == name


def test_bodies_up_to_the_limit_pass():
    assert _client().post("/", content=b"x" * 100).json() == {"size": 100}


def test_declared_size_over_the_limit_is_refused_unread():
    response = _client(limit=2 * 1024 * 1024).post("/", content=b"x" * (3 * 1024 * 1024))
    assert response.status_code == 413
    assert response.json() == {"error": "The upload is larger than the 2 MB this service accepts."}


def test_a_chunked_body_is_cut_off_while_read():
    response = _client().post("/", content=(b"x" * 60 for _ in range(3)))
    assert response.status_code == 413 and one_sentence(response.json()["error"])


@pytest.mark.parametrize("base_url", ["http://localhost:8000", "http://127.0.0.1", "http://[::1]:9000"])
def test_loopback_names_are_answered(base_url):
    assert _client(base_url=base_url).post("/", content=b"").status_code == 200


def test_other_hosts_are_refused_unless_any_is_allowed():
    refused = _client(base_url="http://attacker.example").post("/", content=b"")
    assert refused.status_code == 400 and "attacker.example" in refused.json()["error"]
    assert one_sentence(refused.json()["error"])
    assert _client(hosts=("*",), base_url="http://attacker.example").post("/", content=b"").status_code == 200
