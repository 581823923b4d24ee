"""Access control shared by the device and the server.

policy: the one table of roles × actions × scope, and the decisions made from it.
sealed: answers of class P3 sealed for the roles that may read them (HPKE: X25519, HKDF-SHA256, AES-256-GCM).
"""
