"""P4: drawing stroke event → probabilities on screen, p50/p95 (offscreen, in-process).

Usage: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/draw_latency.py [--moves N] [--runtime keras|onnx]
Sends real mouse-move events to the Predict tab's canvas and times each until the tab
has shown the new prediction (answer, bars and 28×28 view updated). Latency does not
depend on the weights, so an untrained `fast` model is used (``--runtime onnx``: the bundled
default model's ONNX copy in onnxruntime, as the Predict tab uses it before TensorFlow has
loaded). Writes bench/results/draw_latency[_onnx].json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import time
from pathlib import Path
from types import SimpleNamespace

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

RESULTS = Path(__file__).resolve().parent / "results" / "draw_latency.json"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--moves", type=int, default=400)
    parser.add_argument("--runtime", choices=("keras", "onnx"), default="keras")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    from digitapp.core import models
    from digitapp.core.config import DIGIT_NAMES
    from digitapp.core.prediction import Predictor
    from digitapp.gui.predict_tab import PredictTab

    if args.runtime == "onnx":
        from digitapp.core import default_model

        trained = default_model.open_quick()
    else:
        model = models.build_model("fast", (28, 28, 1), 10)
        trained = SimpleNamespace(predictor=Predictor(model, (28, 28, 1), DIGIT_NAMES, "digit"),
                                  info=SimpleNamespace(class_names=DIGIT_NAMES))
    tab = PredictTab()
    tab.resize(900, 600)
    tab.show()
    tab.set_model(trained)
    canvas = tab.canvas
    done = []
    tab.predicted.connect(lambda _p: done.append(time.perf_counter()))

    def send(kind, x, y, buttons):
        pos = QPoint(int(x), int(y))
        QApplication.sendEvent(canvas, QMouseEvent(kind, pos, canvas.mapToGlobal(pos), Qt.LeftButton,
                                                   buttons, Qt.NoModifier))

    latencies = []
    side = min(canvas.width(), canvas.height())
    cx, cy, radius = canvas.width() / 2, canvas.height() / 2, side * 0.3
    for _ in range(args.moves // 40):
        canvas.clear()
        app.processEvents()
        send(QMouseEvent.MouseButtonPress, cx + radius, cy, Qt.LeftButton)
        app.processEvents()
        for step in range(40):  # a circle, like drawing a 0
            angle = 2 * math.pi * (step + 1) / 40
            done.clear()
            start = time.perf_counter()
            send(QMouseEvent.MouseMove, cx + radius * math.cos(angle), cy + radius * math.sin(angle), Qt.LeftButton)
            while not done:
                app.processEvents()
            app.processEvents()  # let the bars and the 28×28 view repaint
            latencies.append((time.perf_counter() - start) * 1000)
        send(QMouseEvent.MouseButtonRelease, cx + radius, cy, Qt.NoButton)
    warm = latencies[40:]  # the first stroke includes tracing the tf.function
    result = {"moves": len(warm), "p50_ms": statistics.median(warm),
              "p95_ms": statistics.quantiles(warm, n=20)[18], "max_ms": max(warm)}
    results = RESULTS if args.runtime == "keras" else RESULTS.with_name("draw_latency_onnx.json")
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(result, indent=2))
    print(f"{result['moves']} moves: p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, "
          f"max {result['max_ms']:.1f} ms")


if __name__ == "__main__":
    main()
