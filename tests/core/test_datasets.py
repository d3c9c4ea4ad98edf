"""Dataset loading, importers (round-trips through real files) and their error messages."""

import gzip
import pickle

import numpy as np
import pytest
from PIL import Image

from digitapp.core import datasets
from digitapp.core.errors import DatasetError


def test_bundled_mnist_is_the_real_set(mnist):
    assert mnist.x_train.shape == (60000, 28, 28, 1) and mnist.x_test.shape == (10000, 28, 28, 1)
    assert mnist.x_train.dtype == np.uint8
    assert mnist.y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert mnist.y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert mnist.class_names == [str(d) for d in range(10)]
    assert mnist.preprocessing == "digit"
    assert mnist.input_shape == (28, 28, 1)


def test_npz_round_trip(mnist_small, tmp_path):
    path = tmp_path / "set.npz"
    datasets.save_npz(mnist_small, path)
    loaded = datasets.load_dataset(path)
    np.testing.assert_array_equal(loaded.x_train, mnist_small.x_train)
    np.testing.assert_array_equal(loaded.y_test, mnist_small.y_test)
    assert loaded.class_names == mnist_small.class_names


def test_npz_accepts_float_images_and_column_labels(mnist_small, tmp_path):
    path = tmp_path / "float.npz"
    np.savez(path, x_train=mnist_small.x_train[..., 0] / 255.0, y_train=mnist_small.y_train[:, None],
             x_test=mnist_small.x_test[..., 0] / 255.0, y_test=mnist_small.y_test[:, None])
    loaded = datasets.load_dataset(path)
    np.testing.assert_array_equal(loaded.x_train, mnist_small.x_train)
    assert loaded.y_train.shape == (len(mnist_small.y_train),)


@pytest.mark.parametrize("gz", [True, False])
def test_idx_round_trip(mnist_small, tmp_path, gz):
    suffix = ".gz" if gz else ""
    arrays = {"x_train": mnist_small.x_train[..., 0], "y_train": mnist_small.y_train,
              "x_test": mnist_small.x_test[..., 0], "y_test": mnist_small.y_test}
    for key, stem in datasets.IDX_FILES.items():
        datasets.write_idx(arrays[key], tmp_path / (stem + suffix))
    loaded = datasets.load_dataset(tmp_path)
    np.testing.assert_array_equal(loaded.x_train, mnist_small.x_train)
    np.testing.assert_array_equal(loaded.y_test, mnist_small.y_test)
    assert loaded.class_names == datasets.DIGIT_NAMES
    assert loaded.preprocessing == "digit"


def test_idx_wrong_magic_and_truncation_are_explained(mnist_small, tmp_path):
    for key, stem in datasets.IDX_FILES.items():
        arr = mnist_small.x_train[..., 0] if key.startswith("x") else mnist_small.y_train
        datasets.write_idx(arr[:50], tmp_path / stem)
    good = (tmp_path / "train-images-idx3-ubyte").read_bytes()
    (tmp_path / "train-images-idx3-ubyte").write_bytes(good[:-100])
    with pytest.raises(DatasetError, match="truncated"):
        datasets.load_dataset(tmp_path)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"\x12\x34" + good[2:])
    with pytest.raises(DatasetError, match="magic"):
        datasets.load_dataset(tmp_path)


def test_class_folders_import(mnist_small, tmp_path):
    names = ["cat", "dog", "zebra"]
    for label, name in enumerate(names):
        folder = tmp_path / name
        folder.mkdir()
        for i in np.flatnonzero(mnist_small.y_train == label)[:10]:
            Image.fromarray(mnist_small.x_train[i, ..., 0]).save(folder / f"{i}.png")
    (tmp_path / "dog" / "notes.txt").write_text("not an image")
    (tmp_path / "dog" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    ds = datasets.load_dataset(tmp_path)
    assert ds.class_names == names
    assert ds.input_shape == (28, 28, 1)
    assert len(ds.x_train) + len(ds.x_test) == 30
    assert sorted(set(ds.y_test.tolist())) == [0, 1, 2]  # every class is held out for testing
    assert any("broken.png" in note for note in ds.notes)
    first = np.flatnonzero(mnist_small.y_train == 0)[:10]
    assert any(np.array_equal(x[..., 0], mnist_small.x_train[first[0], ..., 0])
               for x in np.concatenate([ds.x_train, ds.x_test]))


def test_class_folders_with_train_test_split_and_empty_class(tmp_path):
    rng = np.random.default_rng(0)
    for part in ("train", "test"):
        for name in ("a", "b"):
            (tmp_path / part / name).mkdir(parents=True)
            for i in range(3):
                Image.fromarray(rng.integers(0, 255, (40, 30, 3), dtype=np.uint8)).save(
                    tmp_path / part / name / f"{i}.jpg")
    ds = datasets.load_dataset(tmp_path)
    assert (len(ds.x_train), len(ds.x_test)) == (6, 6)
    assert ds.input_shape == (40, 30, 3) and ds.preprocessing == "rgb"
    (tmp_path / "train" / "c").mkdir()
    (tmp_path / "test" / "c").mkdir()
    with pytest.raises(DatasetError, match="contains no images"):
        datasets.load_dataset(tmp_path)


def _write_cifar(folder, n_train=20, n_test=10):
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)

    def batch(n):
        return {b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
                b"labels": rng.integers(0, 10, n).tolist()}

    for i in range(1, 3):
        with open(folder / f"data_batch_{i}", "wb") as f:
            pickle.dump(batch(n_train // 2), f)
    with open(folder / "test_batch", "wb") as f:
        pickle.dump(batch(n_test), f)


def test_cifar_batches_from_the_keras_cache(tmp_path, monkeypatch):
    _write_cifar(tmp_path / "datasets" / "cifar-10-batches-py-target" / "cifar-10-batches-py")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    ds = datasets.load_dataset("cifar10")
    assert ds.input_shape == (32, 32, 3) and len(ds.x_train) == 20 and len(ds.x_test) == 10
    assert ds.class_names[0] == "airplane" and ds.preprocessing == "rgb"


def test_cifar_batch_with_code_is_refused(tmp_path):
    _write_cifar(tmp_path / "c")
    with open(tmp_path / "c" / "test_batch", "wb") as f:
        pickle.dump({b"data": print, b"labels": []}, f)
    with pytest.raises(DatasetError, match="not a readable CIFAR batch"):
        datasets.load_dataset(tmp_path / "c")


def test_offline_download_failure_is_one_sentence(tmp_path, monkeypatch):
    from digitapp.core.tf import keras

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(datasets, "SYSTEM_FASHION_DIR", tmp_path / "nowhere")

    def no_network():
        raise OSError("Name or service not known")

    monkeypatch.setattr(keras.datasets.fashion_mnist, "load_data", no_network)
    with pytest.raises(DatasetError, match="could not be downloaded"):
        datasets.load_dataset("fashion_mnist")


@pytest.mark.skipif(not datasets.SYSTEM_FASHION_DIR.exists(), reason="Debian's dataset-fashion-mnist not installed")
def test_debian_fashion_mnist():
    ds = datasets.load_dataset("fashion_mnist")
    assert ds.x_train.shape == (60000, 28, 28, 1) and ds.x_test.shape == (10000, 28, 28, 1)
    assert ds.class_names[9] == "Ankle boot" and ds.preprocessing == "gray"
    assert np.bincount(ds.y_test).tolist() == [1000] * 10


BAD_NPZ = {
    "missing key": dict(x_train=np.zeros((4, 28, 28)), y_train=np.zeros(4)),
    "wrong image rank": dict(x_train=np.zeros((4, 784)), y_train=np.zeros(4, int),
                             x_test=np.zeros((2, 784)), y_test=np.zeros(2, int)),
    "length mismatch": dict(x_train=np.zeros((4, 28, 28)), y_train=np.zeros(3, int),
                            x_test=np.zeros((2, 28, 28)), y_test=np.zeros(2, int)),
    "negative label": dict(x_train=np.zeros((4, 28, 28)), y_train=np.array([0, 1, -1, 2]),
                           x_test=np.zeros((2, 28, 28)), y_test=np.zeros(2, int)),
    "fractional label": dict(x_train=np.zeros((4, 28, 28)), y_train=np.array([0, 1, 0.5, 2]),
                             x_test=np.zeros((2, 28, 28)), y_test=np.zeros(2, int)),
    "pixel range": dict(x_train=np.full((4, 28, 28), 300.0), y_train=np.array([0, 1, 0, 1]),
                        x_test=np.zeros((2, 28, 28)), y_test=np.array([0, 1])),
    "train/test shapes": dict(x_train=np.zeros((4, 28, 28)), y_train=np.array([0, 1, 0, 1]),
                              x_test=np.zeros((2, 32, 32)), y_test=np.array([0, 1])),
    "text pixels": dict(x_train=np.full((4, 28, 28), "ink"), y_train=np.array([0, 1, 0, 1]),
                        x_test=np.zeros((2, 28, 28)), y_test=np.array([0, 1])),
    "complex pixels": dict(x_train=np.zeros((4, 28, 28), np.complex64), y_train=np.array([0, 1, 0, 1]),
                           x_test=np.zeros((2, 28, 28)), y_test=np.array([0, 1])),
    "text labels": dict(x_train=np.zeros((4, 28, 28)), y_train=np.array(["a", "b", "a", "b"]),
                        x_test=np.zeros((2, 28, 28)), y_test=np.array([0, 1])),
    "nan pixels": dict(x_train=np.full((4, 28, 28), np.nan), y_train=np.array([0, 1, 0, 1]),
                       x_test=np.zeros((2, 28, 28)), y_test=np.array([0, 1])),
}


@pytest.mark.parametrize("case", list(BAD_NPZ))
def test_bad_npz_gives_a_clear_error(case, tmp_path):
    path = tmp_path / "bad.npz"
    np.savez(path, **BAD_NPZ[case])
    with pytest.raises(DatasetError) as info:
        datasets.load_dataset(path)
    message = str(info.value)
    assert message.endswith(".") and "\n" not in message


def test_labels_beyond_the_class_names(tmp_path):
    path = tmp_path / "bad.npz"
    np.savez(path, x_train=np.zeros((4, 28, 28)), y_train=np.array([0, 1, 2, 3]),
             x_test=np.zeros((2, 28, 28)), y_test=np.array([0, 1]), class_names=np.array(["a", "b"]))
    with pytest.raises(DatasetError, match="Labels go up to 3"):
        datasets.load_dataset(path)


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 truncated zip", b"hello world"])
def test_corrupt_npz_file(content, tmp_path):
    path = tmp_path / "corrupt.npz"
    path.write_bytes(content)
    with pytest.raises(DatasetError, match="not a readable .npz"):
        datasets.load_dataset(path)


def test_not_a_dataset(tmp_path):
    with pytest.raises(DatasetError, match="does not exist"):
        datasets.load_dataset(tmp_path / "missing.npz")
    (tmp_path / "a.csv").write_text("1,2")
    with pytest.raises(DatasetError, match="not a dataset"):
        datasets.load_dataset(tmp_path / "a.csv")
    with pytest.raises(DatasetError, match="not a dataset"):
        datasets.load_dataset(tmp_path)
    gz = tmp_path / "g"
    gz.mkdir()
    for stem in datasets.IDX_FILES.values():
        (gz / (stem + ".gz")).write_bytes(gzip.compress(b"\x00\x00\x08\x01") + b"junk")
    with pytest.raises(DatasetError):
        datasets.load_dataset(gz)


def test_validation_split_is_disjoint_and_seeded(mnist_small):
    x, y = mnist_small.x_train, mnist_small.y_train
    xt, yt, xv, yv = datasets.split_validation(x, y, 0.1, seed=3)
    assert (len(xt), len(xv)) == (540, 60)
    again = datasets.split_validation(x, y, 0.1, seed=3)
    np.testing.assert_array_equal(again[2], xv)
    flat = {arr.tobytes() for arr in xv}
    assert not any(arr.tobytes() in flat for arr in xt[:200])
