-- Schema 13: each host key's row carries a keyed MAC too (HMAC-SHA256
-- under a key derived from the data key, over every column, the private
-- key last), and a key.seal record names it: a page copied back from an
-- older backup can no longer take a key away, or put another one back,
-- unseen.  The existing keys get their MAC, and a key.seal record each,
-- in the same transaction as this script (rowmac.c).
ALTER TABLE keys ADD COLUMN mac TEXT NOT NULL DEFAULT '';
