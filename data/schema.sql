-- passtore store schema, version 1.
-- Compiled into the program; later versions add data/migrate-N.sql.
-- Times are seconds since the epoch (UTC).

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE hosts (
	id         INTEGER PRIMARY KEY,
	fqdn       TEXT NOT NULL UNIQUE,
	ip         TEXT,
	port       INTEGER NOT NULL DEFAULT 22 CHECK (port BETWEEN 1 AND 65535),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);

CREATE TABLE groups (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	created_at INTEGER NOT NULL
);

CREATE TABLE host_groups (
	host_id  INTEGER NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
	group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
	PRIMARY KEY (host_id, group_id)
);
CREATE INDEX host_groups_group ON host_groups (group_id);

-- One entry (user@hostspec:service) covers every host its spec named.
CREATE TABLE credentials (
	id         INTEGER PRIMARY KEY,
	user       TEXT NOT NULL,
	hostspec   TEXT NOT NULL,
	service    TEXT NOT NULL,
	secret     BLOB NOT NULL,
	version    INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	UNIQUE (user, hostspec, service)
);

CREATE TABLE credential_hosts (
	credential_id INTEGER NOT NULL REFERENCES credentials (id) ON DELETE CASCADE,
	host_id       INTEGER NOT NULL REFERENCES hosts (id) ON DELETE RESTRICT,
	PRIMARY KEY (credential_id, host_id)
);
CREATE INDEX credential_hosts_host ON credential_hosts (host_id);

CREATE TABLE credential_history (
	id            INTEGER PRIMARY KEY,
	credential_id INTEGER NOT NULL REFERENCES credentials (id) ON DELETE CASCADE,
	version       INTEGER NOT NULL,
	secret        BLOB NOT NULL,
	set_at        INTEGER NOT NULL,
	replaced_at   INTEGER NOT NULL,
	replaced_by   TEXT NOT NULL
);
CREATE INDEX credential_history_cred ON credential_history (credential_id);

-- Append-only, hash-chained; never holds a secret.
CREATE TABLE audit (
	id        INTEGER PRIMARY KEY,
	ts        INTEGER NOT NULL,
	actor     TEXT NOT NULL,
	action    TEXT NOT NULL,
	object    TEXT NOT NULL,
	detail    TEXT NOT NULL DEFAULT '',
	prev_hash TEXT NOT NULL,
	hash      TEXT NOT NULL
);

CREATE TABLE backups (
	id         INTEGER PRIMARY KEY,
	path       TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	bytes      INTEGER NOT NULL,
	sha256     TEXT NOT NULL
);
