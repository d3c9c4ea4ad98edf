"""Live loss and accuracy curves (matplotlib's embedding-in-Qt pattern, with blitting).

A full matplotlib draw of this figure costs 100–300 ms of CPU on a slow machine and holds
the GIL, which would starve the training thread and freeze the window. So during a run
the curves are *animated* artists: the axes (background) are drawn in full only when
their limits must change, and otherwise only the lines are
redrawn and blitted, which costs a few milliseconds. The x-axis spans the whole run
from the start and the y-ranges are generous, so a full draw is rarely needed before the
run ends (then the axes are fitted to the data). Only the GUI thread touches the figure.
"""

from __future__ import annotations

import math

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg, NavigationToolbar2QT
from matplotlib.figure import Figure
from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QVBoxLayout, QWidget

# Each blit still costs the GUI thread a few milliseconds that training (which uses every
# core) would otherwise get; a few updates a second look live enough.
BLITS_PER_SECOND = 4
# Exponential smoothing of the per-batch training curve (Keras' running mean is already
# smooth within an epoch; this removes the jump at each epoch start).
SMOOTHING = 0.6


class TrainingPlots(QWidget):
    """Two axes — loss and accuracy — each with a training curve (per batch group, x in
    fractional epochs) and validation points (per epoch)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        # Fixed margins instead of a layout engine: it would double the cost of every full draw.
        self.figure = Figure(figsize=(7, 3))
        self.figure.subplots_adjust(left=0.08, right=0.98, bottom=0.17, top=0.9, wspace=0.22)
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.toolbar = NavigationToolbar2QT(self.canvas, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.canvas)
        self.loss_ax, self.acc_ax = self.figure.subplots(1, 2)
        self.lines = {}
        self.axes_of = {}
        # Log scale: the loss falls by two orders of magnitude and the later epochs matter.
        self.loss_ax.set_yscale("log")
        for ax, metric, title in ((self.loss_ax, "loss", "Loss (log scale)"), (self.acc_ax, "accuracy", "Accuracy")):
            ax.set_title(title)
            ax.set_xlabel("epoch")
            ax.grid(True, alpha=0.3)
            (self.lines[metric],) = ax.plot([], [], color="tab:blue", label="training")
            (self.lines["val_" + metric],) = ax.plot([], [], "o-", color="tab:orange", label="validation")
            self.axes_of[metric] = self.axes_of["val_" + metric] = ax
            ax.legend(loc="upper right" if metric == "loss" else "lower right", fontsize="small")
        self._background = None
        self._live = False
        self._needs_full_draw = True
        self._dirty = False
        self.canvas.mpl_connect("draw_event", self._on_draw)
        self._timer = QTimer(self)
        self._timer.setInterval(1000 // BLITS_PER_SECOND)
        self._timer.timeout.connect(self._refresh)
        self.clear()

    # ------------------------------------------------------------ data

    def clear(self) -> None:
        self._data = {key: ([], []) for key in self.lines}
        self._smoothed = {"loss": None, "accuracy": None}
        self._epoch_offset = 0
        self._request(full=True)

    def begin_run(self, epochs: int, num_classes: int, continue_from: int = 0) -> None:
        """A run of ``epochs`` starts (after ``continue_from`` epochs already plotted).

        The axes are drawn now, before the first batch, with ranges the first batches
        fit in: an untrained classifier's loss is about ln(classes).
        """
        if not continue_from:
            self.clear()
            self.loss_ax.set_ylim(0.01, math.log(max(num_classes, 2)) * 1.5)
            self.acc_ax.set_ylim(0.0, 1.005)
        self._epoch_offset = continue_from
        self._live = True
        for line in self.lines.values():
            line.set_animated(True)
        for ax in (self.loss_ax, self.acc_ax):
            ax.set_xlim(0, continue_from + epochs)
        self._needs_full_draw = False
        self._background = None
        self.canvas.draw_idle()

    def end_run(self) -> None:
        """Back to ordinary artists, so the toolbar's "save as PNG" includes the curves."""
        self._live = False
        for line in self.lines.values():
            line.set_animated(False)
        self._request(full=True)
        self._refresh()  # now, not on the next tick: the finished run is complete at once

    @Slot(dict)
    def add_batch(self, progress: dict) -> None:
        x = self._epoch_offset + progress["epoch"] - 1 + progress["batch"] / progress["batches"]
        for metric in ("loss", "accuracy"):
            value = progress[metric]
            if not math.isfinite(value):
                continue
            previous = self._smoothed[metric]
            smoothed = value if previous is None else SMOOTHING * previous + (1 - SMOOTHING) * value
            self._smoothed[metric] = smoothed
            self._append(metric, x, smoothed)
        self._request()

    @Slot(int, dict)
    def add_epoch(self, epoch: int, metrics: dict) -> None:
        for key in ("val_loss", "val_accuracy"):
            if key in metrics and math.isfinite(metrics[key]):
                self._append(key, self._epoch_offset + epoch, metrics[key])
        self._request()

    def set_history(self, history: dict) -> None:
        """Show a finished run (e.g. from a model's sidecar): one point per epoch."""
        self.clear()
        for key in self.lines:
            values = [v for v in (history.get(key) or []) if isinstance(v, (int, float))]
            self._data[key] = (list(range(1, len(values) + 1)), values)
        self._epoch_offset = len(history.get("loss") or [])
        self._request(full=True)

    def has_data(self) -> bool:
        return any(xs for xs, _ in self._data.values())

    def _append(self, key: str, x: float, y: float) -> None:
        xs, ys = self._data[key]
        xs.append(x)
        ys.append(y)
        low, high = self.axes_of[key].get_ylim()
        if not low <= y <= high:
            self._needs_full_draw = True

    # ------------------------------------------------------------ drawing

    def _request(self, full: bool = False) -> None:
        self._needs_full_draw |= full
        self._dirty = True
        if not self._timer.isActive():
            self._timer.start()

    @Slot()
    def _refresh(self) -> None:
        if not self._dirty:
            self._timer.stop()
            return
        self._dirty = False
        for key, line in self.lines.items():
            line.set_data(*self._data[key])
        if self._needs_full_draw or self._background is None:
            self._needs_full_draw = False
            self._fit_axes()
            self.canvas.draw_idle()  # _on_draw then blits the animated curves
        else:
            self._blit()

    def _fit_axes(self) -> None:
        """Generous y-ranges while live (new points rarely fall outside and force another
        full draw); once finished, the accuracy range skips the first tenth of the run, so
        the last epochs' differences are visible instead of the warm-up from 10%."""
        for metric, ax in (("loss", self.loss_ax), ("accuracy", self.acc_ax)):
            xs = self._data[metric][0] + self._data["val_" + metric][0]
            ys = self._data[metric][1] + self._data["val_" + metric][1]
            if not ys:
                continue
            if metric == "loss":
                positive = [y for y in ys if y > 0] or [1.0]
                ax.set_ylim(min(positive) / 1.5, max(positive) * 1.5)
            else:
                start = 0.0 if self._live else 0.1 * max(xs)
                shown = [y for x, y in zip(xs, ys) if x >= start] or ys
                ax.set_ylim(max(0.0, math.floor((min(shown) - 0.01) * 50) / 50), 1.002)
            if not self._live:
                ax.set_xlim(0, max(xs, default=1))

    def _on_draw(self, _event) -> None:
        if self._live:
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
            # Into the buffer only (as matplotlib's blitting guide does): a full draw runs
            # inside the canvas' paint event, where blitting would repaint recursively.
            self._draw_lines()
        else:
            self._background = None

    def _draw_lines(self) -> None:
        for key, line in self.lines.items():
            self.axes_of[key].draw_artist(line)

    def _blit(self) -> None:
        if self._background is None or not self.canvas.isVisible():
            return  # nothing cached yet, or the window is closing: the next full draw shows all
        self.canvas.restore_region(self._background)
        self._draw_lines()
        for ax in (self.loss_ax, self.acc_ax):  # repaint only the plot areas, not the figure
            self.canvas.blit(ax.bbox)
