"""Where a run trains: every accelerator of this computer, through one ``tf.distribute`` strategy.

A model built inside a :class:`Placement`'s strategy scope trains there: with several devices,
``MirroredStrategy`` keeps a copy of it on each, splits every batch between them and adds up their
gradients (the recipe's batch is per device, the learning rate follows :meth:`TrainConfig.on_devices`).
The devices are the GPUs TensorFlow sees, or the CPU when there are none. One device trains under
TensorFlow's default strategy: the same scope, compile and ``fit``, without what ``MirroredStrategy``
costs on a single device (2.4–3 times the quick preset's training time on one CPU; docs/BENCHMARKS.md,
"Devices"). Why several computers are not offered: README.md, "Bigger machines".
"""

from __future__ import annotations

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


def of_model(model) -> Placement:
    """Where a Keras model trains: the strategy whose scope it was built in (Keras keeps it),
    or, for a model built outside any, TensorFlow's default device alone."""
    strategy = model.distribute_strategy
    if isinstance(strategy, tf.distribute.MirroredStrategy):
        names = tuple(strategy.extended.worker_devices)
        return Placement(strategy, names, describe(names))
    return here()


# One strategy per set of devices for the whole process: each numbers its collective operations
# from the same start, so a second strategy's run mixed its gradients up with the first's
# ("Shape mismatch in the collective instance") when the two trained different models.
_STRATEGIES: dict[tuple[str, ...], tf.distribute.MirroredStrategy] = {}


def _mirrored(names: tuple[str, ...]) -> tf.distribute.MirroredStrategy:
    with TF_LOCK:  # two runs starting at once must not each make one
        if names not in _STRATEGIES:
            _STRATEGIES[names] = tf.distribute.MirroredStrategy(list(names))
        return _STRATEGIES[names]


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
