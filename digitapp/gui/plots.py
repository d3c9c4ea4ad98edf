"""Live loss and accuracy curves (matplotlib's embedding-in-Qt pattern, with blitting).

A full matplotlib draw of this figure costs 50–70 ms of CPU here (100–300 ms on a slow
machine) and holds the GIL, which would starve the training thread and freeze the window.
So during a run the curves are *animated* artists: the axes (background) are drawn in full
only when their limits must change, and otherwise only the lines are redrawn and blitted,
which costs a few milliseconds. The x-axis spans the whole run from the start and the
y-ranges are generous, so a full draw is rarely needed before the run ends; a full draw is
made in small steps (see :mod:`~digitapp.gui.figure_host`, which also makes the figure only
after the first paint). Only the GUI thread touches the figure.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QSize, QTimer, Slot
from PySide6.QtWidgets import QWidget

from digitapp.gui.figure_host import FigureHost

# Each blit still costs the GUI thread a few milliseconds that training (which uses every
# core) would otherwise get; a few updates a second look live enough.
BLITS_PER_SECOND = 4
# Exponential smoothing of the per-batch training curve (Keras' running mean is already
# smooth within an epoch; this removes the jump at each epoch start).
SMOOTHING = 0.6
EMPTY_TEXT = "No training yet"
LOSS_FLOOR = 0.001  # the live loss axis starts here: a run rarely goes below, forcing a redraw
EMPTY_LOSS_RANGE = (0.01, 3.0)
MARKER_SIZE = 5  # points: the validation dots
FIT_DELAY_MS = 1500  # after a run, its axes are fitted once saving and testing are over
TRAINING_COLOR, VALIDATION_COLOR = "tab:blue", "tab:orange"
TICKS_MADE_AHEAD = 12  # per axis: more than any range here needs
# Room around the axes, in points: left, right, top, bottom, between the two axes.
MARGINS = (34, 8, 18, 33, 40)


class TrainingPlots(FigureHost):
    """Two axes — loss and accuracy — each with a training curve (per batch group, x in
    fractional epochs) and validation points (per epoch). The figure (with a toolbar for
    zoom and "save as PNG") is made after the first paint, or on first use."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(EMPTY_TEXT, toolbar=True, margins=MARGINS, parent=parent)
        self._data: dict[str, tuple[list, list]] = {}
        self._lines: dict = {}
        self._background = None
        self._live = False
        self._needs_full_draw = True
        self._dirty = False
        self._limits = None  # (x max, loss range or None, accuracy range or None) to apply
        # Child timers, not QTimer.singleShot: they die with the widget.
        self._timer = QTimer(self, interval=1000 // BLITS_PER_SECOND)
        self._timer.timeout.connect(self._refresh)
        self._fit_timer = QTimer(self, singleShot=True, interval=FIT_DELAY_MS)
        self._fit_timer.timeout.connect(self._on_fit_due)
        self.clear()

    def _build_figure(self) -> None:
        from matplotlib.ticker import FuncFormatter, MaxNLocator, NullLocator

        self._loss_ax, self._acc_ax = self.figure.subplots(1, 2)
        self.axes_of = {}
        # Log scale: the loss falls by two orders of magnitude and the later epochs matter.
        # Plain tick labels and no minor ticks: mathtext and minor tick labels were a third
        # of every full draw.
        self._loss_ax.set_yscale("log")
        self._loss_ax.yaxis.set_major_formatter(FuncFormatter(_plain_number))
        self._loss_ax.yaxis.set_minor_locator(NullLocator())
        self._empty_texts = []
        for ax, metric, title in ((self._loss_ax, "loss", "Loss (log scale)"), (self._acc_ax, "accuracy", "Accuracy")):
            # Where the title goes is given (y): matplotlib would measure every tick label to place it.
            ax.set_title(title, fontsize="medium", y=1.0, pad=4)
            ax.set_xlabel("epoch", labelpad=1)
            ax.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
            # Ticks made now, while the window is idle: matplotlib makes a tick (a few ms) the
            # first time an axis needs one more, which was most of the first draw of a run.
            for axis in (ax.xaxis, ax.yaxis):
                axis.get_major_ticks(TICKS_MADE_AHEAD)
            ax.grid(True, alpha=0.3)
            (self._lines[metric],) = ax.plot([], [], color=TRAINING_COLOR)
            (self._lines["val_" + metric],) = ax.plot([], [], "o-", color=VALIDATION_COLOR, markersize=MARKER_SIZE)
            self.axes_of[metric] = self.axes_of["val_" + metric] = ax
            self._empty_texts.append(ax.text(0.5, 0.5, EMPTY_TEXT, transform=ax.transAxes, ha="center",
                                             va="center", color="gray"))
        # A legend of two coloured words, lower left where a falling loss leaves room: a
        # matplotlib legend costs more to draw than all the rest of the axes' text.
        for y, text, color in ((0.15, "— training", TRAINING_COLOR), (0.04, "● validation", VALIDATION_COLOR)):
            self._loss_ax.text(0.03, y, text, color=color, fontsize="small", transform=self._loss_ax.transAxes)
        self.canvas.mpl_connect("draw_event", self._on_draw)
        for line in self._lines.values():
            line.set_animated(self._live)
        # The canvas draws itself in full when it first gets its size: all it needs is here.
        self._show_data()
        self._fit_axes()
        self._dirty = self._needs_full_draw = False

    @property
    def loss_ax(self):
        self.make_figure()
        return self._loss_ax

    @property
    def acc_ax(self):
        self.make_figure()
        return self._acc_ax

    @property
    def lines(self) -> dict:
        """The four curves by history key, with the data they show."""
        self.make_figure()
        for key, line in self._lines.items():
            line.set_data(*self._data[key])
        return self._lines

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(700, 260)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(300, 150)

    # ------------------------------------------------------------ data

    def clear(self) -> None:
        self._data = {key: ([], []) for key in ("loss", "val_loss", "accuracy", "val_accuracy")}
        self._smoothed = {"loss": None, "accuracy": None}
        self._epoch_offset = 0
        self._limits = (1.0, EMPTY_LOSS_RANGE, (0.0, 1.0))
        self._request(full=True)

    def begin_run(self, epochs: int, num_classes: int, continue_from: int = 0) -> None:
        """A run of ``epochs`` starts (after ``continue_from`` epochs already plotted).

        The axes are drawn in steps from the next pass on, long before the first batch, with
        ranges the first batches fit in: an untrained classifier's loss is about ln(classes).
        """
        if not continue_from:
            self.clear()
        self._epoch_offset = continue_from
        self._live = True
        loss_range = (LOSS_FLOOR, math.log(max(num_classes, 2)) * 1.5) if not continue_from else None
        self._limits = (continue_from + epochs, loss_range, (0.0, 1.0) if not continue_from else None)
        self.make_figure()
        for line in self._lines.values():
            line.set_animated(True)
        self._background = None
        self._request(full=True)
        self._redraw(now=False)  # in steps from the next pass: the click itself stays quick

    def end_run(self) -> None:
        """The whole run on screen at once; the axes fitted to it a moment later. Ordinary
        artists again, so the toolbar's "save as PNG" includes the curves.

        Fitting means a full draw, and as a run ends the model is being saved and prepared
        for predictions in other threads, which made even its small steps take 50–150 ms.
        """
        if self.is_made():
            self._show_data()
            self._blit()
            for line in self._lines.values():
                line.set_animated(False)
        self._live = False
        self._limits = None  # fitted to the data
        self._dirty = False
        self._timer.stop()
        self._fit_timer.start()

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
        # Where the epoch really ended: an epoch cut off by Stop ends before a whole one.
        x = self._epoch_offset + metrics.get("epoch_position", epoch)
        for key in ("val_loss", "val_accuracy"):
            if key in metrics and math.isfinite(metrics[key]):
                self._append(key, x, metrics[key])
        self._request()

    def set_history(self, history: dict) -> None:
        """Show a finished run (e.g. from a model's sidecar): one point per epoch."""
        self.clear()
        for key in self._data:
            values = [v for v in (history.get(key) or []) if isinstance(v, (int, float))]
            positions = list(history.get("epoch_position") or [])
            if len(positions) < len(values):  # sidecars from before epoch positions were kept
                positions = list(range(1, len(values) + 1))
            self._data[key] = (positions[: len(values)], values)
        self._epoch_offset = len(history.get("loss") or [])
        self._limits = None if self.has_data() else self._limits
        self._request(full=True)

    def has_data(self) -> bool:
        return any(xs for xs, _ in self._data.values())

    def _append(self, key: str, x: float, y: float) -> None:
        xs, ys = self._data[key]
        xs.append(x)
        ys.append(y)
        if self.is_made():
            low, high = self.axes_of[key].get_ylim()
            if not low <= y <= high:
                self._needs_full_draw = True

    # ------------------------------------------------------------ drawing

    def _request(self, full: bool = False) -> None:
        if self._fit_timer.isActive():  # a finished run's fit was due: it comes with this draw
            self._fit_timer.stop()
            full = True
        self._needs_full_draw |= full
        self._dirty = True
        if not self._timer.isActive():
            self._timer.start()

    def settling(self) -> bool:
        """A finished run's axes are still to be fitted, or being drawn."""
        return self._fit_timer.isActive() or self.drawing()

    @Slot()
    def _on_fit_due(self) -> None:
        self._request(full=True)
        self._redraw(now=False)

    @Slot()
    def _refresh(self) -> None:
        self._redraw(now=False)

    def _redraw(self, now: bool) -> None:
        """Show the data: blit the curves, or start a full draw in steps (the first ``now``, or
        all on the next passes)."""
        if not self._dirty or not self.is_made():  # not made yet: it shows everything once made
            self._timer.stop()
            return
        self._dirty = False
        self._show_data()
        if self._needs_full_draw or (self._live and self._background is None):
            self._needs_full_draw = False
            self._fit_axes()
            self.draw_in_steps(now)
        elif self._live:
            self._blit()

    def _show_data(self) -> None:
        for key, line in self._lines.items():
            line.set_data(*self._data[key])
        for text in self._empty_texts:  # a run under way has data coming: never "no training"
            text.set_visible(not self.has_data() and not self._live)

    def _steps_drawn(self) -> None:
        """While live, cache the new background and draw the curves over it."""
        if self._live:
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
            self._draw_lines()
        else:
            self._background = None

    def _fit_axes(self) -> None:
        """Limits for the run being drawn, or fitted to the data: the accuracy range then skips
        the first tenth of the run, so the last epochs' differences are visible instead of the
        warm-up from 10%. A margin keeps dots at the limits whole."""
        if self._limits is not None:
            x_max, loss_range, acc_range = self._limits
            self._set_x(x_max)
            if loss_range is not None:
                self.loss_ax.set_ylim(*loss_range)
            if acc_range is not None:
                self.acc_ax.set_ylim(acc_range[0], acc_range[1] + self._pad(self.acc_ax, acc_range, "y"))
            return
        xs = [x for key in self._data for x in self._data[key][0]]
        self._set_x(max(xs, default=1.0))
        for metric, ax in (("loss", self.loss_ax), ("accuracy", self.acc_ax)):
            points = list(zip(*self._data[metric])) + list(zip(*self._data["val_" + metric]))
            if not points:
                continue
            if metric == "loss":
                positive = [y for _, y in points if y > 0] or [1.0]
                ax.set_ylim(min(positive) / 1.5, max(positive) * 1.5)
            else:
                start = 0.1 * max(x for x, _ in points)
                shown = [y for x, y in points if x >= start] or [y for _, y in points]
                low, high = max(0.0, math.floor((min(shown) - 0.01) * 50) / 50), min(max(shown) + 0.01, 1.0)
                ax.set_ylim(low, high + self._pad(ax, (low, high), "y"))

    def _set_x(self, x_max: float) -> None:
        for ax in (self.loss_ax, self.acc_ax):
            ax.set_xlim(0, x_max + self._pad(ax, (0, x_max), "x"))

    def _pad(self, ax, span: tuple[float, float], axis: str) -> float:
        """Data units that leave room for half a validation dot (and its edge) at a limit."""
        box = ax.get_window_extent()
        pixels = box.width if axis == "x" else box.height
        radius = MARKER_SIZE / 2 * self.figure.dpi / 72 + 1
        share = min(radius / max(pixels, 1.0), 0.2)
        return (span[1] - span[0]) * share / (1 - share)

    def _on_draw(self, _event) -> None:
        """A full draw by matplotlib itself (a resize, the toolbar's zoom)."""
        if self._live:
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
            # Into the buffer only (as matplotlib's blitting guide does): a full draw runs
            # inside the canvas' paint event, where blitting would repaint recursively.
            self._draw_lines()
        else:
            self._background = None

    def _draw_lines(self) -> None:
        for key, line in self._lines.items():
            self.axes_of[key].draw_artist(line)

    def _blit(self) -> None:
        if self._background is None or not self.canvas.isVisible():
            return  # nothing cached yet, or the window is closing: the next full draw shows all
        self.canvas.restore_region(self._background)
        self._draw_lines()
        for ax in (self.loss_ax, self.acc_ax):  # repaint only the plot areas, not the figure
            self.canvas.blit(ax.bbox)


def _plain_number(value: float, _position) -> str:
    """A log axis' tick as people write it: 0.01, 0.1, 1, 10."""
    return f"{value:g}"
