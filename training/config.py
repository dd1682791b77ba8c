"""What a training run is asked to do: `TrainConfig` and the command line that fills it, with no torch.

The app's Retrain dialog and `signcam-train --help` need the options and their defaults, not the network: keeping
them apart from training/train.py means neither waits ~3 s for torch to import.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, fields, replace
from pathlib import Path

ARCHITECTURE_NAMES = ("signnet", "seed")  # signcam.models.model.ARCHITECTURES' keys (a test checks they agree)

# Where the data is: here rather than in training.data (pandas, torch) so the Retrain dialog checks the
# folder without loading them (issue 23); training.data re-exports these.
CSV_NAMES = {"train": "sign_mnist_train.csv", "test": "sign_mnist_test.csv"}


class CsvError(ValueError):
    """A CSV that cannot be used; the message names the file, and the line and column if any."""


def find_csvs(data_dir: str | Path) -> tuple[Path, Path]:
    """The train and test CSVs in a folder, plain or gzipped (Kaggle's file names)."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise CsvError(f"{data_dir}: not a folder")
    found = []
    for name in CSV_NAMES.values():
        candidates = [data_dir / name, data_dir / f"{name}.gz"]
        path = next((p for p in candidates if p.exists()), None)
        if path is None:
            raise CsvError(f"{data_dir}: no {name} or {name}.gz (download Sign Language MNIST from Kaggle)")
        found.append(path)
    return found[0], found[1]


@dataclass
class TrainConfig:
    train_csv: str = ""  # path to sign_mnist_train.csv[.gz]
    test_csv: str = ""  # path to sign_mnist_test.csv[.gz]; used once, for the final report
    out: str = "runs/signnet.safetensors"  # weights; the JSON and PNG reports go beside it
    arch: str = "signnet"  # signnet | seed (the notebook's network, fixed)
    # The default recipe (README "Training speed"): 16 epochs of a lean SignNet (width 16, one conv at 28 px:
    # 5.5 M multiply-adds per image instead of v1's 16 M) reach 99.94% on the official test with extra/ mixed
    # in; 8 epochs gave 98.2%, 8 without extra/ 99.55%.
    width: int = 16  # signnet channel width (see ModelConfig); v1: 24
    blocks: tuple[int, ...] = (1, 2, 2)  # signnet 3x3 convs per block at 28, 14, 7 px (ModelConfig.blocks); v1: 2,2,2
    epochs: int = 16  # the schedule anneals to 0 over exactly this many epochs
    batch_size: int = 256  # larger batches amortise per-batch overhead on CPU
    threads: int = 0  # CPU threads for torch; 0 = leave torch's setting (all cores, or the runner's choice)
    channels_last: bool = True  # NHWC memory: oneDNN's fast convolution layout on CPU
    extra: bool = True  # add the crops of extra/ (the folder beside train_csv, when it is there; training.extra)
    extra_share: float = 0.2  # extra/'s training rows are repeated to about this fraction of each epoch
    extra_val_persons: float = 0.2  # share of extra/'s people held out whole for validation
    lr: float = 4e-3  # peak learning rate (AdamW, one-cycle); seed loop: 0.002 (SGD)
    optimizer: str = "adamw"  # adamw | sgd
    momentum: float = 0.9  # sgd only
    weight_decay: float = 5e-4
    schedule: str = "onecycle"  # onecycle | constant
    warmup: float = 0.15  # onecycle: share of the steps over which the rate rises to `lr`
    label_smoothing: float = 0.1  # softer targets -> less over-confident on strangers' hands
    augment: bool = True  # affine + photometric + blur/noise/occlusion (training.data.AugmentConfig)
    flip: float = 0.5  # horizontal-flip probability (left-handed signers); 0 disables
    val_fraction: float = 0.1  # carved from the train CSV, stratified by letter
    limit: int | None = None  # use only the first N rows of each CSV (tests, quick checks)
    seed: int = 0
    device: str = "auto"  # auto | cpu | cuda | mps
    dry_run: bool = False  # one batch of one epoch: checks the whole pipeline in seconds
    init_weights: str = ""  # fine-tune from this weights file (its arch, width and normalisation win); "" = scratch
    train_rows: int | None = None  # random stratified subset of the training split (fine-tuning: a replay
    # sample of Sign-MNIST that keeps the other hands in mind); None = all of it
    personal_dir: str = ""  # a signcam.store.samples folder of the learner's own crops, added oversampled; "" = none
    personal_share: float = 0.25  # personal rows are repeated to about this fraction of each epoch
    personal_holdout: float = 0.2  # per letter, kept back from training for the "your hand" report; 0 = none
    distill: float = 0.0  # fine-tuning: weight of the KL term toward the start weights' outputs (0 = none)
    keep: str = "best"  # best: epoch with the best validation accuracy | last: the final epoch (fine-tuning,
    # where validation has none of the learner's samples and would favour the untouched start)
    compare_weights: str = ""  # also report these weights (the app: the ones in use) on the same rows
    calibrate: bool = False  # fit the temperature on validation (Guo et al.); off keeps T = 1. Validation is
    # ~100% right, so the fitted T (0.13-0.31) made the model claim ~99% on strangers' photos that it read 37%
    # right (real_dev ECE 0.55); with label smoothing, T = 1 is honest there (ECE 0.08; benchmarks/README.md)


def fine_tune_config(base: TrainConfig, init_weights: str, personal_dir: str = "") -> TrainConfig:
    """`base` turned into a short fine-tune of `init_weights`: a few epochs at a lower rate over a replay
    sample of Sign-MNIST plus the personal samples, keeping the last epoch, distilled toward the start weights'
    outputs so that the letters the learner did not capture are not forgotten. The figures behind these
    numbers (accuracy on a new signer's hand and seconds on one CPU core) come from
    benchmarks/personal_finetune.py."""
    return replace(base, init_weights=init_weights, personal_dir=personal_dir, epochs=3, lr=2e-3, batch_size=64,
                   train_rows=1500, personal_share=0.5, keep="last", val_fraction=0.05, extra=False, distill=1.0)


def parse_blocks(text: str) -> tuple[int, ...]:
    """--blocks "1,2,2" -> (1, 2, 2)."""
    try:
        blocks = tuple(int(n) for n in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated counts like 1,2,2, got {text!r}") from None
    if not blocks or min(blocks) < 1:
        raise argparse.ArgumentTypeError(f"every block needs at least one conv, got {text!r}")
    return blocks


# One sentence per option of `signcam-train --help` (a test checks every TrainConfig field has one); the default is
# appended. Formats are spelled out where the type does not say them.
OPTION_HELP = {
    "out": "weights file to write (safetensors); its .report.json and .report.png go beside it. The bundled "
           "weights are signcam/assets/signnet.safetensors: write there only to replace them (make bundled-weights)",
    "arch": "network: signnet (this project's CNN, set by --width and --blocks) or seed (the original notebook's "
            "fixed 3-conv network)",
    "width": "signnet: channels of the first block, doubled for each later block",
    "blocks": "signnet: 3x3 convolutions per block at 28, 14 and 7 px, as comma-separated counts (e.g. 1,2,2)",
    "epochs": "passes over the training rows; the learning-rate schedule anneals to 0 over exactly this many",
    "batch_size": "training rows per optimiser step",
    "threads": "CPU threads for torch; 0 leaves torch's choice (all cores)",
    "channels_last": "NHWC memory layout, oneDNN's fast convolutions on CPU",
    "extra": "add the hand crops of the photos in extra/ beside the train CSV, when that folder is there (the first "
             "time, MediaPipe locates each photo, ~20 min for 4,630 on one core; cached in the user cache folder)",
    "extra_share": "extra/'s training rows are repeated to about this fraction of each epoch (0-1)",
    "extra_val_persons": "fraction of extra/'s people held out whole for validation (0-1)",
    "lr": "peak learning rate (AdamW with the one-cycle schedule; SGD: try 0.002)",
    "optimizer": "adamw or sgd",
    "momentum": "SGD momentum (--optimizer sgd only)",
    "weight_decay": "weight decay of the optimiser",
    "schedule": "onecycle (warm up, then anneal to 0) or constant learning rate",
    "warmup": "onecycle: fraction of the steps (0-1) over which the rate rises to --lr",
    "label_smoothing": "softer targets (0-1): a model less over-confident on strangers' hands",
    "augment": "random affine, photometric, blur, noise and occlusion changes to each training batch",
    "flip": "probability of a horizontal flip of a training image (left-handed signers); 0 disables",
    "val_fraction": "fraction of the train CSV held out for validation, stratified by letter (0-0.9)",
    "limit": "read only the first N rows of each CSV (quick checks); default: all",
    "seed": "random seed of the split, the shuffling and the augmentation",
    "device": "auto, cpu, cuda or mps (auto: a GPU when there is one)",
    "dry_run": "check the whole pipeline in seconds: one batch of one epoch, a sample of extra/'s photos (nothing "
               "cached), nothing written",
    "init_weights": "fine-tune from this weights file (its architecture, width and normalisation win); default: "
                    "train from scratch",
    "train_rows": "train on a random stratified subset of N rows of the training split (fine-tuning's replay "
                  "sample); default: all",
    "personal_dir": "a folder of your own hand samples (as Training > Capture my samples saves them), added "
                    "oversampled; default: none",
    "personal_share": "personal rows are repeated to about this fraction of each epoch (0-1)",
    "distill": "fine-tuning: weight of a term that keeps the outputs near the start weights' (0 = none)",
    "personal_holdout": "fraction of the personal samples per letter kept back for the 'your hand' report (0-1)",
    "keep": "best: the epoch with the best validation accuracy; last: the final epoch (fine-tuning)",
    "compare_weights": "also report these weights file on the same rows (the Retrain dialog: the weights in use)",
    "calibrate": "fit the softmax temperature on validation; off keeps T = 1 (validation is ~100%% right, and a "
                 "fitted T made the model over-confident on strangers' hands)",
}
METAVARS = {"blocks": "N,N,N", "limit": "N", "train_rows": "N", "out": "FILE", "init_weights": "FILE",
            "compare_weights": "FILE", "personal_dir": "DIR", "threads": "N", "epochs": "N", "batch_size": "N",
            "width": "N", "seed": "N", "device": "NAME"}  # floats: F


def build_parser() -> argparse.ArgumentParser:
    defaults = TrainConfig()
    p = argparse.ArgumentParser(prog="signcam-train",
                                description="Train the letter classifier (the CNN) on the Sign-MNIST CSVs, plus "
                                            "the photos of extra/ beside them, and write its weights.",
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="examples:\n"
                                       "  signcam-train --data DIR --out runs/signnet.safetensors\n"
                                       "  signcam-train --data DIR --dry-run\n"
                                       "  signcam-train evaluate --weights W --csv DIR/sign_mnist_test.csv [--json]\n"
                                       "(signcam-train evaluate --help: accuracy of weights on a CSV)")
    p.add_argument("--data", metavar="DIR", help="folder with sign_mnist_train.csv[.gz] and "
                   "sign_mnist_test.csv[.gz] (Kaggle's Sign Language MNIST), and optionally extra/")
    p.add_argument("--train-csv", metavar="FILE", help="the train CSV, instead of --data")
    p.add_argument("--test-csv", metavar="FILE", help="the test CSV, instead of --data; read once, for the final "
                   "report")
    for f in fields(TrainConfig):
        if f.name in ("train_csv", "test_csv"):
            continue
        flag, default = "--" + f.name.replace("_", "-"), getattr(defaults, f.name)
        shown = ",".join(map(str, default)) if isinstance(default, tuple) else default
        # .get: a new field without a sentence still parses (tests/training/test_cli_help.py asks for one)
        text = OPTION_HELP.get(f.name, "") + ("" if default in (None, "") else f" (default: {shown})")
        if isinstance(default, bool):
            p.add_argument(flag, action=argparse.BooleanOptionalAction, default=default, help=text)
        else:
            kind = {"limit": int, "train_rows": int, "blocks": parse_blocks}.get(f.name, type(default))
            choices = {"arch": ARCHITECTURE_NAMES, "optimizer": ["adamw", "sgd"],
                       "schedule": ["onecycle", "constant"], "keep": ["best", "last"]}.get(f.name)
            metavar = METAVARS.get(f.name, "F" if isinstance(default, float) else None)
            p.add_argument(flag, type=kind, default=default, choices=choices, metavar=metavar, help=text)
    p.add_argument("-v", "--verbose", action="store_true", help="print debug messages too (default: off)")
    return p


def build_evaluate_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="signcam-train evaluate",
                                description="Accuracy, per-letter results and confusion of weights on a CSV.")
    p.add_argument("--weights", required=True, metavar="FILE", help="a .safetensors weights file")
    p.add_argument("--csv", required=True, metavar="FILE", help="a Sign-MNIST CSV (plain or .gz)")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or mps (default: auto)")
    p.add_argument("--json", action="store_true", help="print one JSON object (default: a table)")
    return p


class ConfigError(ValueError):
    """A TrainConfig value out of its range; the message is one line naming the setting (its CLI flag)."""


# (setting, low, high, low included, high included): every number a user can give, checked before any data is read
# and before torch is imported (signcam-train answers a bad flag at once, not after ~3 s).
_RANGES = [
    ("epochs", 1, 10_000, True, True), ("batch_size", 1, 65_536, True, True), ("threads", 0, 1024, True, True),
    ("lr", 0.0, 10.0, False, True), ("momentum", 0.0, 1.0, True, False), ("weight_decay", 0.0, 1.0, True, True),
    ("warmup", 0.0, 1.0, True, True), ("label_smoothing", 0.0, 1.0, True, False), ("flip", 0.0, 1.0, True, True),
    ("val_fraction", 0.0, 0.9, False, True), ("extra_share", 0.0, 1.0, True, False),
    ("extra_val_persons", 0.0, 1.0, True, False), ("personal_share", 0.0, 1.0, True, False),
    ("personal_holdout", 0.0, 1.0, True, False), ("distill", 0.0, 100.0, True, True), ("limit", 2, 10**9, True, True),
    ("train_rows", 1, 10**9, True, True),
]


def check_ranges(config: object) -> None:
    """ConfigError for the first number of `config` (a TrainConfig, or the parsed flags) out of its range."""
    for name, low, high, low_in, high_in in _RANGES:
        value = getattr(config, name, None)
        if value is None and (name in ("limit", "train_rows") or not hasattr(config, name)):
            continue
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and (
            (low <= value if low_in else low < value) and (value <= high if high_in else value < high))
        if not ok:
            flag = "--" + name.replace("_", "-")
            raise ConfigError(f"{flag} must be in {'[' if low_in else '('}{low}, {high}{']' if high_in else ')'}, "
                              f"got {value!r}")
