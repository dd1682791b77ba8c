"""The About box: a short summary first, the metadata only behind Details."""

from PySide6.QtWidgets import QApplication

from signcam.ui.about import AboutDialog, about_summary
from signcam.weights import read_info


def test_about_summarises_and_hides_details_until_asked(qtbot, bundled_weights):
    dialog = AboutDialog(read_info(bundled_weights), "CPU")
    qtbot.addWidget(dialog)
    dialog.show()
    summary = dialog.summary_label.text()
    for label in ("Model", "Accuracy", "Trained on", "Trained", "Runs on"):
        assert f"<b>{label}</b>" in summary
    assert "weight_decay" not in summary and "sha256" not in summary
    assert not dialog.details.isVisible()
    assert dialog.sizeHint().height() < 450, "the summary is short"
    dialog.details_button.click()
    QApplication.processEvents()
    assert dialog.details.isVisible() and "weight_decay" in dialog.details.widget().text()
    dialog.details_button.click()
    assert not dialog.details.isVisible()


def test_about_says_the_bundled_cnn_learned_from_many_signers(bundled_weights):
    """The bundled CNN is trained on Sign-MNIST and extra/'s photos (issue 16): the summary must not say CSV only."""
    trained_on = dict(about_summary(read_info(bundled_weights), "CPU"))["Trained on"]
    assert "sign_mnist_train" in trained_on and "~20 signers" in trained_on
