/* grid/lib.h - Grid authorization, built offline.
 *
 *   gridmap.c          the parsers' helpers: text split into lines, messages
 *   gridmap-members.c  member lists: plain, CSV, LDIF, grid-mapfile-local
 *   gridmap-iam.c      member lists: INDIGO IAM SCIM user listings
 *   gridmap-rules.c    mkgridmap rules, DN patterns compiled
 *   gridmap-build.c    a grid-mapfile built from members, rules, bans
 *   gridmap-lsc.c      .lsc files of VOMS servers
 *   gridmap-authz.c    voms-mapfile, ban-mapfile and vomses texts
 *   gridstore.c        VOs and member snapshots in the store
 *   gridstore-rules.c  the rules of hosts and groups in the store
 *   gridstore-local.c  bans, local entries, VOMS servers in the store
 *   gridstore-build.c  a host's build from the store, pushes recorded
 *   gridstore-fqan.c   FQAN mappings per VO, VOMS server ports
 *   gridstore-lsc.c    VOMS servers' chains against the store's CAs
 *   gridstore-diff.c   what was pushed per host and file, a build's diff
 *   voms.c             the ASN.1 definitions, their readers, FQANs
 *   voms-ac.c          VOMS attribute certificates decoded
 *   voms-cert.c        certificates and proxies inspected, PEM read
 *   private.h          what these files share, not API
 *
 * Stands on base/, store/, site/ and cert/; never on engine/. */
#ifndef PASSTORE_GRID_LIB_H
#define PASSTORE_GRID_LIB_H

#include "grid/gridmap.h"
#include "grid/gridstore.h"
#include "grid/voms.h"

#endif
