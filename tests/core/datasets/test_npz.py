"""Keras-layout .npz files: round trip, the optional class names, and broken archives."""

import numpy as np
import pytest

from digitapp.core.datasets import npz
from digitapp.core.errors import DatasetError
from tests.helpers import one_sentence


def test_round_trip(mnist_small, tmp_path):
    path = tmp_path / "set.npz"
    npz.save_npz(mnist_small, path)
    loaded = npz.load_npz(path)
    assert loaded.name == "set"
    np.testing.assert_array_equal(loaded.x_train, mnist_small.x_train)
    np.testing.assert_array_equal(loaded.y_test, mnist_small.y_test)
    assert loaded.class_names == mnist_small.class_names and loaded.preprocessing == "digit"


def test_class_names_come_from_the_file_unless_given(tmp_path):
    path = tmp_path / "pets.npz"
    x = np.zeros((4, 28, 28), np.uint8)
    np.savez(path, x_train=x, y_train=[0, 1, 0, 1], x_test=x, y_test=[1, 0, 1, 0], class_names=["cat", "dog"])
    assert npz.load_npz(path).class_names == ["cat", "dog"]
    loaded = npz.load_npz(path, name="Pets", class_names=["kitten", "puppy"])
    assert loaded.class_names == ["kitten", "puppy"] and loaded.name == "Pets"


def test_missing_arrays_are_named(tmp_path):
    path = tmp_path / "half.npz"
    np.savez(path, x_train=np.zeros((4, 28, 28)), y_train=np.zeros(4))
    with pytest.raises(DatasetError, match="half.npz lacks x_test, y_test"):
        npz.load_npz(path)


def test_a_single_array_is_not_an_archive(tmp_path):
    path = tmp_path / "one.npz"
    with open(path, "wb") as f:
        np.save(f, np.zeros((4, 28, 28)))
    with pytest.raises(DatasetError, match="holds a single array"):
        npz.load_npz(path)


def test_pickled_objects_are_not_loaded(tmp_path):
    """An .npz from the internet must not be able to run code: object arrays are refused,
    and the message does not tell the user how to load them anyway."""
    path = tmp_path / "objects.npz"
    x = np.zeros((4, 28, 28), np.uint8)
    np.savez(path, x_train=x, y_train=np.array([0, 1, 0, 1], dtype=object), x_test=x, y_test=[0, 1, 0, 1])
    with pytest.raises(DatasetError) as info:
        npz.load_npz(path)
    assert str(info.value) == ("objects.npz stores y_train as Python objects, which are not loaded for safety; "
                               "expected plain numeric arrays.")


def test_a_text_file_named_npz_gets_one_true_sentence(tmp_path):
    """numpy takes anything that is not a zip for a pickle and advises allow_pickle=True:
    the user must never be told to load data unsafely."""
    path = tmp_path / "notes.npz"
    path.write_text("remember the milk\n", encoding="utf-8")
    with pytest.raises(DatasetError) as info:
        npz.load_npz(path)
    assert str(info.value) == "notes.npz is not a NumPy .npz archive."
    assert "pickle" not in str(info.value).lower()


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 truncated zip", b"hello world", b"\x80\x04K\x01."])
def test_corrupt_file(content, tmp_path):
    path = tmp_path / "corrupt.npz"
    path.write_bytes(content)
    with pytest.raises(DatasetError, match="corrupt.npz is not a NumPy .npz archive") as info:
        npz.load_npz(path)
    assert one_sentence(str(info.value)) and "pickle" not in str(info.value).lower()


def test_a_damaged_archive_names_numpys_reason(mnist_small, tmp_path):
    path = tmp_path / "damaged.npz"
    npz.save_npz(mnist_small, path)
    data = bytearray(path.read_bytes())
    data[100:400] = bytes(300)  # inside x_train's compressed bytes; the zip directory stays intact
    path.write_bytes(bytes(data))
    with pytest.raises(DatasetError, match="damaged.npz is not a readable .npz file") as info:
        npz.load_npz(path)
    assert one_sentence(str(info.value))


def test_missing_file(tmp_path):
    with pytest.raises(DatasetError, match="does not exist"):
        npz.load_npz(tmp_path / "ghost.npz")
