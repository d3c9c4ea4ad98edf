"""Personal samples as plain files: kept, listed, deleted, loaded as model inputs (real MNIST
digits as the user's drawings), split into learnt and held back, and refused with one sentence
when the folder is not a model's or has too few."""

import numpy as np
import pytest
from PIL import Image

from digitapp.core import personal
from digitapp.core.config import DIGIT_NAMES, FASHION_NAMES, NOT_A_DIGIT
from digitapp.core.errors import DatasetError
from tests.helpers import one_sentence

CLASSES = [*DIGIT_NAMES, NOT_A_DIGIT]
SHAPE = (28, 28, 1)


def _keep(mnist, folder, count, start=0):
    """``count`` real MNIST test digits kept as samples of their class, as a correction does."""
    for i in range(start, start + count):
        personal.save_sample(mnist.x_test[i, ..., 0], str(mnist.y_test[i]), folder)


def test_a_kept_sample_is_a_png_in_its_class_folder(tmp_path, mnist):
    path = personal.save_sample(mnist.x_test[0, ..., 0], "7", tmp_path / "mine")
    assert path.parent == tmp_path / "mine" / "7" and path.suffix == ".png"
    with Image.open(path) as kept:
        assert np.array_equal(np.asarray(kept), mnist.x_test[0, ..., 0])
        again = personal.save_sample(kept, "7", tmp_path / "mine")  # an opened file's image
    assert again != path and personal.list_samples(tmp_path / "mine") == {"7": sorted([path, again])}


def test_deleting_a_sample_removes_its_file_only(tmp_path, mnist):
    _keep(mnist, tmp_path, 3)
    first = personal.list_samples(tmp_path)[str(mnist.y_test[0])][0]
    personal.delete_sample(first)
    personal.delete_sample(first)  # gone already is fine
    assert not first.exists() and sum(map(len, personal.list_samples(tmp_path).values())) == 2


def test_class_folders_have_names_windows_allows():
    assert personal.folder_name("T-shirt/top") == "T-shirt-top"
    assert personal.folder_name('a:b*c?"') == "a-b-c--"
    assert personal.folder_name("not a digit") == "not a digit"


def test_digit_models_share_one_folder_and_other_models_have_their_own(app_data):
    digits = personal.samples_dir(CLASSES, "MNIST")
    assert digits == app_data / "personal" / "digits" == personal.samples_dir(DIGIT_NAMES, "my-digits.npz")
    assert personal.samples_dir(FASHION_NAMES, "Fashion-MNIST") == app_data / "personal" / "Fashion-MNIST"


def test_loaded_samples_are_prepared_like_a_drawing_with_their_labels(tmp_path, mnist):
    _keep(mnist, tmp_path, 12)
    samples = personal.load_samples(tmp_path, CLASSES, SHAPE, "digit")
    assert samples.x.shape == (12, 28, 28, 1) and samples.x.dtype == np.uint8
    assert sorted(samples.y.tolist()) == sorted(mnist.y_test[:12].tolist()) and not samples.notes
    assert samples.counts(len(CLASSES))[-1] == 0 and sum(samples.counts(len(CLASSES))) == 12


def test_what_cannot_be_used_is_skipped_with_a_note(tmp_path, mnist):
    _keep(mnist, tmp_path, 5)
    Image.new("L", (28, 28), 0).save(tmp_path / "7" / "blank.png")
    (tmp_path / "7" / "broken.png").write_bytes(b"not a png")
    Image.fromarray(mnist.x_test[0, ..., 0]).save(tmp_path / "loose.png")
    samples = personal.load_samples(tmp_path, CLASSES, SHAPE, "digit")
    assert len(samples.y) == 5 and len(samples.notes) == 3
    assert any("loose.png" in n for n in samples.notes) and any("blank" in n for n in samples.notes)


def test_every_fifth_sample_of_a_class_with_five_is_held_back(tmp_path, mnist):
    sevens = np.flatnonzero(mnist.y_test == 7)[:11]
    for i in sevens:
        personal.save_sample(mnist.x_test[i, ..., 0], "7", tmp_path)
    personal.save_sample(mnist.x_test[np.flatnonzero(mnist.y_test == 1)[0], ..., 0], "1", tmp_path)
    learn, held = personal.load_samples(tmp_path, CLASSES, SHAPE, "digit").split()
    assert held.y.tolist() == [7, 7] and sorted(learn.y.tolist()) == [1] + [7] * 9
    assert not set(held.paths) & set(learn.paths)


@pytest.mark.parametrize("case", ["missing", "file", "strangers"])
def test_a_folder_that_is_not_samples_for_the_model_gets_one_sentence(tmp_path, case):
    folder = tmp_path / "samples"
    if case == "file":
        folder.write_text("x")
    if case == "strangers":
        (folder / "cat").mkdir(parents=True)
    with pytest.raises(DatasetError) as err:
        personal.load_samples(folder, CLASSES, SHAPE, "digit")
    assert one_sentence(str(err.value)) and str(folder) in str(err.value)
    if case == "strangers":
        assert "cat" in str(err.value)


def test_too_few_samples_are_refused_with_how_many_are_needed(tmp_path, mnist):
    _keep(mnist, tmp_path, personal.MIN_SAMPLES - 1)
    samples = personal.load_samples(tmp_path, CLASSES, SHAPE, "digit")
    with pytest.raises(DatasetError) as err:
        personal.check_enough(samples, tmp_path)
    assert one_sentence(str(err.value)) and f"at least {personal.MIN_SAMPLES}" in str(err.value)
    _keep(mnist, tmp_path, 1, start=50)
    personal.check_enough(personal.load_samples(tmp_path, CLASSES, SHAPE, "digit"), tmp_path)


def test_a_ten_class_digit_model_skips_the_not_a_digit_samples_of_the_shared_folder(tmp_path, mnist):
    _keep(mnist, tmp_path, 6)
    personal.save_sample(mnist.x_test[0, ..., 0], NOT_A_DIGIT, tmp_path)
    samples = personal.load_samples(tmp_path, DIGIT_NAMES, SHAPE, "digit")
    assert len(samples.y) == 6 and any(NOT_A_DIGIT in note for note in samples.notes)


def test_a_large_photo_is_kept_scaled_down(tmp_path):
    path = personal.save_sample(Image.new("RGB", (4000, 3000), "white"), "7", tmp_path)
    with Image.open(path) as kept:
        assert max(kept.size) == personal.MAX_SIDE
