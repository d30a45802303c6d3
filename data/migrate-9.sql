-- Schema 9: trust as the Grid defines it, revocation and acknowledged
-- warnings.
--
-- trust_anchors: the CAs of an IGTF-style directory (ca import-igtf),
-- replaced as a set by each import; anchor_rules: what their .namespaces
-- (EACL) and .signing_policy files allow each issuer to sign, one rule a
-- row, the pattern already in passtore's form ('*' any text, '?' one
-- character, '\' quotes the next one).
CREATE TABLE trust_anchors (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE,  -- "INFN-CA-2015" (NAME.pem) or the hash of HASH.0
	subject     TEXT NOT NULL,         -- Grid form
	sha256      TEXT NOT NULL,
	pem         TEXT NOT NULL,
	info        TEXT NOT NULL,         -- the .info file as read ("" when none)
	policy      TEXT NOT NULL,         -- .namespaces and .signing_policy as read: what "changed" compares
	not_after   INTEGER NOT NULL,
	imported_at INTEGER NOT NULL
);

CREATE TABLE anchor_rules (
	anchor_id INTEGER NOT NULL REFERENCES trust_anchors (id) ON DELETE CASCADE,
	source    TEXT NOT NULL CHECK (source IN ('namespaces', 'signing_policy')),
	issuer    TEXT NOT NULL,           -- Grid form
	permit    INTEGER NOT NULL,        -- 1 PERMIT, 0 DENY
	pattern   TEXT NOT NULL
);
CREATE INDEX anchor_rules_issuer ON anchor_rules (issuer);

-- One CRL per issuer: the newest imported; its entries keyed as the
-- certificates table writes issuer (Grid form) and serial (upper hex).
CREATE TABLE crls (
	id          INTEGER PRIMARY KEY,
	issuer      TEXT NOT NULL UNIQUE,
	this_update INTEGER NOT NULL,
	next_update INTEGER,               -- NULL: the CRL gives none
	entries     INTEGER NOT NULL,
	der         BLOB NOT NULL,
	imported_at INTEGER NOT NULL
);

CREATE TABLE crl_entries (
	crl_id     INTEGER NOT NULL REFERENCES crls (id) ON DELETE CASCADE,
	issuer     TEXT NOT NULL,
	serial     TEXT NOT NULL,
	revoked_at INTEGER NOT NULL,
	PRIMARY KEY (issuer, serial)
) WITHOUT ROWID;
CREATE INDEX crl_entries_crl ON crl_entries (crl_id);

-- An acknowledged warning: of one certificate, so a newer certificate of
-- the host is not silenced by it.
CREATE TABLE cert_acks (
	cert_id    INTEGER PRIMARY KEY REFERENCES certificates (id) ON DELETE CASCADE,
	reason     TEXT NOT NULL,
	until_at   INTEGER NOT NULL,
	created_at INTEGER NOT NULL
);
