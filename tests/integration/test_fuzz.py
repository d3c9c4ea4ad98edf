"""Property-based fuzzing of the image, dataset and model loaders.

Each loader must either return something valid or raise its one-sentence error type —
never another exception. Example counts (sum ≥ 10,000) are in ``EXAMPLES``.
"""

import io
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from digitapp.core import datasets, persistence, preprocessing
from digitapp.core.errors import DatasetError, ImageError, ModelFileError
from tests.helpers import IDX_STEMS, write_idx_set

pytestmark = pytest.mark.slow

EXAMPLES = {
    "image bytes": 2500,
    "mutated images": 3000,
    "image arrays": 1000,
    "npz arrays": 1500,
    "mutated idx": 1000,
    "mutated npz": 500,
    "mutated models": 600,
}
SHAPE = (28, 28, 1)


def fuzz(name: str):
    return settings(max_examples=EXAMPLES[name], deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


def one_sentence(exc: Exception) -> None:
    text = str(exc)
    assert text and "\n" not in text and "Traceback" not in text, repr(text)


def valid_input(out: np.ndarray, shape=SHAPE) -> None:
    assert out.shape == shape and out.dtype == np.float32
    assert np.isfinite(out).all() and out.min() >= 0 and out.max() <= 1


def _seed_images() -> list[tuple[str, bytes]]:
    rng = np.random.default_rng(0)
    digit = Image.fromarray((rng.random((40, 30)) > 0.7).astype(np.uint8) * 255, "L")
    seeds = []
    for fmt, img, kwargs in (("png", digit, {}), ("jpg", digit, {"quality": 80}), ("gif", digit, {}),
                             ("bmp", digit, {}), ("tiff", digit, {}), ("webp", digit.convert("RGB"), {}),
                             ("png", digit.convert("RGBA"), {}), ("png", digit.convert("P"), {"transparency": 0})):
        buf = io.BytesIO()
        img.save(buf, "JPEG" if fmt == "jpg" else fmt.upper(), **kwargs)
        seeds.append((fmt, buf.getvalue()))
    return seeds


SEED_IMAGES = _seed_images()


@st.composite
def mutated(draw, seeds: list[bytes]):
    """A real file with bytes overwritten, inserted, deleted or cut off."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["overwrite", "insert", "delete", "truncate"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "overwrite" and data:
            chunk = draw(st.binary(min_size=1, max_size=8))
            data[at:at + len(chunk)] = chunk
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 16))]
        else:
            del data[at:]
    return bytes(data)


def _prepare_bytes(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzz.{suffix}"
        path.write_bytes(data)
        try:
            valid_input(preprocessing.prepare(path, SHAPE, "digit"))
        except ImageError as exc:
            one_sentence(exc)


@fuzz("image bytes")
@given(st.binary(max_size=600), st.sampled_from(["png", "jpg", "gif", "bmp", "bin"]))
def test_random_bytes_as_an_image(data, suffix):
    _prepare_bytes(data, suffix)


@fuzz("mutated images")
@given(st.sampled_from(range(len(SEED_IMAGES))), st.data())
def test_damaged_real_images(index, data):
    fmt, _ = SEED_IMAGES[index]
    _prepare_bytes(data.draw(mutated([SEED_IMAGES[index][1]])), fmt)


@fuzz("image arrays")
@given(hnp.arrays(
    dtype=st.sampled_from([np.uint8, np.uint16, np.int32, np.float32, np.float64, np.bool_]),
    shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=40),  # floats include NaN, ±inf
), st.sampled_from(["digit", "gray", "rgb"]))
def test_arrays_as_images(arr, recipe):
    shape = (28, 28, 3) if recipe == "rgb" else SHAPE
    try:
        valid_input(preprocessing.prepare(arr, shape, recipe), shape)
    except ImageError as exc:
        one_sentence(exc)


image_arrays = hnp.arrays(
    dtype=st.sampled_from([np.uint8, np.float32, np.float64, np.int64, np.int8, np.bool_]),
    shape=st.sampled_from([(0, 28, 28), (3, 28, 28), (3, 28, 28, 1), (3, 8, 8, 3), (3, 784), (3, 5, 5, 2),
                           (3,), (2, 28, 28), (3, 4, 4)]),
)
label_arrays = hnp.arrays(dtype=st.sampled_from([np.int64, np.uint8, np.float64, np.int8]),
                          shape=st.sampled_from([(3,), (2,), (3, 1), (0,), (3, 2)]))


@fuzz("npz arrays")
@given(st.fixed_dictionaries({}, optional={
    "x_train": image_arrays, "y_train": label_arrays, "x_test": image_arrays, "y_test": label_arrays,
    "class_names": st.lists(st.text(max_size=5), max_size=4).map(np.array),
}))
def test_npz_datasets_with_any_arrays(arrays):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.npz"
        np.savez(path, **arrays)
        try:
            ds = datasets.load_dataset(path)
        except DatasetError as exc:
            one_sentence(exc)
        else:
            assert ds.x_train.dtype == np.uint8 and len(ds.x_train) == len(ds.y_train) > 0
            assert ds.y_train.max() < ds.num_classes and ds.y_train.min() >= 0


def _seed_dataset_files() -> tuple[dict[str, bytes], bytes]:
    rng = np.random.default_rng(1)
    small = datasets.from_arrays("seed", rng.integers(0, 255, (6, 28, 28), dtype=np.uint8), np.arange(6) % 3,
                                 rng.integers(0, 255, (3, 28, 28), dtype=np.uint8), np.arange(3))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_idx_set(small, folder)
        idx = {stem: (folder / stem).read_bytes() for stem in IDX_STEMS.values()}
        datasets.save_npz(small, folder / "seed.npz")
        return idx, (folder / "seed.npz").read_bytes()


SEED_IDX, SEED_NPZ = _seed_dataset_files()


@fuzz("mutated idx")
@given(st.sampled_from(sorted(SEED_IDX)), st.data())
def test_damaged_idx_files(stem, data):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, content in SEED_IDX.items():
            (folder / name).write_bytes(data.draw(mutated([content])) if name == stem else content)
        try:
            datasets.load_dataset(folder)
        except DatasetError as exc:
            one_sentence(exc)


@fuzz("mutated npz")
@given(st.data())
def test_damaged_npz_files(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.npz"
        path.write_bytes(data.draw(mutated([SEED_NPZ])))
        try:
            datasets.load_dataset(path)
        except DatasetError as exc:
            one_sentence(exc)


@pytest.fixture(scope="module")
def seed_model_files(tmp_path_factory) -> list[bytes]:
    """A real small .keras file and the members of its zip, to damage one at a time."""
    from digitapp.core import models

    folder = tmp_path_factory.mktemp("seed-model")
    model = models.build_model("mlp", (8, 8, 1), 3)
    info = persistence.ModelInfo((8, 8, 1), ["a", "b", "c"], "gray")
    path = persistence.save_model(model, folder / "seed.keras", info)
    return [path.read_bytes()]


def _rezip_with_damage(original: bytes, member: str, damaged: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, damaged if item.filename == member else src.read(item))
    return out.getvalue()


def test_damaged_model_files(seed_model_files):
    """Whole-file damage and damage inside each member of the .keras zip (config,
    metadata, weights), loaded in safe mode."""

    tried = []

    @fuzz("mutated models")
    @given(st.data())
    def run(data):
        tried.append(1)
        original = seed_model_files[0]
        with zipfile.ZipFile(io.BytesIO(original)) as z:
            members = {i.filename: z.read(i) for i in z.infolist()}
        target = data.draw(st.sampled_from([None, *sorted(members)]))
        if target is None:
            content = data.draw(mutated([original]))
        else:
            content = _rezip_with_damage(original, target, data.draw(mutated([members[target]])))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "fuzz.keras"
            path.write_bytes(content)
            try:
                model, info = persistence.load_model(path)
            except ModelFileError as exc:
                one_sentence(exc)
            else:
                assert len(info.input_shape) == 3 and len(info.class_names) >= 2
                assert model.output_shape[-1] == len(info.class_names)

    run()
    assert len(tried) >= EXAMPLES["mutated models"]
