"""The Dataset type and the checks every loader's arrays go through."""

import numpy as np
import pytest

from digitapp.core.config import DIGIT_NAMES
from digitapp.core.datasets import arrays
from digitapp.core.errors import DatasetError
from tests.helpers import one_sentence


def _zeros(n, side=28):
    return np.zeros((n, side, side), np.uint8)


def test_dataset_describes_itself(mnist_small):
    assert mnist_small.input_shape == (28, 28, 1) and mnist_small.num_classes == 10
    assert mnist_small.summary() == "MNIST-small: 600 train / 200 test images, 28×28×1, 10 classes"


def test_float_images_and_column_labels_become_bytes_and_a_vector(mnist_small):
    ds = arrays.from_arrays("f", mnist_small.x_train[..., 0] / 255.0, mnist_small.y_train[:, None],
                            mnist_small.x_test[..., 0] / 255.0, mnist_small.y_test[:, None])
    np.testing.assert_array_equal(ds.x_train, mnist_small.x_train)
    assert ds.x_train.dtype == np.uint8 and ds.y_train.shape == (600,) and ds.y_train.dtype == np.int32


def test_images_on_0_to_255_as_floats_are_kept_as_they_are():
    x = np.full((4, 28, 28), 200.0)
    ds = arrays.from_arrays("f", x, [0, 1, 0, 1], x, [0, 1, 0, 1])
    assert ds.x_train.max() == 200


def test_class_names_and_recipe_follow_the_labels_and_shape():
    ds = arrays.from_arrays("three", _zeros(3), [0, 1, 2], _zeros(3), [0, 1, 2])
    assert ds.class_names == DIGIT_NAMES[:3] and ds.preprocessing == "digit"
    many = np.arange(12)
    ds = arrays.from_arrays("twelve", _zeros(12), many, _zeros(12), many)
    assert ds.class_names == [str(i) for i in range(12)] and ds.preprocessing == "gray"
    rgb = np.zeros((2, 32, 32, 3), np.uint8)
    assert arrays.from_arrays("rgb", rgb, [0, 1], rgb, [0, 1]).preprocessing == "rgb"
    named = arrays.from_arrays("n", _zeros(2), [0, 1], _zeros(2), [0, 1], ["cat", "dog"], "rgb")
    assert named.class_names == ["cat", "dog"] and named.preprocessing == "rgb"


BAD_ARRAYS = {
    "wrong image rank": (np.zeros((4, 784)), np.zeros(4, int), np.zeros((2, 784)), np.zeros(2, int)),
    "two channels": (np.zeros((4, 28, 28, 2)), np.zeros(4, int), np.zeros((2, 28, 28, 2)), np.zeros(2, int)),
    "too small": (np.zeros((4, 4, 4)), np.array([0, 1, 0, 1]), np.zeros((2, 4, 4)), np.array([0, 1])),
    "length mismatch": (_zeros(4), np.zeros(3, int), _zeros(2), np.zeros(2, int)),
    "empty test set": (_zeros(4), np.array([0, 1, 0, 1]), _zeros(0), np.zeros(0, int)),
    "negative label": (_zeros(4), np.array([0, 1, -1, 2]), _zeros(2), np.zeros(2, int)),
    "fractional label": (_zeros(4), np.array([0, 1, 0.5, 2]), _zeros(2), np.zeros(2, int)),
    "two labels per image": (_zeros(4), np.zeros((4, 2), int), _zeros(2), np.zeros(2, int)),
    "huge label": (_zeros(4), np.array([0, 1, 0, 20_000]), _zeros(2), np.array([0, 1])),
    "pixel range": (np.full((4, 28, 28), 300.0), np.array([0, 1, 0, 1]), _zeros(2), np.array([0, 1])),
    "train/test shapes": (_zeros(4), np.array([0, 1, 0, 1]), _zeros(2, 32), np.array([0, 1])),
    "text pixels": (np.full((4, 28, 28), "ink"), np.array([0, 1, 0, 1]), _zeros(2), np.array([0, 1])),
    "complex pixels": (np.zeros((4, 28, 28), np.complex64), np.array([0, 1, 0, 1]), _zeros(2), np.array([0, 1])),
    "text labels": (_zeros(4), np.array(["a", "b", "a", "b"]), _zeros(2), np.array([0, 1])),
    "nan pixels": (np.full((4, 28, 28), np.nan), np.array([0, 1, 0, 1]), _zeros(2), np.array([0, 1])),
    "one class": (_zeros(4), np.zeros(4, int), _zeros(2), np.zeros(2, int)),
}


@pytest.mark.parametrize("case", list(BAD_ARRAYS))
def test_bad_arrays_give_one_sentence(case):
    with pytest.raises(DatasetError) as info:
        arrays.from_arrays("bad", *BAD_ARRAYS[case])
    assert one_sentence(str(info.value)), str(info.value)


def test_labels_beyond_the_class_names():
    with pytest.raises(DatasetError, match="Labels go up to 3 but there are only 2 classes"):
        arrays.from_arrays("bad", _zeros(4), [0, 1, 2, 3], _zeros(2), [0, 1], ["a", "b"])


def test_validation_split_is_disjoint_and_seeded(mnist_small):
    x, y = mnist_small.x_train, mnist_small.y_train
    xt, yt, xv, yv = arrays.split_validation(x, y, 0.1, seed=3)
    assert (len(xt), len(xv)) == (540, 60) and (len(yt), len(yv)) == (540, 60)
    again = arrays.split_validation(x, y, 0.1, seed=3)
    np.testing.assert_array_equal(again[2], xv)
    other = arrays.split_validation(x, y, 0.1, seed=4)
    assert not np.array_equal(other[2], xv)
    held_out = {image.tobytes() for image in xv}
    assert not any(image.tobytes() in held_out for image in xt)


def test_no_validation_share_keeps_every_training_image(mnist_small):
    xt, yt, xv, yv = arrays.split_validation(mnist_small.x_train, mnist_small.y_train, 0.0, seed=0)
    assert xt is mnist_small.x_train and len(xv) == len(yv) == 0
    with pytest.raises(ValueError):
        arrays.split_validation(mnist_small.x_train, mnist_small.y_train, 1.0, seed=0)


def test_first_line_of_an_error():
    assert arrays.first_line(ValueError("short\nand a long story")) == "short"
    assert arrays.first_line(KeyError()) == "KeyError"


def test_labels_all_of_one_class_are_refused():
    """All 42: the labels say 43 classes but only one is present — a model would learn nothing."""
    labels = np.full(6, 42)
    with pytest.raises(DatasetError) as info:
        arrays.from_arrays("forty-two", _zeros(6), labels, _zeros(2), labels[:2])
    assert str(info.value) == ("Every training image is labelled '42'; "
                               "a classifier needs training images of at least two classes.")
    with pytest.raises(DatasetError, match="Every training image is labelled 'cat'"):
        arrays.from_arrays("cats", _zeros(4), [0, 0, 0, 0], _zeros(2), [0, 1], ["cat", "dog"])


def test_gaps_in_the_labels_are_noted_in_one_sentence_each(mnist_small):
    x, y = mnist_small.x_train, mnist_small.y_train
    keep = np.isin(y, [3, 7], invert=True)  # real MNIST without any 3 or 7 in training
    test_keep = mnist_small.y_test != 5  # and without 5 in the test set
    ds = arrays.from_arrays("gaps", x[keep], y[keep], mnist_small.x_test[test_keep], mnist_small.y_test[test_keep],
                            DIGIT_NAMES)
    assert ds.notes == [
        "No training images for 2 of 10 classes ('3', '7'): the model cannot learn to recognise them.",
        "No test images for 1 of 10 classes ('5'): the test accuracy says nothing about them.",
    ]
    assert all(one_sentence(note) for note in ds.notes)


def test_complete_labels_give_no_notes_and_long_gaps_are_shortened(mnist_small):
    assert arrays.from_arrays("full", mnist_small.x_train, mnist_small.y_train,
                              mnist_small.x_test, mnist_small.y_test).notes == []
    sparse = np.array([0, 20, 0, 20])  # 21 classes from the labels, 19 of them empty
    ds = arrays.from_arrays("sparse", _zeros(4), sparse, _zeros(2), sparse[:2])
    assert ds.notes == ["No training images for 19 of 21 classes ('1', '2', '3', '4', '5' and 14 more): "
                        "the model cannot learn to recognise them."]
