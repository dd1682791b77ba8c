import os
import pickle
from pathlib import Path

import pytest
import torch
from safetensors.torch import save as serialize

from signcam.models.model import ModelConfig, build_model
from signcam.store import weights as weights_module
from signcam.store.weights import WeightsError, load_model, read_info, save_weights


class _Exploit:
    """Unpickling this would create a marker file: proof that code ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_round_trip_keeps_tensors_config_and_metadata(tmp_path):
    model = build_model(ModelConfig(width=8, mean=0.4, std=0.2)).eval()
    path = save_weights(tmp_path / "w.safetensors", model, {"temperature": 1.7, "test_accuracy": 0.99})
    loaded, info = load_model(path)
    assert info.config == model.config and info.temperature == 1.7
    assert info.metadata["test_accuracy"] == 0.99 and info.metadata["input_size"] == 28
    x = torch.rand(3, 1, 28, 28)
    with torch.inference_mode():
        assert torch.allclose(loaded(x), model(x))


def test_pickle_weights_are_refused_without_running_code(tmp_path):
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.pt"
    torch.save({"model": _Exploit(str(marker))}, evil)  # zip-based .pt, as torch writes it
    legacy = tmp_path / "legacy.pkl"
    legacy.write_bytes(pickle.dumps(_Exploit(str(marker))))  # plain pickle stream
    for path in (evil, legacy):
        with pytest.raises(WeightsError, match="PyTorch pickle.*only loads .safetensors"):
            load_model(path)
    assert not marker.exists()


@pytest.mark.parametrize(
    "content, message",
    [(b"", "empty or truncated"), (b"hello world, not weights", "not a safetensors"),
     (serialize({}, metadata={"other": "program"}), "not a signcam weights file"),
     (b"\x10\x00\x00\x00\x00\x00\x00\x00{\"a\": 1}", "corrupt weights file")],
)
def test_bad_files_give_clear_errors(tmp_path, content, message):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(content)
    with pytest.raises(WeightsError, match=message):
        load_model(path)


def test_missing_file_and_truncated_tensors(tmp_path):
    with pytest.raises(WeightsError, match="not found"):
        load_model(tmp_path / "nope.safetensors")
    path = save_weights(tmp_path / "w.safetensors", build_model(ModelConfig(width=8)))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 500])
    for read in (read_info, load_model):  # the header is intact, but safetensors sees the tensors do not fit
        with pytest.raises(WeightsError, match="corrupt weights file"):
            read(path)


def test_interrupted_save_leaves_old_file_intact(tmp_path, monkeypatch):
    path = save_weights(tmp_path / "w.safetensors", build_model(ModelConfig(width=8)), {"version": "old"})
    before = path.read_bytes()

    real_write_bytes = Path.write_bytes

    def crash(self, data):
        real_write_bytes(self, b"half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "write_bytes", crash)
    with pytest.raises(KeyboardInterrupt):
        save_weights(path, build_model(ModelConfig(width=16)), {"version": "new"})
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["w.safetensors"]  # no temp file left behind
    assert read_info(path).metadata["version"] == "old"


def test_bundled_weights_meet_size_and_metadata_contract():
    path = weights_module.BUNDLED_WEIGHTS
    if not path.exists():
        pytest.skip("bundled weights not trained yet")
    info = read_info(path)
    assert path.stat().st_size <= 1_000_000
    assert info.metadata["test_accuracy"] >= 0.999
    assert 0.05 < info.temperature < 20
