-- Schema 7: the certificates listing (schema 6) is no longer kept by an
-- AFTER INSERT trigger.  A trigger makes every insert into certificates
-- keep a statement journal, and SQLCipher encrypts each page of it: a
-- batch of 10k certificates took twice as long.  The import path lists
-- what it stores (cert.c); cert_list_sync lists rows written otherwise.
-- Updates, deletes and subject changes stay with their triggers.
DROP TRIGGER cert_list_insert;
