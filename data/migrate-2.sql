-- Schema 2: certificate authorities, keys, requests and certificates.
-- Private keys are secrets: they live only here (key_pem), never
-- written anywhere but towards their own host through the engine.

CREATE TABLE cas (
	id           INTEGER PRIMARY KEY,
	name         TEXT NOT NULL UNIQUE,
	bundle_pem   TEXT NOT NULL,
	subject_tmpl TEXT NOT NULL,
	default_key  TEXT NOT NULL,
	created_at   INTEGER NOT NULL
);

CREATE TABLE keys (
	id         INTEGER PRIMARY KEY,
	host_id    INTEGER NOT NULL REFERENCES hosts (id) ON DELETE RESTRICT,
	type       TEXT NOT NULL,
	key_pem    BLOB NOT NULL,
	key_id     TEXT NOT NULL UNIQUE,   -- SHA-256 key id, hex
	origin     TEXT NOT NULL CHECK (origin IN ('generated', 'adopted')),
	created_at INTEGER NOT NULL
);
CREATE INDEX keys_host ON keys (host_id);

CREATE TABLE requests (
	id         INTEGER PRIMARY KEY,
	host_id    INTEGER NOT NULL REFERENCES hosts (id) ON DELETE RESTRICT,
	key_ref    INTEGER NOT NULL REFERENCES keys (id) ON DELETE RESTRICT,
	ca_id      INTEGER REFERENCES cas (id) ON DELETE RESTRICT,
	csr_pem    TEXT NOT NULL,
	subject    TEXT NOT NULL,
	sans       TEXT NOT NULL DEFAULT '',
	state      TEXT NOT NULL CHECK (state IN ('pending', 'issued', 'cancelled')),
	created_at INTEGER NOT NULL,
	issued_at  INTEGER
);
CREATE INDEX requests_host ON requests (host_id);
CREATE INDEX requests_key ON requests (key_ref);
-- at most one pending request per host
CREATE UNIQUE INDEX requests_pending ON requests (host_id) WHERE state = 'pending';

CREATE TABLE certificates (
	id           INTEGER PRIMARY KEY,
	host_id      INTEGER NOT NULL REFERENCES hosts (id) ON DELETE RESTRICT,
	fqdn         TEXT NOT NULL,  -- the host's name, copied: reports read one table
	key_ref      INTEGER NOT NULL REFERENCES keys (id) ON DELETE RESTRICT,
	request_id   INTEGER REFERENCES requests (id),
	ca_id        INTEGER REFERENCES cas (id) ON DELETE RESTRICT,
	subject      TEXT NOT NULL,
	issuer       TEXT NOT NULL,
	serial       TEXT NOT NULL,
	not_before   INTEGER NOT NULL,
	not_after    INTEGER NOT NULL,
	sha256       TEXT NOT NULL UNIQUE,   -- of the DER, lowercase hex
	state        TEXT NOT NULL CHECK (state IN ('current', 'superseded')),
	imported_at  INTEGER NOT NULL,
	installed_at INTEGER
);
CREATE INDEX certificates_host ON certificates (host_id);
CREATE INDEX certificates_not_after ON certificates (not_after);
-- at most one current certificate per host
CREATE UNIQUE INDEX certificates_current ON certificates (host_id) WHERE state = 'current';

-- The DER lives beside its row, so that reports scan short rows only.
CREATE TABLE certificate_der (
	cert_id INTEGER PRIMARY KEY REFERENCES certificates (id) ON DELETE CASCADE,
	der     BLOB NOT NULL
);
