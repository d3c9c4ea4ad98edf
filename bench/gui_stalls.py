"""Issue 13: the longest GUI-thread stall from pressing Train to the results on screen.

Usage: xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python bench/gui_stalls.py [--repeats N]
           [--train N] [--diagnose] [--gc-freeze] [--no-runs-curves] [--switch-interval MS]
Each repeat is a fresh process (a user's first Train after launch): the real window, TensorFlow
loaded as the app loads it, bundled MNIST (``--train`` training images, the full test set), the
default model, one epoch. A 10 ms heartbeat ``QTimer`` in the GUI thread runs from a real mouse
click on Train until 3 s after the run ended (its results shown, its curves fitted); every gap
over 10 ms is a stall, tagged with the phase it fell in (click → first batch, training, end →
results). ``--diagnose`` samples the GUI thread's Python stack (and the other threads') whenever
the heartbeat is late, notes long waits for the interpreter lock and garbage collections over
20 ms, and prints where the longest stalls were spent. The other flags try changes outside the
widgets (see ``--help``). Writes bench/results/gui_stalls.json.
"""

from __future__ import annotations

import argparse
import collections
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "gui_stalls.json"
HEARTBEAT_MS = 10
# matplotlib's font list as a user has it after the first start (not rebuilt in the fresh home).
MPL_CACHE = os.environ.get("MPLCONFIGDIR") or str(Path.home() / ".cache" / "matplotlib")
LATE_MS = 30  # the watchdog samples the GUI thread's stack once a beat is this late
AFTER_RUN_MS = 3000  # keep listening this long after the run ended (deferred redraws, the fitted axes)


class Watchdog(threading.Thread):
    """Samples the GUI thread's stack while the heartbeat is late (needs the GIL to do so,
    so it sees Python-level work; long C calls show up as the frame that called them)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.main_id = threading.main_thread().ident
        self.last_beat = time.perf_counter()
        self.samples: list[str] = []  # stacks seen since the last beat
        self.others: list[str] = []  # other threads' stacks seen meanwhile
        self.holds: list[str] = []  # where the threads were after a long wait for the GIL
        self.running = True

    def run(self) -> None:
        while self.running:
            asleep = time.perf_counter()
            time.sleep(0.005)
            held = (time.perf_counter() - asleep) * 1000
            if held > LATE_MS:  # this thread waited that long for the GIL: who had it?
                for ident, other in sys._current_frames().items():
                    if ident != threading.get_ident():
                        name = "GUI thread" if ident == self.main_id else "other thread"
                        self.holds.append(f"GIL unavailable {held:.0f} ms; then {name} at {_where(other, depth=8)}")
            if (time.perf_counter() - self.last_beat) * 1000 > LATE_MS:
                frames = sys._current_frames()
                frame = frames.get(self.main_id)
                if frame is not None:
                    self.samples.append(_where(frame))
                for ident, other in frames.items():  # what the other threads are doing meanwhile
                    if ident not in (self.main_id, threading.get_ident()):
                        self.others.append(_where(other, depth=6))

    def beat(self) -> list[str]:
        """The heartbeat fired: the stacks seen while it was late, most frequent first."""
        self.last_beat = time.perf_counter()
        samples, self.samples = self.samples, []
        others, self.others = self.others, []
        holds, self.holds = self.holds, []
        return ([f"{n * 5} ms in {where}" for where, n in collections.Counter(samples).most_common(3)]
                + [f"other thread, {n} samples: {where}" for where, n in collections.Counter(others).most_common(2)]
                + holds)


def _where(frame, depth: int = 16) -> str:
    stack = traceback.extract_stack(frame)[-depth:]
    return " < ".join(f"{Path(f.filename).name}:{f.lineno}:{f.name}" for f in reversed(stack))


def child(args) -> dict:
    """One launch: press Train once and record every heartbeat gap."""
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    app = QApplication([])  # noqa: F841 - the application must exist (and stay) for the window
    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval / 1000)
    if args.no_runs_curves:  # to tell the Runs tab's redraw from the rest
        from digitapp.gui import runs_panel

        runs_panel.RunsPanel._draw_curves = _no_curves
    from digitapp.core import datasets
    from digitapp.gui.main_window import MainWindow

    full = datasets.load_dataset("mnist")
    dataset = datasets.Dataset("MNIST", full.x_train[: args.train], full.y_train[: args.train],
                               full.x_test, full.y_test, full.class_names, "digit")
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "bench.ini"), QSettings.IniFormat)
    window = MainWindow(settings)
    window.resize(1366, 728)
    window.show()
    tab = window.training_tab
    tab.add_loaded_dataset("bench", dataset)
    window.start_backend()
    loop = QEventLoop()
    poll = QTimer(interval=50)

    def quit_when_ready():
        if tab.train_button.isEnabled():
            loop.quit()

    poll.timeout.connect(quit_when_ready)
    poll.start()
    loop.exec()
    poll.stop()
    tab.form.epochs.setValue(args.epochs)
    if args.gc_freeze:  # what the app would gain from freezing its start-up objects
        gc.freeze()
    QTest.qWait(1500)  # let start-up work (model summary, dataset preview) settle

    watchdog = Watchdog() if args.diagnose else None
    collections_seen: list[tuple[float, float, int]] = []  # (ms since the click, ms, generation)
    gc_started = [0.0]

    def on_gc(phase: str, info: dict) -> None:
        now = time.perf_counter()
        if phase == "start":
            gc_started[0] = now
        elif (now - gc_started[0]) * 1000 > 20:
            collections_seen.append(((gc_started[0] - clicked[0]) * 1000, (now - gc_started[0]) * 1000,
                                     info["generation"]))

    clicked = [time.perf_counter()]
    if args.diagnose:
        gc.callbacks.append(on_gc)
    gaps: list[tuple[float, float, str]] = []  # (ms since click, gap ms, phase)
    stacks: list[tuple[float, list[str]]] = []  # (gap ms, where the GUI thread was)
    phase = ["click → first batch"]
    clock = QElapsedTimer()
    since_click = QElapsedTimer()
    heartbeat = QTimer(interval=HEARTBEAT_MS)

    def beat():
        gap = clock.restart()
        seen = watchdog.beat() if watchdog is not None else []
        if gap > HEARTBEAT_MS:
            gaps.append((since_click.elapsed(), gap - HEARTBEAT_MS, phase[0]))
            if gap - HEARTBEAT_MS > 50:
                stacks.append((gap - HEARTBEAT_MS, seen))

    def on_batch(_p):
        if phase[0] == "click → first batch":
            phase[0] = "training"

    def on_ended():
        phase[0] = "end → results"
        QTimer.singleShot(AFTER_RUN_MS, loop.quit)

    heartbeat.timeout.connect(beat)
    tab.training_ended.connect(on_ended)
    if watchdog is not None:
        watchdog.start()
    clock.start()
    since_click.start()
    heartbeat.start()
    clicked[0] = time.perf_counter()
    QTest.mouseClick(tab.train_button, Qt.LeftButton)
    tab.worker.batch_done.connect(on_batch)
    loop.exec()
    heartbeat.stop()
    if watchdog is not None:
        watchdog.running = False
    window.close()
    worst = max(gaps, key=lambda g: g[1], default=(0, 0, "none"))
    by_phase = collections.defaultdict(float)
    for _, gap, name in gaps:
        by_phase[name] = max(by_phase[name], gap)
    result = {"longest_ms": worst[1], "longest_phase": worst[2], "longest_at_ms": worst[0],
              "longest_by_phase_ms": dict(by_phase),
              "stalls_over_50ms": [(round(t), round(g), p) for t, g, p in gaps if g > 50]}
    if args.diagnose:
        gc.callbacks.remove(on_gc)
        result["gc_pauses"] = [f"garbage collection of generation {gen} for {ms:.0f} ms, {at:.0f} ms after the click"
                               for at, ms, gen in collections_seen]
    if watchdog is not None:
        result["late_stacks"] = [f"stall of {gap:.0f} ms: " + "\n        ".join(seen)
                                 for gap, seen in sorted(stacks, reverse=True)[:6]]
    return result


def _no_curves(self) -> None:
    """Stands in for the Runs tab's curves (``--no-runs-curves``)."""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--train", type=int, default=10000, help="training images used")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--diagnose", action="store_true", help="sample the GUI thread's stack when late")
    parser.add_argument("--switch-interval", type=float, default=0.0, metavar="MS",
                        help="the interpreter's thread switch interval (default: Python's 5 ms)")
    parser.add_argument("--no-runs-curves", action="store_true",
                        help="leave out the Runs tab's curves (to see what the rest costs)")
    parser.add_argument("--gc-freeze", action="store_true",
                        help="gc.freeze() once TensorFlow is loaded (full collections then skip its objects)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print("RESULT " + json.dumps(child(args)), flush=True)
        return
    runs = []
    for i in range(args.repeats):
        command = [sys.executable, __file__, "--child", "--train", str(args.train), "--epochs", str(args.epochs)]
        if args.diagnose:
            command.append("--diagnose")
        if args.no_runs_curves:
            command.append("--no-runs-curves")
        if args.switch_interval:
            command += ["--switch-interval", str(args.switch_interval)]
        if args.gc_freeze:
            command.append("--gc-freeze")
        with tempfile.TemporaryDirectory() as home:
            # A fresh home: no remembered settings, no autosaved runs offered back; and this
            # checkout's package, whatever the virtualenv has installed.
            env = {**os.environ, "HOME": home, "XDG_CONFIG_HOME": home, "XDG_DATA_HOME": home,
                   "DIGITAPP_HOME": home, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3",
                   "MPLCONFIGDIR": MPL_CACHE}
            proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
        line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
        if line is None:
            sys.exit(f"run {i + 1} failed:\n{proc.stderr[-3000:]}")
        run = json.loads(line[len("RESULT "):])
        runs.append(run)
        phases = ", ".join(f"{p} {g:.0f}" for p, g in run["longest_by_phase_ms"].items())
        print(f"run {i + 1}: longest stall {run['longest_ms']:.0f} ms ({run['longest_phase']}, "
              f"{run['longest_at_ms']:.0f} ms after the click); per phase: {phases}", flush=True)
        for where in run.get("late_stacks", []) + run.get("gc_pauses", []):
            print("    ", where)
    longest = [r["longest_ms"] for r in runs]
    result = {"platform": os.environ.get("QT_QPA_PLATFORM", "default"), "train_images": args.train,
              "epochs": args.epochs, "switch_interval_ms": args.switch_interval or 5.0,
              "runs_curves": not args.no_runs_curves, "gc_freeze": args.gc_freeze, "longest_ms": longest,
              "median_longest_ms": statistics.median(longest), "runs": runs}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    print(f"longest stall per run: {', '.join(f'{g:.0f}' for g in longest)} ms → median "
          f"{result['median_longest_ms']:.0f} ms")


if __name__ == "__main__":
    main()
