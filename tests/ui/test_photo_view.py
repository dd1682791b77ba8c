"""The photo list tells same-named photos apart."""

from pathlib import Path

import numpy as np

from signcam.ui.photo_view import PhotoView, display_names
from tests.ui.test_live_view_states import _recognition


def test_display_names_add_folders_only_where_names_repeat():
    assert display_names([Path("/a/x/1.jpg"), Path("/a/y/2.jpg")]) == ["1.jpg", "2.jpg"]
    assert display_names([Path("/d/alice/10.jpg"), Path("/d/bob/10.jpg"), Path("/d/bob/11.jpg")]) == [
        "alice/10.jpg", "bob/10.jpg", "bob/11.jpg"]
    assert display_names([Path("/d/s1/a/10.jpg"), Path("/d/s2/a/10.jpg")]) == ["s1/a/10.jpg", "s2/a/10.jpg"]


def test_photo_list_shows_distinguishable_names(qtbot, tmp_path):
    image = np.full((60, 80, 3), 100, np.uint8)
    view = PhotoView(lambda path: (image, _recognition(image, None)))
    qtbot.addWidget(view)
    view.set_photos([tmp_path / "alice" / "10.jpg", tmp_path / "bob" / "10.jpg"])
    assert view.names == ["alice/10.jpg", "bob/10.jpg"]
    view.step(1)
    assert view.position_text == "2 of 2  ·  bob/10.jpg"
