"""What the renderer shows: a tree of Items (groups, repeats, questions) read from a session.

Items are snapshots; after a ChangeSet the renderer re-reads `session.item(ref)` for the changed
refs only. Labels, hints and choices are in the session's current language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from waypoint_core.xform.changes import ChangeSet
from waypoint_core.xform.errors import FormError, XPathEvalError
from waypoint_core.xform.external import ITEMSETS_FILE, Config, query_choices, query_value, search_choices
from waypoint_core.xform.nodes import Node
from waypoint_core.xform.text import Text
from waypoint_core.xform.xpath_eval import Ctx, to_bool, to_string
from waypoint_core.xform.xpath_refs import references


@dataclass
class Choice:
    value: str
    label: str
    media: dict = field(default_factory=dict)
    # select one from map (appearance "map"): the item's other children in order, e.g. a GeoJSON feature's
    # geometry and properties (JavaRosa's SelectChoice.getAdditionalChildren, what Collect's map shows)
    properties: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class Item:
    """One thing on screen. kind: "group", "repeat" (the list), "repeat-instance" or "question".

    A snapshot nobody changes: the session hands out the same Item again while a question is in the
    same state, and a question's (or a shallow group's) Items share their media, attrs and empty children.
    """

    kind: str
    ref: str
    control: str | None = None  # input, select1, select, upload, trigger, range, rank (questions)
    type: str = "string"  # answer type: string, int, decimal, date, select1, select, rank, geopoint, binary,
    # acknowledge (a trigger)...: the bind type, except that selects and triggers go by their control
    label: str = ""
    hint: str = ""
    guidance: str = ""
    media: dict = field(default_factory=dict)
    appearance: str | None = None
    relevant: bool = True
    required: bool = False
    readonly: bool = False
    value: str = ""
    valid: bool = True
    constraint_message: str | None = None  # shown beside the field while the answer is invalid
    required_message: str | None = None
    choices: list[Choice] | None = None
    children: list[Item] = field(default_factory=list)
    count_fixed: bool = False  # a repeat whose instances the form decides (jr:count / noAddRemove)
    attrs: dict = field(default_factory=dict)  # mediatype, start/end/step, ...
    # the Android app ODK Collect opens to fill this (an `ex:` appearance): here the answer is typed
    app: str | None = None
    app_message: str | None = None  # jr:noAppErrorString, what Collect says when the app is missing
    max_pixels: int | None = None  # an image answer's longest side at most (orx:max-pixels), as Collect scales


class ItemsMixin:
    """The read side of FormSession (kept apart so session.py stays about computing)."""

    @property
    def languages(self) -> list[str]:
        return self.definition.languages

    def set_language(self, language: str) -> ChangeSet:
        """Switch labels, hints, messages and choices to `language`; every label changes."""
        if language not in self.definition.translations:
            raise ValueError(f"the form has no language {language!r} (it has {self.languages})")
        self.language = language
        self._question_rows.clear()
        changes = ChangeSet()
        for node in self.root.iter():
            if node.gpath in self.definition.controls:
                changes.labels.add(node)
                changes.choices.add(node)
        return self._finish(changes)

    def items(self) -> list[Item]:
        """The whole form as a tree of Items (non-relevant ones included, with relevant=False)."""
        return self._build_children(self.definition.body, self.root)

    def item(self, ref: str, *, deep: bool = False) -> Item:
        """A fresh Item for one ref (a question, group, repeat list or repeat instance).

        Shallow by default: a group's or repeat's own state, with `children` left empty, which
        is what refreshing after a ChangeSet needs. deep=True fills the subtree (as items() does),
        e.g. to rebuild a repeat after a `structure` change.
        """
        row = self._question_rows.get(ref)  # the common case: a question re-read after an answer
        if row is not None and (len(row) > 5 or not deep):  # a group's row has no children: deep builds them
            return self._question_item(row) if len(row) > 5 else self._group_item(row)
        known = self._node_of_ref.get(ref)
        if known is not None:
            control = self.definition.controls.get(known.gpath)
            if control is None or control.kind not in ("group", "repeat"):
                return self._question(control, known)
            repeats = self.definition.repeats
            if control.kind == "group" and not deep and control.ref and control.ref not in repeats and \
                    known.gpath not in repeats:  # a group's own Item, as below, without walking the ref again
                return self._group(control, known)
        head, _, last = ref.strip().rstrip("/").rpartition("/")
        if head and "[" not in last:
            parent = self.node(head)
            repeat = self.definition.repeats.get(f"{parent.gpath}/{last}")
            if repeat is not None:  # "/data/hh" is the repeat list, "/data/hh[1]" its first instance
                return self._build(repeat, parent, deep=deep)
        node = self.node(ref)
        control = self.definition.controls.get(node.gpath)
        if control is None:
            return self._question(None, node)
        if control.kind == "repeat":
            return self._repeat_instance(control, node, deep=deep)
        if control.kind == "group" and not deep and control.ref and control.ref not in self.definition.repeats:
            return self._group(control, node)
        return self._build(control, node.parent if control.kind != "group" else node, deep=deep)

    def _group(self, control, node: Node) -> Item:
        """A group's own Item (children left empty); a group whose label shows no answer keeps a row by
        ref, as questions do (showing or hiding a whole form re-reads hundreds of groups)."""
        label = control.label
        ref = self.ref_of(node)
        row = (node, ref, self._text(label, node), control.appearance, [None, None])
        if label is None or self._fixed(label):
            if ref in self._node_of_ref:
                self._question_rows[ref] = row
        return self._group_item(row)

    @staticmethod
    def _group_item(row: tuple) -> Item:
        node, ref, label, appearance, seen = row
        relevant = node.relevant
        item = seen[relevant]  # its Item shown and hidden (Items are snapshots nobody changes)
        if item is None:
            other = seen[not relevant]  # the two share their (empty) media, children and attributes
            if other is None:
                item = Item("group", ref, None, "string", label, "", "", {}, appearance, relevant)
            else:
                item = Item("group", ref, None, "string", label, "", "", other.media, appearance, relevant,
                            children=other.children, attrs=other.attrs)
            seen[relevant] = item
        return item

    def value(self, ref: str) -> str:
        return self.node(ref).value

    def _build_children(self, controls, context: Node, deep: bool = True) -> list[Item]:
        if not deep:
            return []
        out = []
        for control in controls:
            item = self._build(control, context)
            if item is not None:
                out.append(item)
        return out

    def _build(self, control, context: Node, deep: bool = True) -> Item | None:
        if control.kind == "group" and control.ref in self.definition.repeats:
            # pyxform wraps each repeat in a group with the same ref: show the repeat list itself,
            # with the group's label when the repeat has none
            inner = [c for c in control.children if c.kind == "repeat" and c.ref == control.ref]
            if len(inner) == 1 and len(control.children) == 1:
                item = self._build(inner[0], context, deep)
                if item is not None and not item.label:
                    parent = self._related(context, control.ref.rsplit("/", 1)[0])
                    item.label = self._text(control.label, parent)
                return item
            item = Item(kind="group", ref="", appearance=control.appearance)
            item.label = self._text(control.label, context)
            item.children = self._build_children(control.children, context, deep)
            return item
        if control.kind == "group":
            node = self._related(context, control.ref) if control.ref else context
            if node is None:
                return None
            item = Item(kind="group", ref=self.ref_of(node) if control.ref else "", appearance=control.appearance,
                        relevant=node.relevant if control.ref else True)
            item.label = self._text(control.label, node)
            item.children = self._build_children(control.children, node, deep)
            return item
        if control.kind == "repeat":
            parent = self._related(context, control.ref.rsplit("/", 1)[0])
            if parent is None:
                return None
            name = control.ref.rsplit("/", 1)[1]
            item = Item(kind="repeat", ref=f"{self.ref_of(parent)}/{name}", appearance=control.appearance,
                        relevant=self.repeat_relevant(parent, name),
                        count_fixed=control.count is not None or control.no_add_remove)
            item.label = self._text(control.label, parent)
            if deep:
                item.children = [self._repeat_instance(control, inst) for inst in parent.kids.get(name, ())]
            return item
        node = self._related(context, control.ref) if control.ref else None
        if node is None:
            return None
        return self._question(control, node)

    def repeat_relevant(self, parent: Node, name: str) -> bool:
        """Whether instances may be added to the repeat `name` under `parent` now: its parent is
        relevant and the repeat's own condition holds (evaluated on a stand-in when empty)."""
        if not parent.relevant:
            return False
        existing = parent.kids.get(name)
        if existing:
            return existing[0].self_relevant
        bind = self.definition.binds.get(f"{parent.gpath}/{name}")
        if bind is None or bind.relevant is None:
            return True
        stand_in = Node(name)
        stand_in.parent = parent
        stand_in.gpath = f"{parent.gpath}/{name}"
        return to_bool(bind.relevant.fn(Ctx(stand_in, self)))

    def _repeat_instance(self, control, node: Node, deep: bool = True) -> Item:
        item = Item(kind="repeat-instance", ref=self.ref_of(node), relevant=node.relevant,
                    appearance=control.appearance)
        item.label = self._text(control.label, node)
        item.children = self._build_children(control.children, node, deep)
        return item

    def _question(self, control, node: Node) -> Item:
        # an answer that shows or hides a whole form re-reads thousands of items (bench6: 2,460 in
        # one answer): what does not depend on answers is worked out once per question and
        # language (a row kept by ref until refs shift or the language changes), and the Item is
        # built in one positional call, twice as fast as by keywords
        if control is not None:
            static = self._question_static(control, node)
            if (id(control), self.language) in self._static_texts:  # no text shows an answer
                bind = node.bind
                required_message = None  # when it is fixed (most are), whether required now or not
                if bind is not None:
                    required_message = self._required_message(node)
                    if (node.gpath, self.language) not in self._required_messages:
                        required_message = None  # not fixed: worked out each time
                ref = self.ref_of(node)
                # the groups above whose readonly is ever set (a readonly group makes its questions readonly)
                above = []
                parent = node.parent
                while parent is not None:
                    if parent.readonly or (parent.bind is not None and parent.bind.readonly is not None):
                        above.append(parent)
                    parent = parent.parent
                # choices: None (not a select), the list (the same for every instance: kept per question and
                # language) or True (filtered or from an attachment: asked for each time)
                choices = None
                if static[9]:
                    listed = self.choices_for(node)
                    choices = listed if self._choice_cache.get(node.gpath, {}).get(self.language) is listed else True
                # its Items share one copy of the media and attributes and one empty children list (made
                # here, once per question): building an Item then makes no container, which is what
                # the cyclic collector counts (the first hiding of bench6 builds 2,460 Items at once)
                kind, label, hint, guidance, media, appearance, attrs, app, app_message = static[:9]
                row = (node, ref, kind, label, hint, guidance, dict(media), appearance, dict(attrs), app, app_message,
                       self.answer_type(node), bind is not None, bind.max_pixels if bind is not None else None,
                       required_message, choices, tuple(above), {}, [])
                if ref in self._node_of_ref:  # a ref of the instance now (refs shift with repeats)
                    self._question_rows[ref] = row
                return self._question_item(row)
        bind = node.bind
        static = self._question_static(control, node) if control is not None else None
        if static is None:
            kind, label, hint, guidance, media, appearance, attrs, app, app_message, has_choices = \
                None, "", "", "", {}, None, {}, None, None, False
        else:
            kind, label, hint, guidance, media, appearance, attrs, app, app_message, has_choices = static
        valid, required = node.valid, node.required
        constraint_message = required_message = None
        if bind is not None:
            if not valid:
                constraint_message = self._message(node, "constraint_msg") or "Sorry, this response is invalid."
            if required:
                required_message = self._required_message(node)
        return Item("question", self.ref_of(node), kind, self.answer_type(node), label, hint, guidance,
                    dict(media), appearance, node.relevant, required, self.is_readonly(node), node.value, valid,
                    constraint_message, required_message, self.choices_for(node) if has_choices else None,
                    [], False, dict(attrs), app, app_message, bind.max_pixels if bind is not None else None)

    def _question_item(self, row: tuple) -> Item:
        """A question's Item from its row (what does not change with answers) and its node now."""
        node = row[0]
        valid, required, readonly = node.valid, node.required, node.readonly
        above = row[16]
        if above and not readonly:
            readonly = any(group.readonly for group in above)
        choices = row[15]
        if choices is True:
            choices = self.choices_for(node)
        # the Item of the state a question was last in, for each relevant/required/readonly: an answer
        # showing a section and the next hiding it again give the same Items (Items are snapshots nobody
        # changes: one serves twice). Kept by those three as a small int, with no key or container made
        # per question: the first hiding of a whole form (bench6) leaves its 2,460 new Items behind and
        # nothing more for the cyclic collector to count and walk
        flags = -1
        if valid and (not required or row[14] is not None):
            flags = (4 if node.relevant else 0) | (2 if required else 0) | (1 if readonly else 0)
            known = row[17].get(flags)
            if known is not None and known.value == node.value and known.choices is choices:
                return known
        (node, ref, kind, label, hint, guidance, media, appearance, attrs, app, app_message, type_, has_bind,
         max_pixels, fixed_required_message, _, _, _, children) = row
        constraint_message = required_message = None
        if has_bind:
            if not valid:
                constraint_message = self._message(node, "constraint_msg") or "Sorry, this response is invalid."
            if required:
                required_message = fixed_required_message or self._required_message(node)
        item = Item("question", ref, kind, type_, label, hint, guidance, media, appearance,
                    node.relevant, required, readonly, node.value, valid, constraint_message, required_message,
                    choices, children, False, attrs, app, app_message, max_pixels)
        if flags >= 0:
            row[17][flags] = item
        return item

    def _required_message(self, node: Node) -> str:
        """The required message: most forms have none or a fixed one, kept per question and language."""
        key = (node.gpath, self.language)
        found = self._required_messages.get(key)
        if found is None:
            text = node.bind.required_msg if node.bind is not None else None
            found = self._message(node, "required_msg") or "Sorry, this response is required."
            if text is None or self._fixed(text):
                self._required_messages[key] = found
        return found

    def _question_static(self, control, node: Node) -> tuple:
        """A question's control kind, texts, media, appearance, attributes and launch-app, kept per
        language unless a text shows an <output/> (then worked out each time)."""
        key = (id(control), self.language)
        found = self._static_texts.get(key)
        if found is not None:
            return found
        label, hint, guidance, media, static = self._question_texts(control, node)
        app = control.launch_app
        bind = node.bind
        # an external select is answered as a select one, as in Collect
        kind = "select1" if control.query is not None else control.kind
        found = (kind, label, hint, guidance, media, control.appearance, control.attrs, app,
                 bind.no_app_message if app and bind is not None else None,
                 bool(control.items or control.itemset or control.query is not None))
        if static:
            self._static_texts[key] = found
        return found

    def _question_texts(self, control, node: Node) -> tuple[str, str, str, dict, bool]:
        """(label, hint, guidance, media, static): static when no text depends on answers."""
        static = all(t is None or self._fixed(t) for t in (control.label, control.hint))
        return (self._text(control.label, node), self._text(control.hint, node),
                self._text(control.hint, node, "guidance") if control.hint is not None else "",
                self._media(control.label) if control.label is not None else {}, static)

    def _text(self, text: Text | None, node: Node, form: str | None = None) -> str:
        """A label, hint or message in the current language. Texts without <output/>s are the
        same for every node, so they are resolved once per language (re-reading hundreds of
        items after one answer must stay within a frame)."""
        if text is None:
            return ""
        key = (id(text), self.language, form)
        cached = self._text_cache.get(key)
        if cached is not None:
            return cached
        resolved = text.resolve(self.definition.translations, self.language, node, self, form=form)
        if self._fixed(text):
            self._text_cache[key] = resolved
        return resolved

    def _fixed(self, text: Text) -> bool:
        """Whether a text shows no answer in any language (no <output/>, no computed itext id): then it is
        the same for every node. Kept per text: the first showing of a whole form asks it of 560 texts."""
        found = self._fixed_texts.get(id(text))
        if found is None:
            found = self._fixed_texts[id(text)] = text.itext_expr is None and not text.outputs(
                self.definition.translations)
        return found

    def _media(self, text: Text) -> dict:
        key = (id(text), self.language, "media")
        cached = self._text_cache.get(key)
        if cached is None:
            cached = text.media(self.definition.translations, self.language)
            self._text_cache[key] = cached
        return dict(cached)

    def _message(self, node: Node, attr: str) -> str:
        bind = node.bind
        text = getattr(bind, attr, None) if bind is not None else None
        return self._text(text, node) if text is not None else ""

    def is_readonly(self, node: Node) -> bool:
        while node is not None:
            if node.readonly:
                return True
            node = node.parent
        return False

    def choices(self, ref: str) -> list[Choice]:
        """The choices of a select at `ref` now (choice filters applied, current language)."""
        return self.choices_for(self.node(ref))

    def choices_for(self, node: Node) -> list[Choice]:
        control = self.definition.controls.get(node.gpath)
        if control is None:
            return []
        translations = self.definition.translations
        if control.search is not None or control.query is not None:
            return self._external_choices(control, node)
        if control.items:
            # inline choices are the same for every instance unless a label shows an <output/>
            dynamic = self._static_itemsets.get(("inline", node.gpath))
            if dynamic is None:
                dynamic = any(t.outputs(translations) for _, t in control.items)
                self._static_itemsets[("inline", node.gpath)] = dynamic
            cache = self._choice_cache.setdefault(node if dynamic else node.gpath, {})
            if self.language not in cache:
                cache[self.language] = [Choice(v, t.resolve(translations, self.language, node, self),
                                               t.media(translations, self.language)) for v, t in control.items]
            return cache[self.language]
        itemset = control.itemset
        if itemset is None:
            return []
        static = self._static_itemsets.get(node.gpath)
        if static is None:
            static = not references(itemset.nodeset.ast, node.gpath)
            self._static_itemsets[node.gpath] = static
        # static lists are kept per question and language; filtered ones per node until their
        # "choices" vertex fires (session._eval_vertex drops the node's entry)
        cache = self._choice_cache.setdefault(node.gpath if static else node, {})
        if self.language in cache:
            return cache[self.language]
        out = []
        on_map = "map" in (control.appearance or "").split()
        label_name = _last_step(itemset.label.ast) if itemset.label is not None else None
        for item in itemset.nodeset.fn(Ctx(node, self)):
            ctx = Ctx(item, self, current=node)
            value = to_string(itemset.value.fn(ctx))
            if itemset.label_itext is not None:
                text = Text(itext_id=to_string(itemset.label_itext.fn(ctx)))
                choice = Choice(value, text.resolve(translations, self.language, node, self),
                                text.media(translations, self.language))
            else:
                choice = Choice(value, to_string(itemset.label.fn(ctx)) if itemset.label is not None else value)
            if on_map:
                choice.properties = [(c.name, c.value) for c in getattr(item, "children", ()) if c.name != label_name]
            out.append(choice)
        cache[self.language] = out
        return out

    def _external_choices(self, control, node: Node) -> list[Choice]:
        """Choices of a search() appearance or an external select, from its CSV attachment (external.py);
        kept per node and language until their "choices" vertex (the arguments' answers) fires."""
        cache = self._choice_cache.setdefault(node, {})
        if self.language in cache:
            return cache[self.language]
        translations = self.definition.translations
        out: list[Choice] = []
        try:
            if control.search is not None:
                table = self.definition.table(control.search.file_name)
                configs = []
                for value, text in control.items:
                    image = text.media(translations, self.language).get("image", "")
                    configs.append(Config(value, text.resolve(translations, self.language, node, self),
                                          image.removeprefix("jr://images/")))
                if table is None:  # listed in definition.unsupported: only the plain choices remain
                    out = [Choice(c.value, c.label) for c in configs if c.value.strip().lstrip("-").isdigit()]
                else:
                    args = [a.fn(Ctx(node, self)) for a in control.search.args]
                    for value, label, image in search_choices(control.search, table, configs, args,
                                                              control.search.file_name):
                        out.append(Choice(value, label, {"image": "jr://images/" + image} if image else {}))
            else:
                table = self.definition.table(ITEMSETS_FILE)
                if table is not None:
                    values = [query_value(c.value.fn(Ctx(node, self))) for c in control.query.conditions]
                    out = [Choice(v, label) for v, label in query_choices(control.query, table, values, self.language)]
        except FormError as exc:
            error = XPathEvalError(f"choices: {exc.reason}", ref=self.ref_of(node), expression=control.appearance)
            if str(error) not in {str(e) for e in self.errors}:
                self.errors.append(error)
        cache[self.language] = out
        return out


def _last_step(ast) -> str | None:
    """The element name an itemset's label reads (`name` of <label ref="name"/>), left out of its properties."""
    if ast[0] == "path" and ast[3]:
        axis, test, _ = ast[3][-1]
        return test if axis == "child" else None
    return None
