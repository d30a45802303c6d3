-- Schema 14: certificates found by issuer and serial.  A CRL names what
-- it revokes by issuer and serial; the listing's band filters leave out
-- the revoked certificates by looking each CRL entry up here, instead of
-- reading every certificate to match them (50 ms of a 100,000-certificate
-- count, with an empty CRL).
CREATE INDEX IF NOT EXISTS certificates_issuer_serial ON certificates (issuer, serial);
