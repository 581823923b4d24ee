"""A form that asks no centre (an organisation's own form, or one from KoboToolbox): its records name no centre in
their content, so the laptop (or the server) gives them theirs. Synthetic, for the centre-scope tests."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from waypoint_core.xlsform import convert_xlsform

FORM_ID = "test_night_log"
VERSION = "2026120701"
_SOURCE = f"""# A night at the centre, asking no centre.
| survey |
| | type | name | label::English (en) | required | bind::wp:extract |
| | text | given_name | Given name | yes | title |
| | text | note | Note | | |
| settings |
| | form_title | form_id | version | default_language | namespaces |
| | Night log | {FORM_ID} | {VERSION} | English (en) | wp="urn:waypoint:xforms" |
"""


@functools.cache
def no_centre_xform() -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "night_log.md"
        path.write_text(_SOURCE, encoding="utf-8")
        return convert_xlsform(path).xform


def night(given: str, record_id: str, note: str = "") -> str:
    """An instance of the form, as the form screen makes one."""
    return (f'<data id="{FORM_ID}" version="{VERSION}"><given_name>{given}</given_name><note>{note}</note>'
            f"<meta><instanceID>uuid:{record_id}</instanceID></meta></data>")
