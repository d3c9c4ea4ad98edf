"""``digitapp --self-test``: prove that this installation (a frozen build above all) works.

Opens the real window offscreen, loads TensorFlow, trains on bundled MNIST and stops after
a few batches, classifies a bundled image on the Predict tab, saves the model to a temporary
folder and opens it again, exports it to ONNX and LiteRT and proves both, checks the bundled
default model's ONNX copy against its Keras file, opens a classic script's ``cnn_model.h5``
(Keras 2) and asks the web service for one prediction (a frozen build missing a runtime library or a module loaded by
name fails here, not on a user's machine). Exit code 0 when every step
passed; otherwise 1 and the failed step's reason (on stdout when there is one, and in the log file).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from digitapp import __version__
from digitapp.core import applog
from digitapp.core.resources import resource_path

STEP_TIMEOUT_S = 300
BATCHES = 5
# resources/sample-digit.png is MNIST's test image 0, a 7 (resources/README.md).
SAMPLE_LABEL = "7"
# A classic "MNIST CNN in Keras" script's model.save("cnn_model.h5"), made by Keras 2 (resources/README.md).
CLASSIC_H5 = "cnn_model.h5"


class SelfTestError(Exception):
    pass


def run() -> int:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before Qt starts: no window on screen
    applog.setup()
    started = time.perf_counter()
    _say(f"DigitApp {__version__} self-test ({'frozen' if getattr(sys, 'frozen', False) else 'source'}, "
         f"Python {sys.version.split()[0]}, {sys.platform})")
    from digitapp.version import verbose_version_text

    _say(verbose_version_text(__version__))  # what this build is made of, in the workflow's log too
    with tempfile.TemporaryDirectory(prefix="digitapp-selftest-") as tmp:
        try:
            _steps(Path(tmp))
        except SelfTestError as exc:
            _say(f"FAILED: {exc}")
            applog.log.error("self-test failed: %s", exc)
            return 1
        except Exception as exc:  # any crash is a failure with its reason, not a traceback
            applog.log_exception(type(exc), exc, exc.__traceback__)
            _say(f"FAILED: {type(exc).__name__}: {exc}")
            return 1
    _say(f"self-test passed in {time.perf_counter() - started:.1f} s")
    return 0


def _steps(tmp: Path) -> None:
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setOrganizationName("DigitApp")
    QCoreApplication.setApplicationName("DigitApp")
    app = QApplication.instance() or QApplication([sys.argv[0]])

    with _step("window opens"):
        from digitapp.gui.main_window import MainWindow

        window = MainWindow(QSettings(str(tmp / "settings.ini"), QSettings.IniFormat))
        window.show()
        app.processEvents()
        _require(window.isVisible(), "the main window is not visible")

    try:
        with _step("TensorFlow loads and bundled MNIST opens"):
            failures = []
            window.backend_failed.connect(failures.append)
            window.start_backend()
            tab = window.training_tab
            # The dataset started loading with the window: its failure may be in already.
            _wait(app, lambda: tab.backend_ready and tab.current_dataset() is not None, "TensorFlow and MNIST",
                  error=lambda: failures[0] if failures else tab.dataset_error())
            _require(tab.current_dataset().x_train.shape[1:] == (28, 28, 1), "MNIST has an unexpected shape")

        with _step("the not-a-digit drawings for MNIST are bundled (the default run draws none)"):
            from digitapp.core import rejection

            bundled = sorted(p.name for p in resource_path(rejection.BUNDLED_FOLDER).glob("*.npz"))
            _require(len(bundled) == 3 and all(n.startswith(f"v{rejection.CACHE_VERSION}-") for n in bundled),
                     f"resources/{rejection.BUNDLED_FOLDER} holds {bundled}, not this version's three drawing sets")

        with _step(f"training runs and stops after {BATCHES} batches"):
            ready = []
            tab.model_ready.connect(ready.append)
            tab.form.epochs.setValue(1)
            tab.train_button.click()
            _wait(app, lambda: tab.batches_done() >= BATCHES, "training batches")
            tab.stop_training()
            _wait(app, lambda: bool(ready), "the stopped model's evaluation")
            trained = ready[0]
            _require(trained.evaluation is not None and 0.0 <= trained.evaluation.accuracy <= 1.0,
                     "the stopped model has no test accuracy")

        with _step("a bundled image is classified on the Predict tab"):
            sample = resource_path("sample-digit.png")
            predict = window.predict_tab
            classified = []
            predict.files_classified.connect(lambda: classified.append(True))
            predict.classify_paths([str(sample)])
            _wait(app, lambda: bool(classified), "the Predict tab")
            prediction = trained.predictor.predict(sample)
            _require(abs(float(prediction.probabilities.sum()) - 1.0) < 1e-3, "probabilities do not sum to 1")
            table = predict.file_table.table
            _require(table.rowCount() == 1 and table.item(0, 2).text() != "error",
                     "the Predict tab could not classify the bundled image")

        with _step("the model is saved and opened again"):
            from digitapp.core import workflow

            path = tmp / "self-test.keras"
            window.save_model_to(str(path))
            _wait(app, lambda: path.exists() and not window.session.busy(), "the save")
            reopened = workflow.open_model(path)
            again = reopened.predictor.predict(sample)
            _require(abs(float(again.probabilities[prediction.label]) - prediction.confidence) < 1e-4,
                     "the reopened model answers differently")

        with _step("the model is exported to ONNX and LiteRT and proven in their runtimes"):
            for fmt, name in (("onnx", "self-test.onnx"), ("litert", "self-test.tflite")):
                proof = workflow.export_model(reopened, fmt, tmp / name, tab.current_dataset(), images=200)
                _require(proof.passed, proof.failure() or f"the {fmt} export was not proven")

        with _step("the bundled default model: its ONNX copy answers as its Keras file"):
            from digitapp.core import default_model

            quick = default_model.open_quick()
            _require(quick.predictor.predict(sample).name == workflow.open_model(default_model.keras_path())
                     .predictor.predict(sample).name, "the bundled model's two copies disagree")

        with _step(f"a classic script's {CLASSIC_H5} (Keras 2) opens and reads the sample digit"):
            classic = workflow.open_model(resource_path(CLASSIC_H5)).predictor.predict(sample)
            _require(classic.name == SAMPLE_LABEL, f"it answered {classic.name!r}, not {SAMPLE_LABEL!r}")

        with _step("the web service answers a prediction"):
            _serve_one(reopened, sample, prediction.name)

    finally:
        _shut_down(app, window)


def _serve_one(trained, image: Path, expected: str) -> None:
    """Start the web service on a free port, POST one image, stop it."""
    import json
    import urllib.request
    import uuid

    from digitapp.web.server import BackgroundServer

    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{image.name}\"\r\n"
            f"Content-Type: image/png\r\n\r\n").encode() + image.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    with BackgroundServer(trained) as server:
        request = urllib.request.Request(server.url + "predict", data=body, method="POST",
                                         headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            rows = json.loads(answer.read())
    _require(len(rows) == 1 and rows[0].get("label") == expected,
             f"the web service answered {rows!r}, not {expected!r}")


def _shut_down(app, window) -> None:
    """Close the window whatever happened: stop training, let every worker thread end (a
    QThread destroyed while running aborts the process), then close."""
    with _step("the window closes cleanly"):
        tab = window.training_tab
        if tab is not None and tab.is_training():
            tab.stop_training()
            _wait(app, lambda: not tab.is_training(), "training to stop", timeout_s=120)
        _wait(app, lambda: not window.session.busy(), "the autosave", timeout_s=120)
        # The self-test's runs are not the user's: none is offered back at the next start.
        for run in list(window.session.runs):
            window.session.remove(run)
        window.close()
        app.processEvents()
        _require(not window.isVisible(), "the window did not close")


class _step:  # noqa: N801 - used as a statement: ``with _step("name"):``
    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        self.started = time.perf_counter()

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            _say(f"ok    {self.name} ({time.perf_counter() - self.started:.1f} s)")
        elif issubclass(exc_type, SelfTestError):
            raise SelfTestError(f"{self.name}: {exc}") from None
        return False


def _wait(app, condition, what: str, timeout_s: float = STEP_TIMEOUT_S, error=None) -> None:
    """Process events until ``condition()``; fail on an ``error()`` message or the timeout."""
    deadline = time.perf_counter() + timeout_s
    while not condition():
        if error is not None and error():
            raise SelfTestError(error())
        if time.perf_counter() > deadline:
            raise SelfTestError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        app.processEvents()
        time.sleep(0.01)


def _require(condition: bool, reason: str) -> None:
    if not condition:
        raise SelfTestError(reason)


def _say(line: str) -> None:
    applog.log.info(line)
    print(line, flush=True)
