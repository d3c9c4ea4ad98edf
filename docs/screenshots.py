"""Take the README's screenshots of the real window (run under Xvfb).

Usage: xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python docs/screenshots.py
Trains the default model on bundled MNIST and saves docs/training-during.png (during the
second epoch), docs/training-after.png, docs/training-confusion.png,
docs/predict-drawing.png (a test digit traced on the Predict tab, with the Why map) and
docs/predict-folder.png (a folder of scans and phone photos from bench/handwriting.py) and
docs/runs.png (the Runs tab: where the run was trained, its curves).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

DOCS = Path(__file__).resolve().parent


def main() -> int:
    app = QApplication(sys.argv)
    from digitapp.gui.main_window import MainWindow

    settings = QSettings(str(Path(tempfile.mkdtemp()) / "shots.ini"), QSettings.IniFormat)
    window = MainWindow(settings)
    window.resize(1360, 860)
    window.show()
    window.start_backend()
    tab = window.training_tab

    def shoot(name: str) -> None:
        window.grab().save(str(DOCS / name))
        print("saved", DOCS / name, flush=True)

    def start_when_ready() -> None:
        if tab.train_button.isEnabled():
            tab.train_button.click()
        else:
            QTimer.singleShot(200, start_when_ready)

    def on_epoch(epoch: int, _metrics) -> None:
        if epoch == 1:
            QTimer.singleShot(8000, lambda: shoot("training-during.png"))

    def on_ready(_trained) -> None:
        QTimer.singleShot(1000, lambda: shoot("training-after.png"))
        QTimer.singleShot(1500, lambda: tab.results.tabs.setCurrentIndex(1))
        QTimer.singleShot(2000, lambda: tab.results.confusion.cell_clicked.emit(4, 9))
        QTimer.singleShot(3000, lambda: shoot("training-confusion.png"))
        QTimer.singleShot(3500, draw_a_digit)
        QTimer.singleShot(5500, lambda: shoot("predict-drawing.png"))
        QTimer.singleShot(6000, open_a_folder)

    def open_a_folder() -> None:
        """Scans and phone photos of handwriting (bench/handwriting.py), one corrupt file."""
        sys.path.insert(0, str(DOCS.parent / "bench"))
        from handwriting import make_set

        folder = Path(tempfile.mkdtemp()) / "handwriting"
        make_set(folder, per_kind=2, seed=7)
        (folder / "broken.png").write_bytes(b"not really a png")
        window.predict_tab.canvas.clear()
        window.predict_tab.splitter.setSizes([430, 370])
        window.predict_tab.files_classified.connect(on_classified)
        window.predict_tab.classify_paths([folder])

    def on_classified() -> None:
        window.predict_tab.file_table.table.selectRow(4)
        QTimer.singleShot(1500, lambda: shoot("predict-folder.png"))
        QTimer.singleShot(1700, lambda: window.tabs.setCurrentWidget(window.runs_panel))
        QTimer.singleShot(3500, lambda: (shoot("runs.png"), window.close()))

    def draw_a_digit() -> None:
        """Trace a real MNIST test digit (a 2) as mouse strokes on the Predict tab."""
        from digitapp.core.datasets import load_dataset
        from digitapp.gui.drawing import CANVAS_PIXELS

        window.tabs.setCurrentWidget(window.predict_tab)
        digit = load_dataset("mnist").x_test[1, ..., 0]
        scale = CANVAS_PIXELS / 28
        window.predict_tab.canvas.brush = 22
        for row in range(28):
            cols = [c for c in range(28) if digit[row, c] > 128]
            if cols:
                y = (row + 0.5) * scale
                window.predict_tab.canvas.add_stroke([((cols[0] + 0.5) * scale, y), ((cols[-1] + 0.5) * scale, y)])

    tab.plots.add_epoch = _chain(tab.plots.add_epoch, on_epoch)
    tab.model_ready.connect(on_ready)
    QTimer.singleShot(500, start_when_ready)
    return app.exec()


def _chain(first, second):
    def both(*args):
        first(*args)
        second(*args)

    return both


if __name__ == "__main__":
    sys.exit(main())
