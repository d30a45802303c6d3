-- Schema 8: what a window leaves or runs on its peer.
-- window_temps: every temporary file a window writes on its peer, named
-- here (committed) before it is created there.  A row still 'pending'
-- after its window means the file may be on the peer: the next window to
-- that host (or `transfer recover`) removes it and marks it 'removed'.
-- window_steps: what ran on the peer after the files were in place (the
-- reload command, the served-certificate check), with its status and the
-- last lines of its output.

CREATE TABLE IF NOT EXISTS window_temps (
	id             INTEGER PRIMARY KEY,
	window_id      INTEGER NOT NULL REFERENCES windows (id),
	host           TEXT NOT NULL,
	path           TEXT NOT NULL,
	state          TEXT NOT NULL CHECK (state IN ('pending', 'gone', 'removed')),
	created_at     INTEGER NOT NULL,
	cleared_window INTEGER
);
CREATE INDEX IF NOT EXISTS window_temps_pending ON window_temps (host) WHERE state = 'pending';

CREATE TABLE IF NOT EXISTS window_steps (
	id        INTEGER PRIMARY KEY,
	window_id INTEGER NOT NULL REFERENCES windows (id),
	step      TEXT NOT NULL,             -- reload, check
	status    INTEGER NOT NULL,          -- exit status; check: 0 ok, 1 mismatch, 2 not verified
	output    TEXT NOT NULL DEFAULT ''   -- last lines
);
CREATE INDEX IF NOT EXISTS window_steps_window ON window_steps (window_id);
