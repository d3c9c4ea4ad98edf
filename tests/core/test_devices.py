"""Where training runs: one device under TensorFlow's default strategy, several through
MirroredStrategy. No GPU here, so the mirrored path is tested on the CPU split into two logical
devices — which must happen before TensorFlow sets its devices up, hence a fresh process."""

import itertools
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from digitapp.core import devices
from digitapp.core.config import TrainConfig
from digitapp.core.errors import ConfigError
from digitapp.core.tf import keras, tf

REPO = Path(__file__).resolve().parents[2]
SEEDS = (0, 1, 2)
# Half the single-device run's batch per device, and its rate over √2, so that both paths take
# the same steps with the same rate: their accuracies then differ by noise only.
BATCH, RATE = 32, 3e-3
# Runs of one path differ from seed to seed by 2 points on these 200 test images (seen: 92.0–94.0%
# on one device, 92.5–94.0% on two); a mirrored path that took half the steps scored ~20%.
NOISE = 0.05
SCALED_RATE = TrainConfig().learning_rate * math.sqrt(2)  # Adam's rate on two devices
NO_GPU = pytest.mark.skipif(bool(tf.config.list_physical_devices("GPU")), reason="assumes a computer without GPUs")
STOP_AT = 3  # Stop is asked for before the fourth batch


@NO_GPU
def test_without_gpus_it_trains_on_the_cpu_alone():
    placement = devices.place()
    assert placement.devices == ("/device:CPU:0",) and placement.description == "CPU"
    assert placement.replicas == 1 and not placement.mirrored
    assert devices.place(1).description == "CPU"


def test_a_model_built_outside_any_scope_trains_on_the_default_device(trained):
    model, result = trained
    assert devices.of_model(model).description == devices.here().description == result.placed["devices"]
    assert result.placed["replicas"] == 1 and result.placed["batch_size"] == 32  # conftest's batch, unscaled


@NO_GPU
@pytest.mark.parametrize("count", [2, 0])
def test_asking_for_devices_it_does_not_have_is_one_sentence(count):
    sentence = rf"^This computer has 1 device to train on \(CPU\), so it cannot train on {count}\.$"
    with pytest.raises(ConfigError, match=sentence):
        devices.place(count)


def test_descriptions_group_identical_devices():
    assert devices.describe(["/device:CPU:0", "/device:CPU:1"]) == "2 × CPU"
    assert devices.describe(["/device:CPU:0"]) == "CPU"


class ReplicaCounter(keras.layers.Layer):
    """Counts the training images each replica sees: a sync-on-read variable keeps one count per
    device (Keras' ``add_weight`` cannot make one, so it is TensorFlow's own)."""

    def build(self, input_shape):
        self.seen = tf.Variable(0.0, trainable=False, synchronization=tf.VariableSynchronization.ON_READ,
                                aggregation=tf.VariableAggregation.SUM)

    def call(self, x, training=False):
        if training:
            self.seen.assign_add(tf.cast(tf.shape(x)[0], tf.float32))
        return x


def two_devices_child() -> None:
    """Run in a fresh process (argv: a folder to write to, conftest's small MNIST as .npz): split
    the CPU in two, train both ways, print what happened as JSON."""
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from digitapp.core import datasets, models, rejection, training, workflow
    from digitapp.core.datasets import split_validation

    small = datasets.load_dataset(sys.argv[2])
    report = {"accuracy": {"1": [], "2": []}, "train": len(small.x_train), "test": len(small.x_test)}
    mirrored = devices.place()
    report |= {"replicas": mirrored.replicas, "description": mirrored.description}

    # Two replicas really run: each counts the images of its half of every batch.
    with mirrored.strategy.scope():
        counter = ReplicaCounter()
        model = keras.Sequential([keras.Input(small.input_shape), counter,
                                  models.build_model("fast", small.input_shape, small.num_classes, 0)])
    result = training.train(model, small, TrainConfig(epochs=2, batch_size=16))
    report["placed"] = result.placed
    report["seen"] = [float(v) for v in mirrored.strategy.experimental_local_results(counter.seen)]

    # The app's path, on one device and on two, with the same steps and rate.
    for seed in SEEDS:
        for count in (1, 2):
            config = TrainConfig(epochs=3, batch_size=BATCH // count, learning_rate=RATE / math.sqrt(count), seed=seed)
            trained = workflow.train_and_evaluate(small, "fast", config, devices=count)
            report["accuracy"][str(count)].append(trained.evaluation.accuracy)
    # The Thorough preset's model too: its dropout draws from a seed that is now mirrored.
    report["thorough"] = workflow.train_and_evaluate(small, "thorough", TrainConfig(epochs=1, batch_size=16),
                                                     devices=2).info.metrics["replicas"]

    # Progress, stop and evaluation through the mirrored path.
    data = rejection.for_model(small, True)  # what the app trains a digit model on: with non-digits
    batches, epochs, starts, polls = [], [], [], itertools.count()
    trained = workflow.train_and_evaluate(
        small, "fast", TrainConfig(epochs=50, batch_size=16), on_batch=batches.append, on_start=starts.append,
        on_epoch=lambda epoch, metrics: epochs.append(metrics), should_stop=lambda: next(polls) >= STOP_AT)
    report["stop"] = {
        "stopped": trained.result.stopped, "epochs": trained.result.epochs_completed,
        "batches_per_epoch": batches[0]["batches"], "last_batch": batches[-1]["batch"],
        "images": len(split_validation(data.x_train, data.y_train, 0.1, 0)[0]),
        "position": trained.info.history["epoch_position"], "accuracy": trained.evaluation.accuracy,
        "tested": trained.evaluation.real, "non_digits": trained.evaluation.non_digits,
        "metrics": {k: trained.info.metrics[k] for k in
                    ("trained_on", "replicas", "global_batch_size", "scaled_learning_rate")},
        "starts": starts,
        "plain": not any(isinstance(w.value, tf.distribute.DistributedValues) for w in trained.model.weights),
    }
    # The trained model is an ordinary one: it saves, opens and answers like any other.
    path = workflow.save_model(trained, Path(sys.argv[1]) / "mirrored.keras")
    reopened = workflow.open_model(path)
    images = small.x_test[:50].astype(np.float32) / 255.0
    report["reopened_agrees"] = bool(np.allclose(reopened.predictor.probabilities(images),
                                                 trained.predictor.probabilities(images), atol=1e-5))
    print(json.dumps(report))


@pytest.fixture(scope="module")
def two_devices(tmp_path_factory, mnist_small_npz) -> dict:
    folder = tmp_path_factory.mktemp("mirrored")
    code = "from tests.core.test_devices import two_devices_child; two_devices_child()"
    proc = subprocess.run([sys.executable, "-c", code, str(folder), str(mnist_small_npz)], cwd=REPO,
                          capture_output=True, text=True,
                          timeout=600, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_two_logical_devices_train_as_two_replicas(two_devices):
    assert two_devices["replicas"] == 2 and two_devices["description"] == "2 × CPU"
    # 2 epochs of the training images less the validation tenth, half of each batch per replica.
    trained_on = round(two_devices["train"] * 0.9)
    assert two_devices["seen"] == [trained_on, trained_on]
    # Built in the strategy's scope, the model trains there: 16 per device, 32 in all.
    assert two_devices["placed"] == {"devices": "2 × CPU", "replicas": 2, "batch_size": 32,
                                     "learning_rate": pytest.approx(SCALED_RATE)}
    assert two_devices["thorough"] == 2


def test_mirrored_accuracy_matches_one_device_within_noise(two_devices):
    one, two = (np.median(two_devices["accuracy"][k]) for k in ("1", "2"))
    assert one > 0.8  # both learnt: a broken path would not reach this on 300 test images
    assert abs(two - one) <= NOISE, two_devices["accuracy"]


def test_mirrored_progress_stop_and_evaluation(two_devices):
    stop = two_devices["stop"]
    # The batch is per device: 16 on each of two makes 32 in all.
    steps = math.ceil(stop["images"] / 32)
    assert stop["batches_per_epoch"] == steps and stop["images"] > two_devices["train"]
    # Asked to stop before batch STOP_AT + 1, which still runs: the epoch ends there.
    assert stop["stopped"] and stop["epochs"] == 1
    assert 1 <= stop["last_batch"] <= STOP_AT + 1  # progress came (a few reports a second) up to the stop
    assert stop["position"] == [pytest.approx((STOP_AT + 1) / steps)]
    assert stop["tested"] == two_devices["test"] and stop["non_digits"] > 0  # and held-out non-digits
    assert 0.0 <= stop["accuracy"] <= 1.0
    assert stop["metrics"] == {"trained_on": "2 × CPU", "replicas": 2, "global_batch_size": 32,
                               "scaled_learning_rate": pytest.approx(SCALED_RATE)}
    assert stop["starts"] == [{"devices": "2 × CPU", "replicas": 2, "batch_size": 32,
                               "learning_rate": pytest.approx(SCALED_RATE)}]
    assert stop["plain"] and two_devices["reopened_agrees"]
