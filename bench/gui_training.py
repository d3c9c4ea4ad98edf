"""P1 and P6: training through the GUI (live plots on, offscreen) vs a plain model.fit
script, alternated in one process; and the longest GUI event-loop stall while training.

Usage: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/gui_training.py [--repeats N] [--train N]
Runs are alternated in ABBA order; the median of the per-round ratios is reported.
Writes bench/results/gui_training.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from digitapp.core import datasets, models, training
from digitapp.core.config import TrainConfig
from digitapp.core.tf import keras

RESULTS = Path(__file__).resolve().parent / "results" / "gui_training.json"
HEARTBEAT_MS = 10


def plain_fit(dataset: datasets.Dataset, config: TrainConfig) -> float:
    """What a Keras script does: arrays in, ``model.fit``, no callbacks."""
    keras.utils.set_random_seed(config.seed)
    x_train, y_train, x_val, y_val = datasets.split_validation(
        dataset.x_train, dataset.y_train, config.validation_fraction, config.seed)
    x_train = x_train.astype("float32") / 255
    x_val = x_val.astype("float32") / 255
    model = models.build_model("fast", dataset.input_shape, dataset.num_classes)
    steps = -(-len(x_train) // config.batch_size) * config.epochs
    training.compile_model(model, config, steps)
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=config.batch_size, epochs=config.epochs,
              validation_data=(x_val, y_val), verbose=0)
    return time.perf_counter() - start


def gui_fit(app: QApplication, dataset: datasets.Dataset, config: TrainConfig) -> tuple[float, float]:
    """Train through the real window; returns (fit seconds, longest event-loop gap in ms)."""
    from digitapp.gui.main_window import MainWindow

    settings = QSettings(str(Path(tempfile.mkdtemp()) / "bench.ini"), QSettings.IniFormat)
    window = MainWindow(settings)
    window.show()
    tab = window.training_tab
    tab.add_loaded_dataset("bench", dataset)
    tab.set_backend_ready()
    tab.form.epochs.setValue(config.epochs)
    tab.form.batch_size.setValue(config.batch_size)
    tab.form.learning_rate.setValue(config.learning_rate)

    gaps = []
    clock = QElapsedTimer()
    heartbeat = QTimer()
    heartbeat.setInterval(HEARTBEAT_MS)

    in_training = []

    def beat():
        gap = clock.restart()
        if in_training:  # from the first batch shown to the last epoch's metrics
            gaps.append(gap)

    heartbeat.timeout.connect(beat)
    done = {}
    loop = QEventLoop()
    tab.model_ready.connect(lambda trained: (done.setdefault("trained", trained), loop.quit()))
    tab.training_ended.connect(loop.quit)
    first_batch = lambda _p: in_training or in_training.append(True)  # noqa: E731
    clock.start()
    heartbeat.start()
    tab.start_training()
    tab.worker.batch_done.connect(first_batch)
    tab.worker.epoch_done.connect(lambda epoch, _m: epoch == config.epochs and in_training.clear())
    loop.exec()
    heartbeat.stop()
    window.close()
    app.processEvents()
    trained = done["trained"]
    return trained.result.train_seconds, max(gaps) - HEARTBEAT_MS


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=6)
    parser.add_argument("--train", type=int, default=60000, help="training images used")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    full = datasets.load_dataset("mnist")
    dataset = datasets.Dataset("MNIST", full.x_train[: args.train], full.y_train[: args.train],
                               full.x_test, full.y_test, full.class_names, "digit")
    config = TrainConfig(epochs=1)
    plain, gui, stalls = [], [], []
    plain_fit(dataset, TrainConfig(epochs=1, validation_fraction=0.5))  # warm up TF
    for i in range(args.repeats):
        # ABBA order: this shared machine's speed drifts by ±25% between runs, so neither
        # program may always run first.
        if i % 2 == 0:
            plain.append(plain_fit(dataset, config))
        seconds, stall = gui_fit(app, dataset, config)
        gui.append(seconds)
        stalls.append(stall)
        if i % 2 == 1:
            plain.append(plain_fit(dataset, config))
        print(f"round {i + 1}: plain {plain[-1]:.1f} s, GUI {gui[-1]:.1f} s "
              f"(ratio {gui[-1] / plain[-1]:.3f}), longest stall {stall:.0f} ms", flush=True)
    ratios = [g / p for g, p in zip(gui, plain)]
    result = {
        "train_images": args.train, "epochs": config.epochs, "batch_size": config.batch_size,
        "plain_seconds": plain, "gui_seconds": gui, "ratios": ratios,
        "median_ratio": statistics.median(ratios), "stalls_ms": stalls, "max_stall_ms": max(stalls),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    print(f"median GUI/plain ratio {result['median_ratio']:.3f}; longest stall {result['max_stall_ms']:.0f} ms")


if __name__ == "__main__":
    main()
