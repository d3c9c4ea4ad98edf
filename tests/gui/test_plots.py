"""Live training curves: smoothed batch points in fractional epochs, validation points per
epoch, finished runs from a history, continued runs placed after the earlier epochs; empty
axes that make sense, dots at the limits drawn whole, the figure made after the first paint."""

import math

import pytest

from digitapp.gui.plots import EMPTY_TEXT, MARKER_SIZE, SMOOTHING, TrainingPlots


@pytest.fixture
def plots(qtbot):
    widget = TrainingPlots()
    qtbot.addWidget(widget)
    widget.resize(800, 300)
    widget.show()
    qtbot.waitUntil(lambda: widget.is_made() and hasattr(widget.canvas, "renderer"), timeout=5_000)  # drawn once
    return widget


def _batch(epoch, batch, loss, accuracy, batches=4):
    return {"epoch": epoch, "batch": batch, "batches": batches, "loss": loss, "accuracy": accuracy}


def test_the_figure_is_made_after_the_first_paint(qtbot):
    widget = TrainingPlots()
    qtbot.addWidget(widget)
    assert not widget.is_made()  # building the window imports no matplotlib figure
    widget.show()
    qtbot.waitUntil(widget.is_made, timeout=5_000)  # painted, then made on the next pass
    assert widget.toolbar is not None  # zoom and "save as PNG" where they help


def test_empty_axes_show_a_sensible_range_and_say_so(qtbot, plots):
    qtbot.waitUntil(plots.is_made, timeout=5_000)
    low, high = plots.acc_ax.get_xlim()
    assert low == 0 and 1 <= high < 1.1  # epochs 0–1, not −0.04…0.04
    low, high = plots.acc_ax.get_ylim()
    assert low == 0 and 1 <= high < 1.1
    shown = [t.get_text() for ax in (plots.loss_ax, plots.acc_ax) for t in ax.texts if t.get_visible()]
    assert shown.count(EMPTY_TEXT) == 2


def test_a_run_draws_smoothed_batches_and_validation_points(qtbot, plots):
    plots.begin_run(epochs=2, num_classes=10)
    qtbot.waitUntil(lambda: not plots.drawing(), timeout=5_000)  # the axes drawn for the run
    shown = [t.get_text() for ax in (plots.loss_ax, plots.acc_ax) for t in ax.texts if t.get_visible()]
    assert EMPTY_TEXT not in shown  # not in the background the live curves are drawn over
    low, high = plots.loss_ax.get_xlim()
    assert low == 0 and 2 <= high < 2.1  # the whole run's span from the start, a margin for the dots
    plots.add_batch(_batch(1, 2, loss=2.0, accuracy=0.2))
    plots.add_batch(_batch(1, 4, loss=1.0, accuracy=0.6))
    plots.add_epoch(1, {"val_loss": 0.9, "val_accuracy": 0.7})
    plots.end_run()
    xs, ys = plots.lines["loss"].get_data()
    assert list(xs) == [0.5, 1.0]
    assert ys[0] == 2.0 and ys[1] == pytest.approx(SMOOTHING * 2.0 + (1 - SMOOTHING) * 1.0)
    assert [list(v) for v in plots.lines["val_accuracy"].get_data()] == [[1], [0.7]]
    assert not plots.lines["loss"].get_animated()  # saved PNGs include the curves
    assert plots.has_data()
    shown = [t.get_text() for ax in (plots.loss_ax, plots.acc_ax) for t in ax.texts if t.get_visible()]
    assert EMPTY_TEXT not in shown  # no "No training yet" over the curves


def test_a_dot_at_the_last_epoch_is_drawn_whole(qtbot, plots):
    plots.set_history({"loss": [1.0, 0.5], "val_loss": [0.9, 0.6], "accuracy": [0.8, 0.9],
                       "val_accuracy": [0.85, 1.0]})
    plots.end_run()
    _drawn(qtbot, plots)
    radius = MARKER_SIZE / 2 * plots.figure.dpi / 72
    for key in ("val_loss", "val_accuracy"):
        ax = plots.axes_of[key]
        box = ax.get_window_extent()
        for x, y in zip(*plots.lines[key].get_data()):
            px, py = ax.transData.transform((x, y))
            assert box.x0 + radius <= px <= box.x1 - radius and box.y0 + radius <= py <= box.y1 - radius


def _drawn(qtbot, plots):
    qtbot.waitUntil(lambda: not plots.settling(), timeout=5_000)


def test_a_full_draw_is_made_in_steps_over_several_passes(qtbot, plots):
    qtbot.waitUntil(plots.is_made, timeout=5_000)
    plots.begin_run(epochs=3, num_classes=10)
    assert plots.drawing()  # a step per pass of the event loop, not all at once
    _drawn(qtbot, plots)
    assert plots._background is not None  # cached for blitting the curves
    plots.end_run()


def test_the_steps_draw_what_matplotlib_would(qtbot, plots):
    import numpy as np

    plots.set_history({"loss": [1.0, 0.5, 0.3], "val_loss": [0.9, 0.6, 0.5], "accuracy": [0.8, 0.9, 0.93],
                       "val_accuracy": [0.85, 0.9, 0.92]})
    plots.end_run()
    _drawn(qtbot, plots)
    stepped = np.asarray(plots.canvas.buffer_rgba()).copy()
    plots.canvas.draw()
    assert np.array_equal(stepped, np.asarray(plots.canvas.buffer_rgba()))


def test_values_that_are_not_numbers_are_left_out(plots):
    plots.begin_run(epochs=1, num_classes=10)
    plots.add_batch(_batch(1, 1, loss=math.nan, accuracy=0.5))
    plots.add_epoch(1, {"val_loss": math.inf, "val_accuracy": 0.5})
    plots.end_run()
    assert len(plots.lines["loss"].get_xdata()) == 0
    assert list(plots.lines["accuracy"].get_ydata()) == [0.5]
    assert len(plots.lines["val_loss"].get_xdata()) == 0


def test_a_history_shows_one_point_per_epoch_and_a_continued_run_follows_it(plots):
    plots.set_history({"loss": [1.0, 0.5, 0.25], "val_accuracy": [0.8, 0.9, 0.95]})
    plots.end_run()
    assert list(plots.lines["loss"].get_xdata()) == [1, 2, 3]
    assert list(plots.lines["val_accuracy"].get_ydata()) == [0.8, 0.9, 0.95]
    plots.begin_run(epochs=2, num_classes=10, continue_from=3)
    low, high = plots.loss_ax.get_xlim()
    assert low == 0 and 5 <= high < 5.2
    plots.add_epoch(1, {"val_loss": 0.2, "val_accuracy": 0.96})
    plots.end_run()
    assert list(plots.lines["val_accuracy"].get_xdata()) == [1, 2, 3, 4]


def test_a_stopped_epoch_is_placed_where_it_ended(plots):
    plots.begin_run(epochs=2, num_classes=10)
    plots.add_epoch(1, {"val_loss": 0.5, "val_accuracy": 0.8, "epoch_position": 0.6})
    plots.end_run()
    assert list(plots.lines["val_loss"].get_xdata()) == [0.6]


def test_clear_forgets_everything(plots):
    plots.set_history({"loss": [1.0]})
    assert plots.has_data()
    plots.clear()
    assert not plots.has_data()


def test_a_finished_run_is_shown_at_once_and_fitted_a_moment_later(qtbot, plots):
    plots.begin_run(epochs=2, num_classes=10)
    _drawn(qtbot, plots)
    for batch in range(1, 5):
        plots.add_batch(_batch(2, batch, loss=0.1, accuracy=0.97 + batch / 1000))
    plots.add_epoch(2, {"val_loss": 0.1, "val_accuracy": 0.98})
    plots.end_run()
    assert not plots.drawing() and plots.settling()  # nothing drawn in full as the run ends…
    assert plots.acc_ax.get_ylim()[0] == 0
    _drawn(qtbot, plots)
    assert plots.acc_ax.get_ylim()[0] > 0.9  # …then the last epochs' differences are visible
