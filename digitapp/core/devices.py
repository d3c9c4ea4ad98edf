"""Where a run trains: every accelerator of this computer, through one ``tf.distribute`` strategy.

Training builds and compiles its model inside a :class:`Placement`'s strategy scope and then calls
``fit`` as always. With several devices, ``MirroredStrategy`` keeps a copy of the model on each,
splits every batch between them and adds up their gradients: the batch grows with the number of
devices (the recipe's batch is per device) and the learning rate follows it as the recipe says
(:meth:`TrainConfig.rate_for`). The devices are the GPUs TensorFlow sees (NVIDIA on Linux or
WSL2; TensorFlow has had no GPU support on native Windows since 2.10), or the CPU when there
are none. One device trains under TensorFlow's default strategy: the same scope, compile and
``fit``, without what ``MirroredStrategy`` costs on a single device (it tripled the quick
preset's training time on this project's 2-core machine; docs/BENCHMARKS.md, "Devices").

Only one computer: ``MultiWorkerMirroredStrategy`` with Keras 3's ``fit`` is broken upstream
(https://github.com/keras-team/keras/issues/20585), parameter-server training is not supported
by Keras 3, and ``keras.distribution`` serves JAX and PyTorch only.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass

from digitapp.core.errors import ConfigError
from digitapp.core.tf import TF_LOCK, tf


@dataclass(frozen=True)
class Placement:
    """The devices one run trains on and the strategy that spreads it over them.

    Attributes:
        strategy: build and compile the model inside ``strategy.scope()``.
        devices: TensorFlow's names of the devices (``/device:GPU:0``, …).
        description: what they are, for people ("CPU", "2 × NVIDIA RTX A6000").
    """

    strategy: tf.distribute.Strategy
    devices: tuple[str, ...]
    description: str

    @property
    def replicas(self) -> int:
        """How many copies of the model train side by side (one per device)."""
        return self.strategy.num_replicas_in_sync

    @property
    def mirrored(self) -> bool:
        """Whether the model's variables are copies kept in step on each device."""
        return isinstance(self.strategy, tf.distribute.MirroredStrategy)

    @property
    def xla(self) -> bool:
        """Whether the training step may be compiled with XLA. Not for several CPU devices:
        they are logical splits of one processor (how the mirrored path is tested without
        GPUs), and XLA then compiles every replica's step for the first one and fails to
        reach the others' variables (TensorFlow's XLA known issues)."""
        return self.replicas == 1 or not all(_kind(name) == "CPU" for name in self.devices)


def available() -> list[str]:
    """The devices a run can train on: every GPU TensorFlow sees, or else the CPU(s)."""
    gpus = tf.config.list_logical_devices("GPU")
    return [device.name for device in gpus or tf.config.list_logical_devices("CPU")]


def place(count: int | None = None) -> Placement:
    """Train on the first ``count`` available devices (None: all of them).

    Raises:
        ConfigError: fewer devices than ``count``, or ``count`` below one.
    """
    names = available()
    if count is not None and not 1 <= count <= len(names):
        have = f"{len(names)} device{'s' if len(names) != 1 else ''} to train on ({describe(names)})"
        raise ConfigError(f"This computer has {have}, so it cannot train on {count}.")
    chosen = tuple(names[:count] if count is not None else names)
    if len(chosen) == 1:
        return here()
    return Placement(_mirrored(chosen), chosen, describe(chosen))


@functools.cache
def _mirrored(names: tuple[str, ...]) -> tf.distribute.MirroredStrategy:
    """One strategy per set of devices for the whole process: each numbers its collective
    operations from the same start, so a second strategy's run mixed its gradients up with the
    first's ("Shape mismatch in the collective instance") when they trained different models."""
    with TF_LOCK:
        return tf.distribute.MirroredStrategy(list(names))


def describe(names: list[str] | tuple[str, ...]) -> str:
    """What the devices are, for people: "CPU", "NVIDIA RTX A6000", "2 × NVIDIA RTX A6000"."""
    counts = Counter(_display_name(name) for name in names)
    return ", ".join(label if n == 1 else f"{n} × {label}" for label, n in counts.items())


def here() -> Placement:
    """One device: TensorFlow's default (the first GPU, or the CPU), under its default strategy,
    which is also where a model built outside any strategy's scope trains."""
    first = available()[:1]
    return Placement(tf.distribute.get_strategy(), tuple(first), describe(first))


def _kind(name: str) -> str:
    return name.rsplit(":", 2)[-2].upper()


def _display_name(name: str) -> str:
    """A GPU's product name as its driver gives it; "CPU" for the processor."""
    if _kind(name) != "GPU":
        return "CPU"
    index = int(name.rsplit(":", 1)[-1])
    physical = tf.config.list_physical_devices("GPU")
    if index < len(physical):
        details = tf.config.experimental.get_device_details(physical[index])
        if details.get("device_name"):
            return str(details["device_name"])
    return "GPU"
