"""The registry core: finding a person again, spotting the same person registered twice, counting what was done.

Pure Python (no Qt, no database, no HTTP), so the device and the server run the same rules:

- `names`, `phonetic`, `arabic`, `fold`: name normalisation across Latin and Arabic script, phonetic keys and
  a similarity score (design in docs/registry.md);
- `identifiers`: document and phone numbers in one canonical form;
- `person`: the typed person the matcher and the search read;
- `keys`: the keys a search index stores per record, the keys a query looks up, and the blocking keys of the
  duplicate candidate generator;
- `matching`: explainable pair scores and blocked duplicate candidates;
- `search`: a query parsed into index look-ups, filters and a ranking;
- `indicators`: EUTF-style indicator counts from plain typed rows, each person once per indicator and period;
- `disclosure`: small-cell and complementary suppression, with an audit that no suppressed cell can be derived;
- `exports`: indicator reports as CSV, XLSX and PDF, every table protected and rounded;
- `ctdc`: the CTDC-compatible anonymised export of trafficking cases, k-anonymous (k = 11);
- `sealed_file`, `xlsx_stream`: the passphrase-protected stream and the row-by-row XLSX of record-level exports.
"""
