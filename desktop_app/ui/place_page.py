"""Where this laptop works: its country and centre, asked once at the first sign-in of a laptop never enrolled
for sync, and changed later with File → This laptop's centre…. New registrations start with them (the forms'
centre questions); an enrolment sets them from the server's centre.

The laptop's centre is also its centre-scoped people's centre, so setting it is managing the device: only those
whose roles give that right (administrators, coordinators) are asked or see the menu entry, the service checks
again (`access.check_set_place`), and on an enrolled laptop the page shows the centre without letting it change.

`install_place(window=, controller=)` (called by the composition root) adds the page and the menu entry.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_app.services import access, places
from desktop_app.services import sync as sync_service
from desktop_app.services.session import classify
from desktop_app.ui import labels
from desktop_app.ui.messages import failure_text
from desktop_app.ui.page_switcher import centred


class PlacePage(QWidget):
    saved = Signal(object)  # places.DevicePlace
    later = Signal()

    def __init__(self) -> None:
        super().__init__(objectName="placePage")
        self.heading = QLabel(objectName="pageHeading", wordWrap=True)
        self.intro = QLabel(wordWrap=True)
        self.note = QLabel(wordWrap=True, objectName="placeEnrolledNote")  # on an enrolled laptop only
        self.error = QLabel(wordWrap=True, objectName="placeRefusal")
        self.error.setStyleSheet("color: #b00020;")
        self.note.setVisible(False)
        self.error.setVisible(False)
        self.refusal: str = ""  # "" | "right" | "enrolled": which sentence `error` says, kept across a language switch
        self.country = QComboBox(objectName="placeCountry")
        self.centre = QComboBox(objectName="placeCentre")
        self.country_label, self.centre_label = QLabel(), QLabel()
        self.country_label.setBuddy(self.country)
        self.centre_label.setBuddy(self.centre)
        self.save_button = QPushButton(objectName="primary")
        self.later_button = QPushButton(flat=True)
        form = QFormLayout()
        form.addRow(self.country_label, self.country)
        form.addRow(self.centre_label, self.centre)
        buttons = QHBoxLayout()
        buttons.addWidget(self.later_button)
        buttons.addStretch()
        buttons.addWidget(self.save_button)
        card = QWidget(objectName="card")
        card.setMaximumWidth(640)
        inner = QVBoxLayout(card)
        inner.setSpacing(14)
        inner.addWidget(self.heading)
        inner.addWidget(self.intro)
        inner.addWidget(self.note)
        inner.addLayout(form)
        inner.addWidget(self.error)
        inner.addLayout(buttons)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(centred(card))
        outer.addStretch(2)
        self.country.currentIndexChanged.connect(lambda _: self._fill_centres(self.centre.currentData()))
        self.save_button.clicked.connect(self._save)
        self.later_button.clicked.connect(self.later.emit)
        self.setTabOrder(self.country, self.centre)
        self.setTabOrder(self.centre, self.save_button)
        self.retranslate()

    def prepare(self, place: places.DevicePlace, *, enrolled: bool = False) -> None:
        """Show `place`; on an enrolled laptop (`enrolled`) shown, not changeable (its centre is its enrolment's)."""
        self._fill_countries(place.country)
        self._fill_centres(place.centre)
        self.show_refusal("")
        self.note.setVisible(enrolled)
        for widget in (self.country, self.centre, self.save_button):
            widget.setEnabled(not enrolled)
        self.later_button.setVisible(not enrolled and not place.is_set)  # "Later" only while nothing is set
        (self.later_button if enrolled else self.country).setFocus()

    def show_refusal(self, refusal: str) -> None:
        """Say why the place was not saved: "right" (the person's roles do not manage this laptop), "enrolled" (an
        enrolled laptop's centre is its enrolment's), or "" to say nothing."""
        self.refusal = refusal
        self.error.setVisible(bool(refusal))
        self._say_refusal()

    def _say_refusal(self) -> None:
        if self.refusal == "enrolled":
            self.error.setText(self.tr("Not saved: this laptop is enrolled for sync, so its centre is the one the "
                                       "server enrolled it for."))
        elif self.refusal:
            self.error.setText(self.tr("Not saved: only an administrator or a coordinator can set this laptop's "
                                       "centre."))
        else:
            self.error.clear()

    def _fill_countries(self, chosen: str) -> None:
        self.country.blockSignals(True)
        self.country.clear()
        for code in places.centre_countries():
            self.country.addItem(labels.country_name(code), code)
        self.country.setCurrentIndex(max(0, self.country.findData(chosen)))
        self.country.blockSignals(False)

    def _fill_centres(self, chosen: str | None) -> None:
        country = self.country.currentData()
        self.centre.clear()
        language = labels.ui_language()
        for centre in places.centres():
            if centre.country == country:
                self.centre.addItem(centre.name(language), centre.code)
        self.centre.setCurrentIndex(max(0, self.centre.findData(chosen)))

    def _save(self) -> None:
        if not self.save_button.isEnabled():
            return
        self.saved.emit(places.DevicePlace(country=self.country.currentData() or "",
                                           centre=self.centre.currentData() or "", source="setup"))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter saves from anywhere on the page (the combo boxes do not use it)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._save()
            return
        super().keyPressEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Where does this laptop work?"))
        self.intro.setText(self.tr("New registrations start with this country and centre; you can still change them "
                                   "on a registration. An enrolment for sync sets them from the server's centre."))
        self.note.setText(self.tr("This laptop is enrolled for sync: its centre is the one the server enrolled it for, "
                                  "and the server's centre decides what it receives and where its new records are "
                                  "filed. To move it to another centre, enrol it again with a code of that centre."))
        self._say_refusal()
        self.country_label.setText(self.tr("&Country"))
        self.centre_label.setText(self.tr("C&entre"))
        self.save_button.setText(self.tr("&Save"))
        self.save_button.setToolTip(self.tr("Save (Enter)"))
        self.later_button.setText(self.tr("&Later"))
        if self.country.count():
            self._fill_countries(self.country.currentData())
            self._fill_centres(self.centre.currentData())


class _Words(QWidget):
    """Keeps the menu entry's words in the current language."""

    def __init__(self, action: QAction) -> None:
        super().__init__()
        self._action = action
        self.setVisible(False)
        self.retranslate()

    def retranslate(self) -> None:
        self._action.setText(self.tr("This laptop's &centre…"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def install_place(*, window, controller) -> PlacePage:
    page = PlacePage()
    window.add_page(page)
    window.place_page = page
    action = QAction(window, objectName="placeAction")
    window.place_action = action
    window.file_menu.insertAction(window.settings_action, action)
    page.words = _Words(action)
    page.words.setParent(page)
    allowed = [False]  # whether the signed-in person's roles manage this laptop (access.may_manage_devices)

    def show(result) -> None:
        place, enrolled = result
        if not controller.is_unlocked or not allowed[0]:
            return
        page.prepare(place, enrolled=enrolled)
        window.show_page(page)

    def place_and_enrolment(vault) -> tuple[places.DevicePlace, bool]:
        return places.get_place(vault), bool(sync_service.sync_status(vault).get("enrolled"))

    def ask_if_unset(result) -> None:
        place, enrolled = result
        # only on the list: after a lock the person may be back in a form, which must not be interrupted
        asked = place.source == "later"  # "Later" once: the menu entry stays for when the person is ready
        if not place.is_set and not asked and not enrolled and window.stack.currentWidget() is window.registrations_page:
            show(result)

    def unlocked(user) -> None:
        allowed[0] = access.may_manage_devices(user.roles or (user.role,))
        action.setVisible(allowed[0])
        action.setEnabled(allowed[0])
        if not allowed[0]:
            return  # someone who may not set it is never asked (the laptop's administrator answers it)
        task = controller.run_with_vault(lambda vault, state: place_and_enrolment(vault), name="db:place")
        task.succeeded.connect(ask_if_unset)

    def locking() -> None:
        allowed[0] = False
        action.setEnabled(False)

    def open_page() -> None:
        if controller.is_unlocked and allowed[0]:
            task = controller.run_with_vault(lambda vault, state: place_and_enrolment(vault), name="db:place")
            task.succeeded.connect(show)

    def refused(exc: BaseException) -> None:
        if isinstance(exc, access.PlaceFromEnrolment):
            page.show_refusal("enrolled")
        elif isinstance(exc, access.AccessDenied):
            page.show_refusal("right")
        else:
            page.show_refusal("")
            page.error.setText(failure_text(classify(exc)))
            page.error.setVisible(True)

    def save(place: places.DevicePlace) -> None:
        task = controller.run_with_vault(
            lambda vault, state: places.set_place(vault, country=place.country, centre=place.centre, source="setup"),
            name="db:set-place")
        task.succeeded.connect(lambda _: window.show_registrations())
        task.failed.connect(refused)

    def later() -> None:
        controller.run_with_vault(lambda vault, state: places.postpone_place(vault), name="db:set-place")
        window.show_registrations()

    controller.unlocked.connect(unlocked)
    controller.locking.connect(locking)
    action.setVisible(False)
    action.setEnabled(False)
    action.triggered.connect(open_page)
    page.saved.connect(save)
    page.later.connect(later)
    return page
