"""Numbered schema migrations (mNNNN_name.py, each with VERSION, NAME and upgrade(conn)), applied at server start.

A new schema change is a new file with the next number; never edit an applied one.
"""
