import json
import subprocess
import sys

import pytest
import torch

from signcam.models.model import ModelConfig, build_model
from signcam.store.weights import load_model, read_info, save_weights
from tests.training.conftest import synthetic_rows
from training.cli import main
from training.config import TrainConfig
from training.train import TrainingCancelled, load_splits, train


@pytest.fixture
def tiny_csvs(write_csv):
    train_csv = write_csv("train.csv", synthetic_rows(96, seed=1))
    return train_csv, write_csv("test.csv.gz", synthetic_rows(48, seed=2), gz=True)


def _rows(data):
    return {img.tobytes() for img in data.images}


def test_split_never_puts_test_rows_into_training(tiny_csvs):
    train_csv, test_csv = tiny_csvs
    whole, fit, val, test = load_splits(TrainConfig(train_csv=str(train_csv), test_csv=str(test_csv)))
    assert len(fit) + len(val) == len(whole) == 96 and len(test) == 48
    assert not _rows(fit) & _rows(test) and not _rows(val) & _rows(test) and not _rows(fit) & _rows(val)


def test_short_run_on_a_subset_learns_well_above_chance(shared_data, tmp_path):
    config = TrainConfig(train_csv=str(shared_data / "sign_mnist_train.csv.gz"),
                         test_csv=str(shared_data / "sign_mnist_test.csv.gz"), limit=2000, epochs=3,
                         batch_size=64, width=12, augment=False, extra=False, out=str(tmp_path / "w.safetensors"))
    epochs_seen = []
    result = train(config, on_epoch=epochs_seen.append)
    assert [e.epoch for e in epochs_seen] == [1, 2, 3]
    assert result.test["accuracy"] > 0.5  # chance is 1/24
    info = read_info(result.weights_path)
    assert info.metadata["test_accuracy"] == result.test["accuracy"]
    assert info.metadata["data"]["train_sha256"] and info.metadata["train_config"]["epochs"] == 3
    report = json.loads((tmp_path / "w.report.json").read_text())
    assert len(report["history"]) == 3 and set(report["test"]["per_letter"]) >= {"A", "Y"}
    assert (tmp_path / "w.report.png").stat().st_size > 10_000


def test_same_seed_gives_identical_weights(tiny_csvs):
    train_csv, test_csv = tiny_csvs
    config = TrainConfig(train_csv=str(train_csv), test_csv=str(test_csv), epochs=1, width=8, out="")
    a, b = train(config).model.state_dict(), train(config).model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_cancel_leaves_existing_weights_untouched(tiny_csvs, tmp_path):
    train_csv, test_csv = tiny_csvs
    out = save_weights(tmp_path / "w.safetensors", build_model(ModelConfig(width=8)), {"version": "old"})
    before = out.read_bytes()
    calls = iter(range(100))
    config = TrainConfig(train_csv=str(train_csv), test_csv=str(test_csv), epochs=3, batch_size=16, width=8,
                         out=str(out))
    with pytest.raises(TrainingCancelled):
        train(config, should_stop=lambda: next(calls) >= 4)
    assert out.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == [
        "test.csv.gz", "train.csv", "w.safetensors"]


def test_cli_reports_bad_csv_without_traceback(tiny_csvs, write_csv, capsys):
    _, test_csv = tiny_csvs
    bad = write_csv("bad.csv", [[9, *[0] * 784]])
    assert main(["--train-csv", str(bad), "--test-csv", str(test_csv)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv, line 2, column 1 (label): unknown label 9" in err and "Traceback" not in err


def test_cli_requires_data(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2 and "--data" in capsys.readouterr().err


def test_script_dry_run_and_evaluate_json(tiny_csvs, tmp_path):
    train_csv, test_csv = tiny_csvs
    run = subprocess.run([sys.executable, "-m", "training.cli", "--train-csv", str(train_csv), "--test-csv",
                          str(test_csv), "--dry-run", "--width", "8", "--blocks", "1,1,1", "--out",
                          str(tmp_path / "d.safetensors")], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "dry run: one batch of epoch 1/1" in run.stderr and f"epoch 1/{TrainConfig().epochs}" not in run.stderr
    assert "nothing written" in run.stdout and not (tmp_path / "d.safetensors").exists()
    bad = subprocess.run([sys.executable, "-m", "training.cli", "--train-csv", str(train_csv), "--test-csv",
                          str(test_csv), "--dry-run", "--blocks", "1,0"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "every block needs at least one conv" in bad.stderr

    weights = save_weights(tmp_path / "w.safetensors", build_model(ModelConfig(width=8)))
    run = subprocess.run([sys.executable, "-m", "training.cli", "evaluate", "--weights", str(weights), "--csv",
                          str(test_csv), "--json"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    metrics = json.loads(run.stdout)
    assert metrics["n"] == 48 and 0 <= metrics["accuracy"] <= 1 and len(metrics["per_letter"]) == 24
    model, _ = load_model(weights)
    assert model.config.width == 8


def test_cli_with_data_folder_writes_weights_and_reports(write_csv, tmp_path):
    write_csv("sign_mnist_train.csv", synthetic_rows(96, seed=1))
    write_csv("sign_mnist_test.csv.gz", synthetic_rows(48, seed=2), gz=True)
    out = tmp_path / "out" / "w.safetensors"
    assert main(["--data", str(tmp_path), "--epochs", "1", "--width", "8", "--out", str(out)]) == 0
    info = read_info(out)
    assert info.metadata["train_config"]["train_csv"].endswith("sign_mnist_train.csv")
    assert (tmp_path / "out" / "w.report.json").exists() and (tmp_path / "out" / "w.report.png").exists()


def test_temperature_is_one_unless_calibration_is_asked_for(tiny_csvs):
    """Validation of Sign-MNIST is ~100% right, so a fitted temperature over-states confidence on strangers;
    by default the model's own (label-smoothed) softmax is kept."""
    train_csv, test_csv = tiny_csvs
    config = TrainConfig(train_csv=str(train_csv), test_csv=str(test_csv), epochs=1, width=8, out="")
    assert train(config).temperature == 1.0
    config.calibrate = True
    assert train(config).temperature != 1.0


def test_help_answers_without_torch() -> None:
    """`signcam-train --help` and a usage error come before torch is imported (~3 s), and the trainer's
    architecture choices are the model's."""
    code = ("import sys\nfrom training.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print('torch' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.stdout.strip().endswith("False") and "--epochs" in run.stdout
    from signcam.models.model import ARCHITECTURES
    from training.config import ARCHITECTURE_NAMES

    assert sorted(ARCHITECTURE_NAMES) == sorted(ARCHITECTURES)
