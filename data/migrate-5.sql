-- Schema 5: Grid authorization.  VOs and the member lists brought in for
-- them, mkgridmap rules per host or group, site bans, local grid-mapfile
-- entries, VOMS servers and what was pushed to which host.

CREATE TABLE vos (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	created_at INTEGER NOT NULL
);

-- The group/auth URIs of mkgridmap.conf a VO's lists stand for.
CREATE TABLE vo_uris (
	vo_id INTEGER NOT NULL REFERENCES vos (id) ON DELETE CASCADE,
	seq   INTEGER NOT NULL,
	uri   TEXT NOT NULL UNIQUE,
	PRIMARY KEY (vo_id, seq)
);

-- One row per import; the newest is the current one.
CREATE TABLE vo_snapshots (
	id          INTEGER PRIMARY KEY,
	vo_id       INTEGER NOT NULL REFERENCES vos (id) ON DELETE CASCADE,
	imported_at INTEGER NOT NULL,
	source      TEXT NOT NULL,
	format      TEXT NOT NULL,
	sha256      TEXT NOT NULL,
	members     INTEGER NOT NULL,
	added       INTEGER NOT NULL,
	removed     INTEGER NOT NULL
);
CREATE INDEX vo_snapshots_vo ON vo_snapshots (vo_id);

-- The members of each VO's current snapshot, in file order.
CREATE TABLE vo_members (
	snapshot_id INTEGER NOT NULL REFERENCES vo_snapshots (id) ON DELETE CASCADE,
	seq         INTEGER NOT NULL,
	dn          TEXT NOT NULL,
	ca          TEXT,
	email       TEXT,
	PRIMARY KEY (snapshot_id, seq)
);

-- A rule set in mkgridmap.conf syntax, attached to a host or a group:
-- the original text, and its lines as parsed (for showing).
CREATE TABLE gm_rulesets (
	id          INTEGER PRIMARY KEY,
	host_id     INTEGER UNIQUE REFERENCES hosts (id) ON DELETE CASCADE,
	group_id    INTEGER UNIQUE REFERENCES groups (id) ON DELETE CASCADE,
	source      TEXT NOT NULL,
	text        TEXT NOT NULL,
	imported_at INTEGER NOT NULL,
	CHECK ((host_id IS NULL) <> (group_id IS NULL))
);

CREATE TABLE gm_rules (
	ruleset_id INTEGER NOT NULL REFERENCES gm_rulesets (id) ON DELETE CASCADE,
	seq        INTEGER NOT NULL,
	line       INTEGER NOT NULL,
	kind       TEXT NOT NULL,
	value      TEXT NOT NULL,
	account    TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (ruleset_id, seq)
);

CREATE TABLE gm_bans (
	pattern    TEXT PRIMARY KEY,
	created_at INTEGER NOT NULL
);

CREATE TABLE gm_local (
	dn         TEXT PRIMARY KEY,
	account    TEXT NOT NULL,
	created_at INTEGER NOT NULL
);

CREATE TABLE voms_servers (
	id         INTEGER PRIMARY KEY,
	vo_id      INTEGER NOT NULL REFERENCES vos (id) ON DELETE CASCADE,
	host       TEXT NOT NULL,
	server_dn  TEXT NOT NULL,
	ca_dn      TEXT NOT NULL,
	chains     TEXT NOT NULL DEFAULT '',  -- alternative chains, one a line
	created_at INTEGER NOT NULL,
	UNIQUE (vo_id, host)
);

CREATE TABLE gm_pushes (
	id        INTEGER PRIMARY KEY,
	host_id   INTEGER NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
	pushed_at INTEGER NOT NULL,
	sha256    TEXT NOT NULL,
	outcome   TEXT NOT NULL CHECK (outcome IN ('ok', 'failed')),
	detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX gm_pushes_host ON gm_pushes (host_id);
