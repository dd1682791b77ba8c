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
