"""The device sync client: enrolment, push of the outbox, pull of changes, conflicts, form distribution.

- errors:    every way sync can fail, each its own class with a sentence an administrator can act on.
- transport: HTTPS to the server (requests): URL policy, TLS trust, signatures, retries with backoff.
- records:   a registration as a sync state (fields + content), diffs and the device-side 3-way merge.
- store:     everything sync keeps in the vault (credentials, cursor, frozen ops, acknowledgements).
- engine:    one sync run as a sequence of local (vault) and remote (network) steps, plus an inline driver.
docs/sync-client.md describes the design as built.
"""
