"""``load_dataset``: one entry point that picks the loader from a name or what a path holds."""

import pytest
from PIL import Image

from digitapp.core import datasets
from digitapp.core.errors import DatasetError
from tests.helpers import write_cifar, write_idx_set


def test_a_built_in_name(mnist):
    assert datasets.load_dataset("mnist").y_test[:3].tolist() == mnist.y_test[:3].tolist() == [7, 2, 1]


def test_every_kind_of_path_reaches_its_loader(mnist_small, tmp_path):
    datasets.save_npz(mnist_small, tmp_path / "set.npz")
    assert len(datasets.load_dataset(tmp_path / "set.npz").x_train) == 600

    write_idx_set(mnist_small, tmp_path / "idx", count=20)
    assert datasets.load_dataset(tmp_path / "idx").input_shape == (28, 28, 1)

    write_cifar(tmp_path / "cifar")
    assert datasets.load_dataset(str(tmp_path / "cifar")).name == "CIFAR-10"

    for name in ("ones", "sevens"):
        (tmp_path / "photos" / name).mkdir(parents=True)
        for i in range(3):
            Image.new("L", (28, 28), i).save(tmp_path / "photos" / name / f"{i}.png")
    assert datasets.load_dataset(tmp_path / "photos").class_names == ["ones", "sevens"]


def test_paths_that_are_not_datasets(tmp_path):
    with pytest.raises(DatasetError, match="missing.npz does not exist"):
        datasets.load_dataset(tmp_path / "missing.npz")
    with pytest.raises(DatasetError, match="does not exist"):
        datasets.load_dataset("cifar100")  # not a built-in name, so a (missing) path
    (tmp_path / "a.csv").write_text("1,2")
    with pytest.raises(DatasetError, match="a.csv is not a dataset"):
        datasets.load_dataset(tmp_path / "a.csv")
    with pytest.raises(DatasetError, match="not a dataset"):
        datasets.load_dataset(tmp_path)
