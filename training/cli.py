"""`signcam-train`: the command line of the trainer. Arguments are read before torch is imported, so `--help`
and a usage error answer at once; training/train.py (torch) is imported only to do the work.

Usage:
    signcam-train --data DIR --out signcam/assets/signnet.safetensors          # DIR holds the Kaggle CSVs
    signcam-train evaluate --weights signcam/assets/signnet.safetensors --csv DIR/sign_mnist_test.csv [--json]
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import fields
from pathlib import Path

from training.config import ConfigError, TrainConfig, build_evaluate_parser, build_parser, check_ranges


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    evaluate = bool(argv) and argv[0] == "evaluate"
    if evaluate:
        args = build_evaluate_parser().parse_args(argv[1:])
    else:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not (args.data or (args.train_csv and args.test_csv)):
            parser.error("give --data DIR, or both --train-csv and --test-csv")
        try:
            check_ranges(args)  # the numbers: before torch, so a bad flag is answered at once
        except ConfigError as e:
            print(f"signcam-train: error: {e}", file=sys.stderr)
            return 2
    # torch and the data code: only now that the arguments are known to be good (~3 s to import)
    from signcam.store.weights import DeviceError, WeightsError
    from training.data import CsvError, find_csvs
    from training.report import format_metrics
    from training.train import SaveError, evaluate_weights, train

    out, before = "", None
    try:
        if evaluate:
            metrics = evaluate_weights(args.weights, args.csv, args.device)
            print(json.dumps(metrics) if args.json else format_metrics(metrics))
            return 0
        if args.verbose:
            logging.getLogger().setLevel(logging.DEBUG)
        if args.data:
            args.train_csv, args.test_csv = (str(p) for p in find_csvs(args.data))  # JSON metadata needs str
        config = TrainConfig(**{f.name: getattr(args, f.name) for f in fields(TrainConfig)})
        out, before = config.out, _file_identity(config.out)
        result = train(config)
        print(format_metrics(result.test))
        if result.weights_path:
            print(f"\nwrote {result.weights_path} (+ .report.json, .report.png)")
        elif config.dry_run:
            print("\ndry run: the data, the model and the report work (one batch trained, nothing written)")
        return 0
    except (CsvError, ConfigError, WeightsError, DeviceError) as e:
        print(f"signcam-train: error: {e}", file=sys.stderr)
        return 2
    except SaveError as e:  # a full disk or read-only folder at the end: what exists now, in one line
        print(f"signcam-train: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        if out and _file_identity(out) != before:  # Ctrl-C while the reports were written, after the weights
            print(f"\nsigncam-train: interrupted after the new weights were written to {out}; its reports may be "
                  "missing or from the previous run", file=sys.stderr)
        else:
            print("\nsigncam-train: interrupted; existing weights were left untouched", file=sys.stderr)
        return 130


def _file_identity(path: str) -> tuple[int, int] | None:
    """(inode, mtime) of `path`, None if absent: a save renames a new file over it, so this changes."""
    try:
        info = Path(path).stat()
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns


if __name__ == "__main__":
    sys.exit(main())
