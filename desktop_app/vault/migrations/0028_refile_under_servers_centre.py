"""0028 (access: a record was filed under its content's centre answer, not the centre the server holds it in). Until
the writer and the pull learnt that the server's centre wins (docs/access.md, "Pulled"), a record whose form answers
a centre question was filed under that answer: a record the server holds in Niamey that answered Agadez (a slip, an
old value) was shown to Agadez's field staff on a laptop that pulled the region; one made here that answered another
centre than the laptop's was hidden from its own centre's staff.

The laptop cannot put this right from what it holds. The server's centre of a record came only with each pulled
change (`Change.centre_id`, outside the content and its hash) and was stored nowhere but in `registration.centre`,
and only for a record whose content named no centre; `sync_record.base` keeps the server's content, whose centre
field is the answer. A record made here is held by the server in the centre of the device that first pushed it,
which is this laptop's enrolment centre only if it was never enrolled at another. A guess here would move some
records the wrong way, visibly to another centre's staff.

So this empties the pull cursor, as 0027 did and as after a server restore: the next sync pulls everything from the
start (what is already here is compared by hash and not written again) and every change names its record's centre,
which the writer files each record under (sync/store.py `centres_here`, `Writer.name_centres`, which first copies
out merge bases and wire ops in flight that are the record itself). A pull from the start leaves out none of this
laptop's own versions (the server leaves out only what the same run just had acknowledged), so the records made here
are filed again too. Until that sync they stay as they were filed.

Only on an enrolled laptop with a centre (a laptop never enrolled keeps the answers: no server holds its records in
a centre) that holds a live record the server has (one with a server version): any of them may have been filed under
its answer, since nearly every form asks the centre. The cost is one whole pull, once.
"""

from __future__ import annotations

from typing import Any

_ON_THE_SERVER = (
    "SELECT 1 FROM registration r JOIN registration_sync rs ON rs.record_id = r.id "
    "WHERE r.deleted = 0 AND rs.server_version IS NOT NULL LIMIT 1")


def upgrade(conn: Any) -> None:
    enrolment = dict(conn.execute("SELECT key, value FROM sync_state WHERE key IN ('device_id', 'centre_id', "
                                  "'centre_name')").fetchall())
    place = conn.execute("SELECT value FROM meta WHERE key = 'place.centre'").fetchone()
    centre = (place[0] if place is not None else "") or enrolment.get("centre_name") or enrolment.get("centre_id")
    if not enrolment.get("device_id") or not centre:
        return
    if conn.execute(_ON_THE_SERVER).fetchone():
        conn.execute("UPDATE sync_state SET value = '' WHERE key = 'cursor'")
