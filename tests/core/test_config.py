"""The light facts: model catalogue, training settings and their checks, names, recipes,
file suffixes."""

import pytest
from PIL import Image

from digitapp.core import config
from digitapp.core.config import TrainConfig
from digitapp.core.errors import ConfigError
from tests.helpers import one_sentence


def test_the_catalogue():
    assert list(config.MODELS) == ["fast", "thorough", "cnn", "mlp", "deep_cnn"]
    assert config.DEFAULT_MODEL == "fast"
    assert all(name == spec.name for name, spec in config.MODELS.items())
    assert config.model_spec("cnn").description == "Classic Keras MNIST CNN"


def test_unknown_model_names_the_choices():
    choices = "fast, thorough, cnn, mlp, deep_cnn"
    with pytest.raises(ConfigError, match=f"Unknown model 'resnet'; choose one of {choices}.") as info:
        config.model_spec("resnet")
    assert one_sentence(str(info.value))


@pytest.mark.parametrize("name", list(config.MODELS))
def test_every_models_recipe_is_a_valid_config(name):
    spec = config.model_spec(name)
    settings = TrainConfig.for_model(name)
    settings.check()
    assert (settings.epochs, settings.batch_size, settings.learning_rate, settings.schedule) == (
        spec.epochs, spec.batch_size, spec.learning_rate, spec.schedule)
    assert spec.schedule in config.SCHEDULES


def test_presets_are_quick_by_default_and_thorough():
    assert list(config.PRESETS) == ["Quick", "Thorough"]
    assert config.PRESETS["Quick"] == config.DEFAULT_MODEL
    quick, thorough = (TrainConfig.for_model(model) for model in config.PRESETS.values())
    assert thorough.epochs > quick.epochs


def test_defaults_are_the_default_models_recipe():
    assert TrainConfig() == TrainConfig.for_model(config.DEFAULT_MODEL)
    assert TrainConfig().optimizer == config.OPTIMIZERS[0] == "adam"


def test_overrides_replace_the_recipe_and_none_keeps_it():
    settings = TrainConfig.for_model("cnn", epochs=None, batch_size=7, augment=True, optimizer="sgd")
    assert (settings.epochs, settings.batch_size, settings.augment, settings.optimizer) == (5, 7, True, "sgd")


def test_for_model_refuses_unknown_names():
    with pytest.raises(ConfigError, match="Unknown training setting 'epoch'"):
        TrainConfig.for_model("mlp", epoch=3)
    with pytest.raises(ConfigError, match="Unknown model"):
        TrainConfig.for_model("nope")


@pytest.mark.parametrize("field,value,words", [
    ("epochs", 0, "Epochs"), ("batch_size", 0, "Batch size"), ("learning_rate", -1.0, "Learning rate"),
    ("learning_rate", 10.0, "Learning rate"), ("optimizer", "magic", "Optimizer must be one of adam"),
    ("schedule", "step", "Schedule must be one of cosine, constant"),
    ("validation_fraction", 0.95, "Validation fraction"), ("validation_fraction", -0.1, "Validation fraction"),
])
def test_out_of_range_settings_are_one_sentence(field, value, words):
    with pytest.raises(ConfigError, match=words) as info:
        TrainConfig(**{field: value}).check()
    assert one_sentence(str(info.value))


@pytest.mark.parametrize("optimizer", config.OPTIMIZERS)
def test_every_listed_optimizer_passes_the_check(optimizer):
    TrainConfig(optimizer=optimizer, validation_fraction=0.0, epochs=1, batch_size=1).check()


def test_class_names():
    assert "".join(config.DIGIT_NAMES) == "0123456789"
    for names in (config.FASHION_NAMES, config.CIFAR10_NAMES):
        assert len(names) == len(set(names)) == 10
    assert list(config.BUILTIN_DATASETS) == ["mnist", "fashion_mnist", "cifar10"]


@pytest.mark.parametrize("shape,names,recipe", [
    ((28, 28, 1), config.DIGIT_NAMES, "digit"),
    ((28, 28, 1), ["0", "1", "2"], "digit"),
    ((28, 28, 1), config.FASHION_NAMES, "gray"),
    ((28, 28, 1), ["1", "2"], "gray"),  # not digits counted from 0
    ((32, 32, 3), config.DIGIT_NAMES, "rgb"),
    ((32, 32, 3), config.CIFAR10_NAMES, "rgb"),
])
def test_default_recipe(shape, names, recipe):
    assert config.default_recipe(shape, names) == recipe
    assert recipe in config.RECIPES


def test_file_suffixes():
    assert config.MODEL_SUFFIXES[0] == ".keras"
    assert config.model_suffix_text() == ".keras, .h5 or .hdf5"
    assert config.SIDECAR_SUFFIX == ".json"


def test_every_image_extension_is_one_pillow_reads():
    readable = {ext for ext, fmt in Image.registered_extensions().items() if fmt in Image.OPEN}
    assert set(config.IMAGE_EXTENSIONS) <= readable
    assert all(ext == ext.lower() and ext.startswith(".") for ext in config.IMAGE_EXTENSIONS)


@pytest.mark.parametrize("optimizer,rate", [("sgd", 0.04), ("adam", 0.02), ("adamw", 0.02), ("rmsprop", 0.02)])
def test_on_four_devices_the_batch_is_per_device_and_the_rate_follows_the_recipe(optimizer, rate):
    base = TrainConfig(batch_size=64, learning_rate=0.01, optimizer=optimizer)
    spread = base.on_devices(4)
    assert spread.batch_size == 256 and spread.learning_rate == pytest.approx(rate)
    assert base.on_devices(1) == base
