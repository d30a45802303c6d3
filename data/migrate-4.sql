-- Schema 4: what transfer fetch-certs already brought in from the
-- operator's outbox, so that each run takes only new files.

CREATE TABLE fetched (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	sha256     TEXT NOT NULL UNIQUE,
	window_id  INTEGER NOT NULL REFERENCES windows (id),
	fetched_at INTEGER NOT NULL,
	stored     INTEGER NOT NULL,   -- certificates stored from it
	refused    INTEGER NOT NULL    -- 1 when the file was refused whole
);
