"""Records: installed form versions, the consent gate, field extraction, finalized versions, imports.

Modules: form_store (table form_version), schema (what a form says about extraction and consent), instance
(building instances from flat answers), store (save/reopen/history/delete), importer (Kobo CSV / JSON lines).
"""
