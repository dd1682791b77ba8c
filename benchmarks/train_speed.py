"""Seed-style training loop vs the default trainer, same data, same machine, one run.

Usage:
    python benchmarks/train_speed.py --data ../shared/data [--epochs N] [--threads 1] [--out W] [--json]
    python benchmarks/train_speed.py --compare-threads [--steps 60]

The seed loop is the notebook's recipe with its bugs fixed: seed architecture, SGD lr 0.002
momentum 0.7, batch 64, 20 epochs, no augmentation, train CSV only, plain NCHW memory (its faster layout).
Ours is the trainer's default recipe (with extra/ when it lies beside the CSVs). Both run with the same
number of torch threads. Test accuracy is traced after every epoch, and every `--trace-every` batches
within one, here only, for the comparison (the trainer itself never looks at it), and the time spent
measuring it is not counted. Prints wall time, final test accuracy, the time our trainer needed to first
pass the seed loop's final test accuracy, and the load average (the machine may be shared).
`--compare-threads` instead times single training steps of the default network (batch 256, augmented) with one
and with two torch threads, alternating step by step, and prints seconds per 1000 images of each.
`--out` also saves our run's weights and reports (the tracing reads the model in inference mode only, so
they are the weights a plain `signcam-train` run with the same settings writes).
"""

import argparse
import json
import os
import time

import torch

from signcam.models.model import ModelConfig, build_model
from signcam.pipeline.preprocess import to_model_input
from training.config import TrainConfig
from training.data import AugmentConfig, augment, find_csvs, load_csv
from training.train import predict_logits, train


def traced_run(config: TrainConfig, test_x: torch.Tensor, test_y: torch.Tensor,
               every: int) -> tuple[list[tuple[float, float]], float]:
    """([(seconds of training so far, test accuracy)] after each epoch and every `every` batches,
    the training's seconds per 1000 images as the weights' metadata records it)."""
    trace: list[tuple[float, float]] = []
    elapsed = {"train": 0.0, "since": time.perf_counter()}

    def inspect(epoch: float, model) -> None:
        elapsed["train"] += time.perf_counter() - elapsed["since"]
        pred = predict_logits(model, test_x.to(next(model.parameters()).device)).argmax(1).cpu()
        trace.append((elapsed["train"], (pred == test_y).float().mean().item()))
        elapsed["since"] = time.perf_counter()

    result = train(config, inspect=inspect, inspect_every=every)
    return trace, result.seconds_per_1000_images


def compare_threads(steps: int, warmup: int = 5) -> dict[int, float]:
    """{threads: median seconds per 1000 images of one training step}, 1 and 2 threads alternating."""
    defaults = TrainConfig()
    model = build_model(ModelConfig(width=defaults.width, blocks=defaults.blocks)).to(memory_format=torch.channels_last)
    optimizer = torch.optim.AdamW(model.parameters(), defaults.lr)
    gen = torch.Generator().manual_seed(0)
    x, y = torch.rand(defaults.batch_size, 1, 28, 28), torch.randint(0, 24, (defaults.batch_size,))
    times: dict[int, list[float]] = {1: [], 2: []}
    for step in range(steps + warmup):
        for threads, spent in times.items():
            torch.set_num_threads(threads)
            start = time.perf_counter()
            inputs = augment(x, AugmentConfig(), gen).contiguous(memory_format=torch.channels_last)
            loss = torch.nn.functional.cross_entropy(model(inputs), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step >= warmup:
                spent.append((time.perf_counter() - start) / len(y) * 1000)
    return {threads: float(torch.tensor(spent).median()) for threads, spent in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="folder with the Sign-MNIST CSVs (required unless --compare-threads)")
    parser.add_argument("--compare-threads", action="store_true",
                        help="time training steps with 1 and 2 torch threads instead (default: off)")
    parser.add_argument("--steps", type=int, default=60, help="steps per thread count (default: 60)")
    epochs = TrainConfig().epochs
    parser.add_argument("--epochs", type=int, default=epochs, help=f"our trainer's epochs (default: {epochs})")
    parser.add_argument("--seed-epochs", type=int, default=20, help="seed loop epochs (default: 20)")
    parser.add_argument("--device", default="auto", help="(default: auto)")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads for both loops; 0 = torch's default (default: 1, see README)")
    parser.add_argument("--out", default="", help="save our run's weights here (default: not saved)")
    parser.add_argument("--trace-every", type=int, default=25, help="batches between test traces (default: 25)")
    parser.add_argument("--json", action="store_true", help="print one JSON object (default: a table)")
    args = parser.parse_args()
    if args.compare_threads:
        load = os.getloadavg()[0]
        found = compare_threads(args.steps)
        print(json.dumps({"seconds_per_1000_images": found, "load_average_1min": load}) if args.json else
              f"s per 1000 images: 1 thread {found[1]:.3f}, 2 threads {found[2]:.3f} (load average {load:.1f})")
        return
    if not args.data:
        parser.error("--data is required")

    train_csv, test_csv = find_csvs(args.data)
    test = load_csv(test_csv)
    test_x, test_y = to_model_input(test.images), torch.from_numpy(test.labels)
    common = {"train_csv": str(train_csv), "test_csv": str(test_csv), "device": args.device, "out": "",
              "threads": args.threads}
    seed_cfg = TrainConfig(arch="seed", optimizer="sgd", lr=0.002, momentum=0.7, weight_decay=0.0, batch_size=64,
                           epochs=args.seed_epochs, schedule="constant", augment=False, label_smoothing=0.0,
                           extra=False, channels_last=False, **common)
    ours_cfg = TrainConfig(epochs=args.epochs, **{**common, "out": args.out})

    load_before = os.getloadavg()
    seed_trace, seed_rate = traced_run(seed_cfg, test_x, test_y, args.trace_every)
    ours_trace, ours_rate = traced_run(ours_cfg, test_x, test_y, args.trace_every)
    seed_time, seed_acc = seed_trace[-1]
    ours_time, ours_acc = ours_trace[-1]
    to_match = next((t for t, acc in ours_trace if acc >= seed_acc), None)
    result = {
        "device": str(torch.device(args.device) if args.device != "auto" else "auto"),
        "threads": torch.get_num_threads(),
        "load_average_1min": {"before": load_before[0], "after": os.getloadavg()[0]},
        "seed": {"wall_s": seed_time, "test_accuracy": seed_acc, "epochs": args.seed_epochs,
                 "seconds_per_1000_images": seed_rate},
        "ours": {"wall_s": ours_time, "test_accuracy": ours_acc, "epochs": args.epochs,
                 "s_to_seed_accuracy": to_match, "seconds_per_1000_images": ours_rate},
        "speedup_to_seed_accuracy": seed_time / to_match if to_match else None,
        "ours_trace": ours_trace,
        "seed_trace": seed_trace,
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"{'loop':<10}{'epochs':>8}{'wall s':>10}{'test acc':>10}")
    print(f"{'seed':<10}{args.seed_epochs:>8}{seed_time:>10.1f}{seed_acc:>10.4f}")
    print(f"{'ours':<10}{args.epochs:>8}{ours_time:>10.1f}{ours_acc:>10.4f}")
    print(f"{torch.get_num_threads()} torch threads; load average {load_before[0]:.1f} before, "
          f"{result['load_average_1min']['after']:.1f} after (2 cores)")
    if to_match:
        print(f"ours passed the seed loop's final {seed_acc:.4f} after {to_match:.1f}s: "
              f"{seed_time / to_match:.1f}x faster to that accuracy")
    else:
        print("ours never reached the seed loop's final accuracy")


if __name__ == "__main__":
    main()
