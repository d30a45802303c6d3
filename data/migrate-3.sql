-- Schema 3: the transfer engine's journal and install history.
-- A window row is committed before any firewall rule is added; it stays
-- with outcome NULL until the window is closed (or recovered after a
-- crash), so an open row always means "rules may be in the kernel".

CREATE TABLE windows (
	id          INTEGER PRIMARY KEY,
	tag         TEXT NOT NULL UNIQUE,     -- comment of its rules: passtore:<tag>
	purpose     TEXT NOT NULL,            -- install, send-csr, fetch-certs
	host        TEXT NOT NULL,            -- the peer's host entry
	peer        TEXT NOT NULL,            -- IPv4 address
	port        INTEGER NOT NULL,
	ifname      TEXT NOT NULL,
	gateway     TEXT NOT NULL,
	rules       TEXT NOT NULL,            -- the exact rules, iptables -S form
	pid         INTEGER NOT NULL,
	opened_at   INTEGER NOT NULL,         -- ms since the epoch
	closed_at   INTEGER,
	outcome     TEXT,                     -- NULL while open
	detail      TEXT NOT NULL DEFAULT '',
	exposure_ms REAL,
	link_ms     REAL,
	ssh_ms      REAL
);
CREATE INDEX windows_open ON windows (outcome) WHERE outcome IS NULL;

CREATE TABLE installs (
	id           INTEGER PRIMARY KEY,
	host_id      INTEGER NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
	cert_id      INTEGER NOT NULL REFERENCES certificates (id),
	window_id    INTEGER NOT NULL REFERENCES windows (id),
	cert_sha256  TEXT NOT NULL,
	key_id       TEXT NOT NULL,
	cert_path    TEXT NOT NULL,
	key_path     TEXT NOT NULL,
	installed_at INTEGER NOT NULL
);
