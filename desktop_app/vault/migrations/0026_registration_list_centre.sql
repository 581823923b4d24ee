-- 0026 (access: the registration list narrowed to the signed-in person's centre). A laptop shared by a coordinator
-- and field staff holds the region's records, and the list of a person whose scope is their centre keeps only that
-- centre's (services/access.visibility, vault/registrations.Visible). The list index also carries the centre, so the
-- page still walks this index in list order and the centre is tested on the index entry, before any registration
-- row is read: another centre's records cost an index entry each, never a row. form_id stays (0008: the filter that
-- leaves the desk's decisions and other system records out).
DROP INDEX ix_registration_list;
CREATE INDEX ix_registration_list ON registration (deleted, updated_at DESC, id, title, form_id, centre);
