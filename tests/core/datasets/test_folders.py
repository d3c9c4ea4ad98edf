"""Folders of class sub-folders of images, the layout users build by hand."""

import numpy as np
import pytest
from PIL import Image

from digitapp.core.datasets import folders
from digitapp.core.errors import DatasetError


def _class_folders(mnist_small, root, names, per_class=10):
    for label, name in enumerate(names):
        (root / name).mkdir(parents=True)
        for i in np.flatnonzero(mnist_small.y_train == label)[:per_class]:
            Image.fromarray(mnist_small.x_train[i, ..., 0]).save(root / name / f"{i}.png")
    return root


def test_class_folders_import(mnist_small, tmp_path):
    names = ["cat", "dog", "zebra"]
    _class_folders(mnist_small, tmp_path, names)
    (tmp_path / "dog" / "notes.txt").write_text("not an image")
    (tmp_path / "dog" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    (tmp_path / ".thumbnails").mkdir()
    ds = folders.load_image_folder(tmp_path)
    assert ds.name == tmp_path.name and ds.class_names == names
    assert ds.input_shape == (28, 28, 1) and ds.preprocessing == "gray"
    assert len(ds.x_train) + len(ds.x_test) == 30
    assert sorted(set(ds.y_test.tolist())) == [0, 1, 2]  # every class is held out for testing
    assert len(ds.notes) == 1 and "broken.png" in ds.notes[0]
    first = np.flatnonzero(mnist_small.y_train == 0)[0]
    assert any(np.array_equal(x[..., 0], mnist_small.x_train[first, ..., 0])
               for x in np.concatenate([ds.x_train, ds.x_test]))


def test_the_held_out_share_is_the_same_every_time(mnist_small, tmp_path):
    _class_folders(mnist_small, tmp_path, ["a", "b"])
    first, second = folders.load_image_folder(tmp_path), folders.load_image_folder(tmp_path)
    assert len(first.x_test) == 4  # a fifth of each class of 10
    np.testing.assert_array_equal(first.x_test, second.x_test)


def test_train_and_test_folders_are_the_split(tmp_path):
    rng = np.random.default_rng(0)
    for part in ("train", "test"):
        for name in ("a", "b"):
            (tmp_path / part / name).mkdir(parents=True)
            for i in range(3):
                Image.fromarray(rng.integers(0, 255, (40, 30, 3), dtype=np.uint8)).save(
                    tmp_path / part / name / f"{i}.jpg")
    ds = folders.load_image_folder(tmp_path)
    assert (len(ds.x_train), len(ds.x_test)) == (6, 6)
    assert ds.input_shape == (40, 30, 3) and ds.preprocessing == "rgb"
    (tmp_path / "train" / "c").mkdir()
    (tmp_path / "test" / "c").mkdir()
    with pytest.raises(DatasetError, match="contains no images"):
        folders.load_image_folder(tmp_path)


def test_test_classes_must_be_training_classes(tmp_path):
    for part, names in (("train", ("a", "b")), ("test", ("a", "z"))):
        for name in names:
            (tmp_path / part / name).mkdir(parents=True)
            Image.new("L", (28, 28)).save(tmp_path / part / name / "x.png")
    with pytest.raises(DatasetError, match="has classes missing from"):
        folders.load_image_folder(tmp_path)


def test_big_photos_are_reduced_and_sizes_unified(tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        for i in range(3):
            Image.new("RGB", (400, 300), (i * 40, 0, 0)).save(tmp_path / name / f"{i}.png")
        Image.new("RGB", (50, 50)).save(tmp_path / name / "odd size.png")
    ds = folders.load_image_folder(tmp_path)
    assert ds.input_shape == (48, folders.MAX_FOLDER_IMAGE_SIDE, 3)  # 400×300 kept its aspect


def test_folders_that_are_not_datasets(tmp_path):
    (tmp_path / "only").mkdir()
    with pytest.raises(DatasetError, match="at least two class sub-folders"):
        folders.load_image_folder(tmp_path)
    (tmp_path / "other").mkdir()
    Image.new("L", (28, 28)).save(tmp_path / "only" / "x.png")
    Image.new("L", (28, 28)).save(tmp_path / "other" / "y.png")
    with pytest.raises(DatasetError, match="Too few images to hold any out"):
        folders.load_image_folder(tmp_path)
    for name in ("only", "other"):
        for i in range(3):
            (tmp_path / name / f"{i}.png").write_bytes(b"not a png")
        (tmp_path / name / "x.png").unlink(missing_ok=True)
        (tmp_path / name / "y.png").unlink(missing_ok=True)
    with pytest.raises(DatasetError, match="No readable images"):
        folders.load_image_folder(tmp_path)


def test_skipped_files_and_the_class_checks_are_both_noted(mnist_small, tmp_path):
    _class_folders(mnist_small, tmp_path / "train", ["a", "b"], per_class=4)
    _class_folders(mnist_small, tmp_path / "test", ["a"], per_class=2)
    (tmp_path / "test" / "b").mkdir()
    (tmp_path / "test" / "b" / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n cut off")  # b's only test image
    ds = folders.load_image_folder(tmp_path)
    assert len(ds.notes) == 2
    assert ds.notes[0].startswith("skipped") and "scan.png" in ds.notes[0]
    assert ds.notes[1] == "No test images for 1 of 2 classes ('b'): the test accuracy says nothing about them."
