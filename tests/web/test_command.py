"""``digitapp serve``: its options, its one-sentence errors, and a real server process that
answers and stops on Ctrl+C with exit code 130."""

import argparse
import json
import os
import signal
import subprocess
import sys
import urllib.request

import pytest

from digitapp.core.errors import DigitAppError
from digitapp.web import defaults
from digitapp.web.command import add_serve_parser, cmd_serve
from tests.helpers import ROOT

STARTUP_SECONDS = 120


def _parse(*argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="digitapp")
    add_serve_parser(parser.add_subparsers(dest="command"), "trust it")
    return parser.parse_args(["serve", *argv])


def test_defaults_are_safe():
    args = _parse("m.keras")
    assert (args.host, args.port, args.token, args.cors) == (defaults.HOST, defaults.PORT, None, None)
    assert args.host == "127.0.0.1" and args.max_upload_mb == 10


def test_options():
    args = _parse("m.keras", "--host", "0.0.0.0", "--port", "0", "--token", "t", "--max-upload-mb", "2.5",
                  "--cors", "http://a.test", "--cors", "http://b.test")
    assert (args.host, args.port, args.token, args.max_upload_mb) == ("0.0.0.0", 0, "t", 2.5)
    assert args.cors == ["http://a.test", "http://b.test"]


@pytest.mark.parametrize(("argv", "words"), [
    (("--port", "70000"), "--port"),
    (("--max-upload-mb", "0"), "--max-upload-mb"),
])
def test_bad_settings_fail_before_loading_anything(argv, words):
    with pytest.raises(DigitAppError, match=words):
        cmd_serve(_parse("missing.keras", *argv))


def test_serve_answers_and_stops_on_ctrl_c(cli_model):
    model = cli_model[0]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "digitapp", "serve", str(model), "--port", "0"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()  # "serving MODEL at http://127.0.0.1:PORT/ …", once it listens
        assert line.startswith("serving "), (line, proc.poll())
        url = line.split(" at ", 1)[1].split()[0]
        with urllib.request.urlopen(url + "health", timeout=10) as answer:
            assert json.load(answer) == {"status": "ok"}
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=STARTUP_SECONDS) == 130
        stderr = proc.stderr.read()
        assert "Traceback" not in stderr and "warning" not in stderr and "error" not in stderr, stderr
        assert "stopped serving." in stderr
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
