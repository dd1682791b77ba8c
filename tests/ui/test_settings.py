"""Settings read back with the default's type, whatever QSettings stored (INI files keep strings)."""

from PySide6.QtCore import QByteArray, QSettings

from signcam.ui.settings import Key, Settings


def test_values_come_back_typed_after_a_restart(settings_path):
    first = Settings(QSettings(str(settings_path), QSettings.Format.IniFormat))
    first.set_value(Key.MIRROR, False)
    first.set_value(Key.CAMERA, 2)
    first.set_value(Key.THRESHOLD, 0.75)
    first.set_value(Key.GEOMETRY, QByteArray(b"\x01\x02"))
    first.sync()
    second = Settings(QSettings(str(settings_path), QSettings.Format.IniFormat))
    assert second.value(Key.MIRROR, True) is False
    assert second.value(Key.CAMERA, 0) == 2
    assert second.value(Key.THRESHOLD, 0.6) == 0.75
    assert second.value(Key.GEOMETRY, QByteArray()) == QByteArray(b"\x01\x02")


def test_unreadable_value_falls_back_to_default(settings_path):
    settings_path.write_text("[camera]\nindex=front\n")
    settings = Settings(QSettings(str(settings_path), QSettings.Format.IniFormat))
    assert settings.value(Key.CAMERA, 0) == 0
    assert settings.value(Key.ROI, "auto") == "auto"  # unset


def test_settings_that_cannot_be_saved_say_so(tmp_path):
    """A config folder that cannot be written (here: a file where the folder should be, which stops root too)."""
    blocker = tmp_path / "config"
    blocker.write_text("not a folder")
    settings = Settings(QSettings(str(blocker / "signcam" / "signcam.ini"), QSettings.Format.IniFormat))
    settings.set_value(Key.ROI, "box")
    problem = settings.save_problem()
    assert problem is not None and "cannot be saved" in problem and "signcam.ini" in problem


def test_writable_settings_have_no_problem(settings_path):
    settings = Settings(QSettings(str(settings_path), QSettings.Format.IniFormat))
    settings.set_value(Key.ROI, "box")
    assert settings.save_problem() is None
