"""The four IDX files of MNIST's original distribution: reading, writing, finding them under
the names mirrors use, and explaining damaged ones."""

import gzip

import numpy as np
import pytest

from digitapp.core.config import DIGIT_NAMES, FASHION_NAMES
from digitapp.core.datasets import idx
from digitapp.core.errors import DatasetError
from tests.helpers import IDX_STEMS, write_idx_set


@pytest.mark.parametrize("suffix", [".gz", ""])
def test_round_trip(mnist_small, tmp_path, suffix):
    write_idx_set(mnist_small, tmp_path, suffix)
    loaded = idx.load_idx_dir(tmp_path)
    np.testing.assert_array_equal(loaded.x_train, mnist_small.x_train)
    np.testing.assert_array_equal(loaded.y_test, mnist_small.y_test)
    assert loaded.class_names == DIGIT_NAMES and loaded.preprocessing == "digit"
    assert loaded.name == tmp_path.name


def test_read_idx_gives_the_array_written(tmp_path):
    arr = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    idx.write_idx(arr, tmp_path / "a.gz")
    assert gzip.decompress((tmp_path / "a.gz").read_bytes())[:4] == b"\x00\x00\x08\x03"
    np.testing.assert_array_equal(idx.read_idx(tmp_path / "a.gz"), arr)


def test_the_helpers_names_are_the_standard_ones():
    assert idx.IDX_FILES == IDX_STEMS


def test_mirror_names_are_found(mnist_small, tmp_path):
    dotted = {key: stem.replace("-idx", ".idx") for key, stem in idx.IDX_FILES.items()}
    write_idx_set(mnist_small, tmp_path, count=20, stems=dotted)
    found = idx.find_idx_files(tmp_path)
    assert {key: path.name for key, path in found.items()} == dotted
    assert len(idx.load_idx_dir(tmp_path).x_train) == 20


def test_missing_files_are_named(mnist_small, tmp_path):
    write_idx_set(mnist_small, tmp_path, count=20)
    (tmp_path / idx.IDX_FILES["y_test"]).unlink()
    assert idx.find_idx_files(tmp_path, required=False) is None
    assert idx.find_idx_files(tmp_path / "not-a-folder", required=False) is None
    with pytest.raises(DatasetError, match="lacks the IDX file\\(s\\) t10k-labels-idx1-ubyte"):
        idx.find_idx_files(tmp_path)


def test_wrong_magic_and_truncation_are_explained(mnist_small, tmp_path):
    write_idx_set(mnist_small, tmp_path, count=50)
    images = tmp_path / idx.IDX_FILES["x_train"]
    good = images.read_bytes()
    images.write_bytes(good[:-100])
    with pytest.raises(DatasetError, match="holds 39,100 data bytes but its header promises 39,200"):
        idx.load_idx_dir(tmp_path)
    images.write_bytes(b"\x12\x34" + good[2:])
    with pytest.raises(DatasetError, match="magic"):
        idx.load_idx_dir(tmp_path)
    images.write_bytes(good[:10])
    with pytest.raises(DatasetError, match="incomplete header"):
        idx.load_idx_dir(tmp_path)


def test_a_broken_gzip_is_explained(tmp_path):
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(b"\x00\x00\x08\x01")[:-6])
    with pytest.raises(DatasetError, match="x.gz cannot be read"):
        idx.read_idx(path)


def test_class_names_from_a_file_or_a_fashion_folder(mnist_small, tmp_path):
    named = write_idx_set(mnist_small, tmp_path / "mine", count=30)
    (named / "class_names.txt").write_text("\n".join(f"class {i}" for i in range(10)) + "\n\n")
    assert idx.load_idx_dir(named).class_names == [f"class {i}" for i in range(10)]
    fashion = write_idx_set(mnist_small, tmp_path / "Fashion-MNIST copy", count=30)
    ds = idx.load_idx_dir(fashion)
    assert ds.class_names == FASHION_NAMES and ds.preprocessing == "gray"
