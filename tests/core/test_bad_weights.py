"""Weights files that used to give tracebacks or wrong output (issue 11): a clear WeightsError instead."""

import os
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from signcam import predict
from signcam.labels import LETTERS
from signcam.models.model import ModelConfig, build_model
from signcam.store.files import STALE_TEMP_S
from signcam.store.weights import (
    WeightsError,
    load_model,
    save_weights,
    write_safetensors,
)
from tests.training.conftest import csv_text, synthetic_rows
from training import cli as train_cli

SMALL = ModelConfig(width=8)


def unknown_arch_weights(path: Path) -> Path:
    """Real tensors, but metadata naming an architecture this signcam does not have."""
    model = build_model(SMALL)
    meta = {"config": {**SMALL.to_dict(), "arch": "resnet50"}, "letters": list(LETTERS)}
    return write_safetensors(path, model.state_dict(), meta)


def poisoned_weights(path: Path, value: float) -> Path:
    model = build_model(SMALL)
    with torch.no_grad():
        next(model.parameters())[0].fill_(value)
    return save_weights(path, model)


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "a.jpg"
    cv2.imwrite(str(path), np.full((64, 64, 3), 128, np.uint8))
    return path


def test_unknown_arch_is_a_one_line_weights_error(tmp_path):
    path = unknown_arch_weights(tmp_path / "resnet.safetensors")
    with pytest.raises(WeightsError) as caught:
        load_model(path)
    message = str(caught.value)
    assert "\n" not in message and "unknown architecture 'resnet50'" in message and str(path) in message


def test_predict_with_unknown_arch_says_why_and_exits_2(tmp_path, photo, capsys):
    path = unknown_arch_weights(tmp_path / "resnet.safetensors")
    assert predict.main(["--weights", str(path), "--roi", "full", str(photo)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("signcam predict: ") and "unknown architecture" in err


def test_train_evaluate_with_unknown_arch_says_why_and_exits_2(tmp_path, capsys):
    csv = tmp_path / "test.csv"
    csv.write_text(csv_text(synthetic_rows(24)))
    path = unknown_arch_weights(tmp_path / "resnet.safetensors")
    assert train_cli.main(["evaluate", "--weights", str(path), "--csv", str(csv), "--device", "cpu"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("signcam-train: error: ") and "unknown architecture" in err[0]


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_tensors_are_refused(tmp_path, photo, capsys, value):
    path = poisoned_weights(tmp_path / "nan.safetensors", value)
    with pytest.raises(WeightsError, match="NaN or infinite"):
        load_model(path)
    assert predict.main(["--weights", str(path), "--json", "--roi", "full", str(photo)]) == 2
    out = capsys.readouterr()
    assert out.out == "" and "NaN or infinite" in out.err  # no NaN reaches the JSON on stdout


def test_killed_save_temp_files_are_cleaned_up(tmp_path):
    """A SIGKILL during a save leaves `.w.safetensors.XXXX.tmp` (0 bytes): the next save or load removes it, and
    those of other names (each Retrain saves a new name: issue 31), but not a temp file another save may be
    writing right now, nor anything else in the folder."""
    target = save_weights(tmp_path / "w.safetensors", build_model(SMALL))
    kept = target.read_bytes()
    stale = tmp_path / ".w.safetensors.k1ll3d.tmp"
    fresh = tmp_path / ".w.safetensors.wr1t1ng.tmp"
    other = tmp_path / ".other.safetensors.k1ll3d.tmp"
    for p in (stale, fresh, other):
        p.write_bytes(b"")
    old = time.time() - 2 * STALE_TEMP_S
    for p in (stale, other):
        os.utime(p, (old, old))

    load_model(target)  # loading the folder's weights tidies up
    assert not stale.exists() and not other.exists() and fresh.exists()
    assert target.read_bytes() == kept

    os.utime(fresh, (old, old))
    save_weights(target, build_model(SMALL))  # and so does the next save
    assert not fresh.exists()
    assert [p.name for p in tmp_path.glob(".w.safetensors.*")] == []
    load_model(target)
