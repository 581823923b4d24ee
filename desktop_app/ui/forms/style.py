"""How the form screen looks: set on the screen itself, so the app's own style sheet stays the shell's.

Colours pass WCAG AA on white; messages are dark red on a pale background (readable, not alarming);
the required mark is the same dark red and also said in words to screen readers.
"""

FORM_STYLE = """
QWidget#formPage { background: #ffffff; }
QLabel#formTitle { font-size: 16pt; font-weight: 600; color: #1d2b36; }
QLabel#pageHeading { font-size: 18pt; font-weight: 600; color: #1d2b36; padding: 4px 0 6px 0; }
QLabel#fieldLabel { font-weight: 600; color: #1d2b36; }
QLabel#requiredMark { color: #a01818; font-weight: 700; font-size: 13pt; padding: 0 4px; }
QLabel#fieldHint { color: #44525e; }
QLabel#restrictedNote {
    color: #4a2c6b; background: #f3eef9; border-left: 4px solid #6b4a93; padding: 3px 8px; font-style: italic;
}
QLabel#fieldError {
    color: #8a1c1c; background: #fdecec; border-left: 4px solid #c0392b; padding: 4px 8px;
}
QFrame#note QLabel#fieldLabel { font-weight: 400; color: #173f5c; }
QFrame#note { background: #e8f1f8; border: 1px solid #a9c7de; border-radius: 4px; padding: 6px 10px; }
QFrame#formSection, QFrame#repeatInstance {
    border: 1px solid #c9d2d9; border-radius: 6px; background: #fafbfc;
}
QLabel#sectionHeading { font-weight: 600; font-size: 12pt; color: #1f5f8b; }
QLabel#repeatHeading { font-weight: 600; font-size: 13pt; color: #1d2b36; }
QFrame#confirmBar { background: #fff8e1; border: 1px solid #b28704; border-radius: 4px; }
QListWidget#pageIndex { font-size: 11pt; border: none; background: #eef2f5; padding: 6px; }
QListWidget#pageIndex::item { padding: 8px 6px; border-radius: 4px; color: #1d2b36; }
QListWidget#pageIndex::item:selected { background: #1f5f8b; color: #ffffff; }
QLabel#notice { color: #173f5c; background: #e8f1f8; border: 1px solid #a9c7de; border-radius: 4px; padding: 8px; }
QLabel#error { color: #8a1c1c; background: #fdecec; border: 1px solid #e3a5a5; border-radius: 4px; padding: 8px; }
QPushButton#nextPage, QPushButton#addRepeat { font-weight: 600; }
QPushButton#clearAnswer { padding: 0 4px; min-height: 0; }
QRadioButton, QCheckBox { padding: 3px 0; }
QComboBox { padding: 4px 8px; min-height: 24px; }
/* An answer that cannot change: reached by Tab and read, never greyed; pale so it does not invite typing, and a
   plain dark-blue ring when the focus is on it. */
QLineEdit:read-only, QPlainTextEdit[readOnly="true"] {
    background: #f1f4f6; color: #1d2b36; border: 1px solid #9aa7b1; border-radius: 3px; padding: 4px;
}
QLineEdit:read-only:focus, QPlainTextEdit[readOnly="true"]:focus { border: 2px solid #1f5f8b; padding: 3px; }
/* A page of notes only takes the keys itself (FormView.focus_first_field): the same ring says where they go. */
QScrollArea:focus { border: 2px solid #1f5f8b; }
"""
