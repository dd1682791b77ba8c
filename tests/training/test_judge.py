"""The Retrain report's judge: a candidate that reads people worse is called worse, letter by letter, through the
app's fusion; an unchanged one is not."""

import numpy as np
import pytest
import torch

from signcam.labels import LETTERS
from signcam.store.weights import BUNDLED_WEIGHTS, load_model, save_weights
from training.judge import TOLERANCE, Hands, compare, judge, load_judge_hands, verdict

ALL_LETTERS = dict.fromkeys(LETTERS, 4)


@pytest.fixture(scope="module")
def hands() -> Hands:
    return load_judge_hands()


def bundled_copy(path, metadata: dict, damage: bool = False):
    """The bundled CNN saved with `metadata`; `damage` moves every output one letter on (reads B for A, ...)."""
    model, info = load_model(BUNDLED_WEIGHTS, "cpu")
    if damage:
        last = [m for m in model.modules() if isinstance(m, torch.nn.Linear)][-1]
        with torch.no_grad():
            last.weight.copy_(last.weight.roll(1, dims=0))
            last.bias.copy_(last.bias.roll(1, dims=0))
    return save_weights(path, model, {"temperature": info.temperature, **metadata})


def test_the_shipped_hands_are_other_people_with_landmarks(hands):
    assert len(hands) > 500 and set(np.unique(hands.labels)) == set(range(len(LETTERS)))
    assert hands.crops.dtype == np.uint8 and not np.isnan(hands.points).any()


def test_a_damaged_candidate_is_worse_and_says_what_got_worse(tmp_path, hands):
    damaged = bundled_copy(tmp_path / "damaged.safetensors", {"personal_letters": ALL_LETTERS}, damage=True)
    mine = hands.labels == LETTERS.index("L")
    yours = Hands(hands.crops[mine][:3], hands.labels[mine][:3])  # no landmarks: the CNN alone reads them
    judgement = judge(damaged, BUNDLED_WEIGHTS, yours=yours, others=hands)
    others = judgement["groups"]["others"]
    assert judgement["verdict"] == "worse" and others["after"] < others["before"] - TOLERANCE
    assert "Reads your L worse" in judgement["message"] and "other people's hands worse" in judgement["message"]
    assert judgement["groups"]["yours"]["per_letter"]["L"]["after"] < 3


def test_an_unchanged_candidate_is_not_worse(tmp_path, hands):
    same = bundled_copy(tmp_path / "same.safetensors", {"personal_letters": {"L": 4}})
    judgement = judge(same, BUNDLED_WEIGHTS, others=hands)
    assert judgement["verdict"] != "worse", judgement["message"]
    assert abs(judgement["groups"]["others"]["after"] - judgement["groups"]["others"]["before"]) <= 0.01
    assert judgement["personal_letters"] == {"L": 4}


def test_one_letter_better_and_the_others_worse_says_capture_more_letters():
    labels = np.repeat(np.arange(3), 10)
    others = compare(labels, labels, np.where(labels == 0, labels, 0))  # B and C now read as A
    yours = compare(np.full(2, 10), np.array([3, 10]), np.full(2, 10))  # your L: 1 of 2 -> 2 of 2
    kind, message = verdict({"yours": yours, "others": others}, {"L": 4})
    assert kind == "worse"
    assert message.startswith("Reads your L better, but reads other people's hands worse (100.0% → 33.3% right")
    assert "capture more letters" in message


def test_the_official_test_alone_can_make_it_worse():
    labels = np.repeat(np.arange(len(LETTERS)), 10)
    kind, message = verdict({"test": compare(labels, labels, np.where(labels == 5, 0, labels))}, ALL_LETTERS)
    assert kind == "worse" and "official test set worse" in message and "F" in message
