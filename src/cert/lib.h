/* cert/lib.h - certificates: X.509 through GnuTLS and their place in the store.
 *
 *   x509.c       keys, subject templates, CSRs, certificate facts, chains
 *   cert.c       CAs, host keys, requests and certificates in the store
 *   inventory.c  the list rows the console pages through; host page reads
 *   report.c     the expiry report (text, CSV, JSON)
 *
 * Stands on base/, store/ and site/; never on grid/ or engine/. */
#ifndef PASSTORE_CERT_LIB_H
#define PASSTORE_CERT_LIB_H

#include "cert/x509.h"
#include "cert/cert.h"
#include "cert/inventory.h"
#include "cert/report.h"

#endif
