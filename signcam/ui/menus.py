"""Small helpers that build menu actions the same way everywhere."""

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu


def add_action(menu: QMenu, text: str, slot: Callable, shortcut: str | QKeySequence.StandardKey | None = None,
               *, checkable: bool = False, checked: bool = False) -> QAction:
    """An action owned by `menu`; checkable ones call `slot(checked)` on toggle."""
    action = QAction(text, menu)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.setCheckable(checkable)
    action.setChecked(checked)
    (action.toggled if checkable else action.triggered).connect(slot)
    menu.addAction(action)
    return action


def add_choices(menu: QMenu, options: dict, current, slot: Callable) -> dict:
    """Exclusive checkable actions, one per option; `slot(value)` when one is picked."""
    group, actions = QActionGroup(menu), {}
    for value, text in options.items():
        action = QAction(text, menu, checkable=True, checked=value == current)
        action.triggered.connect(lambda _=False, v=value: slot(v))
        group.addAction(action)
        menu.addAction(action)
        actions[value] = action
    return actions


class _HideWhileEmpty(QObject):
    def eventFilter(self, menu: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() in (QEvent.Type.ActionAdded, QEvent.Type.ActionRemoved) and isinstance(menu, QMenu):
            # Deferred: during ActionRemoved the action is still in the list.
            QTimer.singleShot(0, menu, lambda: menu.menuAction().setVisible(bool(menu.actions())))
        return False


def hide_while_empty(menu: QMenu) -> None:
    """Show `menu`'s title only while it has actions (Practice and Training fill theirs later)."""
    menu.menuAction().setVisible(bool(menu.actions()))
    menu.installEventFilter(_HideWhileEmpty(menu))
