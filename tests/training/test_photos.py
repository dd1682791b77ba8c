"""training.photos: both labels.csv dialects, unreadable photos, and the cache that spares a second extraction."""

from pathlib import Path

import cv2
import numpy as np
import pytest

from training import photos as photos_module
from training.photos import load_photo_set

pytest.importorskip("mediapipe")


def _write_set(folder: Path, header: str, rows: list[str]) -> None:
    (folder / "A").mkdir(parents=True)
    cv2.imwrite(str(folder / "A" / "1.jpg"), np.full((64, 64, 3), 127, np.uint8))  # a grey square: no hand
    (folder / "A" / "2.jpg").write_bytes(b"not a jpeg")
    (folder / "labels.csv").write_text("\n".join([header, *rows]) + "\n")


def test_reads_both_dialects_marks_misses_and_caches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    extra = tmp_path / "extra"
    _write_set(extra, "relative_path,letter,source_id,signer_id",
               ["A/1.jpg,A,repo1,repo1_s1", "A/2.jpg,B,repo1,repo1_s2"])
    dev = tmp_path / "real_dev"
    _write_set(dev, "relative_path,letter,source,signer_if_known", ["A/1.jpg,C,coll,coll_signer1"])

    got = load_photo_set(extra, cache_dir=tmp_path / "cache")
    assert list(got.signers) == ["repo1_s1", "repo1_s2"] and list(got.labels) == [0, 1]
    assert not got.found.any() and got.crops.shape == (2, 28, 28) and np.isnan(got.points).all()
    assert load_photo_set(dev, cache_dir=tmp_path / "cache").signers.tolist() == ["coll_signer1"]

    def no_extraction(*args: object) -> None:
        raise AssertionError("extracted again although the cache was there")

    monkeypatch.setattr(photos_module, "_extract", no_extraction)
    again = load_photo_set(extra, cache_dir=tmp_path / "cache")
    assert again.paths.tolist() == ["A/1.jpg", "A/2.jpg"] and len(again.subset(again.signers == "repo1_s2")) == 1


def test_refuses_letters_that_are_not_static(tmp_path: Path) -> None:
    folder = tmp_path / "extra"
    _write_set(folder, "relative_path,letter,source_id,signer_id", ["A/1.jpg,J,r,r_s1"])
    with pytest.raises(ValueError, match="not among the static letters"):
        load_photo_set(folder, cache_dir=tmp_path / "cache")


def test_extraction_shows_progress_n_of_n(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """Locating a folder for the first time takes minutes: a bar counts the photos (n/N, rate, time left)."""
    extra = tmp_path / "extra"
    _write_set(extra, "relative_path,letter,source_id,signer_id", ["A/1.jpg,A,r,r_s1", "A/2.jpg,B,r,r_s1"])
    load_photo_set(extra, cache_dir=tmp_path / "cache")
    err = capsys.readouterr().err
    assert "locating hands in extra" in err and "2/2" in err


def test_a_sample_is_located_alone_and_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A dry run's sample: only those photos are located, and no cache is written (it would claim to be the
    whole set); once the whole set is cached, the sample is read from the cache."""
    extra = tmp_path / "extra"
    (extra).mkdir()
    rows = [f"A/{i}.jpg,{'ABC'[i % 3]},r,r_s{i // 4}" for i in range(12)]
    (extra / "labels.csv").write_text("\n".join(["relative_path,letter,source_id,signer_id", *rows]) + "\n")
    located: list[list[str]] = []
    real_extract = photos_module._extract

    def counting(folder: Path, rows: list[dict[str, str]], options: dict) -> dict[str, np.ndarray]:
        located.append([r["relative_path"] for r in rows])
        return real_extract(folder, rows, options)  # unreadable files: counted as no hand, quickly

    monkeypatch.setattr(photos_module, "_extract", counting)
    got = load_photo_set(extra, cache_dir=tmp_path / "cache", sample=4)
    assert got.paths.tolist() == ["A/0.jpg", "A/4.jpg", "A/7.jpg", "A/11.jpg"] and len(got.crops) == 4
    assert located == [got.paths.tolist()] and not (tmp_path / "cache").exists()

    load_photo_set(extra, cache_dir=tmp_path / "cache")  # the whole set, cached
    again = load_photo_set(extra, cache_dir=tmp_path / "cache", sample=4)
    assert len(located) == 2 and again.paths.tolist() == got.paths.tolist() and again.labels.tolist() == [0, 1, 1, 2]
