"""Model builders by name. Every model takes [0, 1] images and outputs softmax.

The catalogue (names, descriptions, training recipes) is :data:`config.MODELS`; the model
called ``NAME`` there is built by ``build_NAME`` here. All builders adapt to the dataset's
``input_shape`` and number of classes.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from digitapp.core.config import MODELS, model_spec
from digitapp.core.tf import TF_LOCK, keras

layers = keras.layers


def build_cnn(input_shape: tuple[int, int, int], num_classes: int) -> keras.Model:
    """The classic Keras MNIST CNN (~99% after 5 epochs)."""
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(num_classes, activation="softmax"),
    ], name="cnn")


def build_mlp(input_shape: tuple[int, int, int], num_classes: int) -> keras.Model:
    """One hidden layer of 128 units (~97–98% on MNIST after 10 epochs)."""
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(num_classes, activation="softmax"),
    ], name="mlp")


def build_deep_cnn(input_shape: tuple[int, int, int], num_classes: int) -> keras.Model:
    """Three conv layers and dropout, as in the TensorFlow CNN tutorial."""
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"),
        layers.Flatten(),
        layers.Dropout(0.25),
        layers.Dense(64, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax"),
    ], name="deep_cnn")


def _conv_bn(filters: int, kernel: int, strides: int = 1) -> list[keras.layers.Layer]:
    # BatchNorm lets a large learning rate converge in one or two passes; the conv
    # needs no bias because BatchNorm's shift replaces it. Momentum 0.9 (not Keras'
    # 0.99) lets the running statistics settle within ~30 steps, so short runs and
    # small user datasets evaluate as well as they train.
    return [
        layers.Conv2D(filters, kernel, strides=strides, padding="same", use_bias=False),
        layers.BatchNormalization(momentum=0.9),
        layers.ReLU(),
    ]


def build_fast(input_shape: tuple[int, int, int], num_classes: int) -> keras.Model:
    """Small BatchNorm CNN that reaches ≥99% on MNIST in the least CPU time.

    On CPU the cost is dominated by the full-resolution layers (memory traffic, and
    one-channel convolutions run poorly), so the first convolution strides by 2 with a
    5×5 kernel that still sees the whole stroke; capacity is added after downsampling.
    """
    return keras.Sequential([
        keras.Input(shape=input_shape),
        *_conv_bn(16, 5, strides=2),
        *_conv_bn(32, 3),
        layers.MaxPooling2D(2),
        *_conv_bn(64, 3),
        layers.Flatten(),
        layers.Dense(num_classes, activation="softmax"),
    ], name="fast")


def build_thorough(input_shape: tuple[int, int, int], num_classes: int) -> keras.Model:
    """``fast``'s convolutions under a wide hidden layer with dropout: room to learn more from
    the Thorough preset's longer runs, at about 1.5× ``fast``'s cost per image (a wider or
    full-resolution stack cost 2.5–11× and did worse in the same time)."""
    return keras.Sequential([
        keras.Input(shape=input_shape),
        *_conv_bn(16, 5, strides=2),
        *_conv_bn(32, 3),
        layers.MaxPooling2D(2),
        *_conv_bn(64, 3),
        layers.Flatten(),
        layers.Dense(256, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax"),
    ], name="thorough")


Builder = Callable[[tuple[int, int, int], int], keras.Model]
# A catalogue entry without its builder fails here, at import, not when a user picks it.
BUILDERS: dict[str, Builder] = {name: globals()[f"build_{name}"] for name in MODELS}


def build_model(name: str, input_shape: tuple[int, int, int], num_classes: int,
                seed: int | None = None) -> keras.Model:
    """Build an uncompiled registered model for the given input shape and class count.

    ``seed``: start from the weights this seed gives, whatever the process drew before (without
    it the starting weights differ from one process to the next).

    Raises:
        ConfigError: no model of that name.
    """
    builder = BUILDERS[model_spec(name).name]
    with TF_LOCK:
        if seed is not None:
            keras.utils.set_random_seed(seed)
        return builder(tuple(input_shape), num_classes)


def copy_model(model: keras.Model) -> keras.Model:
    """A new model with ``model``'s layers and weights: training it leaves ``model`` as it was
    (a run continued from another must not change the earlier run's model). A model Keras
    cannot clone (a subclassed one) is returned itself."""
    with TF_LOCK:
        try:
            copy = keras.models.clone_model(model)
        except (ValueError, TypeError, NotImplementedError):
            return model
        copy.set_weights(model.get_weights())
        return copy


def summary_text(model: keras.Model) -> str:
    """A layer-by-layer summary as plain text: name (type), output shape, parameters.

    Keras' own ``summary(print_fn=…)`` crops its table to the terminal's width (80 columns
    when there is none), which cut off the "Param #" column; this one is as wide as it needs.
    """
    rows = [("Layer (type)", "Output Shape", "Param #")]
    for layer in model.layers:
        try:
            shape = str(tuple(layer.output.shape))
        except (AttributeError, ValueError):  # a layer with several outputs, or never called
            shape = "?"
        rows.append((f"{layer.name} ({type(layer).__name__})", shape, f"{layer.count_params():,}"))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    rule = "─" * (sum(widths) + 6)

    def line(row: tuple[str, str, str]) -> str:
        return f"{row[0]:<{widths[0]}}   {row[1]:<{widths[1]}}   {row[2]:>{widths[2]}}"

    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    total = model.count_params()
    return "\n".join([f'Model: "{model.name}"', line(rows[0]), rule, *map(line, rows[1:]), rule,
                      f"Total params: {total:,}", f"Trainable params: {trainable:,}",
                      f"Non-trainable params: {total - trainable:,}"])


def describe(name: str, input_shape: tuple[int, int, int], num_classes: int) -> tuple[int, str]:
    """(parameter count, summary text) of a registered architecture for this data."""
    model = build_model(name, input_shape, num_classes)
    return model.count_params(), summary_text(model)
