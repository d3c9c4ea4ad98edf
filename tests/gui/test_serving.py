"""Serve on this computer: the menu toggle serves the model in use (a real uvicorn server,
real HTTP), follows it when another run is used, falls back to a free port when the usual
one is taken, and stops."""

import json
import socket
import urllib.request

import pytest
from PySide6.QtWidgets import QApplication

from digitapp.core import workflow
from digitapp.gui.serving import Serving
from digitapp.gui.session import OPENED, Session
from digitapp.web import defaults


@pytest.fixture
def served(qtbot, cli_model):
    session = Session()
    serving = Serving(session.jobs, session)
    assert not serving.action.isEnabled()  # nothing to serve yet
    session.add(workflow.open_model(cli_model[0]), OPENED, cli_model[0])
    qtbot.waitUntil(lambda: not session.busy(), timeout=30_000)
    yield session, serving
    serving.action.setChecked(False)
    qtbot.waitUntil(lambda: not serving.busy() and not serving.url(), timeout=30_000)
    assert session.jobs.wait_all(30_000)
    QApplication.processEvents()


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return json.loads(answer.read())


def test_the_toggle_serves_the_model_in_use_and_stops(qtbot, served):
    session, serving = served
    assert serving.action.isEnabled()
    with qtbot.waitSignal(serving.changed, timeout=30_000) as changed:
        serving.action.setChecked(True)
    url = changed.args[0]
    assert url.startswith("http://127.0.0.1:") and url in serving.link.text() and not serving.link.isHidden()
    assert _get(url + "health") == {"status": "ok"}
    assert _get(url + "model")["classes"] == session.current.trained.info.class_names

    with qtbot.waitSignal(serving.changed, timeout=30_000) as stopped:
        serving.action.setChecked(False)
    assert stopped.args[0] == "" and serving.link.isHidden()
    with pytest.raises(OSError):
        _get(url + "health")


def test_the_service_follows_the_run_in_use(qtbot, served, cli_model):
    session, serving = served
    with qtbot.waitSignal(serving.changed, timeout=30_000):
        serving.action.setChecked(True)
    first = session.current.trained
    session.add(workflow.open_model(cli_model[0]), OPENED, cli_model[0])  # another run: now in use
    qtbot.waitUntil(lambda: not serving.busy() and serving._server is not None
                    and serving._server.trained is session.current.trained, timeout=30_000)
    assert session.current.trained is not first and _get(serving.url() + "health") == {"status": "ok"}


def test_a_taken_port_gives_another_free_one(qtbot, served):
    _session, serving = served
    taken = socket.socket()
    taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past connections' TIME_WAIT
    try:
        try:
            taken.bind((defaults.HOST, defaults.PORT))
            taken.listen()
        except OSError:
            pass  # already taken by something else: just as good
        with qtbot.waitSignal(serving.changed, timeout=30_000) as changed:
            serving.action.setChecked(True)
        assert not changed.args[0].endswith(f":{defaults.PORT}/")
        assert _get(changed.args[0] + "health") == {"status": "ok"}
    finally:
        taken.close()


def test_a_server_still_starting_when_the_window_closes_is_stopped(qtbot, served):
    import threading

    _session, serving = served
    serving.action.setChecked(True)
    assert serving.busy()
    serving.stop_now()  # the window closes while the start is under way
    qtbot.waitUntil(lambda: not serving.busy(), timeout=30_000)
    assert serving._server is None and not serving.url()
    assert not [t for t in threading.enumerate() if t.name == "digitapp-serve"]
