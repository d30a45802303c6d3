/* grid/lib.h - Grid authorization, built offline.
 *
 *   gridmap.c    member lists, mkgridmap rules, grid-mapfile and .lsc builds
 *   gridstore.c  VOs, snapshots, rules, bans, local entries, VOMS servers
 *   voms.c       certificates and proxies read, VOMS attributes decoded
 *
 * Stands on base/, store/, site/ and cert/; never on engine/. */
#ifndef PASSTORE_GRID_LIB_H
#define PASSTORE_GRID_LIB_H

#include "grid/gridmap.h"
#include "grid/gridstore.h"
#include "grid/voms.h"

#endif
