"""Hostile inputs: re-create issue 24's battery of files in a temp folder, run the real commands on each, and print
tried / passed / failed, so the next battery starts from here.

A case passes when the command answers as promised (exit status, a one-line message naming the problem, no
traceback) within its time limit and below MAX_RSS_MB of resident memory (per child from wait4: an upper bound, as
Linux counts what this launcher held when it forked; the photo cases run first, before it imports torch). The
builders here are also what the tests use (tests/core/test_hostile_*.py), so a test and this script try the same
bytes. Nothing allocates the sizes the files announce: the bombs are headers, sparse files and compressed zeros.

Usage:
    python benchmarks/hostile.py [--only weights] [--keep DIR] [-v]
"""

import argparse
import gzip
import json
import os
import resource
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MAX_RSS_MB = 1024  # issue 31's bar: no case uses 1 GB (torch alone is ~350 MB resident)
TIME_LIMIT_S = 60.0


# -- builders: photos --------------------------------------------------------------------------------------------
def rle_bmp(path: Path, width: int = 20_000, height: int = 20_000) -> Path:
    """A ~1 KB 8-bit RLE BMP announcing width x height (400 MP by default): one end-of-bitmap code."""
    palette = bytes(4 * 256)
    pixels = b"\x00\x01"  # RLE8: end of bitmap
    offset = 14 + 40 + len(palette)
    dib = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 8, 1, len(pixels), 2835, 2835, 256, 0)
    path.write_bytes(b"BM" + struct.pack("<IHHI", offset + len(pixels), 0, 0, offset) + dib + palette + pixels)
    return path


def tiff_header(path: Path, width: int = 30_000, height: int = 30_000) -> Path:
    """A tiny uncompressed greyscale TIFF whose tags announce width x height (strip data absent)."""
    entries = [(256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
               (273, 4, 1, 8 + 2 + 10 * 12 + 4), (277, 3, 1, 1), (278, 4, 1, height), (279, 4, 1, width * height)]
    ifd = struct.pack("<H", len(entries)) + b"".join(
        struct.pack("<HHII", tag, kind, count, value) if kind == 4 else struct.pack("<HHIHH", tag, kind, count,
                                                                                   value, 0)
        for tag, kind, count, value in entries) + struct.pack("<I", 0)
    path.write_bytes(b"II*\x00" + struct.pack("<I", 8) + ifd + bytes(64))
    return path


def gif_header(path: Path, width: int = 30_000, height: int = 30_000) -> Path:
    """A GIF whose screen and only frame announce width x height, with a minimal LZW stream."""
    image = b"," + struct.pack("<HHHHB", 0, 0, width, height, 0) + b"\x02\x02\x4c\x01\x00"
    path.write_bytes(b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + bytes(6) + image + b";")
    return path


def webp_header(path: Path, side: int = 16_384) -> Path:
    """A WebP (VP8X) whose canvas is side x side (268 MP at the format's limit)."""
    vp8x = b"VP8X" + struct.pack("<I", 10) + bytes(4) + (side - 1).to_bytes(3, "little") * 2
    body = b"WEBP" + vp8x
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


def png_of(path: Path, width: int, height: int, bit_depth: int = 8) -> Path:
    """A valid black greyscale PNG of width x height, written row by row (the test never holds the pixels)."""
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    compressor = zlib.compressobj(9)
    row = bytes(1 + (width * bit_depth + 7) // 8)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return path


def grey_jpeg(path: Path, side: int = 96) -> Path:
    import cv2

    path.write_bytes(cv2.imencode(".jpg", np.full((side, side, 3), 128, np.uint8))[1].tobytes())  # any file name
    return path


# -- builders: weights -------------------------------------------------------------------------------------------
def small_weights(path: Path, **config) -> Path:
    """Real width-8 weights whose metadata is then edited: `config` entries replace the model config's."""
    from signcam.models.model import ModelConfig, build_model
    from signcam.store.weights import save_weights

    save_weights(path, build_model(ModelConfig(width=8)))
    return edit_metadata(path, lambda meta: meta["config"].update(config)) if config else path


def edit_metadata(path: Path, change: Callable[[dict], object], raw: str | None = None) -> Path:
    """Rewrite a weights file's signcam metadata with `change(meta)` (or the raw JSON text `raw`), tensors kept."""
    from safetensors import safe_open
    from safetensors.torch import save

    with safe_open(path, framework="pt") as f:
        names = f.keys()  # a safe_open handle is not iterable itself
        tensors = {name: f.get_tensor(name) for name in names}
        meta = json.loads(f.metadata()["signcam"])
    change(meta)
    path.write_bytes(save(tensors, metadata={"signcam": raw if raw is not None else json.dumps(meta)}))
    return path


def int64_weights(path: Path) -> Path:
    """The tensors of a valid file cast to int64: shapes right, values meaningless."""
    import torch
    from safetensors import safe_open
    from safetensors.torch import save

    small_weights(path)
    with safe_open(path, framework="pt") as f:
        names = f.keys()
        tensors = {name: f.get_tensor(name).to(dtype=torch.int64) for name in names}
        metadata = f.metadata()
    path.write_bytes(save(tensors, metadata=metadata))
    return path


def weights_starting_0x80(path: Path) -> Path:
    """A valid weights file whose header length's low byte is 0x80 (what a pickle stream starts with)."""
    small_weights(path)
    for pad in range(0, 512):
        edit_metadata(path, lambda meta, pad=pad: meta.update(note="x" * pad))
        if path.read_bytes()[0] == 0x80:
            return path
    raise RuntimeError("no padding gave a 0x80 first byte")


def sparse_file(path: Path, size: int) -> Path:
    with open(path, "wb") as f:
        f.truncate(size)
    return path


# -- builders: CSVs, videos, history ------------------------------------------------------------------------------
CSV_HEADER = "label," + ",".join(f"pixel{i}" for i in range(1, 785))


def csv_rows(n: int, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    labels = [v for v in range(25) if v != 9]
    rows = [",".join(map(str, [labels[i % 24], *rng.integers(0, 256, 784)])) for i in range(n)]
    return "\n".join([CSV_HEADER, *rows]) + "\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def gzip_of(path: Path, head: bytes, filler: bytes, total: int) -> Path:
    """`head`, then `filler` repeated to `total` bytes, gzipped as it is made (a few MB on disk at most)."""
    block = filler * ((1 << 20) // max(1, len(filler)))
    with gzip.open(path, "wb", compresslevel=9) as f:
        f.write(head)
        written = len(head)
        while written < total:
            piece = block[: total - written]
            f.write(piece)
            written += len(piece)
    return path


def damaged_video(path: Path, frames: int = 180, keep: float = 1 / 3) -> Path:
    """An MJPG AVI of `frames` frames, cut after `keep` of its bytes (the header still announces them all)."""
    import cv2

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, (64, 48))
    rng = np.random.default_rng(0)
    for _ in range(frames):
        writer.write(rng.integers(0, 256, (48, 64, 3), dtype=np.uint8))
    writer.release()
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def mjpg_video(path: Path, width: int, height: int, frames: int = 3, announce: tuple[int, int] | None = None
               ) -> Path:
    """An MJPG AVI of `frames` flat frames of width x height; `announce`: its headers and every JPEG's SOF marker
    then claim that size instead (a few KB that announce any size)."""
    import cv2

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, (width, height))
    for i in range(frames):
        writer.write(np.full((height, width, 3), 60 * i, np.uint8))
    writer.release()
    if announce is not None:
        data = bytearray(path.read_bytes())
        w, h = announce
        start = 0
        while (start := data.find(b"\xff\xc0", start)) >= 0:  # SOF0: length (2), precision (1), height, width
            struct.pack_into(">HH", data, start + 5, h, w)
            start += 2
        struct.pack_into("<II", data, data.find(b"avih") + 8 + 32, w, h)  # after 8 DWORDs: dwWidth, dwHeight
        struct.pack_into("<ii", data, data.find(b"strf") + 8 + 4, w, h)  # BITMAPINFOHEADER biWidth, biHeight
        path.write_bytes(bytes(data))
    return path


def big_mjpg(path: Path, width: int = 16_000, height: int = 16_000) -> Path:
    """A real MJPG AVI of 3 grey width x height frames (4.6 MB at 16000 x 16000), made in a child process: it holds
    a frame while encoding, and this launcher's memory would be counted in every later case."""
    code = ("import sys, cv2, numpy as np; w, h = int(sys.argv[2]), int(sys.argv[3]); "
            "out = cv2.VideoWriter(sys.argv[1], cv2.VideoWriter_fourcc(*'MJPG'), 30, (w, h), isColor=False); "
            "f = np.zeros((h, w), np.uint8)\n"
            "for i in range(3):\n    f[:] = 40 * i; out.write(f)\nout.release()")
    subprocess.run([sys.executable, "-c", code, str(path), str(width), str(height)], check=True)
    return path


def deep_tree(path: Path, depth: int) -> Path:
    """A photo at `path`, and a chain of `depth` folders below it with a photo at the bottom."""
    path.mkdir(parents=True)
    grey_jpeg(path / "top.jpg", 32)
    folder = path
    for _ in range(depth):
        folder = folder / "d"
        folder.mkdir()
    grey_jpeg(folder / "bottom.jpg", 32)
    return path


def history_with_rows(path: Path, n: int) -> Path:
    from signcam.practice import Attempt, Outcome
    from signcam.practice.history import History

    history = History(path)
    for i in range(n):
        history.record(Attempt("ABCDEFGHIKLMNOPQRSTUVWXY"[i % 24], Outcome.CORRECT, 0.0, 1.5, 0, ""), 1.0e9 + i)
    history.flush(30)
    history.close()
    return path


# -- running the cases -------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    status: int | None
    out: str
    err: str
    seconds: float
    rss_mb: float


def run(args: list[str], cwd: Path | None = None, env: dict | None = None, timeout_s: float = TIME_LIMIT_S,
        stdin: bytes | None = None) -> Outcome:
    """Run a command, killing it after timeout_s; its peak resident memory comes from wait4."""
    start = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(args, cwd=cwd, env={**os.environ, **(env or {})}, stdout=out, stderr=err,
                                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL)
        if stdin is not None:
            proc.stdin.write(stdin)
            proc.stdin.close()
        deadline = start + timeout_s
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                status = None
                break
            time.sleep(0.02)
        proc.returncode = 0  # reaped by wait4 above
        out.seek(0)
        err.seek(0)
        code = None if status is None else os.waitstatus_to_exitcode(status)
        return Outcome(code, out.read().decode(errors="replace"), err.read().decode(errors="replace"),
                       time.monotonic() - start, usage.ru_maxrss / 1024)


PY = [sys.executable]
PREDICT = [*PY, "-m", "signcam.cli", "predict", "--roi", "box"]
TRAIN = [*PY, "-m", "training.cli"]


@dataclass
class Case:
    group: str
    name: str
    run: Callable[[Path], tuple[bool, str]]  # (passed, what was seen)


def expect(outcome: Outcome, status: int, *needles: str, one_line: bool = True) -> tuple[bool, str]:
    text = outcome.out + outcome.err
    problems = []
    if outcome.status != status:
        problems.append(f"exit {outcome.status} (expected {status})")
    problems += [f"no {n!r}" for n in needles if n not in text]
    if "Traceback" in text:
        problems.append("traceback")
    if one_line and status != 0 and len(outcome.err.strip().splitlines()) > 1:
        problems.append(f"{len(outcome.err.strip().splitlines())} lines on stderr")
    if outcome.rss_mb > MAX_RSS_MB:
        problems.append(f"{outcome.rss_mb:.0f} MB resident")
    seen = (outcome.err.strip() or outcome.out.strip()).splitlines()[-1:] or [""]
    summary = f"exit {outcome.status}, {outcome.seconds:.1f} s, {outcome.rss_mb:.0f} MB: {seen[0][:110]}"
    return not problems, summary + ("" if not problems else "  <- " + "; ".join(problems))


def photo_case(name: str, build: Callable[[Path], Path], status: int, *needles: str, roi: str = "box") -> Case:
    def go(tmp: Path) -> tuple[bool, str]:
        args = [*PREDICT, "--json", str(build(tmp)), "--roi", roi]  # the last --roi wins
        return expect(run(args, cwd=ROOT), status, *needles, one_line=False)
    return Case("photos", name, go)


def weights_case(name: str, build: Callable[[Path], Path], status: int, *needles: str) -> Case:
    def go(tmp: Path) -> tuple[bool, str]:
        photo = grey_jpeg(tmp / "grey.jpg")
        return expect(run([*PREDICT, "--json", "--weights", str(build(tmp)), str(photo)], cwd=ROOT), status,
                      *needles)
    return Case("weights", name, go)


def train_case(name: str, extra: list[str], status: int, *needles: str, rows: int = 48,
               csv: Callable[[Path], Path] | None = None) -> Case:
    def go(tmp: Path) -> tuple[bool, str]:
        good = tmp / "ok.csv"
        good.write_text(csv_rows(rows))
        train_csv = csv(tmp) if csv else good
        args = [*TRAIN, "--train-csv", str(train_csv), "--test-csv", str(good), "--dry-run", "--device", "cpu",
                "--no-extra", "--out", str(tmp / "w.safetensors"), *extra]
        return expect(run(args, cwd=ROOT), status, *needles)
    return Case("trainer", name, go)


def fifo(tmp: Path, name: str) -> Path:
    path = tmp / name
    os.mkfifo(path)
    return path


def non_utf8_name(tmp: Path) -> tuple[bool, str]:
    folder = tmp / "names"
    folder.mkdir()
    grey_jpeg(Path(os.fsdecode(bytes(folder) + b"/caf\xe9.jpg")))
    grey_jpeg(folder / "plain.jpg")
    outcome = run([*PREDICT, str(folder)], cwd=ROOT, env={"PYTHONIOENCODING": "utf-8:strict"})
    ok, seen = expect(outcome, 0)
    lines = outcome.out.strip().splitlines()
    return ok and len(lines) == 2 and "caf\\xe9.jpg" in lines[0], f"{len(lines)} lines; {seen}"


def python_case(group: str, name: str, code: str, *needles: str) -> Case:
    """A short script run in a child (isolated from this process's imports); passes on exit 0 with `needles`."""
    def go(tmp: Path) -> tuple[bool, str]:
        return expect(run([*PY, "-c", code, str(tmp)], cwd=ROOT), 0, *needles, one_line=False)
    return Case(group, name, go)


_IMPORT = "import sys; from pathlib import Path; tmp = Path(sys.argv[1]); sys.path.insert(0, '.'); "

CASES = [
    photo_case("RLE BMP announcing 400 MP (1 KB)", lambda t: rle_bmp(t / "rle.bmp"), 1, "too large"),
    photo_case("TIFF announcing 900 MP", lambda t: tiff_header(t / "big.tif"), 1, "too large"),
    photo_case("GIF announcing 900 MP", lambda t: gif_header(t / "big.gif"), 1, "too large"),
    photo_case("WebP announcing 268 MP", lambda t: webp_header(t / "big.webp"), 1, '"error": "'),
    photo_case("PNG of 1.6 GP (1-bit, 0.2 MB)", lambda t: png_of(t / "bomb.png", 40_000, 40_000, 1), 1,
               "too large"),
    photo_case("PNG of 79 MP (8-bit grey, ~80 KB), decoded", lambda t: png_of(t / "p79.png", 8_880, 8_880), 0,
               '"error": null'),
    photo_case("PNG of 79 MP, 16-bit grey", lambda t: png_of(t / "p79-16.png", 8_880, 8_880, 16), 0,
               '"error": null'),
    photo_case("PNG of 79 MP, --roi auto (MediaPipe's photo retries)", lambda t: png_of(t / "p79a.png", 8_880, 8_880),
               0, '"error": null', roi="auto"),
    photo_case("FIFO named like a photo", lambda t: fifo(t, "pipe.jpg"), 1, "a pipe (FIFO)"),
    photo_case("/dev/urandom", lambda t: Path("/dev/urandom"), 1, "a device"),
    Case("photos", "non-UTF-8 file name, strict UTF-8 stdout", non_utf8_name),
    weights_case("config asking for 21 blocks", lambda t: small_weights(t / "w.safetensors", blocks=[1] * 21), 2,
                 "blocks"),
    weights_case("config asking for 10^7 blocks", lambda t: small_weights(t / "w.safetensors", blocks=[1] * 10**7), 2,
                 "not a signcam weights file"),
    weights_case("config asking for width 1500", lambda t: small_weights(t / "w.safetensors", width=1500), 2,
                 "width 1500"),
    weights_case("std 0", lambda t: small_weights(t / "w.safetensors", std=0.0), 2, "std 0.0"),
    weights_case("temperature 'hot'", lambda t: edit_metadata(small_weights(t / "w.safetensors"),
                                                              lambda m: m.update(temperature="hot")), 2, "temperature"),
    weights_case("temperature 0", lambda t: edit_metadata(small_weights(t / "w.safetensors"),
                                                          lambda m: m.update(temperature=0)), 2, "temperature"),
    weights_case("temperature -1", lambda t: edit_metadata(small_weights(t / "w.safetensors"),
                                                           lambda m: m.update(temperature=-1)), 2, "temperature"),
    weights_case("temperature NaN", lambda t: edit_metadata(small_weights(t / "w.safetensors"),
                                                            lambda m: m.update(temperature=float("nan"))), 2,
                 "temperature"),
    weights_case("int64 tensors", lambda t: int64_weights(t / "w.safetensors"), 2, "I64"),
    weights_case("100k nested metadata arrays",
                 lambda t: edit_metadata(small_weights(t / "w.safetensors"), lambda m: None,
                                         raw="[" * 100_000 + "]" * 100_000), 2, "not a signcam weights file"),
    weights_case("valid file starting with 0x80", lambda t: weights_starting_0x80(t / "w.safetensors"), 0,
                 '"error": null'),
    weights_case("sparse 1 GB file", lambda t: sparse_file(t / "w.safetensors", 2**30), 2, "too large"),
    weights_case("FIFO as weights", lambda t: fifo(t, "w.safetensors"), 2, "pipe or device"),
    train_case("--epochs 0", ["--epochs", "0"], 2, "--epochs"),
    train_case("--batch-size 0", ["--batch-size", "0"], 2, "--batch-size"),
    train_case("--val-fraction 1.0", ["--val-fraction", "1.0"], 2, "--val-fraction"),
    train_case("--lr nan", ["--lr", "nan"], 2, "--lr"),
    train_case("--width 0", ["--width", "0"], 2, "width 0"),
    train_case("CSV of one row", [], 2, "too few", csv=lambda t: write(t / "one.csv", csv_rows(1))),
    train_case("gzip: 1 GB of blank lines in ~1 MB", [], 2, "blank lines",
               csv=lambda t: gzip_of(t / "blank.csv.gz", (CSV_HEADER + "\n").encode(), b"\n", 2**30)),
    train_case("gzip: 1 GB of zeros", [], 2, "NUL bytes",
               csv=lambda t: gzip_of(t / "zeros.csv.gz", b"", b"\0", 2**30)),
    python_case("trainer", "--out naming a folder is refused before training",
                _IMPORT + "from training.cli import main; import os; os.mkdir(tmp / 'out'); "
                "(tmp / 'a.csv').write_text(__import__('benchmarks.hostile', fromlist=['x']).csv_rows(48)); "
                "code = main(['--train-csv', str(tmp / 'a.csv'), '--test-csv', str(tmp / 'a.csv'), '--out', "
                "str(tmp / 'out'), '--no-extra', '--epochs', '1']); print('exit', code)", "exit 2"),
    python_case("sources", "damaged video says so",
                _IMPORT + "from benchmarks.hostile import damaged_video; "
                "from signcam.pipeline.sources import open_source, "
                "SourceError\ntry:\n    n = sum(1 for _ in open_source(damaged_video(tmp / 'v.avi')))\n"
                "except SourceError as e:\n    print(e)", "damaged"),
    python_case("sources", "a folder as live source plays every photo",
                _IMPORT + "import signcam.pipeline.sources as s; from benchmarks.hostile import grey_jpeg; "
                "s.FOLDER_PHOTO_S = 0.01; [grey_jpeg(tmp / f'{i:03}.jpg', 32) for i in range(30)]; "
                "src = s.open_source(tmp, realtime=True); print(len(list(src)), 'of 30', src.is_live)",
                "30 of 30 True"),
    python_case("history", "locked at start-up: kept, attempts saved once free",
                _IMPORT + "import sqlite3; from benchmarks.hostile import history_with_rows; "
                "from signcam.practice.history import History; from signcam.practice import Attempt, Outcome; "
                "p = history_with_rows(tmp / 'h.sqlite3', 5); o = sqlite3.connect(p, isolation_level=None); "
                "o.execute('PRAGMA locking_mode=EXCLUSIVE'); o.execute('BEGIN EXCLUSIVE'); h = History(p); "
                "h.record(Attempt('B', Outcome.CORRECT, 0.0, 1.0, 0, ''), 2e9); o.execute('ROLLBACK'); o.close(); "
                "h.flush(10); print(h.count(), 'rows', sorted(x.name for x in tmp.iterdir() if 'corrupt' in x.name))",
                "6 rows []"),
    python_case("history", "damaged page: a message, no DatabaseError",
                _IMPORT + "import sqlite3; from benchmarks.hostile import history_with_rows; "
                "from signcam.practice.history import History; p = history_with_rows(tmp / 'h.sqlite3', 3000); "
                "c = sqlite3.connect(p); n = c.execute('PRAGMA page_count').fetchone()[0]; "
                "c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.close(); d = bytearray(p.read_bytes()); "
                "d[n // 2 * 4096:(n // 2 + 1) * 4096] = b'\\xa5' * 4096; p.write_bytes(bytes(d)); h = History(p); "
                "h.letter_stats(); h.daily_stats(); print('problem:', h.problem)", "damaged"),
    python_case("runner", "code planted in the current folder does not run",
                _IMPORT + "import subprocess, os; from signcam.ui.training_process import runner_command; "
                "(tmp / 'training').mkdir(); m = tmp / 'ran'; plant = f'open({str(m)!r}, \"w\")'; "
                "(tmp / 'training' / '__init__.py').write_text(plant); (tmp / 'json.py').write_text(plant); "
                "prog, args = runner_command({'train_csv': 'missing.csv', 'test_csv': 'missing.csv'}); "
                "r = subprocess.run([prog, *args], cwd=tmp, capture_output=True, text=True, stdin=subprocess.DEVNULL);"
                " print('planted ran' if m.exists() else 'planted did not run', r.stdout.strip()[-60:])",
                "planted did not run", "file not found"),
    python_case("trainer", "reports and weights share permissions; stale .tmpXXXXXX removed",
                _IMPORT + "import os, time; from benchmarks.hostile import small_weights; os.umask(0o022); "
                "stale = tmp / '.tmpAbC123'; stale.write_bytes(b''); os.utime(stale, (1, 1)); "
                "w = small_weights(tmp / 'w.safetensors'); from training.report import write_json; "
                "write_json(tmp / 'w.report.json', {}); from signcam.store.weights import load_model; load_model(w); "
                "print(oct(w.stat().st_mode & 0o777), oct((tmp / 'w.report.json').stat().st_mode & 0o777), "
                "stale.exists())", "0o644 0o644 False"),
]



# -- issue 31: damaged files, odd cameras and hostile names --------------------------------------------------------
# Each check below runs in a child (`check_case`) and prints what it saw; the case passes on exit 0 with its needles.
# As root, the permission cases drop the capabilities that bypass file modes (util-linux's setpriv); anyone else is
# bound by them already.
WITHOUT_DAC = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else []


def remove_tree(path: Path) -> None:
    """shutil.rmtree without its recursion (a chain of 1,500 folders), children before parents."""
    pending, folders = [path], []
    while pending:
        folder = pending.pop()
        folders.append(folder)
        for entry in os.scandir(folder):
            if entry.is_dir(follow_symlinks=False):
                pending.append(Path(entry.path))
            else:
                os.unlink(entry.path)
    for folder in reversed(folders):
        os.rmdir(folder)


def package_copy(tmp: Path, damage: Callable[[Path], object]) -> Path:
    """A copy of the signcam package under tmp/pkg with `damage(assets folder)` done to it: what a broken install
    looks like. Run with cwd=tmp and PYTHONPATH=tmp/pkg."""
    shutil.copytree(ROOT / "signcam", tmp / "pkg" / "signcam", ignore=shutil.ignore_patterns("__pycache__"))
    damage(tmp / "pkg" / "signcam" / "assets")
    return tmp / "pkg"


def cut(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def random_bytes(path: Path) -> None:
    path.write_bytes(np.random.default_rng(0).integers(0, 256, path.stat().st_size, dtype=np.uint8).tobytes())


def flip_inside(path: Path, member: str) -> None:
    """Random bytes in the middle of one model of the .task bundle, the zip kept valid (its CRC rewritten)."""
    import zipfile

    with zipfile.ZipFile(path) as bundle:
        members = {name: bundle.read(name) for name in bundle.namelist()}
    data = bytearray(members[member])
    data[len(data) // 2: len(data) // 2 + 4096] = np.random.default_rng(1).integers(0, 256, 4096, np.uint8).tobytes()
    members[member] = bytes(data)
    rezip(path, members)


def rezip(path: Path, members: dict[str, bytes]) -> None:
    import zipfile

    with zipfile.ZipFile(path, "w") as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)


def task_members(path: Path) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(path) as bundle:
        return {name: bundle.read(name) for name in bundle.namelist()}


def zip_bomb(path: Path, size: int = 2**31) -> None:
    """A .task whose landmark model inflates to `size` bytes of zeros (a few MB on disk)."""
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle, \
            bundle.open("hand_landmarks_detector.tflite", "w", force_zip64=True) as member:
        block = bytes(2**24)
        for _ in range(size // len(block)):
            member.write(block)


def damaged_asset_case(name: str, damage: Callable[[Path], object], status: int, *needles: str,
                       roi: str = "auto") -> Case:
    """`signcam predict` from a package copy whose assets `damage` broke: one line naming the file, and the
    photos still read (the guide box for the hand model, the CNN alone for the landmark model)."""
    def go(tmp: Path) -> tuple[bool, str]:
        pkg = package_copy(tmp, damage)
        photo = grey_jpeg(tmp / "grey.jpg")
        outcome = run([*PY, "-m", "signcam.cli", "predict", "--roi", roi, str(photo)], cwd=tmp,
                      env={"PYTHONPATH": str(pkg)})
        ok, seen = expect(outcome, status, *needles, one_line=False)
        lines = [line for line in outcome.err.splitlines() if "reinstall" in line]
        return ok and len(lines) == 1, f"{len(lines)} reinstall line(s); {seen}"
    return Case("assets", name, go)


def check_case(group: str, name: str, check: str, *needles: str, damage: Callable[[Path], object] | None = None,
               prefix: tuple[str, ...] = ()) -> Case:
    """Run `check(tmp)` (a function of this module) in a child (after `prefix`, e.g. WITHOUT_DAC), from a damaged
    package copy when `damage` is given; passes on exit 0 with `needles` in what it printed."""
    def go(tmp: Path) -> tuple[bool, str]:
        env, cwd = {"PYTHONPATH": str(ROOT)}, ROOT
        if damage is not None:
            env, cwd = {"PYTHONPATH": os.pathsep.join([str(package_copy(tmp, damage)), str(ROOT)])}, tmp
        code = (f"import sys; from pathlib import Path; from benchmarks.hostile import {check}; "
                f"{check}(Path(sys.argv[1]))")
        return expect(run([*prefix, *PY, "-c", code, str(tmp)], cwd=cwd, env=env), 0, *needles, one_line=False)
    return Case(group, name, go)


def check_traversal(tmp: Path) -> None:
    from signcam.store.samples import SampleStore

    precious = tmp / "x" / "precious.png"
    precious.parent.mkdir()
    grey_jpeg(precious, 28)
    store = SampleStore(tmp / "a" / "b" / "samples")
    good = store.add("A", np.zeros((28, 28), np.uint8))
    labels = store.root / "labels.csv"
    labels.write_text(labels.read_text() + "../../../x/precious,B,1700000000\n")
    store = SampleStore(store.root)
    listed = [s.id == good.id for s in store.samples()]
    deleted = store.delete({s.id for s in store.samples()} | {"../../../x/precious"})
    print(f"listed {listed}, deleted {deleted}, precious kept {precious.exists()}")


def check_reading_while_locked(tmp: Path) -> None:
    import sqlite3

    from signcam.practice.history import History
    from signcam.practice.receptive import ReadResult, WordSource

    history = History(tmp / "h.sqlite3")
    other = sqlite3.connect(tmp / "h.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    history.record_reading(ReadResult("CAT", "CAT", (), 1.5, 1.5, 0, WordSource.WORDS), 1.7e9)
    other.execute("ROLLBACK")
    other.close()
    history.flush(10)
    print("readings saved:", sum(day.words for day in history.reading_days()))


def check_killed_retrain_temp(tmp: Path) -> None:
    from signcam.store.weights import load_model

    stale = [tmp / ".cand-1.safetensors.ab12cd34.tmp", tmp / ".cand-1.report.json.ef56gh78.tmp"]
    for path in stale:
        path.write_bytes(b"half a file")
        os.utime(path, (1, 1))
    load_model(small_weights(tmp / "cand-2.safetensors"))
    print("stale temps left:", sum(p.exists() for p in stale))


def check_camera_numbers(tmp: Path) -> None:
    from PySide6.QtCore import QSettings

    from signcam.pipeline.sources import CameraSource, SourceError, open_source
    from signcam.ui.settings import Settings

    for spec in (-5, -1, "99999999999999999999"):
        try:
            CameraSource(spec) if isinstance(spec, int) else open_source(spec)
        except SourceError as e:
            print(e)
    (tmp / "s.ini").write_text("[camera]\nindex=-5\n")
    print("saved -5 opens camera", Settings(QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat)).camera_index())


def check_bad_saved_values(tmp: Path) -> None:
    from signcam.store.samples import SampleStore
    from training.personal import load_personal
    from training.progress import RunTimes

    times = [RunTimes.saved(text) for text in ('{"fine-tune": {"loading_s": "a", "epoch_s": "b", "testing_s": "c"}}',
                                               "[" * 100_000 + "]" * 100_000)]
    root = tmp / "samples"
    (root / "crops").mkdir(parents=True)
    png_of(root / "crops" / "big.png", 300, 300)
    png_of(root / "crops" / "odd.png", 28, 28)
    (root / "labels.csv").write_text("id,letter,captured_unix_s\nbig,B,1\nodd,C,abc\n")
    print("run times", times, "samples", len(SampleStore(root)), "trainable", len(load_personal(root).labels))


def check_bad_history_rows(tmp: Path) -> None:
    import sqlite3

    from signcam.practice.history import History

    history_with_rows(tmp / "h.sqlite3", 3)
    raw = sqlite3.connect(tmp / "h.sqlite3")
    history = History(tmp / "h.sqlite3")
    history.reading_days()  # makes the reading tables
    with raw:
        raw.execute("INSERT INTO attempts (at_unix_s, letter, outcome, time_s, wrong_reads, word, drill, mode, hand)"
                    " VALUES (1e15, 'B', 'correct', 1.0, 0, '', 'letter', 'easy', 'right')")
        raw.execute("INSERT INTO readings (at_unix_s, word, typed, correct, pace, replays, source)"
                    " VALUES (1.8e9, 'DOG', 'DOG', 1, 'abc', 0, 'words')")
    days = history.daily_stats()
    print("days", [type(d.day).__name__ for d in days], "reading days", history.reading_days(),
          "last pace", history.last_reading_pace())


def check_long_custom_word(tmp: Path) -> None:
    import random

    from signcam.practice.controller import PracticeController
    from signcam.practice.receptive import ReceptiveDrill, WordSource, load_hand_index

    drill = ReceptiveDrill(load_hand_index(), rng=random.Random(0))
    items = drill.custom_items("B" * 32_767)
    drill.start(items, WordSource.CUSTOM)
    start = time.perf_counter()
    drill.check("C" * 32_767)
    check_s = time.perf_counter() - start
    controller = PracticeController(None)
    controller.start_custom_text("A" * 32_767)
    print(f"{len(items)} words, longest {max(map(len, items))}, check {'fast' if check_s < 0.5 else 'SLOW'} "
          f"({check_s * 1000:.0f} ms); signing drill: {controller.notice}")


def check_unsaved_at_quit(tmp: Path) -> None:
    from signcam.practice import Attempt, Outcome
    from signcam.practice.history import History

    history_with_rows(tmp / "h.sqlite3", 1)
    (tmp / "h.sqlite3").chmod(0o444)
    history = History(tmp / "h.sqlite3")
    history.record(Attempt("B", Outcome.CORRECT, 0.0, 1.0, 0, ""), 2e9)
    print("at quit:", history.close(timeout_s=1.0))


def check_trainer_flags_before_torch(tmp: Path) -> None:
    from training.cli import main

    code = main(["--train-csv", "a.csv", "--test-csv", "b.csv", "--epochs", "0"])
    print("exit", code, "torch imported" if "torch" in sys.modules else "torch not imported")


def check_practice_notice(tmp: Path) -> None:
    from signcam.practice.controller import PracticeController

    controller = PracticeController(None)
    controller.start_custom_text("jab")
    print(controller.notice)


def video_case(name: str, width: int, height: int, *needles: str) -> Case:
    def go(tmp: Path) -> tuple[bool, str]:
        video = big_mjpg(tmp / "big.avi", width, height)
        code = ("import sys; from signcam.pipeline.sources import open_source, SourceError\ntry:\n"
                "    print(sum(1 for _ in open_source(sys.argv[1])), 'frames, each', "
                "next(iter(open_source(sys.argv[1]))).image_bgr.shape)\nexcept SourceError as e:\n    print(e)")
        return expect(run([*PY, "-c", code, str(video)], cwd=ROOT), 0, *needles, one_line=False)
    return Case("video", name, go)


def hostile_name(tmp: Path) -> tuple[bool, str]:
    photo = grey_jpeg(tmp / "x.jpg\nforged.jpg: Z  [Z=1.00]  hand=right\x1b[2J\x1b[31m.jpg")
    outcome = run([*PREDICT, str(photo)], cwd=ROOT)
    ok, seen = expect(outcome, 0)
    lines = outcome.out.splitlines()
    return ok and len(lines) == 1 and "\x1b" not in outcome.out and "\\n" in lines[0], f"{len(lines)} lines; {seen}"


def thin_photo(tmp: Path, width: int, height: int) -> Path:
    png_of(tmp / f"{width}x{height}.png", width, height)
    return tmp


def deep_folders(tmp: Path) -> tuple[bool, str]:
    top = deep_tree(tmp / "deep", 1_500)
    try:
        outcome = run([*PREDICT, str(top)], cwd=ROOT)
    finally:
        remove_tree(top)
    ok, seen = expect(outcome, 1, "top.jpg: ", "folders deep; not searched", one_line=False)
    return ok and len(outcome.out.splitlines()) == 2, seen


def unreadable_folder(tmp: Path) -> tuple[bool, str]:
    grey_jpeg(tmp / "ok.jpg")
    (tmp / "locked").mkdir()
    grey_jpeg(tmp / "locked" / "hidden.jpg")
    (tmp / "locked").chmod(0)
    try:
        return expect(run([*WITHOUT_DAC, *PREDICT, str(tmp)], cwd=ROOT), 1, "ok.jpg: ", "locked: error: cannot read "
                      "this folder (Permission denied)", one_line=False)
    finally:
        (tmp / "locked").chmod(0o755)


def crops_case(name: str, setup: Callable[[Path], Path], status: int, *needles: str, prefix: tuple[str, ...] = (),
               fsize: int | None = None, written: int | None = None) -> Case:
    def go(tmp: Path) -> tuple[bool, str]:
        hand = tmp / "photos"
        hand.mkdir()
        grey_jpeg(hand / ("h" * 245 + ".jpg") if "245" in name else hand / "a.jpg")
        crops = setup(tmp)
        args = [*prefix, *PREDICT, str(hand), "--save-crops", str(crops)]
        outcome = run(args, cwd=ROOT) if fsize is None else run_limited(args, fsize)
        ok, seen = expect(outcome, status, *needles)
        count = len(list(crops.iterdir())) if crops.is_dir() else 0
        return ok and (written is None or count == written), f"{count} files written; {seen}"
    return Case("crops", name, go)


def run_limited(args: list[str], fsize: int) -> Outcome:
    """`run` with a file size limit: the disk is full after `fsize` bytes of any one file the command writes (a
    relay holds its output in pipes, which the limit does not touch, so its messages come through whole)."""
    relay = ("import resource, signal, subprocess, sys\ndef limit():\n"
             "    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
             f"    resource.setrlimit(resource.RLIMIT_FSIZE, ({fsize}, {fsize}))\n"
             "done = subprocess.run(sys.argv[1:], preexec_fn=limit, capture_output=True)\n"
             "sys.stdout.buffer.write(done.stdout); sys.stderr.buffer.write(done.stderr); sys.exit(done.returncode)")
    return run([sys.executable, "-c", relay, *args], cwd=ROOT)


def read_only_crops(tmp: Path) -> Path:
    folder = tmp / "crops"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


def trainer_disk_full(name: str, fsize: int, *needles: str) -> Case:
    def go(tmp: Path) -> tuple[bool, str]:
        (tmp / "ok.csv").write_text(csv_rows(96))
        args = [*TRAIN, "--train-csv", str(tmp / "ok.csv"), "--test-csv", str(tmp / "ok.csv"), "--device", "cpu",
                "--no-extra", "--epochs", "1", "--width", "4", "--out", str(tmp / "out" / "w.safetensors")]
        outcome = run_limited(args, fsize)
        ok, seen = expect(outcome, 1, *needles, one_line=False)  # the trainer's progress is on stderr too
        return ok and outcome.err.strip().splitlines()[-1].startswith("signcam-train: error: cannot write"), seen
    return Case("trainer", name, go)


def _fresh_task(assets: Path) -> dict[str, bytes]:
    return task_members(assets / "hand_landmarker.task")


CASES += [
    check_case("names", "sample id ../../../x/precious in labels.csv", "check_traversal",
               "listed [True], deleted 1, precious kept True"),
    Case("names", "file name with a newline and ANSI escapes, text mode", hostile_name),
    check_case("history", "reading answered while the history is write-locked", "check_reading_while_locked",
               "readings saved: 1"),
    check_case("history", "rows with a time of 1e15 s and a pace of 'abc'", "check_bad_history_rows",
               "days ['str']", "last pace None"),
    check_case("history", "read-only history: what is lost at quit is said", "check_unsaved_at_quit",
               "at quit: 1 attempt could not be saved", prefix=tuple(WITHOUT_DAC)),
    trainer_disk_full("disk full at the weights (file limit 20 KB)", 20_000, "nothing was written"),
    trainer_disk_full("disk full at the PNG (file limit 40 KB)", 40_000, "the new weights were written",
                      "w.report.png are missing"),
    check_case("trainer", "temps of a Retrain killed while saving are swept", "check_killed_retrain_temp",
               "stale temps left: 0"),
    check_case("trainer", "out-of-range flag answered before torch", "check_trainer_flags_before_torch",
               "exit 2 torch not imported"),
    check_case("camera", "camera -5, -1, 2^66 (segfault, raw OpenCV text before)", "check_camera_numbers",
               "there is no camera -5", "there is no camera 99999999999999999999", "saved -5 opens camera 0"),
    photo_case("10000x3 PNG, --roi auto", lambda t: png_of(t / "thin.png", 10_000, 3), 0, '"error": null', roi="auto"),
    photo_case("1,000,000x79 PNG, --roi auto", lambda t: png_of(t / "wide.png", 1_000_000, 79), 0, '"error": null',
               roi="auto"),
    damaged_asset_case("hand_landmarker.task cut", lambda a: cut(a / "hand_landmarker.task"), 0, "reinstall"),
    damaged_asset_case("hand_landmarker.task random", lambda a: random_bytes(a / "hand_landmarker.task"), 0,
                       "reinstall"),
    damaged_asset_case("hand_landmarker.task empty", lambda a: (a / "hand_landmarker.task").write_bytes(b""), 0,
                       "reinstall"),
    damaged_asset_case("hand_landmarker.task 2 GB zip bomb", lambda a: zip_bomb(a / "hand_landmarker.task"), 0,
                       "reinstall"),
    damaged_asset_case("hand_landmarker.task palm model only", lambda a: rezip(
        a / "hand_landmarker.task", {"hand_detector.tflite": _fresh_task(a)["hand_detector.tflite"]}), 0,
        "reinstall"),
    damaged_asset_case("hand_landmarker.task models swapped", lambda a: rezip(a / "hand_landmarker.task", dict(zip(
        ("hand_detector.tflite", "hand_landmarks_detector.tflite"),
        reversed(list(_fresh_task(a).values())), strict=True))), 0, "reinstall"),
    damaged_asset_case("random bytes inside the landmark model", lambda a: flip_inside(
        a / "hand_landmarker.task", "hand_landmarks_detector.tflite"), 0, "reinstall"),
    damaged_asset_case("landmarks.safetensors cut", lambda a: cut(a / "landmarks.safetensors"), 0, "reinstall",
                       roi="box"),
    check_case("assets", "templates.json cut: no coach, no J/Z, said", "check_practice_notice",
               "templates.json is damaged", "Coaching hints and J/Z", damage=lambda a: cut(a / "templates.json")),
    check_case("assets", "depth_contrasts.json random: hints without depth, said", "check_practice_notice",
               "depth_contrasts.json is damaged", damage=lambda a: random_bytes(a / "depth_contrasts.json")),
    check_case("assets", "motion.safetensors cut: J/Z by Space, said", "check_practice_notice",
               "motion.safetensors is damaged", damage=lambda a: cut(a / "motion.safetensors")),
    check_case("settings", "run times of strings or 100,000 nested arrays; labels.csv 'abc' and a 300x300 crop",
               "check_bad_saved_values", "run times [{}, {}] samples 1 trainable 1"),
    check_case("text", "a 32,767-letter custom word", "check_long_custom_word", "23 words, longest 45", "check fast",
               "limited to 1,000 characters"),
    video_case("16000x16000 MJPG (4.6 MB, 3 frames)", 16_000, 16_000, "16000x16000 pixels are too large"),
    video_case("8K MJPG (7680x4320), frames scaled to 16 MP", 7_680, 4_320, "3 frames, each ("),
    Case("folders", "a folder tree 1,500 deep", deep_folders),
    Case("folders", "an unreadable subfolder (without CAP_DAC_OVERRIDE)", unreadable_folder),
    crops_case("--save-crops naming a file", lambda t: write(t / "crops", "a file"), 2, "is a file, not a folder"),
    crops_case("--save-crops in a read-only folder (without CAP_DAC_OVERRIDE)", read_only_crops, 2,
               "cannot be written", prefix=tuple(WITHOUT_DAC)),
    crops_case("--save-crops on a full disk (file limit 100 bytes)", lambda t: t / "crops", 1,
               "no more crops are written", fsize=100),
    crops_case("--save-crops for a 245-character photo name", lambda t: t / "crops", 0, written=2),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="run only the cases of this group (photos, weights, trainer, sources, "
                        "history, runner, names, camera, assets, settings, text, video, folders, crops) "
                        "(default: all)")
    parser.add_argument("--keep", type=Path, help="build the files in this folder and keep them (default: a temp "
                        "folder, removed)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print what each case saw (default: failures)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash is counted, not dumped
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    base = args.keep or Path(tempfile.mkdtemp(prefix="signcam-hostile-"))
    cases = [c for c in CASES if args.only in (None, c.group)]
    failed = []
    try:
        for i, case in enumerate(cases):
            folder = base / f"{i:02d}"
            folder.mkdir(parents=True, exist_ok=True)
            try:
                ok, seen = case.run(folder)
            except Exception as e:  # a builder that broke is a failed case, not a stopped battery
                ok, seen = False, f"{type(e).__name__}: {e}"
            failed += [] if ok else [case]
            if args.verbose or not ok:
                print(f"{'pass' if ok else 'FAIL'}  {case.group:8} {case.name}: {seen}", flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    print(f"tried {len(cases)}, passed {len(cases) - len(failed)}, failed {len(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
