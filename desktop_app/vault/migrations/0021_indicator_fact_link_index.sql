-- 0021 (registry, issue 12's 2 s): indicator_fact's links in the order a report groups them (report_reads.report_inputs:
-- GROUP BY link, assistance_type, trafficking_status and, for a scope, centre), each group's rows in the order of
-- the registration numbers they name. Covering (the day, and the form, kind and creator that rights filter on), so the
-- grouped read walks this index alone with no sort: SQLite's sorter had taken 1.4-1.8 s of CPU at 300,000 links, and
-- the numbers' order lets the counting walk its tables in order. The server's ix_indicator_fact_link does the same.
CREATE INDEX ix_indicator_fact_link ON indicator_fact (link, assistance_type, trafficking_status, centre, ref, day,
    form_id, kind, created_by) WHERE link IS NOT NULL;
