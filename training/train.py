"""signcam-train: train the letter classifier on the Sign-MNIST CSVs and write safetensors weights.

Usage:
    signcam-train --data DIR --out signcam/assets/signnet.safetensors          # DIR holds the Kaggle CSVs
    signcam-train --train-csv a.csv.gz --test-csv b.csv.gz --epochs 5
    signcam-train evaluate --weights signcam/assets/signnet.safetensors --csv DIR/sign_mnist_test.csv [--json]

Reads top to bottom: config -> data -> model -> optimizer -> train_one_epoch / evaluate -> loop ->
calibrate -> test once -> save. Validation is carved from the train CSV and alone picks the epoch
kept; the test CSV is read at the start (to fail early on a bad file) but used once, at the end.
`train()` is also what the app's Retrain dialog calls, with callbacks for progress and cancel.
"""

import copy
import datetime
import logging
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from signcam import __version__
from signcam.labels import LETTERS
from signcam.models.model import Classifier, ModelConfig, build_model
from signcam.pipeline.preprocess import to_model_input
from signcam.store.weights import load_model, read_info, resolve_device, save_weights
from training.config import ConfigError, TrainConfig, check_ranges
from training.data import AugmentConfig, CsvError, Dataset, augment, load_csv, stratified_split
from training.extra import EXTRA_DIR, concat, load_extra
from training.judge import Hands, judge
from training.personal import combine, held_back_hands, load_personal, split_personal
from training.report import classification_metrics, write_json, write_png

log = logging.getLogger("signcam.train")

# A dry run locates only this many of extra/'s photos (~0.2-0.4 s each) when they are not cached yet: the whole
# folder takes ~20 minutes the first time. With it, a dry run of the full CSVs took 28-36 s at load 7-15 on 2 cores.
DRY_RUN_PHOTOS = 24


@dataclass
class EpochStats:
    epoch: int
    epochs: int
    train_loss: float
    val_loss: float
    val_acc: float  # all validation rows: Sign-MNIST's split plus extra/'s held-out people
    lr: float
    seconds: float
    val_signers_acc: float | None = None  # extra/'s held-out people only (None without extra/)
    val_seconds: float = 0.0  # of `seconds`, spent on validation: the app times the test phase from it


@dataclass
class TrainResult:
    model: Classifier
    history: list[EpochStats]
    best_epoch: int
    val_acc: float
    temperature: float
    test: dict = field(default_factory=dict)  # classification_metrics on the test CSV
    weights_path: Path | None = None
    personal: dict = field(default_factory=dict)  # classification_metrics on the held-back personal samples
    baseline: dict = field(default_factory=dict)  # {"test": ..., "personal": ...} for config.compare_weights
    personal_letters: dict = field(default_factory=dict)  # {letter: personal samples trained on}
    judgement: dict = field(default_factory=dict)  # training.judge.judge(): is it better than the weights in use?
    seconds_per_1000_images: float = 0.0  # median epoch time (training + validation) / training rows * 1000
    training_rows: int = 0  # rows per epoch (Sign-MNIST split + extra/ + personal, with their repeats)


class TrainingCancelled(Exception):
    """Raised inside `train()` when `should_stop()` says so; nothing has been written."""


class SaveError(OSError):
    """The weights or a report could not be written (a full disk, a read-only folder); the message says which
    files exist now: the previous ones untouched, or the new weights without (all of) their reports."""


def check_config(config: TrainConfig) -> None:
    """ConfigError for the first setting out of range, and for an `out` that cannot be written as a file, so a
    bad flag fails in a second instead of as a traceback, or after the whole run (`--out` naming a folder)."""
    check_ranges(config)
    try:
        ModelConfig(arch=config.arch, width=config.width, blocks=tuple(config.blocks))
    except (TypeError, ValueError) as e:
        raise ConfigError(f"model settings: {e}") from None
    out = Path(config.out) if config.out else None
    if out is not None and (out.is_dir() or out.name in ("", ".", "..")):
        raise ConfigError(f"--out {config.out} is a folder; give the weights file to write, e.g. {out / 'signnet'}"
                          ".safetensors")
    if out is not None and out.parent.exists() and not out.parent.is_dir():
        raise ConfigError(f"--out {config.out}: {out.parent} is a file, not a folder")


def seed_everything(seed: int) -> torch.Generator:
    torch.manual_seed(seed)
    np.random.seed(seed)
    return torch.Generator().manual_seed(seed)


def train_one_epoch(model, x, y, optimizer, scheduler, config, aug, gen, should_stop, on_batch, teacher=None) -> float:
    """One shuffled pass over (x, y); returns the mean training loss. With a `teacher` (the start weights when
    fine-tuning), config.distill weighs a KL term that keeps the outputs near the teacher's on the same pictures
    (Li & Hoiem's "learning without forgetting"): a few crops of one letter must not erase the others."""
    model.train()
    order = torch.randperm(len(y), generator=gen).to(x.device)
    n_batches = 1 if config.dry_run else math.ceil(len(y) / config.batch_size)
    total = 0.0
    bar = tqdm(range(n_batches), leave=False, unit="batch", disable=None)
    for b in bar:
        if should_stop and should_stop():
            raise TrainingCancelled
        idx = order[b * config.batch_size : (b + 1) * config.batch_size]
        inputs = x[idx].float().div_(255)  # x is uint8 in memory: a quarter of the float copy's size
        inputs = augment(inputs, aug, gen) if aug else inputs
        if config.channels_last:
            inputs = inputs.contiguous(memory_format=torch.channels_last)
        logits = model(inputs)
        loss = F.cross_entropy(logits, y[idx], label_smoothing=config.label_smoothing)
        if teacher is not None:
            with torch.no_grad():
                target = torch.softmax(teacher(inputs), dim=1)
            loss = loss + config.distill * F.kl_div(F.log_softmax(logits, dim=1), target, reduction="batchmean")
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if scheduler:
            scheduler.step()
        total += loss.item()
        bar.set_postfix(loss=f"{loss.item():.3f}")
        if on_batch:
            on_batch(b + 1, n_batches, total / (b + 1))  # running mean loss: the GUI's live curve
    return total / n_batches


@torch.inference_mode()
def predict_logits(model: Classifier, x: torch.Tensor, batch_size: int = 1024) -> torch.Tensor:
    """Logits of (N, 1, 28, 28) float inputs in [0, 1], or of uint8 pixels 0-255."""
    model.eval()
    scale = 1 / 255 if x.dtype == torch.uint8 else 1.0
    return torch.cat([model(x[i : i + batch_size].float() * scale) for i in range(0, len(x), batch_size)])


def fit_temperature(logits: torch.Tensor, y: torch.Tensor) -> float:
    """Temperature T minimising validation NLL of softmax(logits / T) (Guo et al., 2017)."""
    log_t = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.LBFGS([log_t], lr=0.1, max_iter=100)
    logits, y = logits.float().cpu().clone(), y.cpu().clone()  # out of inference mode

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = F.cross_entropy(logits / log_t.exp(), y)
        loss.backward()
        return loss.detach()  # LBFGS only reads the value

    optimizer.step(closure)
    return float(log_t.detach().exp().clamp(0.05, 20))


def make_optimizer(model, config: TrainConfig, steps_per_epoch: int):
    if config.optimizer == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), config.lr, momentum=config.momentum,
                                    weight_decay=config.weight_decay)
    elif config.optimizer == "adamw":
        optimizer = torch.optim.AdamW(model.parameters(), config.lr, weight_decay=config.weight_decay)
    else:
        raise ValueError(f"unknown optimizer {config.optimizer!r}: adamw or sgd")
    scheduler = None
    if config.schedule == "onecycle":
        scheduler = torch.optim.lr_scheduler.OneCycleLR(
            optimizer, config.lr, total_steps=config.epochs * steps_per_epoch, pct_start=config.warmup)
    elif config.schedule != "constant":
        raise ValueError(f"unknown schedule {config.schedule!r}: onecycle or constant")
    return optimizer, scheduler


def load_splits(config: TrainConfig) -> tuple[Dataset, Dataset, Dataset, Dataset]:
    """(whole train CSV, training split, validation split, test CSV): validation comes from the
    train CSV only, so no test row can reach training or model selection."""
    train_set = load_csv(config.train_csv, config.limit)
    test_set = load_csv(config.test_csv, config.limit)
    train_idx, val_idx = stratified_split(train_set.labels, config.val_fraction, config.seed)
    if len(train_idx) == 0 or len(val_idx) == 0:
        raise CsvError(f"{config.train_csv}: {len(train_set)} data rows are too few to hold out a validation split "
                       "(at least two rows of one letter are needed)")
    return train_set, train_set.subset(train_idx), train_set.subset(val_idx), test_set


def evaluate_model(model: Classifier, data: Dataset) -> dict:
    """classification_metrics of a loaded model on a Dataset ({} for an empty one)."""
    if len(data) == 0:
        return {}
    logits = predict_logits(model, to_model_input(data.images).to(next(model.parameters()).device))
    return classification_metrics(data.labels, logits.argmax(1).cpu().numpy())


def uint8_input(images: np.ndarray, device: torch.device) -> torch.Tensor:
    """(N, 28, 28) uint8 -> (N, 1, 28, 28) uint8 on `device`; batches become floats as they are drawn."""
    return torch.from_numpy(np.ascontiguousarray(images, dtype=np.uint8)).unsqueeze(1).to(device)


def load_extra_split(config: TrainConfig) -> tuple[Dataset, Dataset] | None:
    """(extra/'s rows to train on, its held-out people's rows), or None when off or absent."""
    folder = Path(config.train_csv).parent / EXTRA_DIR
    if not config.extra or not (folder / "labels.csv").exists():
        return None
    fit, val, _ = load_extra(folder, config.extra_val_persons, config.seed,
                             sample=DRY_RUN_PHOTOS if config.dry_run else None)
    return fit, val


def load_personal_split(config: TrainConfig) -> tuple[Dataset, Dataset] | None:
    """(personal rows to train on, held-back personal rows), or None without config.personal_dir.
    Seeded like the CSV split, so the app can show the same held-back rows in its browser."""
    if not config.personal_dir:
        return None
    return split_personal(load_personal(config.personal_dir), config.personal_holdout, config.seed)


def inspecting_hook(on_batch, inspect, every: int, epoch: int, model: Classifier, spent_s: list[float]):
    """`on_batch`, plus `inspect(epoch - 1 + b / n, model)` after every `every`-th batch b of n (not the last:
    the epoch's own inspect follows it); the seconds it takes are added to spent_s[0]."""
    if not (inspect and every > 0):
        return on_batch

    def hook(b: int, n: int, loss: float) -> None:
        if on_batch:
            on_batch(b, n, loss)
        if b % every == 0 and b < n:
            start = time.perf_counter()
            inspect(epoch - 1 + b / n, model)
            model.train()
            spent_s[0] += time.perf_counter() - start

    return hook


def train(
    config: TrainConfig,
    on_epoch: Callable[[EpochStats], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_batch: Callable[[int, int, float], None] | None = None,
    inspect: Callable[[float, Classifier], None] | None = None,
    inspect_every: int = 0,
    on_stage: Callable[[str, dict], None] | None = None,
) -> TrainResult:
    """Train, calibrate, test once and (if config.out) save. Raises CsvError, DeviceError,
    TrainingCancelled; on any of them the weights at config.out are untouched.

    `inspect(epoch, model)` runs after each epoch, and every `inspect_every` batches within one (epoch then
    fractional) when that is > 0, outside the timed part: benchmarks use it to trace test accuracy over time,
    which training itself must never look at. `on_stage(stage, sizes)` says when loading, training and each
    step of testing start, with the sizes the app's time estimate needs (training.progress)."""
    stage = on_stage or (lambda name, sizes: None)
    # Config and data: every setting and both CSVs are validated before any training starts.
    check_config(config)
    gen = seed_everything(config.seed)
    device = resolve_device(config.device)
    if config.keep not in ("best", "last"):
        raise ValueError(f"unknown keep {config.keep!r}: best or last")
    if config.compare_weights:
        read_info(config.compare_weights)  # a bad file fails now, not after the run
    stage("loading", {})
    train_set, fit, val, test_set = load_splits(config)
    if config.train_rows is not None and config.train_rows < len(fit):
        fit = fit.subset(stratified_split(fit.labels, 1 - config.train_rows / len(fit), config.seed)[0])
    extra_rows = load_extra_split(config)
    n_csv_val = len(val)
    if extra_rows:
        fit, val = combine(fit, extra_rows[0], config.extra_share), concat(val, extra_rows[1])
    personal = load_personal_split(config)
    held_back = personal[1] if personal else None
    if personal:
        fit = combine(fit, personal[0], config.personal_share)
    if config.threads > 0:
        torch.set_num_threads(config.threads)
    log.info("train %d (%s), validation %d (%d of them extra/'s held-out people), test %d, personal held back %d, "
             "device %s, %d threads", len(fit), fit.source, len(val), len(val) - n_csv_val, len(test_set),
             len(held_back or ()), device, torch.get_num_threads())

    # Model: fine-tuning keeps the start's normalisation; from scratch it comes from the training split.
    if config.init_weights:
        model, _ = load_model(config.init_weights, device)
    else:
        pixels = fit.images.astype(np.float32) / 255
        model_config = ModelConfig(arch=config.arch, width=config.width, blocks=tuple(config.blocks),
                                   mean=round(float(pixels.mean()), 4), std=round(float(pixels.std()), 4))
        model = build_model(model_config).to(device)
    if config.channels_last:
        model = model.to(memory_format=torch.channels_last)
    teacher = copy.deepcopy(model).eval() if config.init_weights and config.distill > 0 else None
    x_fit, y_fit = uint8_input(fit.images, device), torch.from_numpy(fit.labels).to(device)
    x_val, y_val = uint8_input(val.images, device), torch.from_numpy(val.labels).to(device)
    aug = AugmentConfig(flip=config.flip) if config.augment else None
    steps = 1 if config.dry_run else math.ceil(len(fit) / config.batch_size)
    epochs = 1 if config.dry_run else config.epochs
    optimizer, scheduler = make_optimizer(model, config, steps)
    tests = 1 + bool(config.compare_weights)  # the new weights, and the ones compared with
    stage("training", {"epochs": epochs, "batches": steps, "rows": len(fit),
                       "val_rows": len(val),
                       "test_rows": len(test_set) * tests + len(held_back or ()) * tests})

    # Loop: keep the weights of the epoch with the best validation accuracy (later wins ties).
    history: list[EpochStats] = []
    best_state, best_acc, best_epoch = None, -1.0, 0
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        lr = optimizer.param_groups[0]["lr"]
        inspect_s = [0.0]
        batch_hook = inspecting_hook(on_batch, inspect, inspect_every, epoch, model, inspect_s)
        train_loss = train_one_epoch(model, x_fit, y_fit, optimizer, scheduler, config, aug, gen,
                                     should_stop, batch_hook, teacher)
        val_start = time.perf_counter()
        val_logits = predict_logits(model, x_val)
        val_loss = F.cross_entropy(val_logits, y_val).item()
        val_right = (val_logits.argmax(1) == y_val).float()
        val_acc = val_right.mean().item()
        signers_acc = val_right[n_csv_val:].mean().item() if len(val) > n_csv_val else None
        stats = EpochStats(epoch, epochs, train_loss, val_loss, val_acc, lr,
                           time.perf_counter() - start - inspect_s[0], signers_acc, time.perf_counter() - val_start)
        history.append(stats)
        log.info("%s %d/%d  train loss %.4f  val loss %.4f  val acc %.4f (held-out people %s)  lr %.2e  %.1fs",
                 "dry run: one batch of epoch" if config.dry_run else "epoch", epoch, epochs,
                 train_loss, val_loss, val_acc,
                 "-" if signers_acc is None else f"{signers_acc:.4f}", lr, stats.seconds)
        if val_acc >= best_acc or config.keep == "last":
            best_state, best_acc, best_epoch = copy.deepcopy(model.state_dict()), val_acc, epoch
        if on_epoch:
            on_epoch(stats)
        if inspect:
            inspect(epoch, model)
    model.load_state_dict(best_state)

    # Calibrate on validation (if asked), then the one look at the test set.
    steps = tests + 1 + bool(config.compare_weights and config.out and not config.dry_run)  # + the judge
    stage("testing", {"step": 1, "steps": steps, "what": "the new weights"})
    temperature = fit_temperature(predict_logits(model, x_val), y_val) if config.calibrate else 1.0
    test_pred = predict_logits(model, to_model_input(test_set.images).to(device)).argmax(1).cpu().numpy()
    test = classification_metrics(test_set.labels, test_pred)
    log.info("best epoch %d (val acc %.4f), temperature %.3f, test accuracy %.4f (%d errors of %d)",
             best_epoch, best_acc, temperature, test["accuracy"], test["errors"], test["n"])
    result = TrainResult(model, history, best_epoch, best_acc, temperature, test)
    result.seconds_per_1000_images = float(np.median([h.seconds for h in history])) / len(fit) * 1000
    result.training_rows = len(fit)
    if personal:
        result.personal_letters = {LETTERS[k]: int(n) for k, n in enumerate(np.bincount(personal[0].labels,
                                                                                       minlength=len(LETTERS))) if n}
    if held_back is not None:
        result.personal = evaluate_model(model, held_back)
        log.info("personal held back: accuracy %.4f (%d samples)", result.personal.get("accuracy", float("nan")),
                 len(held_back))
    if config.compare_weights:
        stage("testing", {"step": 2, "steps": steps, "what": "the weights in use"})
        baseline, _ = load_model(config.compare_weights, device)
        result.baseline = {"test": evaluate_model(baseline, test_set),
                           "personal": evaluate_model(baseline, held_back) if held_back is not None else {}}
    if config.out and not config.dry_run:
        stage("testing", {"step": tests + 1, "steps": steps, "what": "saving the report"})
        result.weights_path = save_result(result, config, train_set, test_set)
        if config.compare_weights:
            # Letter by letter on your held-back samples and other people's hands, through the app's fusion.
            stage("testing", {"step": steps, "steps": steps, "what": "both weights as the app reads hands"})
            yours = held_back_hands(config.personal_dir, config.personal_holdout, config.seed) if personal else None
            result.judgement = judge(result.weights_path, config.compare_weights, yours=yours,
                                     test=Hands(test_set.images, test_set.labels), device=str(device))
            log.info("judgement: %s", result.judgement["message"])
    return result


def save_result(result: TrainResult, config: TrainConfig, train_set: Dataset, test_set: Dataset) -> Path:
    """Weights (atomic), then the JSON and PNG reports beside them."""
    out = Path(config.out)
    metadata = {
        "temperature": result.temperature,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "signcam_version": __version__,
        "train_config": asdict(config),
        "data": {"train_sha256": train_set.sha256, "test_sha256": test_set.sha256,
                 "train_rows": len(train_set), "test_rows": len(test_set)},
        "best_epoch": result.best_epoch,
        "val_accuracy": result.val_acc,
        "test_accuracy": result.test["accuracy"],
        "test_errors": result.test["errors"],
        # What the Retrain dialog's time estimate scales: seconds per epoch per 1000 training rows, measured
        # in this run on this machine with `threads` torch threads (estimate = rows / 1000 * this * epochs).
        "seconds_per_1000_images": round(result.seconds_per_1000_images, 4),
        "training_rows": result.training_rows,
        "threads": torch.get_num_threads(),
    }
    if result.history and result.history[-1].val_signers_acc is not None:
        metadata["val_signers_accuracy"] = result.history[result.best_epoch - 1].val_signers_acc
    if result.personal:
        metadata["personal_accuracy"] = result.personal["accuracy"]
    if config.personal_dir:
        # The app fuses these letters at its personal shares (signcam.pipeline.builder), the others as before.
        metadata["personal_letters"] = result.personal_letters
    history = [asdict(h) for h in result.history]
    title = f"{config.arch}: test accuracy {result.test['accuracy']:.4%} ({result.test['errors']} errors)"
    report = {**metadata, "history": history, "test": result.test, "personal": result.personal,
              "baseline": result.baseline}
    steps = [(out, lambda: save_weights(out, result.model, metadata)),
             (out.with_suffix(".report.json"), lambda: write_json(out.with_suffix(".report.json"), report)),
             (out.with_suffix(".report.png"),
              lambda: write_png(out.with_suffix(".report.png"), history, result.test["confusion"], title))]
    for i, (path, write) in enumerate(steps):
        try:
            write()  # each one a temp file renamed over the target: a failure leaves the previous file whole
        except OSError as e:
            left = ("nothing was written; any previous weights and reports there are as they were" if i == 0 else
                    f"the new weights were written to {out}, but " + " and ".join(p.name for p, _ in steps[i:])
                    + " are missing or from an earlier run")
            raise SaveError(f"cannot write {path} ({e.strerror or e}); {left}") from None
    return out


def evaluate_weights(weights: str | Path, csv_path: str | Path, device: str = "auto") -> dict:
    """classification_metrics of a weights file on a CSV (the `evaluate` subcommand)."""
    model, _ = load_model(weights, device)
    return evaluate_model(model, load_csv(csv_path))



