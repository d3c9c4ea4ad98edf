"""The built-in datasets: bundled MNIST, local copies of Fashion-MNIST and CIFAR-10, and what
happens when one is missing and cannot be downloaded."""

import numpy as np
import pytest

from digitapp.core.config import (
    BUILTIN_DATASETS,
    BUNDLED_DATASET,
    CIFAR10_NAMES,
    DOWNLOAD_SIZES_MB,
    FASHION_NAMES,
    SYSTEM_FASHION_DIR,
)
from digitapp.core.datasets import builtin
from digitapp.core.errors import DatasetError
from tests.helpers import ROOT, one_sentence, write_cifar, write_idx_set


def test_bundled_mnist_is_the_real_set(mnist):
    assert mnist.name == "MNIST"
    assert mnist.x_train.shape == (60000, 28, 28, 1) and mnist.x_test.shape == (10000, 28, 28, 1)
    assert mnist.x_train.dtype == np.uint8
    assert mnist.y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert mnist.y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert mnist.class_names == [str(d) for d in range(10)]
    assert mnist.preprocessing == "digit"


def test_missing_bundled_mnist_says_to_reinstall(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITAPP_RESOURCES", str(tmp_path))
    with pytest.raises(DatasetError, match="bundled MNIST file is missing .* reinstall the app"):
        builtin.load_builtin("mnist")


def test_fashion_mnist_from_the_keras_cache(mnist_small, tmp_path, monkeypatch):
    write_idx_set(mnist_small, tmp_path / "datasets" / "fashion-mnist", ".gz", count=30)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    ds = builtin.load_builtin("fashion_mnist")
    assert ds.name == "Fashion-MNIST" and ds.class_names == FASHION_NAMES and ds.preprocessing == "gray"
    np.testing.assert_array_equal(ds.x_train, mnist_small.x_train[:30])


def test_cifar_batches_from_the_keras_cache(tmp_path, monkeypatch):
    write_cifar(tmp_path / "datasets" / "cifar-10-batches-py-target" / "cifar-10-batches-py")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    ds = builtin.load_builtin("cifar10")
    assert ds.input_shape == (32, 32, 3) and len(ds.x_train) == 20 and len(ds.x_test) == 10
    assert ds.class_names == CIFAR10_NAMES and ds.preprocessing == "rgb"


def test_offline_download_failure_is_one_sentence(tmp_path, monkeypatch):
    from digitapp.core.tf import keras

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(builtin, "SYSTEM_FASHION_DIR", tmp_path / "nowhere")

    def no_network():
        raise OSError("Name or service not known")

    monkeypatch.setattr(keras.datasets.fashion_mnist, "load_data", no_network)
    with pytest.raises(DatasetError, match="Fashion-MNIST is not on this computer and could not be downloaded") as info:
        builtin.load_builtin("fashion_mnist")
    assert one_sentence(str(info.value))


def test_a_download_becomes_a_dataset(tmp_path, monkeypatch):
    from digitapp.core.tf import keras

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    rng = np.random.default_rng(0)
    x_train, x_test = rng.integers(0, 256, (8, 32, 32, 3), np.uint8), rng.integers(0, 256, (4, 32, 32, 3), np.uint8)
    downloaded = ((x_train, np.arange(8)[:, None] % 10), (x_test, np.arange(4)[:, None]))
    monkeypatch.setattr(keras.datasets.cifar10, "load_data", lambda: downloaded)
    ds = builtin.load_builtin("cifar10")
    assert ds.name == "CIFAR-10" and ds.class_names == CIFAR10_NAMES and ds.y_train.shape == (8,)
    np.testing.assert_array_equal(ds.x_test, x_test)


def test_unknown_name():
    with pytest.raises(DatasetError, match="Unknown dataset 'svhn'; choose one of mnist"):
        builtin.load_builtin("svhn")


@pytest.mark.skipif(not SYSTEM_FASHION_DIR.exists(), reason="Debian's dataset-fashion-mnist not installed")
def test_debian_fashion_mnist(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))  # not a copy in the Keras cache
    ds = builtin.load_builtin("fashion_mnist")
    assert ds.x_train.shape == (60000, 28, 28, 1) and ds.x_test.shape == (10000, 28, 28, 1)
    assert ds.class_names[9] == "Ankle boot" and ds.preprocessing == "gray"
    assert np.bincount(ds.y_test).tolist() == [1000] * 10


def test_local_copy_says_where_a_set_is_without_downloading(mnist_small, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))  # an empty Keras cache
    monkeypatch.setattr(builtin, "SYSTEM_FASHION_DIR", tmp_path / "nowhere")

    def no_download(name):
        raise AssertionError(f"{name} was downloaded")

    monkeypatch.setattr(builtin, "download_builtin", no_download)
    assert builtin.local_copy("mnist") == ROOT / "resources" / "mnist.npz"
    assert builtin.local_copy("fashion_mnist") is None and builtin.local_copy("cifar10") is None
    with pytest.raises(DatasetError) as info:
        builtin.load_builtin("fashion_mnist", download=False)
    assert str(info.value) == "Fashion-MNIST is not on this computer; download it or import it from local files."
    cached = write_idx_set(mnist_small, tmp_path / "datasets" / "fashion-mnist", ".gz", count=20)
    assert builtin.local_copy("fashion_mnist") == cached
    assert builtin.load_builtin("fashion_mnist", download=False).class_names == FASHION_NAMES
    with pytest.raises(DatasetError, match="Unknown dataset 'svhn'"):
        builtin.local_copy("svhn")


def test_only_the_sets_that_are_not_bundled_are_downloaded():
    assert set(DOWNLOAD_SIZES_MB) == set(BUILTIN_DATASETS) - {BUNDLED_DATASET}
    with pytest.raises(DatasetError, match="'mnist' is not a dataset that can be downloaded"):
        builtin.download_builtin("mnist")
