"""Issue 15: launch → the first answer to a drawing, and launch → content drawn.

Usage: .venv/bin/python bench/first_answer.py [--repeats N]   (offscreen)
       xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python bench/first_answer.py --platform xcb
Each repeat is a fresh process started the way `digitapp` starts the window (``gui.app.run``,
a fresh home, no model of the user's), timed from just before the process is spawned. Inside
it, a 10 ms timer waits for the Predict tab to have a model, then draws an MNIST test digit
with real mouse events on its canvas and notes when the answer is shown (and whether
TensorFlow had been imported by then). Writes bench/results/first_answer[_PLATFORM].json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, os, sys, time
START = float(os.environ["BENCH_START"])
from PySide6.QtCore import QTimer
import numpy as np
from digitapp.gui import app as gui_app
from digitapp.gui import main_window
from tests.gui_fixtures import drag, ink_strokes  # the test suite's user-like drawing

found = {}
created = []
original_init = main_window.MainWindow.__init__
def init(self, *a, **k):
    original_init(self, *a, **k)
    created.append(self)
    # Timers need the application, which exists by now.
    timer = QTimer(self, interval=10)
    timer.timeout.connect(poll)
    timer.start()
    QTimer.singleShot(60_000, lambda: (print("RESULT", json.dumps(found), flush=True), os._exit(1)))
main_window.MainWindow.__init__ = init

def poll():
    if not created:
        return
    window = created[0]
    if "content" not in found and window.training_tab is not None:
        found["content"] = time.time() - START
    tab = window.predict_tab
    if tab is None or tab._predictor is None or "drawn" in found:
        return
    found["drawn"] = time.time() - START
    found["tensorflow_imported_when_drawn"] = "tensorflow" in sys.modules
    tab.predicted.connect(answered)
    window.tabs.setCurrentWidget(tab)
    digit = np.load(os.path.join(sys.argv[1], "resources", "mnist.npz"))["x_test"][0]
    for stroke in ink_strokes(digit):
        drag(tab.canvas, stroke)

def answered(prediction):
    if prediction is None or "answer" in found:
        return
    found["answer"] = time.time() - START
    found["label"] = prediction.name
    print("RESULT", json.dumps(found), flush=True)
    QTimer.singleShot(0, lambda: os._exit(0))

sys.exit(gui_app.run(["digitapp"]))
"""


def once(platform: str) -> dict:
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "HOME": home, "XDG_CONFIG_HOME": home, "DIGITAPP_HOME": home,
               "QT_QPA_PLATFORM": platform, "BENCH_START": repr(time.time())}
        out = subprocess.run([sys.executable, "-c", CHILD, str(ROOT)], capture_output=True, text=True,
                             cwd=ROOT, env=env, timeout=120)
    line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"no result: {out.stderr[-2000:]}")
    return json.loads(line.removeprefix("RESULT "))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--platform", default="offscreen", help="Qt platform: offscreen, or xcb under Xvfb")
    args = parser.parse_args()
    runs = [once(args.platform) for _ in range(args.repeats)]
    for run in runs:
        print(f"content {run.get('content', float('nan')):.2f} s, model ready {run.get('drawn', float('nan')):.2f} s, "
              f"answer {run.get('answer', float('nan')):.2f} s ({run.get('label')}), "
              f"TensorFlow imported by then: {run.get('tensorflow_imported_when_drawn')}")
    summary = {key: statistics.median(r[key] for r in runs) for key in ("content", "drawn", "answer")}
    print("medians: " + ", ".join(f"{k} {v:.2f} s" for k, v in summary.items()))
    suffix = "" if args.platform == "offscreen" else f"_{args.platform}"
    (ROOT / "bench" / "results" / f"first_answer{suffix}.json").write_text(
        json.dumps({"platform": args.platform, "runs": runs, "medians": summary}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
