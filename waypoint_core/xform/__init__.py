"""waypoint_core.xform: the XForm engine (no Qt, no database).

    definition = FormDefinition.from_xml(xml_text, media_dir=None)   # parse once, reuse
    session = FormSession(definition, language="French (fr)", metadata={"username": "amina"})
    changes = session.answer("/data/age", 34)        # -> ChangeSet: refs whose state changed
    session.items()                                   # the tree the renderer shows
    session.validate()                                # -> [Issue]; the first is where to jump
    session.to_instance_xml()

See docs/forms-engine.md.
"""

from waypoint_core.xform.changes import ChangeSet, Issue
from waypoint_core.xform.definition import FormDefinition
from waypoint_core.xform.errors import (
    AnswerError, DependencyCycleError, FormError, XPathEvalError, XPathSyntaxError,
)
from waypoint_core.xform.heap import form_closed, form_opened
from waypoint_core.xform.items import Choice, Item
from waypoint_core.xform.session import FormSession
from waypoint_core.xlsform import XLSFormError

__all__ = [
    "AnswerError", "ChangeSet", "Choice", "DependencyCycleError", "FormDefinition", "FormError", "FormSession",
    "Issue", "Item", "XLSFormError", "XPathEvalError", "XPathSyntaxError", "form_closed", "form_opened",
]
