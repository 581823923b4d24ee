"""The form view: a FormSession shown as pages of fields, refreshed from the ChangeSets it returns.

Top-level groups and repeats become pages (questions outside any group share a page), listed in
an index on the side; nested groups are titled sections and repeats list their instances with
Add/Remove. An answer updates only the refs its ChangeSet names; a structure change rebuilds only
the repeat that changed. See docs/renderer.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.forms.fields import FieldWidget
from desktop_app.ui.forms.navigation import KeyboardNavigation
from desktop_app.ui.forms.other_fields import UnsupportedField, UploadField, field_class, make_field
from desktop_app.ui.forms.sections import RepeatSection, Section
from waypoint_core.xform import AnswerError, ChangeSet, FormSession, Item


@dataclass
class Page:
    ref: str | None  # the top-level group or repeat; None for questions outside any group
    kind: str  # "group", "repeat" or "loose"
    title: str
    widget: QScrollArea
    refs: list[str] = field(default_factory=list)  # its questions (for "loose" pages)
    relevant: bool = True
    top: list[int] = field(default_factory=list)  # positions in session.items() of what it shows
    built: bool = False


def _walk(items: list[Item]):
    for item in items:
        yield item
        yield from _walk(item.children)


def _questions(items: list[Item]):
    for item in items:
        if item.kind == "question":
            yield item
        yield from _questions(item.children)


def _short_reason(error: AnswerError) -> str:
    return str(error).split(" — question ")[0]


@dataclass(frozen=True)
class Restrictions:
    """The form's P3 questions as this person sees them (services.records.ReopenedRecord): `sensitive` paths
    (no root), the stored answers they cannot read (`restricted`: position -> reason) and whether they may read
    P3 at all."""

    sensitive: tuple[str, ...] = ()
    restricted: dict[str, str] = field(default_factory=dict)
    may_read: bool = True

    def kind_of(self, ref: str) -> str | None:
        position = ref.strip("/").split("/", 1)[-1]
        if position in self.restricted:
            return self.restricted[position]
        bare = re.sub(r"\[\d+\]", "", position)
        if not any(bare == p or bare.startswith(p + "/") for p in self.sensitive):
            return None
        return "readable" if self.may_read else "write_only"


class _PaddedWrapDelegate(QStyledItemDelegate):
    """A page title wraps within the room its padding leaves (forms/style.py: 6 pixels each side): Qt measured the
    wrap on the whole width, then drew inside the padding, so "Consentement et base légale" got one line and was
    cut to "Consentement et base …" on a 1024-pixel screen."""

    PADDING_X = 6

    def sizeHint(self, option, index):
        inside = QStyleOptionViewItem(option)
        inside.rect = option.rect.adjusted(0, 0, -2 * self.PADDING_X, 0)
        return super().sizeHint(inside, index)


class FormView(KeyboardNavigation, QWidget):
    """Pages of fields for one session. Emits `edited` after every change to the record."""

    edited = Signal()  # an answer, or a repeat added or removed: the record needs saving
    page_changed = Signal(int)
    file_requested = Signal(object)  # an UploadField whose "Choose a file…" was pressed
    end_reached = Signal()  # Enter after the last question of the last page

    def __init__(self, *, session: FormSession, restrictions: Restrictions | None = None, read_only: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.read_only = read_only  # shown, never changed: every question frozen, no Add or Remove of an entry
        self.restrictions = restrictions or Restrictions()
        self.fields: dict[str, FieldWidget] = {}
        self.containers: dict[str, QWidget] = {}
        self.repeats: dict[str, RepeatSection] = {}
        self.pages: list[Page] = []
        self.unsupported: list[str] = []
        self.current = -1
        self._touched_all = False  # finalize was tried: pages built later show their messages

        self.index = QListWidget(objectName="pageIndex")
        self.index.setFixedWidth(250)
        self.index.setWordWrap(True)
        self.index.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # wrap, never scroll sideways
        self.index.setItemDelegate(_PaddedWrapDelegate(self.index))
        self.index.currentRowChanged.connect(self._index_chosen)
        self.stack = QStackedWidget()
        self.page_title = QLabel(objectName="pageHeading", wordWrap=True)
        self.previous_button = QPushButton()
        self.next_button = QPushButton(objectName="nextPage")
        self.position = QLabel(objectName="fieldHint")
        self.previous_button.clicked.connect(self.previous_page)
        self.next_button.clicked.connect(self.next_page)
        nav = QHBoxLayout()
        nav.addWidget(self.previous_button)
        nav.addStretch(1)
        nav.addWidget(self.position)
        nav.addStretch(1)
        nav.addWidget(self.next_button)
        right = QVBoxLayout()
        right.addWidget(self.page_title)
        right.addWidget(self.stack, 1)
        right.addLayout(nav)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.index)
        layout.addLayout(right, 1)
        # Enter moves on to the next question (the next page after the last one), as Tab would but without
        # stopping on each choice; a text box of several lines keeps Enter for its new lines (Qt lets it take
        # the key first), and a button under the focus is pressed.
        for keys in ("Return", "Enter"):
            QShortcut(QKeySequence(keys), self, context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
                      activated=self._enter)
        for keys, step in (("PgDown", 1), ("PgUp", -1), ("Alt+Right", 1), ("Alt+Left", -1)):
            shortcut = QShortcut(QKeySequence(keys), self, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda s=step, k=keys: self._step_key(s, k))
        self.build()
        self.retranslate()

    # --- building --------------------------------------------------------------------------
    def build(self) -> None:
        """Make one (empty) page per top-level group or repeat; a page's widgets are built when
        it is first shown, so a 1,000-question form opens as fast as its first page."""
        loose: list[int] = []
        tree = self.session.items()
        for position, item in enumerate(tree):
            if item.kind in ("group", "repeat"):
                self._add_page("loose", None, "", loose)
                loose = []
                self._add_page(item.kind, item.ref or None, item.label, [position])
            else:
                loose.append(position)
        self._add_page("loose", None, "", loose)
        for page in self.pages:
            if page.kind == "loose":
                page.refs = [tree[i].ref for i in page.top]
        self.unsupported = [f"{q.ref} ({q.control}/{q.type})" for q in _questions(tree)
                            if field_class(q) is UnsupportedField]
        self._update_pages()
        first = next((i for i, p in enumerate(self.pages) if p.relevant), 0)
        if self.pages:
            self.go_to_page(first)

    def _add_page(self, kind: str, ref: str | None, title: str, top: list[int]) -> None:
        if not top:
            return
        inner = QWidget(objectName="formPage")
        content = QVBoxLayout(inner)
        content.setContentsMargins(16, 8, 24, 16)
        content.setSpacing(10)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        # a click on the page gives it the keys (arrows scroll, Page Down turns); Tab never stops on it, where the
        # focus showed nowhere (Tab to a question scrolls it into sight)
        scroll.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        scroll.setWidget(inner)
        self.pages.append(Page(ref=ref, kind=kind, title=title, widget=scroll, top=list(top)))
        self.stack.addWidget(scroll)
        self.index.addItem("")

    def ensure_built(self, number: int) -> None:
        page = self.pages[number]
        if page.built:
            return
        page.built = True
        if page.ref:
            fresh = [self.session.item(page.ref, deep=True)]
        else:
            tree = self.session.items()
            fresh = [tree[i] for i in page.top]
        if page.kind == "repeat" and not fresh[0].label:
            fresh[0].label = page.title  # see _relabel_repeats_and_pages
        items = fresh if page.kind in ("repeat", "loose") else fresh[0].children
        content = page.widget.widget().layout()
        self._build_items(content, items)
        content.addStretch(1)
        if page.kind == "repeat" and page.ref in self.repeats:
            self.repeats[page.ref].heading.hide()  # the page title already says it
        if self._touched_all:
            for widget in self.fields.values():
                if page.widget.isAncestorOf(widget):
                    widget.mark_touched()

    def build_all(self) -> None:
        for number in range(len(self.pages)):
            self.ensure_built(number)

    def page_of_ref(self, ref: str) -> int:
        """The page a question is on, whether or not its widgets exist yet."""
        for number, page in enumerate(self.pages):
            if page.kind == "loose" and ref in page.refs:
                return number
            if page.ref and (ref.startswith(page.ref + "/") or ref.startswith(page.ref + "[")):
                return number
        return -1

    def field(self, ref: str) -> FieldWidget:
        """The widget of a question, building its page first if needed."""
        if ref not in self.fields:
            number = self.page_of_ref(ref)
            if number >= 0:
                self.ensure_built(number)
        return self.fields[ref]

    def _build_items(self, layout: QVBoxLayout, items: list[Item]) -> None:
        for item in items:
            if item.kind == "question":
                widget = make_field(item)
                if isinstance(widget, UploadField):
                    widget.pick_file = self.file_requested.emit
                widget.answered.connect(self._answer)
                widget.message_shown.connect(self._message_shown)
                kind = self.restrictions.kind_of(item.ref)
                if kind is not None:
                    widget.set_restriction(kind)
                if self.read_only:
                    widget.freeze()
                self.fields[item.ref] = widget
                layout.addWidget(widget)
                widget.setVisible(item.relevant)  # after it has a parent: never a window of its own
            elif item.kind == "group":
                section = Section(item)
                self._build_items(section.content, item.children)
                if item.ref:
                    self.containers[item.ref] = section
                layout.addWidget(section)
                section.setVisible(item.relevant)
            elif item.kind == "repeat":
                repeat = RepeatSection(item, build_instance=self._build_instance, read_only=self.read_only)
                repeat.add_requested.connect(self.add_repeat)
                self.repeats[item.ref] = repeat
                self._wire_instances(repeat)
                layout.addWidget(repeat)

    def _build_instance(self, layout: QVBoxLayout, item: Item) -> None:
        self._build_items(layout, item.children)

    def _wire_instances(self, repeat: RepeatSection) -> None:
        for inst in repeat.instances:
            self.containers[inst.ref] = inst
            inst.remove_confirmed.connect(self.remove_repeat)
        repeat.add_button.setVisible(not repeat.item.count_fixed and self.repeat_applies(repeat.ref))

    def _forget_below(self, prefix: str) -> None:
        """Forget fields and containers of repeat instances about to be rebuilt."""
        for table in (self.fields, self.containers, self.repeats):
            for ref in [r for r in table if r.startswith(prefix + "[")]:
                del table[ref]

    # --- answers and change sets -----------------------------------------------------------
    def _answer(self, ref: str, value) -> None:
        if self.read_only:
            return
        widget = self.fields.get(ref)
        try:
            changes = self.session.answer(ref, value)
        except AnswerError as error:
            if widget is not None:
                widget.set_refused(_short_reason(error))
            return
        if widget is not None:
            widget.set_refused(None)
        self.apply(changes)
        self.edited.emit()

    def add_repeat(self, ref: str) -> None:
        if self.read_only:
            return
        self.apply(self.session.add_repeat(ref))
        repeat = self.repeats.get(ref)
        if repeat is not None and repeat.instances:
            # take the person straight to the first question of the new entry
            new = repeat.instances[-1]
            first = next((w for r, w in self.fields.items() if r.startswith(new.ref + "/") and w.isVisibleTo(new)),
                         None)
            if first is not None:
                self.focus_field(first)
        self.edited.emit()

    def remove_repeat(self, ref: str) -> None:
        if self.read_only:
            return
        repeat_ref = ref.rsplit("[", 1)[0]
        self.apply(self.session.remove_repeat(ref))
        repeat = self.repeats.get(repeat_ref)
        if repeat is not None:
            repeat.add_button.setFocus()
        self.edited.emit()

    def apply(self, changes: ChangeSet) -> None:
        """Refresh exactly what the change set names."""
        refs = changes.refs
        if refs["structure"]:
            self._rebuild_repeats(refs["structure"])
        shown_or_relabelled = refs["relevance"] | refs["labels"]  # once: an answer may change thousands of refs
        for ref in changes.changed_refs:
            widget = self.fields.get(ref)
            if widget is not None:
                item = self.session.item(ref)
                widget.refresh(item)
                widget.setVisible(item.relevant)
                continue
            container = self.containers.get(ref)
            if container is not None and ref in shown_or_relabelled:
                item = self.session.item(ref)
                if ref in refs["relevance"]:
                    container.setVisible(item.relevant)
                if ref in refs["labels"] and hasattr(container, "set_label"):
                    container.set_label(item.label)
        if refs["labels"]:
            self._relabel_repeats_and_pages()
        self._update_pages()

    def _rebuild_repeats(self, lists: set[str]) -> None:
        """Rebuild the repeats whose instances were added or removed (refs shift: /hh[3] becomes /hh[2])."""
        for ref in sorted(lists, key=len):  # outer repeats first: they rebuild the inner ones anyway
            repeat = self.repeats.get(ref)
            if repeat is None:
                continue  # inside an instance an outer rebuild replaced
            self._forget_below(ref)
            repeat.rebuild(self.session.item(ref, deep=True))
            self._wire_instances(repeat)
        self.order_tabs()

    def _relabel_repeats_and_pages(self) -> None:
        # from the whole tree: item(ref) of a repeat list does not carry the label pyxform puts
        # on the group around it (only items() folds it in); labels change only with the language
        labels = {item.ref: item.label for item in _walk(self.session.items())}
        for ref, repeat in self.repeats.items():
            repeat.set_label(labels.get(ref, ""))
        for page in self.pages:
            if page.ref:
                page.title = labels.get(page.ref) or page.title
        self.retranslate()

    # --- relevance of pages and repeats ----------------------------------------------------
    def repeat_applies(self, ref: str) -> bool:
        """Whether a repeat is relevant now, even with no instance yet (so Add is offered only
        when an added entry would be shown)."""
        try:
            return self.session.item(ref).relevant
        except AnswerError:
            return False

    def relevant(self, ref: str | None) -> bool:
        """Whether a group or repeat applies now (a group that wraps a repeat follows the repeat)."""
        if not ref:
            return True
        try:
            return self.session.item(ref).relevant
        except AnswerError:
            return False

    def _ref_relevant(self, ref: str) -> bool:
        widget = self.fields.get(ref)
        return widget.item.relevant if widget is not None else self.relevant(ref)

    def _update_pages(self) -> None:
        for ref, repeat in self.repeats.items():
            applies = self.repeat_applies(ref)
            repeat.add_button.setVisible(applies and not repeat.item.count_fixed)
            wrapper = self.containers.get(ref)  # pyxform wraps each repeat in a group of the same ref
            if wrapper is not None:
                wrapper.setVisible(applies)
        for i, page in enumerate(self.pages):
            if page.kind == "loose":
                relevant = any(self._ref_relevant(r) for r in page.refs)
            else:
                relevant = self.relevant(page.ref)
            page.relevant = relevant
            self.index.setRowHidden(i, not relevant)
        self._update_nav()

    # --- pages -----------------------------------------------------------------------------
    def visible_pages(self) -> list[int]:
        return [i for i, p in enumerate(self.pages) if p.relevant]

    def go_to_page(self, number: int) -> None:
        if not 0 <= number < len(self.pages):
            return
        changed = number != self.current
        self.ensure_built(number)
        if changed:
            self._audit_page(self.current, shown=False)
            for widget in self.fields.values():
                widget.release_message_room()
        self.current = number
        self.stack.setCurrentIndex(number)
        self.order_tabs()
        self.index.blockSignals(True)
        self.index.setCurrentRow(number)
        self.index.blockSignals(False)
        self.page_title.setText(self._title(number))
        self._apply_repeat_counts(self.pages[number])
        self._update_nav()
        if changed:
            self._audit_page(number, shown=True)
            self.page_changed.emit(number)

    def _audit_page(self, number: int, *, shown: bool) -> None:
        """Audit timings per question: a question is on screen while its page is (as Collect
        times the questions of a field-list)."""
        if number < 0:
            return
        page = self.pages[number].widget
        audit = self.session.audit
        for ref, widget in self.fields.items():
            if not page.isAncestorOf(widget):
                continue
            if not shown:
                audit.question_left(ref)
            elif widget.item.relevant:
                audit.question_shown(ref)

    def _apply_repeat_counts(self, page: Page) -> None:
        """Reaching a repeat sized by jr:count adds its missing entries, as Collect does; entries beyond a count
        that went down stay, with their answers, and may be removed by the person."""
        for ref, repeat in list(self.repeats.items()):
            if repeat.item.count_fixed and page.widget.isAncestorOf(repeat) and self.session.repeat_count(ref) is not None:
                changes = self.session.apply_repeat_count(ref)
                if changes:
                    self.apply(changes)
                    self.edited.emit()
                section = self.repeats.get(ref)
                count = self.session.repeat_count(ref)
                if section is not None and count is not None:
                    section.allow_removal_beyond(count)

    def next_page(self) -> None:
        later = [i for i in self.visible_pages() if i > self.current]
        if later:
            self.go_to_page(later[0])
            self.focus_first_field()

    def previous_page(self) -> None:
        earlier = [i for i in self.visible_pages() if i < self.current]
        if earlier:
            self.go_to_page(earlier[-1])
            self.focus_first_field()

    def _step_key(self, step: int, keys: str) -> None:
        if keys.startswith("Alt") and self.layoutDirection() == Qt.LayoutDirection.RightToLeft:
            step = -step  # the arrow points the way the pages run
        self.next_page() if step > 0 else self.previous_page()

    def _index_chosen(self, row: int) -> None:
        if row >= 0 and row != self.current:
            self.go_to_page(row)

    def focus_first_field(self) -> None:
        page = self.pages[self.current].widget
        for widget in self.fields.values():
            answer = widget.answer_widget()
            if (page.isAncestorOf(widget) and widget.isVisibleTo(page) and answer.isEnabled()
                    and answer.focusPolicy() & Qt.FocusPolicy.TabFocus):  # not a note: it has nothing to type in
                self.focus_field(widget)
                return
        # a page of notes only: nothing to answer, so the page itself takes the keys (arrows and Page Up/Down
        # scroll it, Tab comes back to it), shown by its ring; else the keyboard could not read below the fold
        page.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        page.setFocus(Qt.FocusReason.TabFocusReason)

    def page_of(self, widget: QWidget) -> int:
        return next((i for i, p in enumerate(self.pages) if p.widget.isAncestorOf(widget)), -1)

    def focus_field(self, widget: FieldWidget) -> None:
        number = self.page_of(widget)
        if number >= 0 and number != self.current:
            self.go_to_page(number)
        page = self.pages[self.current].widget
        # the page may have just been shown: let the layout place the field before scrolling to it
        QTimer.singleShot(0, lambda: page.ensureWidgetVisible(widget, 40, 60) if widget.isVisible() else None)
        widget.focus_editor()

    def mark_all_touched(self) -> None:
        self._touched_all = True
        for widget in self.fields.values():
            widget.mark_touched()

    def _update_nav(self) -> None:
        pages = self.visible_pages()
        where = pages.index(self.current) + 1 if self.current in pages else 0
        self.previous_button.setEnabled(bool(pages) and where > 1)
        self.next_button.setEnabled(bool(pages) and 0 < where < len(pages))
        for widget in (self.previous_button, self.next_button, self.position):
            widget.setVisible(len(pages) > 1)  # one page: Finalize is the only way on
        self.position.setText(self.tr("Page %1 of %2").replace("%1", str(where)).replace("%2", str(len(pages))))

    def _title(self, number: int) -> str:
        page = self.pages[number]
        if page.title:
            return page.title
        return self.tr("Questions") if page.kind == "loose" else self.tr("Page %1").replace("%1", str(number + 1))

    def retranslate(self) -> None:
        self.previous_button.setText(self.tr("← &Previous"))
        self.next_button.setText(self.tr("&Next →"))
        self.previous_button.setToolTip(self.tr("Previous page (Page Up or Alt+Left)"))
        self.next_button.setToolTip(self.tr("Next page (Page Down or Alt+Right)"))
        for i in range(len(self.pages)):
            self.index.item(i).setText(self._title(i))
        if self.current >= 0:
            self.page_title.setText(self._title(self.current))
        self._update_nav()
