"""Issue 24's trainer cases: every number range-checked with one line, gzip bombs bounded, every file written
atomically with its neighbours' permissions, and the interrupt message true."""

import os
import time

import pytest
from matplotlib.figure import Figure

from benchmarks.hostile import CSV_HEADER, gzip_of
from tests.training.conftest import synthetic_rows
from training import data as data_module
from training import train as train_module
from training.cli import main
from training.data import CsvError, load_csv
from training.report import write_png


@pytest.fixture
def tiny_csvs(write_csv):
    return write_csv("train.csv", synthetic_rows(96, seed=1)), write_csv("test.csv", synthetic_rows(48, seed=2))


def run_main(tiny_csvs, tmp_path, *extra: str) -> list[str]:
    train_csv, test_csv = tiny_csvs
    return ["--train-csv", str(train_csv), "--test-csv", str(test_csv), "--device", "cpu", "--no-extra",
            "--width", "4", "--epochs", "1", "--batch-size", "32", "--out", str(tmp_path / "w.safetensors"), *extra]


@pytest.mark.parametrize("flag, value, message", [
    ("--epochs", "0", "--epochs must be in [1, 10000], got 0"),
    ("--batch-size", "0", "--batch-size must be in [1, 65536], got 0"),
    ("--val-fraction", "1.0", "--val-fraction must be in (0.0, 0.9], got 1.0"),
    ("--lr", "nan", "--lr must be in (0.0, 10.0], got nan"),
    ("--lr", "-1", "--lr must be in"),
    ("--label-smoothing", "1", "--label-smoothing must be in [0.0, 1.0)"),
    ("--width", "0", "width 0 out of range"),
    ("--blocks", "1,1,1,1,1", "blocks (1, 1, 1, 1, 1) out of range"),
])
def test_numbers_out_of_range_are_one_line_errors(tiny_csvs, tmp_path, capsys, flag, value, message):
    assert main(run_main(tiny_csvs, tmp_path, flag, value)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("signcam-train: error: ") and message in err[0]
    assert not (tmp_path / "w.safetensors").exists()


def test_out_naming_a_folder_is_refused_before_training(tiny_csvs, tmp_path, capsys, monkeypatch):
    (tmp_path / "runs").mkdir()
    monkeypatch.setattr(train_module, "train_one_epoch", lambda *a, **k: pytest.fail("trained"))
    argv = run_main(tiny_csvs, tmp_path)
    argv[argv.index("--out") + 1] = str(tmp_path / "runs")
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"--out {tmp_path / 'runs'} is a folder" in err[0]


def test_csv_of_one_row_is_a_one_line_error(write_csv, tmp_path, capsys):
    one = write_csv("one.csv", synthetic_rows(1))
    assert main(run_main((one, one), tmp_path)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "1 data rows are too few" in err[0]


def test_gzip_of_endless_blank_lines_stops_early(tmp_path):
    """The issue's 1 MB gzip expanded to 1 GB of newlines; 64 MB of them show the cap without the wait."""
    path = gzip_of(tmp_path / "blank.csv.gz", (CSV_HEADER + "\n").encode(), b"\n", 64 * 2**20)
    start = time.monotonic()
    with pytest.raises(CsvError, match=r"line 10002: more than 10,000 blank lines"):
        load_csv(path)
    assert time.monotonic() - start < 5


def test_gzip_of_zeros_is_not_a_csv(tmp_path):
    with pytest.raises(CsvError, match="line 1: not a text CSV"):
        load_csv(gzip_of(tmp_path / "zeros.csv.gz", b"", b"\0", 64 * 2**20))


def test_too_many_rows_are_refused(write_csv, monkeypatch):
    monkeypatch.setattr(data_module, "MAX_ROWS", 30)
    with pytest.raises(CsvError, match="more than 30 rows"):
        load_csv(write_csv("many.csv", synthetic_rows(40)))


def test_fifo_csv_is_refused_without_blocking(tmp_path):
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    with pytest.raises(CsvError, match="a pipe or device"):
        load_csv(path)


def test_interrupt_after_the_weights_were_replaced_says_so(tiny_csvs, tmp_path, capsys, monkeypatch):
    def interrupted(path, payload):
        raise KeyboardInterrupt

    monkeypatch.setattr(train_module, "write_json", interrupted)
    assert main(run_main(tiny_csvs, tmp_path)) == 130
    err = capsys.readouterr().err
    assert "interrupted after the new weights were written" in err and "left untouched" not in err
    assert (tmp_path / "w.safetensors").exists()


def test_interrupt_before_saving_says_the_weights_are_untouched(tiny_csvs, tmp_path, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(train_module, "train_one_epoch", interrupted)
    assert main(run_main(tiny_csvs, tmp_path)) == 130
    assert "existing weights were left untouched" in capsys.readouterr().err


def test_killed_png_write_leaves_the_previous_png(tmp_path, monkeypatch):
    path = tmp_path / "w.report.png"
    history = [{"epoch": 1, "train_loss": 1.0, "val_loss": 1.0, "val_acc": 0.5}]
    confusion = [[0] * 24 for _ in range(24)]
    write_png(path, history, confusion, "first")
    before = path.read_bytes()

    def killed(self, target, **kwargs):
        with open(target, "wb") as f:
            f.write(b"\x89PNG half")
        raise KeyboardInterrupt

    monkeypatch.setattr(Figure, "savefig", killed)
    with pytest.raises(KeyboardInterrupt):
        write_png(path, history, confusion, "second")
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["w.report.png"]


def test_weights_and_reports_share_permissions(tiny_csvs, tmp_path):
    umask = os.umask(0o022)
    try:
        assert main(run_main(tiny_csvs, tmp_path)) == 0
    finally:
        os.umask(umask)
    modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir() if p.name.startswith("w.")}
    assert modes == {"w.safetensors": 0o644, "w.report.json": 0o644, "w.report.png": 0o644}
