/* site/lib.h - the site: hosts, groups, host specs and service passwords.
 *
 *   model.c     hosts, groups, backup records, audit and certificate pages
 *   model-pw.c  password entries, their history, generated secrets
 *   hostspec.c  FQDN, brace and range expansion, @group, entry names
 *   hostset.c   a host spec resolved to the hosts of the store (CLI and console)
 *   profile.c   a host's install profile (files, owners, modes, copies, reload, check)
 *
 * Stands on base/ and store/. */
#ifndef PASSTORE_SITE_LIB_H
#define PASSTORE_SITE_LIB_H

#include "site/model.h"
#include "site/hostspec.h"
#include "site/hostset.h"
#include "site/profile.h"

#endif
