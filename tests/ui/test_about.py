"""The About box: figures a learner can trust first, each model's labelled figures only behind Details."""

from PySide6.QtWidgets import QApplication

from signcam.models.landmarks import BUNDLED_LANDMARK_WEIGHTS
from signcam.store.weights import read_info, read_metadata
from signcam.ui.about import AboutDialog, about_summary


def test_about_summarises_and_hides_details_until_asked(qtbot, bundled_weights):
    dialog = AboutDialog(read_info(bundled_weights), "CPU")
    qtbot.addWidget(dialog)
    dialog.show()
    summary = dialog.summary_label.text()
    for label in ("Strangers&#x27; hands", "Models", "Learned from", "Textbook test", "Trained", "Runs on"):
        assert f"<b>{label}</b>" in summary
    assert "weight_decay" not in summary and "sha256" not in summary
    assert not dialog.details.isVisible()
    assert dialog.sizeHint().height() < 520, "the summary is short"
    dialog.details_button.click()
    QApplication.processEvents()
    details = dialog.details.widget().text()
    assert dialog.details.isVisible() and "Picture model" in details and "Hand-shape model" in details
    dialog.details_button.click()
    assert not dialog.details.isVisible()


def test_about_leads_with_strangers_hands_and_names_both_models(bundled_weights):
    """Issue 23: About described only the CNN ("99.9% on 7,172 test images"), not the landmark model that carries
    0.7 of the vote, nor how it reads people it never saw."""
    rows = dict(about_summary(read_info(bundled_weights), "CPU"))
    assert list(rows)[0] == "Strangers' hands" and "98%" in rows["Strangers' hands"]
    assert "landmarks.safetensors, 70% of the vote" in rows["Models"] and "signnet.safetensors" in rows["Models"]
    hands = read_metadata(BUNDLED_LANDMARK_WEIGHTS)["train_hands"]  # the shipped model's own count
    assert f"{hands:,} webcam photos of ~34 signers" in rows["Learned from"]
    assert "Sign-MNIST pictures of 7 people" in rows["Learned from"]
    assert "same 7 people" in rows["Textbook test"]  # why 99.9% flatters


def test_details_explain_validation_and_hide_the_training_machines_paths(bundled_weights):
    """Issue 23: Details dumped runs/bench.safetensors, absolute paths, and val 0.902 beside test 0.9994."""
    from signcam.ui.about import about_html

    details = about_html(read_info(bundled_weights), "CPU")
    assert "/work/" not in details and "runs/bench" not in details and "sign_mnist_train.csv" not in details
    assert "signers it did not train on" in details and "Official test" in details


def test_about_says_retrained_weights_vote_only_on_the_letters_captured(bundled_weights, tmp_path):
    """Issue 29: weights fine-tuned on the learner count on the letters captured; the bundled CNN reads the rest."""
    from signcam.store.weights import load_model, save_weights

    model, _ = load_model(bundled_weights, "cpu")
    mine = save_weights(tmp_path / "mine.safetensors", model, {"personal_letters": {"L": 4, "A": 5, "J": 3}})
    rows = dict(about_summary(read_info(mine), "CPU"))
    assert "on the 2 letters you captured (AL) your retrained picture model has 40% of the vote" in rows["Models"]
    assert "you captured" not in dict(about_summary(read_info(bundled_weights), "CPU"))["Models"]
