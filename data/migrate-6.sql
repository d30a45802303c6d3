-- Schema 6: what the console lists, on indexes that fit its orders.
--
-- cert_list: one short row per certificate, clustered in the order of
-- the certificates screen (most urgent first: not-after, then id), so a
-- page is a range of one b-tree and counting reads no certificate row.
-- The subject's last CN, shown in a column of its own, is kept once per
-- distinct value (cert_cns): a filter looks for its text among the few
-- names, then for the rows that carry one of them, as it does for hosts
-- and CAs.  Triggers keep both in step with certificates, whatever
-- writes them.
CREATE TABLE cert_cns (
	id INTEGER PRIMARY KEY,
	cn TEXT NOT NULL UNIQUE
);

CREATE TABLE cert_list (
	not_after  INTEGER NOT NULL,
	id         INTEGER NOT NULL,  -- certificates.id
	not_before INTEGER NOT NULL,
	current    INTEGER NOT NULL,  -- state = 'current'
	host_id    INTEGER NOT NULL,
	ca_id      INTEGER,
	cn_id      INTEGER NOT NULL,
	PRIMARY KEY (not_after, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX cert_list_id ON cert_list (id);
CREATE INDEX cert_list_host ON cert_list (host_id);
CREATE INDEX cert_list_cn ON cert_list (cn_id);
CREATE INDEX cert_list_ca ON cert_list (ca_id);
-- the state labels: the current ones, in the order
CREATE INDEX cert_list_current ON cert_list (current, not_after, id);

-- The CN of a Grid subject "/C=IT/.../CN=name/...": the text after the
-- last "/CN=" up to the next "/".  Every "/CN=" becomes char(1); rtrim
-- by every other character keeps the subject up to the last of them.
CREATE TRIGGER cert_list_insert AFTER INSERT ON certificates BEGIN
	INSERT OR IGNORE INTO cert_cns (cn) VALUES (
		CASE WHEN instr(new.subject, '/CN=') = 0 THEN '' ELSE
		substr(substr(replace(new.subject, '/CN=', char(1)),
		              length(rtrim(replace(new.subject, '/CN=', char(1)),
		                           replace(replace(new.subject, '/CN=', char(1)), char(1), ''))) + 1),
		       1, instr(substr(replace(new.subject, '/CN=', char(1)),
		                       length(rtrim(replace(new.subject, '/CN=', char(1)),
		                                    replace(replace(new.subject, '/CN=', char(1)), char(1), ''))) + 1)
		                || '/', '/') - 1) END);
	INSERT INTO cert_list (not_after, id, not_before, current, host_id, ca_id, cn_id)
	VALUES (new.not_after, new.id, new.not_before, new.state = 'current', new.host_id, new.ca_id,
		(SELECT id FROM cert_cns WHERE cn =
		CASE WHEN instr(new.subject, '/CN=') = 0 THEN '' ELSE
		substr(substr(replace(new.subject, '/CN=', char(1)),
		              length(rtrim(replace(new.subject, '/CN=', char(1)),
		                           replace(replace(new.subject, '/CN=', char(1)), char(1), ''))) + 1),
		       1, instr(substr(replace(new.subject, '/CN=', char(1)),
		                       length(rtrim(replace(new.subject, '/CN=', char(1)),
		                                    replace(replace(new.subject, '/CN=', char(1)), char(1), ''))) + 1)
		                || '/', '/') - 1) END));
END;

CREATE TRIGGER cert_list_delete AFTER DELETE ON certificates BEGIN
	DELETE FROM cert_list WHERE id = old.id;
END;

-- The subject and serial of a stored certificate do not change; what
-- does (state, install time) is copied without reading the subject.
CREATE TRIGGER cert_list_update
AFTER UPDATE OF not_after, not_before, state, host_id, ca_id ON certificates BEGIN
	UPDATE cert_list SET not_after = new.not_after, not_before = new.not_before,
		current = new.state = 'current', host_id = new.host_id, ca_id = new.ca_id
	WHERE id = old.id;
END;

CREATE TRIGGER cert_list_subject AFTER UPDATE OF subject ON certificates BEGIN
	INSERT OR IGNORE INTO cert_cns (cn) VALUES (
		CASE WHEN instr(new.subject, '/CN=') = 0 THEN '' ELSE
		substr(substr(replace(new.subject, '/CN=', char(1)),
		              length(rtrim(replace(new.subject, '/CN=', char(1)),
		                           replace(replace(new.subject, '/CN=', char(1)), char(1), ''))) + 1),
		       1, instr(substr(replace(new.subject, '/CN=', char(1)),
		                       length(rtrim(replace(new.subject, '/CN=', char(1)),
		                                    replace(replace(new.subject, '/CN=', char(1)), char(1), ''))) + 1)
		                || '/', '/') - 1) END);
	UPDATE cert_list SET cn_id = (SELECT id FROM cert_cns WHERE cn =
		CASE WHEN instr(new.subject, '/CN=') = 0 THEN '' ELSE
		substr(substr(replace(new.subject, '/CN=', char(1)),
		              length(rtrim(replace(new.subject, '/CN=', char(1)),
		                           replace(replace(new.subject, '/CN=', char(1)), char(1), ''))) + 1),
		       1, instr(substr(replace(new.subject, '/CN=', char(1)),
		                       length(rtrim(replace(new.subject, '/CN=', char(1)),
		                                    replace(replace(new.subject, '/CN=', char(1)), char(1), ''))) + 1)
		                || '/', '/') - 1) END)
	WHERE id = old.id;
END;

-- The certificates a store already holds.
INSERT OR IGNORE INTO cert_cns (cn)
	SELECT CASE WHEN instr(subject, '/CN=') = 0 THEN '' ELSE
		substr(substr(replace(subject, '/CN=', char(1)),
		              length(rtrim(replace(subject, '/CN=', char(1)),
		                           replace(replace(subject, '/CN=', char(1)), char(1), ''))) + 1),
		       1, instr(substr(replace(subject, '/CN=', char(1)),
		                       length(rtrim(replace(subject, '/CN=', char(1)),
		                                    replace(replace(subject, '/CN=', char(1)), char(1), ''))) + 1)
		                || '/', '/') - 1) END
	FROM certificates;
INSERT INTO cert_list (not_after, id, not_before, current, host_id, ca_id, cn_id)
	SELECT c.not_after, c.id, c.not_before, c.state = 'current', c.host_id, c.ca_id,
		(SELECT n.id FROM cert_cns n WHERE n.cn =
		CASE WHEN instr(c.subject, '/CN=') = 0 THEN '' ELSE
		substr(substr(replace(c.subject, '/CN=', char(1)),
		              length(rtrim(replace(c.subject, '/CN=', char(1)),
		                           replace(replace(c.subject, '/CN=', char(1)), char(1), ''))) + 1),
		       1, instr(substr(replace(c.subject, '/CN=', char(1)),
		                       length(rtrim(replace(c.subject, '/CN=', char(1)),
		                                    replace(replace(c.subject, '/CN=', char(1)), char(1), ''))) + 1)
		                || '/', '/') - 1) END)
	FROM certificates c;

-- The password list's order (hostspec, user, service): a page is an
-- index range, not a sort of every entry.
CREATE INDEX credentials_list ON credentials (hostspec, user, service);
