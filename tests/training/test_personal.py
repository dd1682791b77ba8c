"""Personal samples in training: hold-out, oversampling, fine-tuning, and the runner's event stream."""

import json
import subprocess
import sys
import threading

import numpy as np
import pytest

from signcam.models.model import ModelConfig, build_model
from signcam.store.samples import SampleStore
from signcam.store.weights import read_info, save_weights
from tests.training.conftest import synthetic_rows
from training.config import TrainConfig, fine_tune_config
from training.data import CsvError, Dataset
from training.personal import combine, load_personal, repeats_for_share, split_personal
from training.runner import EXIT_CANCELLED, config_from_json, run
from training.train import train


@pytest.fixture
def tiny_csvs(write_csv):
    return write_csv("train.csv", synthetic_rows(96, seed=1)), write_csv("test.csv", synthetic_rows(48, seed=2))


@pytest.fixture
def samples_dir(tmp_path):
    store, rng = SampleStore(tmp_path / "samples"), np.random.default_rng(0)
    for letter in "ABC":
        for _ in range(5):
            store.add(letter, rng.integers(0, 256, (28, 28), dtype=np.uint8))
    return store.root


def test_holdout_takes_a_share_of_every_letter(samples_dir):
    fit, held = split_personal(load_personal(samples_dir), holdout=0.2, seed=0)
    assert np.bincount(held.labels, minlength=3).tolist() == [1, 1, 1] and len(fit) == 12
    assert not {i.tobytes() for i in fit.images} & {i.tobytes() for i in held.images}


def test_personal_rows_are_repeated_to_the_requested_share():
    assert repeats_for_share(24, 2000, 0.3) == 36 and repeats_for_share(0, 10, 0.3) == 0
    csv_rows = Dataset(np.zeros((100, 28, 28), np.uint8), np.zeros(100, np.int64), "csv", "")
    personal = Dataset(np.ones((10, 28, 28), np.uint8), np.ones(10, np.int64), "me", "")
    mixed = combine(csv_rows, personal, 0.5)
    assert len(mixed) == 200 and mixed.labels.sum() == 100


def test_empty_personal_folder_is_a_data_error(tmp_path):
    with pytest.raises(CsvError, match="no personal samples"):
        load_personal(tmp_path)


def test_fine_tune_keeps_the_start_and_reports_held_back_samples(tiny_csvs, samples_dir, tmp_path):
    start = save_weights(tmp_path / "start.safetensors", build_model(ModelConfig(width=8, mean=0.4, std=0.2)))
    base = TrainConfig(train_csv=str(tiny_csvs[0]), test_csv=str(tiny_csvs[1]), out=str(tmp_path / "new.safetensors"),
                       compare_weights=str(start))
    config = fine_tune_config(base, str(start), str(samples_dir))
    result = train(config)
    info = read_info(result.weights_path)
    assert info.config.width == 8 and info.config.mean == 0.4  # the start's network and normalisation
    assert result.personal["n"] == 3 and result.baseline["personal"]["n"] == 3
    assert result.baseline["test"]["n"] == result.test["n"] == 48 and len(result.history) == config.epochs
    assert "personal_accuracy" in info.metadata
    # The app fuses these letters at its personal shares, the others as before; each trained on 4 (1 held back).
    assert info.metadata["personal_letters"] == {"A": 4, "B": 4, "C": 4}
    judgement = result.judgement  # training.judge: letter by letter, before and after, through the app's fusion
    assert judgement["verdict"] in ("better", "same", "worse") and judgement["message"]
    assert judgement["groups"]["yours"]["n"] == 3 and judgement["groups"]["others"]["n"] > 500
    assert judgement["groups"]["test"]["n"] == 48


def test_runner_streams_events_and_writes_the_weights(tiny_csvs, tmp_path):
    out = tmp_path / "w.safetensors"
    config = {"train_csv": str(tiny_csvs[0]), "test_csv": str(tiny_csvs[1]), "epochs": 2, "width": 8,
              "out": str(out)}
    proc = subprocess.Popen([sys.executable, "-m", "training.runner", json.dumps(config)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    events = [json.loads(line) for line in proc.stdout]  # stdin stays open: no stop request
    proc.stdin.close()
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    kinds = [e["event"] for e in events]
    assert kinds[0] == "started" and kinds[-1] == "finished" and kinds.count("epoch") == 2
    stages = [e["stage"] for e in events if e["event"] == "stage"]
    assert stages == ["loading", "training", "testing", "testing"]  # testing: the new weights, saving the report
    training = next(e for e in events if e.get("stage") == "training")
    assert training["batches"] == 1 and training["epochs"] == 2 and training["test_rows"] == 48
    batch, epoch = events[kinds.index("batch")], events[kinds.index("epoch")]
    loss = batch.pop("loss")
    assert batch == {"event": "batch", "epoch": 1, "epochs": 2, "batch": 1, "batches": 1}
    assert loss == pytest.approx(epoch["train_loss"])  # one batch: the running mean is the epoch's loss
    assert 0 < epoch["val_seconds"] <= epoch["seconds"]
    assert events[-1]["weights"] == str(out) and out.exists() and events[-1]["test"]["n"] == 48


def test_runner_stop_request_cancels_without_writing(tiny_csvs, tmp_path):
    out = tmp_path / "w.safetensors"
    config = TrainConfig(train_csv=str(tiny_csvs[0]), test_csv=str(tiny_csvs[1]), width=8, out=str(out))
    stop, events = threading.Event(), []
    stop.set()
    assert run(config, lambda event, **payload: events.append(event), stop) == EXIT_CANCELLED
    assert events == ["started", "stage", "stage", "cancelled"] and not out.exists()  # loading, training


def test_runner_config_rejects_unknown_settings_and_bad_folders(tmp_path):
    with pytest.raises(ValueError, match="unknown training settings: colour"):
        config_from_json('{"colour": "red"}')
    with pytest.raises(CsvError, match="no sign_mnist_train.csv"):
        config_from_json(json.dumps({"data_dir": str(tmp_path)}))
