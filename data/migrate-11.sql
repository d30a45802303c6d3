-- Schema 11: each service password's row carries a keyed MAC (HMAC-SHA256
-- under a key derived from the data key) over its identity, version and
-- value, and the audit record that last changed the row names its version
-- and MAC.  SQLCipher authenticates each page alone: a page copied back
-- from an older backup decrypts, but its row no longer matches the trail.
-- The existing rows get their MAC, and a pw.seal record each, in the same
-- transaction as this script (rowmac.c).
ALTER TABLE credentials ADD COLUMN mac TEXT NOT NULL DEFAULT '';
