"""Keyboard and eyes in the form view: Tab follows the form, Enter moves on to the next question, and a message
that appears beside the question the person is in is scrolled into sight. Mixed into FormView (view.py)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QCheckBox, QPushButton, QRadioButton, QWidget

from desktop_app.ui.forms.fields import FieldWidget


def _focusable_in_layout_order(widget: QWidget, out: list[QWidget]) -> None:
    layout = widget.layout()
    if layout is None:
        return

    def walk(lay) -> None:
        for i in range(lay.count()):
            item = lay.itemAt(i)
            if item.widget() is not None:
                child = item.widget()
                if child.focusPolicy() & Qt.FocusPolicy.TabFocus:
                    out.append(child)
                _focusable_in_layout_order(child, out)
            elif item.layout() is not None:
                walk(item.layout())
    walk(layout)



class KeyboardNavigation:
    """Needs from the view: pages, current, fields, index, previous_button, next_button, visible_pages(),
    next_page(), focus_field(), focus_first_field(), page_of() and the end_reached signal."""

    def order_tabs(self) -> None:
        """Tab follows the form: the page's controls in layout order, then Previous and Next.
        (Qt's own order is the order widgets got their parent, so entries added to a repeat
        would come last in the window.)"""
        if self.current < 0:
            return
        chain: list[QWidget] = []
        _focusable_in_layout_order(self.pages[self.current].widget.widget(), chain)
        for before, after in zip([self.index, *chain], [*chain, self.previous_button]):
            QWidget.setTabOrder(before, after)
        QWidget.setTabOrder(self.previous_button, self.next_button)

    def _enter(self) -> None:
        focus = QApplication.focusWidget()
        if isinstance(focus, QPushButton) and not isinstance(focus, (QCheckBox, QRadioButton)):
            focus.click()
            return
        if focus is self.index:
            self.focus_first_field()
            return
        self.focus_next_field()

    def focus_next_field(self) -> None:
        """The question after the one with the focus, on this page or the next; after the very last one, the
        end of the form (`end_reached`: the screen puts the focus on Finalize)."""
        page = self.pages[self.current].widget
        focus = QApplication.focusWidget()
        here = [w for w in self.fields.values() if page.isAncestorOf(w) and w.isVisibleTo(page)
                and w.answer_widget().isEnabled() and w.answer_widget().focusPolicy() & Qt.FocusPolicy.TabFocus]
        here.sort(key=lambda w: w.mapTo(page.widget(), QPoint(0, 0)).y())
        current = next((w for w in here if focus is not None and w.isAncestorOf(focus)), None)
        later = here[here.index(current) + 1:] if current is not None else here
        if later:
            self.focus_field(later[0])
        elif [i for i in self.visible_pages() if i > self.current]:
            self.next_page()
        else:
            self.end_reached.emit()

    def _message_shown(self, widget: FieldWidget) -> None:
        """A message appeared beside a question of this page: scroll so all of it shows (one at the bottom of a
        page was cut off), unless the person is already in another question (their place must not move)."""
        if self.page_of(widget) != self.current:
            return
        focus = QApplication.focusWidget()
        elsewhere = next((w for w in self.fields.values() if w is not widget and focus is not None
                          and w.isAncestorOf(focus)), None)
        if elsewhere is not None:
            return
        page = self.pages[self.current].widget
        # with the message as context: a form closed meanwhile (the message deleted) drops the call
        QTimer.singleShot(0, widget.message, lambda: page.ensureWidgetVisible(widget.message, 20, 30)
                          if widget.message.isVisible() else None)
