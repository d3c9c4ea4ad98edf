"""The catalogue's architectures are the classic Keras MNIST ones and adapt to any data."""

import pytest

from digitapp.core import config, models
from digitapp.core.errors import ConfigError


def _layer_summary(model):
    out = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "Conv2D":
            out.append(f"Conv2D({layer.filters},{layer.kernel_size[0]},{layer.activation.__name__})")
        elif kind == "Dense":
            out.append(f"Dense({layer.units},{layer.activation.__name__})")
        elif kind == "MaxPooling2D":
            out.append(f"MaxPool({layer.pool_size[0]})")
        else:
            out.append(kind)
    return out


def test_classic_cnn_is_exact():
    model = models.build_model("cnn", (28, 28, 1), 10)
    assert _layer_summary(model) == [
        "Conv2D(32,3,relu)", "MaxPool(2)", "Conv2D(64,3,relu)", "MaxPool(2)",
        "Flatten", "Dense(128,relu)", "Dense(10,softmax)",
    ]
    assert model.count_params() == 225_034  # the number the classic script prints


def test_mlp_is_exact():
    model = models.build_model("mlp", (28, 28, 1), 10)
    assert _layer_summary(model) == ["Flatten", "Dense(128,relu)", "Dense(10,softmax)"]


def test_deep_cnn_is_exact():
    model = models.build_model("deep_cnn", (28, 28, 1), 10)
    assert [s for s in _layer_summary(model) if s != "Dropout"] == [
        "Conv2D(32,3,relu)", "MaxPool(2)", "Conv2D(64,3,relu)", "MaxPool(2)", "Conv2D(64,3,relu)",
        "Flatten", "Dense(64,relu)", "Dense(10,softmax)",
    ]
    assert "Dropout" in _layer_summary(model)


@pytest.mark.parametrize("name", list(models.BUILDERS))
@pytest.mark.parametrize("shape,classes", [((28, 28, 1), 10), ((32, 32, 3), 4), ((64, 48, 1), 3)])
def test_every_model_adapts_to_shape_and_classes(name, shape, classes):
    model = models.build_model(name, shape, classes)
    assert model.input_shape == (None, *shape)
    assert model.output_shape == (None, classes)


def test_unknown_model():
    with pytest.raises(ConfigError, match="Unknown model 'resnet9000'"):
        models.build_model("resnet9000", (28, 28, 1), 10)


def test_every_catalogued_name_has_a_builder():
    assert list(config.MODELS) == list(models.BUILDERS)
    assert all(builder.__name__ == f"build_{name}" for name, builder in models.BUILDERS.items())


def test_summary_text_lists_layers():
    text = models.summary_text(models.build_model("cnn", (28, 28, 1), 10))
    assert "conv2d" in text.lower() and "225,034" in text


def test_the_summary_keeps_every_column():
    model = models.build_model("fast", (28, 28, 1), 10)
    lines = models.summary_text(model).splitlines()
    assert lines[1].split() == ["Layer", "(type)", "Output", "Shape", "Param", "#"]
    for layer in model.layers:  # each layer's row ends with its parameter count (Keras' own table cut it off)
        row = next(line for line in lines if line.startswith(f"{layer.name} ("))
        assert row.endswith(f"{layer.count_params():,}") and str(tuple(layer.output.shape)) in row
    assert lines[-3] == f"Total params: {model.count_params():,}"


def test_describe_gives_the_parameter_count_and_summary():
    count, text = models.describe("mlp", (28, 28, 1), 10)
    assert count == 784 * 128 + 128 + 128 * 10 + 10
    assert "dense" in text.lower() and f"{count:,}" in text


def test_a_seed_gives_the_same_starting_weights_whatever_was_drawn_before():
    import numpy as np

    from digitapp.core.tf import keras

    first = models.build_model("fast", (28, 28, 1), 11, seed=3)
    keras.random.uniform((5,))  # other work draws random numbers in between
    models.build_model("cnn", (28, 28, 1), 10)
    again = models.build_model("fast", (28, 28, 1), 11, seed=3)
    other = models.build_model("fast", (28, 28, 1), 11, seed=4)
    weights, same, different = (m.get_weights() for m in (first, again, other))
    assert all(np.array_equal(a, b) for a, b in zip(weights, same))
    assert not all(np.array_equal(a, b) for a, b in zip(weights, different))
