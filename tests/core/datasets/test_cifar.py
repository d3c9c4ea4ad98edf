"""CIFAR-10's pickled batches: read as arrays, never as code."""

import pickle

import pytest

from digitapp.core.config import CIFAR10_NAMES
from digitapp.core.datasets import cifar
from digitapp.core.errors import DatasetError
from tests.helpers import write_cifar


def test_batches_become_images_with_channels_last(tmp_path):
    batches = write_cifar(tmp_path / "c")
    assert cifar.is_cifar_dir(tmp_path / "c") and not cifar.is_cifar_dir(tmp_path)
    ds = cifar.load_cifar_dir(tmp_path / "c")
    assert ds.name == "CIFAR-10" and ds.class_names == CIFAR10_NAMES and ds.preprocessing == "rgb"
    assert ds.x_train.shape == (20, 32, 32, 3) and ds.x_test.shape == (10, 32, 32, 3)
    first = batches["data_batch_1"][b"data"][0]
    assert ds.x_train[0, 0, 0].tolist() == [first[0], first[1024], first[2048]]  # R, G, B of the top-left pixel
    assert ds.y_test.tolist() == batches["test_batch"][b"labels"]


def test_a_batch_with_code_is_refused(tmp_path):
    write_cifar(tmp_path / "c")
    with open(tmp_path / "c" / "test_batch", "wb") as f:
        pickle.dump({b"data": print, b"labels": []}, f)
    with pytest.raises(DatasetError, match="test_batch is not a readable CIFAR batch \\(refusing builtins.print\\)"):
        cifar.load_cifar_dir(tmp_path / "c")


def test_a_damaged_batch_is_explained(tmp_path):
    write_cifar(tmp_path / "c")
    (tmp_path / "c" / "data_batch_2").write_bytes(b"\x80\x04 not a pickle")
    with pytest.raises(DatasetError, match="data_batch_2 is not a readable CIFAR batch"):
        cifar.load_cifar_dir(tmp_path / "c")
