"""Issue 24's hostile photos, weights and sources, built by benchmarks/hostile.py: each answered with one clear
line, nothing decoded or allocated at the size a header announces."""

import io
import json
import math
import os
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest

from benchmarks.hostile import (
    damaged_video,
    edit_metadata,
    gif_header,
    grey_jpeg,
    int64_weights,
    png_of,
    rle_bmp,
    small_weights,
    sparse_file,
    tiff_header,
    webp_header,
    weights_starting_0x80,
)
from signcam import predict
from signcam.models.model import ModelConfig, build_model
from signcam.pipeline import sources as sources_module
from signcam.pipeline.sources import MAX_FRAME_PIXELS, SourceError, open_source, read_image, read_photo
from signcam.store.files import STALE_TEMP_S
from signcam.store.weights import MAX_WEIGHTS_BYTES, WeightsError, load_model, read_info, save_weights

ROOT = Path(__file__).resolve().parents[2]


# -- photos: every format bounded by its header -------------------------------------------------------------------
@pytest.mark.parametrize("build", [rle_bmp, tiff_header, gif_header], ids=["rle-bmp-400MP", "tiff", "gif"])
def test_images_announcing_too_many_pixels_are_refused_from_the_header(tmp_path, build):
    path = build(tmp_path / f"big.{build.__name__[:4]}")
    assert path.stat().st_size < 2000
    with pytest.raises(SourceError, match="too large to read"):
        read_image(path)


def test_webp_at_the_format_limit_is_refused_not_a_memory_error(tmp_path):
    with pytest.raises(SourceError, match="too large|not a readable image"):
        read_image(webp_header(tmp_path / "big.webp"))


def test_unknown_header_is_not_handed_to_the_decoder(tmp_path):
    path = tmp_path / "odd.jpg"
    path.write_bytes(b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 30000 +X 30000\n")  # HDR: OpenCV's, not Pillow's
    with pytest.raises(SourceError, match="not a readable image"):
        read_image(path)


def test_79_megapixel_png_decodes_within_budget_and_is_scaled_down(tmp_path):
    """A child, so its peak memory is its own: ~470 MB while decoding (twice the BGR size), not 4.9 GB."""
    path = png_of(tmp_path / "p79.png", 8_880, 8_880)
    assert path.stat().st_size < 200_000
    code = ("import re, sys; from signcam.pipeline.sources import read_image; "  # VmHWM: this
            "im = read_image(sys.argv[1]); "
            "hwm = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1); "  # program's own
            "print(im.shape[0] * im.shape[1], int(hwm) // 1024)")  # peak (ru_maxrss counts pytest's, from the fork)
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120, check=True).stdout.split()
    pixels, peak_mb = int(out[0]), int(out[1])
    assert pixels <= MAX_FRAME_PIXELS and peak_mb < 700


def test_huge_sparse_photo_file_is_refused_by_its_size(tmp_path):
    with pytest.raises(SourceError, match="too large for a photo"):
        read_image(sparse_file(tmp_path / "photo.jpg", 10 * 2**30))


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_fifo_and_device_are_refused_with_the_right_reason(tmp_path, kind):
    if kind == "fifo":
        path = tmp_path / "pipe.jpg"
        os.mkfifo(path)
        reason = "a pipe (FIFO)"
    else:
        path, reason = Path("/dev/urandom"), "a device"
    start = time.monotonic()
    for read in (read_photo, open_source, read_image):
        with pytest.raises(SourceError, match=reason.replace("(", r"\(").replace(")", r"\)")):
            read(path)
    assert time.monotonic() - start < 5  # nothing waited for a writer or read an endless stream


def test_non_utf8_file_name_is_printed_safely_and_the_run_goes_on(tmp_path, random_weights, monkeypatch):
    folder = tmp_path / "names"
    folder.mkdir()
    grey_jpeg(Path(os.fsdecode(os.fsencode(folder) + b"/caf\xe9.jpg")))
    grey_jpeg(folder / "plain.jpg")
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    monkeypatch.setattr(sys, "stdout", stdout)
    assert predict.main(["--weights", str(random_weights), "--roi", "box", str(folder)]) == 0
    stdout.flush()
    lines = stdout.buffer.getvalue().decode().splitlines()
    assert len(lines) == 2 and "caf\\xe9.jpg: " in lines[0] and "plain.jpg: " in lines[1]


def test_json_never_carries_nan():
    rec = types.SimpleNamespace(letter=None, confidence=math.nan, top=[("A", math.nan)], box=None)
    item = predict.entry(Path("x.jpg"), rec, None)
    assert item["error"] == predict.NOT_FINITE and item["top"] == []
    assert "NaN" not in json.dumps(item, allow_nan=False)


# -- videos and folders -------------------------------------------------------------------------------------------
def test_damaged_video_says_it_is_damaged(tmp_path):
    source = open_source(damaged_video(tmp_path / "cut.avi"))
    frames = 0
    with pytest.raises(SourceError, match=r"damaged: frames stop at \d+ of 180"):
        for _ in source:
            frames += 1
    assert 0 < frames < 180


def test_whole_video_ends_without_a_damage_message(tmp_path):
    assert sum(1 for _ in open_source(damaged_video(tmp_path / "whole.avi", frames=40, keep=1.0))) == 40


def test_folder_as_live_source_plays_every_photo_as_a_slide_show(tmp_path, monkeypatch):
    monkeypatch.setattr(sources_module, "FOLDER_PHOTO_S", 0.01)
    for i in range(12):
        grey_jpeg(tmp_path / f"{i:02d}.jpg", side=32)
    source = open_source(tmp_path, realtime=True)
    start = time.monotonic()
    frames = list(source)
    assert source.is_live and [Path(f.origin).name for f in frames] == [f"{i:02d}.jpg" for i in range(12)]
    assert time.monotonic() - start >= 0.1  # paced, not as fast as they decode


# -- weights: validated against budgets before anything is built -------------------------------------------------
@pytest.mark.parametrize("config, message", [
    ({"blocks": [1] * 21}, "blocks"), ({"width": 1500}, "width 1500"), ({"width": "24"}, "width '24'"),
    ({"std": 0.0}, "std 0.0"), ({"mean": float("nan")}, "mean nan"), ({"num_classes": 10**6}, "num_classes"),
])
def test_model_config_out_of_range_is_refused_before_building(tmp_path, config, message):
    path = small_weights(tmp_path / "w.safetensors", **config)
    start = time.monotonic()
    with pytest.raises(WeightsError, match=message) as caught:
        load_model(path)
    assert "\n" not in str(caught.value) and time.monotonic() - start < 5


def test_ten_million_blocks_are_refused_quickly(tmp_path):
    path = small_weights(tmp_path / "w.safetensors", blocks=[1] * 10**7)
    start = time.monotonic()
    with pytest.raises(WeightsError, match="not a signcam weights file"):
        read_info(path)
    assert time.monotonic() - start < 5


@pytest.mark.parametrize("value", ["hot", 0, -1.5, float("nan"), float("inf"), 1e9, True])
def test_temperature_out_of_range_is_a_one_line_error(tmp_path, value, capsys):
    path = edit_metadata(small_weights(tmp_path / "w.safetensors"), lambda meta: meta.update(temperature=value))
    with pytest.raises(WeightsError, match="temperature") as caught:
        load_model(path)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("share", [7, -0.1, "half"])
def test_landmark_share_out_of_range_is_refused(tmp_path, share):
    path = edit_metadata(small_weights(tmp_path / "w.safetensors"), lambda meta: meta.update(landmark_share=share))
    with pytest.raises(WeightsError, match=r"landmark_share .* is not a number in \[0, 1\]"):
        read_info(path)


def test_arch_that_is_not_a_name_is_refused(tmp_path):
    path = small_weights(tmp_path / "w.safetensors", arch=["signnet"])
    with pytest.raises(WeightsError, match="unknown architecture"):
        read_info(path)


def test_int64_tensors_are_refused_by_dtype(tmp_path):
    with pytest.raises(WeightsError, match="is I64 .* needs float32"):
        load_model(int64_weights(tmp_path / "w.safetensors"))


def test_deeply_nested_metadata_is_not_a_recursion_error(tmp_path):
    path = edit_metadata(small_weights(tmp_path / "w.safetensors"), lambda meta: None,
                         raw="[" * 100_000 + "]" * 100_000)
    with pytest.raises(WeightsError, match="not a signcam weights file"):
        read_info(path)


def test_valid_weights_starting_with_the_pickle_byte_load(tmp_path):
    path = weights_starting_0x80(tmp_path / "w.safetensors")
    assert path.read_bytes()[0] == 0x80
    model, info = load_model(path)
    assert info.config.width == 8 and not model.training


def test_oversized_weights_are_refused_from_their_size(tmp_path):
    path = sparse_file(tmp_path / "w.safetensors", MAX_WEIGHTS_BYTES + 1)
    with pytest.raises(WeightsError, match="too large"):
        read_info(path)


def test_fifo_as_weights_is_refused_without_blocking(tmp_path):
    path = tmp_path / "w.safetensors"
    os.mkfifo(path)
    with pytest.raises(WeightsError, match="pipe or device"):
        load_model(path)


def test_hostile_weights_never_reach_gigabytes(tmp_path):
    """The issue's worst case (21 blocks: 24 GB until killed) in a child capped at 3 GB of address space."""
    path = small_weights(tmp_path / "w.safetensors", blocks=[1] * 21, width=64)
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30)); "
            "from signcam.store.weights import load_model, WeightsError\ntry:\n    load_model(sys.argv[1])\n"
            "except WeightsError as e:\n    print('refused', e)")
    run = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert run.returncode == 0 and run.stdout.startswith("refused"), run.stderr[-500:]


# -- files written atomically, with their neighbours' permissions ------------------------------------------------
def test_weights_get_ordinary_permissions_and_safetensors_temps_are_cleaned(tmp_path):
    umask = os.umask(0o022)
    try:
        stale = tmp_path / ".tmpAbC123"  # what safetensors' own save_file left when killed
        stale.write_bytes(b"")
        os.utime(stale, (time.time() - 2 * STALE_TEMP_S,) * 2)
        path = save_weights(tmp_path / "w.safetensors", build_model(ModelConfig(width=8)))
        assert path.stat().st_mode & 0o777 == 0o644
        assert not stale.exists()
        assert [p.name for p in tmp_path.iterdir()] == ["w.safetensors"]  # and no temp file of its own left
        path.chmod(0o600)  # a file the learner made private stays private when replaced
        save_weights(path, build_model(ModelConfig(width=8)))
        assert path.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(umask)

