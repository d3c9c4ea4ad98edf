"""Text helpers shared by the CLI and the GUI."""

import pytest

from digitapp.core import formatting


@pytest.mark.parametrize("seconds,text", [(0, "0:00"), (9.4, "0:09"), (59.6, "1:00"), (125, "2:05"),
                                          (3600, "60:00"), (-3, "0:00")])
def test_format_duration(seconds, text):
    assert formatting.format_duration(seconds) == text


def test_epoch_line_with_validation():
    metrics = {"loss": 0.12345, "accuracy": 0.9612, "val_loss": 0.2, "val_accuracy": 0.95, "seconds": 3.21}
    assert formatting.epoch_line(2, metrics) == (
        "epoch 2: loss 0.1235  acc 0.9612  val_loss 0.2000  val_acc 0.9500  3.2 s")


def test_epoch_line_without_validation_or_timing():
    assert formatting.epoch_line(1, {"loss": 1.0, "accuracy": 0.5}) == "epoch 1: loss 1.0000  acc 0.5000  nan s"


def test_shape_text():
    assert formatting.shape_text((28, 28, 1)) == "28×28×1"
    assert formatting.shape_text((32, 32, 3)) == "32×32×3"


def test_placement_line_says_the_batch_and_rate_in_all_only_when_they_differ():
    one = {"devices": "CPU", "replicas": 1, "batch_size": 256, "learning_rate": 6e-3}
    four = {"devices": "4 × NVIDIA A100-SXM4-40GB", "replicas": 4, "batch_size": 1024, "learning_rate": 0.012}
    assert formatting.placement_line(one) == "training on CPU"
    assert formatting.placement_line(four) == "training on 4 × NVIDIA A100-SXM4-40GB: batch 1024 in all, lr 0.012"
