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
from digitapp.core.errors import ConfigError
from digitapp.core.tf import keras, tf

REPO = Path(__file__).resolve().parents[2]
TRAIN, TEST = 600, 300
SEEDS = (0, 1, 2)
# Half the single-device run's batch per device, and its rate over √2, so that both paths take
# the same steps with the same rate: their accuracies then differ by noise only.
BATCH, RATE = 32, 3e-3
# Three binomial standard deviations of one run's accuracy on 300 images (about 0.016 at 92%).
NOISE = 0.05
STOP_AT = 3  # Stop is asked for before the fourth batch


def test_without_gpus_it_trains_on_the_cpu_alone():
    placement = devices.place()
    assert placement.devices == ("/device:CPU:0",) and placement.description == "CPU"
    assert placement.replicas == 1 and not placement.mirrored and placement.xla
    assert devices.place(1).description == "CPU"


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
    """Run in a fresh process: split the CPU in two, train both ways, print what happened as JSON."""
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from digitapp.core import datasets, models, rejection, training, workflow
    from digitapp.core.config import TrainConfig
    from digitapp.core.datasets import split_validation

    mnist = datasets.load_dataset("mnist")
    small = datasets.Dataset("MNIST-small", mnist.x_train[:TRAIN], mnist.y_train[:TRAIN], mnist.x_test[:TEST],
                             mnist.y_test[:TEST], mnist.class_names, "digit")
    report = {"accuracy": {"1": [], "2": []}}
    mirrored = workflow.place_training()
    report |= {"replicas": mirrored.replicas, "description": mirrored.description, "xla": mirrored.xla}

    # Two replicas really run: each counts the images of its half of every batch.
    with mirrored.strategy.scope():
        counter = ReplicaCounter()
        model = keras.Sequential([keras.Input(small.input_shape), counter,
                                  models.build_model("fast", small.input_shape, small.num_classes, 0)])
    training.train(model, small, TrainConfig(epochs=2, batch_size=16), placement=mirrored)
    report["seen"] = [float(v) for v in mirrored.strategy.experimental_local_results(counter.seen)]

    # The app's path, on one device and on two, with the same steps and rate.
    for seed in SEEDS:
        for count in (1, 2):
            config = TrainConfig(epochs=3, batch_size=BATCH // count, learning_rate=RATE / math.sqrt(count), seed=seed)
            trained = workflow.train_and_evaluate(small, "fast", config, placement=workflow.place_training(count))
            report["accuracy"][str(count)].append(trained.evaluation.accuracy)

    # Progress, stop and evaluation through the mirrored path.
    data = rejection.for_model(small, True)  # what the app trains a digit model on: with non-digits
    batches, epochs, polls = [], [], itertools.count()
    trained = workflow.train_and_evaluate(
        small, "fast", TrainConfig(epochs=50, batch_size=16), placement=mirrored, on_batch=batches.append,
        on_epoch=lambda epoch, metrics: epochs.append(metrics), should_stop=lambda: next(polls) >= STOP_AT)
    report["stop"] = {
        "stopped": trained.result.stopped, "epochs": trained.result.epochs_completed,
        "batches_per_epoch": batches[0]["batches"], "last_batch": batches[-1]["batch"],
        "images": len(split_validation(data.x_train, data.y_train, 0.1, 0)[0]),
        "position": trained.info.history["epoch_position"], "accuracy": trained.evaluation.accuracy,
        "tested": trained.evaluation.real, "non_digits": trained.evaluation.non_digits,
        "metrics": {k: trained.info.metrics[k] for k in ("trained_on", "replicas")},
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
def two_devices(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("mirrored")
    code = "from tests.core.test_devices import two_devices_child; two_devices_child()"
    proc = subprocess.run([sys.executable, "-c", code, str(folder)], cwd=REPO, capture_output=True, text=True,
                          timeout=600, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_two_logical_devices_train_as_two_replicas(two_devices):
    assert two_devices["replicas"] == 2 and two_devices["description"] == "2 × CPU"
    assert not two_devices["xla"]  # XLA cannot reach the second CPU device's variables
    # 2 epochs of 540 training images (600 less the validation tenth), half of each batch per replica.
    assert two_devices["seen"] == [540.0, 540.0]


def test_mirrored_accuracy_matches_one_device_within_noise(two_devices):
    one, two = (np.median(two_devices["accuracy"][k]) for k in ("1", "2"))
    assert one > 0.8  # both learnt: a broken path would not reach this on 300 test images
    assert abs(two - one) <= NOISE, two_devices["accuracy"]


def test_mirrored_progress_stop_and_evaluation(two_devices):
    stop = two_devices["stop"]
    # The batch is per device: 16 on each of two makes 32 in all.
    steps = math.ceil(stop["images"] / 32)
    assert stop["batches_per_epoch"] == steps and stop["images"] > 540
    # Asked to stop before batch STOP_AT + 1, which still runs: the epoch ends there.
    assert stop["stopped"] and stop["epochs"] == 1
    assert 1 <= stop["last_batch"] <= STOP_AT + 1  # progress came (a few reports a second) up to the stop
    assert stop["position"] == [pytest.approx((STOP_AT + 1) / steps)]
    assert stop["tested"] == TEST and stop["non_digits"] > 0  # its test digits and held-out non-digits
    assert 0.0 <= stop["accuracy"] <= 1.0
    assert stop["metrics"] == {"trained_on": "2 × CPU", "replicas": 2}
    assert stop["plain"] and two_devices["reopened_agrees"]
