"""Issue 31: a full disk while signcam-train saves says in one line what exists now; a Retrain killed during its
save leaves no temp file for ever; out-of-range flags are answered before torch is imported."""

import os
import subprocess
import sys
import time
from pathlib import Path

from signcam.store.files import STALE_TEMP_S, remove_stale_temps
from tests.training.test_hostile_training import run_main, tiny_csvs  # noqa: F401 (a fixture)
from training import train as train_module
from training.cli import main

ROOT = Path(__file__).resolve().parents[2]


def full_disk(*args, **kwargs):
    raise OSError(28, "No space left on device")


def test_full_disk_at_the_png_says_the_new_weights_exist(tiny_csvs, tmp_path, capsys, monkeypatch):  # noqa: F811
    monkeypatch.setattr(train_module, "write_png", full_disk)
    assert main(run_main(tiny_csvs, tmp_path)) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert "No space left on device" in err and f"the new weights were written to {tmp_path / 'w.safetensors'}" in err
    assert "w.report.png are missing" in err
    assert (tmp_path / "w.safetensors").exists() and (tmp_path / "w.report.json").exists()


def test_full_disk_at_the_weights_says_nothing_was_written(tiny_csvs, tmp_path, capsys, monkeypatch):  # noqa: F811
    monkeypatch.setattr(train_module, "save_weights", full_disk)
    assert main(run_main(tiny_csvs, tmp_path)) == 1
    err = capsys.readouterr().err.strip()
    assert "nothing was written; any previous weights and reports there are as they were" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["test.csv", "train.csv"]


def test_temps_of_killed_saves_of_other_names_are_swept(tmp_path: Path) -> None:
    stale = [tmp_path / ".cand-1.safetensors.ab12cd34.tmp", tmp_path / ".cand-1.report.json.x_9y8z7w.tmp",
             tmp_path / ".cand-1.report.png.k2m4n6p8.tmp"]
    kept = [tmp_path / ".notes.txt.ab12cd34.tmp", tmp_path / "cand-1.safetensors.ab12cd34.tmp"]
    fresh = tmp_path / ".cand-2.safetensors.qq11rr22.tmp"  # a save still running in another process
    old = time.time() - 2 * STALE_TEMP_S
    for path in stale + kept + [fresh]:
        path.write_bytes(b"half")
        if path is not fresh:
            os.utime(path, (old, old))
    remove_stale_temps(tmp_path / "cand-2.safetensors")
    assert [p.exists() for p in stale] == [False] * 3 and all(p.exists() for p in kept + [fresh])


def test_out_of_range_flags_are_refused_before_torch_is_imported(tmp_path: Path) -> None:
    code = ("import sys; from training.cli import main; code = main(['--train-csv', 'a', '--test-csv', 'b', "
            "'--epochs', '0']); print(code, 'torch' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["2", "False"]
    assert done.stderr.strip() == "signcam-train: error: --epochs must be in [1, 10000], got 0"
