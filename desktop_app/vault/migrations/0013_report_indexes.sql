-- 0013 (registry): indicators read the summary columns of every live, finalized record and four extracted fields
-- (desktop_app/vault/report_reads.py). Both indexes cover what is read, so a report scans index pages only and never
-- the records' content (SQLCipher decrypts every page it reads): 100,000 registrations with 300,000 events.
CREATE INDEX ix_registration_report ON registration (status, deleted, id, form_id, created_by, sex, age, nationality,
                                                     centre, registered_on);
CREATE INDEX ix_registration_field_report ON registration_field (name, record_id, value);
