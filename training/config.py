"""What a training run is asked to do: `TrainConfig` and the command line that fills it, with no torch.

The app's Retrain dialog and `signcam-train --help` need the options and their defaults, not the network: keeping
them apart from training/train.py means neither waits ~3 s for torch to import.
"""

from __future__ import annotations

import argparse
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


def build_parser() -> argparse.ArgumentParser:
    defaults = TrainConfig()
    p = argparse.ArgumentParser(prog="signcam-train",
                                description="Train the letter classifier on the Sign-MNIST CSVs; write its weights.",
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="Subcommand: signcam-train evaluate --weights W --csv C [--json]")
    p.add_argument("--data", help="folder with sign_mnist_train.csv[.gz] and sign_mnist_test.csv[.gz]")
    p.add_argument("--train-csv", help="train CSV (instead of --data)")
    p.add_argument("--test-csv", help="test CSV (instead of --data)")
    for f in fields(TrainConfig):
        if f.name in ("train_csv", "test_csv"):
            continue
        flag, default = "--" + f.name.replace("_", "-"), getattr(defaults, f.name)
        if isinstance(default, bool):
            p.add_argument(flag, action=argparse.BooleanOptionalAction, default=default,
                           help=f"(default: {default})")
        else:
            kind = {"limit": int, "train_rows": int, "blocks": parse_blocks}.get(f.name, type(default))
            choices = {"arch": ARCHITECTURE_NAMES, "optimizer": ["adamw", "sgd"],
                       "schedule": ["onecycle", "constant"], "keep": ["best", "last"]}.get(f.name)
            p.add_argument(flag, type=kind, default=default, choices=choices, help=f"(default: {default})")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging (default: off)")
    return p


def build_evaluate_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="signcam-train evaluate",
                                description="Accuracy, per-letter results and confusion of weights on a CSV.")
    p.add_argument("--weights", required=True, help="a .safetensors weights file")
    p.add_argument("--csv", required=True, help="a Sign-MNIST CSV (plain or .gz)")
    p.add_argument("--device", default="auto", help="(default: auto)")
    p.add_argument("--json", action="store_true", help="print one JSON object (default: a table)")
    return p
