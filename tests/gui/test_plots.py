"""Live training curves: smoothed batch points in fractional epochs, validation points per
epoch, finished runs from a history, and continued runs placed after the earlier epochs."""

import math

import pytest

from digitapp.gui.plots import SMOOTHING, TrainingPlots


@pytest.fixture
def plots(qtbot):
    widget = TrainingPlots()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _batch(epoch, batch, loss, accuracy, batches=4):
    return {"epoch": epoch, "batch": batch, "batches": batches, "loss": loss, "accuracy": accuracy}


def test_a_run_draws_smoothed_batches_and_validation_points(plots):
    plots.begin_run(epochs=2, num_classes=10)
    assert plots.loss_ax.get_xlim() == (0, 2)  # the whole run's span from the start
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
    assert plots.loss_ax.get_xlim() == (0, 5)
    plots.add_epoch(1, {"val_loss": 0.2, "val_accuracy": 0.96})
    plots.end_run()
    assert list(plots.lines["val_accuracy"].get_xdata()) == [1, 2, 3, 4]


def test_clear_forgets_everything(plots):
    plots.set_history({"loss": [1.0]})
    assert plots.has_data()
    plots.clear()
    assert not plots.has_data()
