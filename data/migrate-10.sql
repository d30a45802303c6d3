-- Schema 10: the rest of what a CE or storage element reads, from the
-- same data.  Per VO, the FQAN mapping table LCMAPS reads as its
-- voms-mapfile (in the order given: the first match wins); the port of
-- each VOMS server for its vomses line; and per host and file what was
-- last pushed there, so that a push can show its diff first.
CREATE TABLE voms_fqan_maps (
	id         INTEGER PRIMARY KEY,
	vo_id      INTEGER NOT NULL REFERENCES vos (id) ON DELETE CASCADE,
	seq        INTEGER NOT NULL,
	fqan       TEXT NOT NULL,
	account    TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	UNIQUE (vo_id, fqan)
);
CREATE INDEX voms_fqan_maps_vo ON voms_fqan_maps (vo_id, seq);

-- a server without a row here listens on 15000; kept apart from
-- voms_servers so that a server recorded again keeps its port
CREATE TABLE voms_ports (
	vo_id INTEGER NOT NULL REFERENCES vos (id) ON DELETE CASCADE,
	host  TEXT NOT NULL,
	port  INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
	PRIMARY KEY (vo_id, host)
);

CREATE TABLE gm_pushed_files (
	host_id   INTEGER NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
	path      TEXT NOT NULL,   -- the build's name: grid-mapfile, vomsdir/VO/HOST.lsc ...
	remote    TEXT NOT NULL,   -- where it went on the host
	sha256    TEXT NOT NULL,
	text      TEXT NOT NULL,   -- public data: what a diff needs
	pushed_at INTEGER NOT NULL,
	PRIMARY KEY (host_id, path)
);
