/* flows-grid.h - Grid authorization through the engine: a host's
 * grid-mapfile and vomsdir files to that host, a VO's member list from
 * the operator's outbox. */
#ifndef PASSTORE_FLOWS_GRID_H
#define PASSTORE_FLOWS_GRID_H

#include <stddef.h>

#include "grid/lib.h"
#include "base/lib.h"
#include "store/lib.h"
#include "engine/transfer.h"

/* Build what host fqdn needs now and send it there in one window: the
 * grid-mapfile to its host.FQDN.gridmapfile path, each .lsc under its
 * host.FQDN.vomsdir (the VO's directory made when missing), every file
 * written atomically with mode 0644 and read back.  The push is recorded
 * with the build's sha256, "ok" or "failed" (a build that fails sends
 * nothing and records nothing).  *built (may be NULL) gets the build.
 * o: the first-contact fingerprint and the progress hook, as for
 * transfer_flow; this is transfer_flow("gridmap-push") with o->built. */
enum pt_status transfer_gridmap_push(struct store *st, const char *fqdn,
                                     const struct transfer_opts *o, struct gs_build **built,
                                     struct transfer_result *res, struct pt_err *err);

/* Files of the operator's outbox that are VO vo's member list: "VO.txt",
 * "VO.csv", "VO.ldif" or "VO.members"; the newest is taken.  *data
 * (malloc'd, NUL-terminated) and *name get it; nothing is imported here
 * (the caller shows the diff and imports it).  PT_NOTFOUND when the VO is
 * unknown or the outbox has no list for it.  transfer_flow("fetch-vo")
 * with o->vo_data, vo_len and vo_name. */
enum pt_status transfer_fetch_vo(struct store *st, const char *vo, const struct transfer_opts *o,
                                 char **data, size_t *len, char **name, struct transfer_result *res,
                                 struct pt_err *err);

#endif
