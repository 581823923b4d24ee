"""The form renderer: XForms (through the engine's FormSession) shown as Qt widgets.

- view.FormView: pages, sections, repeats; refreshes from ChangeSets.
- fields/choices/other_fields: one widget per control kind and appearance (`make_field`).
- screen.FormScreen: one record being filled in; language switch, autosave, finalize.
- area.FormsArea: "New registration" and opening a record from the list, in the main window.
See docs/renderer.md.
"""
