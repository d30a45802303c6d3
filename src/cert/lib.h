/* cert/lib.h - certificates: X.509 through GnuTLS and their place in the store.
 *
 *   x509.c            shared X.509 helpers (private.h), expiry bands
 *   x509-key.c        key types, private keys
 *   x509-csr.c        subject templates, CSRs
 *   x509-cert.c       certificate facts, DN text, key/certificate matching
 *   x509-chain.c      CA bundles, chain verification (indexed trust sets)
 *   x509-formats.c    delivery formats: PKCS#7, PKCS#12, encrypted keys
 *   cert.c            CAs and certificate status in the store; helpers (private.h)
 *   cert-request.c    host keys and certificate requests in the store
 *   cert-import.c     certificates into the store: import, adopt, listing rows
 *   cert-batch.c      files as CAs deliver them: chains into CA bundles, then leaves
 *   inventory.c       the list rows the console pages through; host page reads
 *   inventory-list.c  the certificates screen's list and its query planner
 *   report.c          the expiry report (text, CSV, JSON, iCalendar)
 *   igtf-parse.c      .namespaces and .signing_policy parsers, subject patterns
 *   igtf.c            IGTF trust anchors in the store, the namespace check
 *   crl.c             CRLs: import verified against their issuer, the revoked set
 *   ack.c             acknowledged warnings
 *   dash.c            the dashboard's certificate picture: bands, calendar months
 *
 * Stands on base/, store/ and site/; never on grid/ or engine/. */
#ifndef PASSTORE_CERT_LIB_H
#define PASSTORE_CERT_LIB_H

#include "cert/x509.h"
#include "cert/cert.h"
#include "cert/inventory.h"
#include "cert/report.h"
#include "cert/trust.h"
#include "cert/dash.h"

#endif
