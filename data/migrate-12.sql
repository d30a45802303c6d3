-- Schema 12: the expiry report reads an index, not the table.  The
-- report wants the current certificates in the order not_after, host,
-- with a few short columns each; a partial covering index holds exactly
-- that, so the report reads its pages in order (about two thirds of the
-- table's bytes, and no superseded row) and sorts nothing.  The rowid
-- (certificates.id) comes with every index entry; state is a column too,
-- or SQLite 3.15 (SQLCipher 3) reads the table to test the WHERE term.
CREATE INDEX IF NOT EXISTS certificates_report
	ON certificates (not_after, fqdn, subject, issuer, serial, ca_id, not_before, state)
	WHERE state = 'current';
