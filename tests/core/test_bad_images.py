"""Photos that ended a whole `signcam predict` run (issue 11): an error entry for that one, and the run goes on."""

import json
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from signcam.pipeline.sources import MAX_DECODED_BYTES, MAX_IMAGE_PIXELS, SourceError, image_header, read_image
from signcam.predict import main

BOMB_SIDE = 40_000


def png_bomb(path: Path, side: int = BOMB_SIDE) -> Path:
    """A valid, all-black side x side PNG (1-bit grey, ~0.2 MB) that decodes to 4.8 GB of BGR."""
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    compressor = zlib.compressobj(9)
    row = bytes(1 + side // 8)  # filter byte 0, then side bits of black
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # bit depth 1, greyscale
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return path


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return png_bomb(tmp_path_factory.mktemp("bomb") / "bomb.png")


def jpeg_claiming(path: Path, width: int, height: int, progressive: bool = False) -> Path:
    """A real small JPEG whose frame header is rewritten to claim width x height."""
    flags = [cv2.IMWRITE_JPEG_PROGRESSIVE, 1] if progressive else []
    data = bytearray(cv2.imencode(".jpg", np.full((16, 24, 3), 99, np.uint8), flags)[1].tobytes())
    sof = data.find(b"\xff\xc2" if progressive else b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("progressive", [False, True])
def test_image_header_reads_every_format_without_decoding(tmp_path, progressive):
    image = np.zeros((37, 53, 3), np.uint8)
    flags = [cv2.IMWRITE_JPEG_PROGRESSIVE, 1] if progressive else []
    assert image_header(cv2.imencode(".jpg", image, flags)[1].tobytes()) == (53, 37, "JPEG")
    for suffix, kind in ((".png", "PNG"), (".bmp", "BMP"), (".tiff", "TIFF"), (".webp", "WEBP")):
        assert image_header(cv2.imencode(suffix, image)[1].tobytes()) == (53, 37, kind)
    assert image_header(b"not an image at all") is None  # refused, never left to the decoder


def test_png_bomb_is_refused_from_its_header(bomb):
    with pytest.raises(SourceError) as caught:
        read_image(bomb)
    assert str(caught.value) == (f"{bomb}: too large to read (the limit is {MAX_IMAGE_PIXELS // 1_000_000} "
                                 f"megapixels, {MAX_DECODED_BYTES // 1_000_000} MB decoded); scale it down first")


def test_oversized_jpeg_header_is_refused(tmp_path):
    with pytest.raises(SourceError, match="too large to read"):  # 600 MP: Pillow stops at its header
        read_image(jpeg_claiming(tmp_path / "big.jpg", 30_000, 20_000, progressive=True))


def test_predict_goes_on_after_a_bomb_and_exits_1(capsys, tmp_path, bomb, random_weights, webcam_photo):
    a, b = tmp_path / "a.jpg", tmp_path / "b.jpg"
    for photo in (a, b):
        photo.write_bytes(webcam_photo.read_bytes())
    code = main([str(a), str(bomb), str(b), "--weights", str(random_weights), "--roi", "full", "--json"])
    items = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1
    assert [i["path"] for i in items] == [str(a), str(bomb), str(b)]
    assert items[0]["error"] is None and items[2]["error"] is None and items[2]["top"]  # b.jpg was read
    assert items[1]["error"].startswith("too large to read") and items[1]["top"] == []


def test_predict_on_an_empty_folder_fails(capsys, tmp_path, random_weights):
    empty = tmp_path / "empty_folder"
    empty.mkdir()
    (empty / "notes.txt").write_text("not a photo")
    assert main([str(empty), "--weights", str(random_weights)]) == 1
    assert capsys.readouterr().out == f"{empty}: error: no images found in this folder\n"
