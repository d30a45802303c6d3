/* gridstore-fqan.c - per VO, the FQAN mapping table LCMAPS reads as its
 * voms-mapfile, kept in the order the operator gave; the port of a VOMS
 * server for its vomses line. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/lib.h"
#include "grid/gridstore.h"
#include "grid/private.h"
#include "base/i18n.h"

enum pt_status
gridstore_fqan_add(struct store *st, const char *vo, const char *fqan, const char *account,
                   struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int64_t id;
	int rc;

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	if ((ret = gs_vo_id(st, vo, &id, err)) != PT_OK)
		return ret;
	if ((ret = gridmap_check_fqan(vo, fqan, err)) != PT_OK)
		return ret;
	if (!gridmap_account_valid(account))
		return pt_fail(err, PT_INVALID, _("\"%s\" is not an account (NAME or .POOL)"),
		               account);
	ret = store_prepare(st,
	                    "INSERT INTO voms_fqan_maps (vo_id, seq, fqan, account, created_at)"
	                    " VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM voms_fqan_maps"
	                    " WHERE vo_id = ?1), ?2, ?3, ?4)",
	                    &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, fqan, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, account, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)time(NULL));
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return pt_fail(err, PT_EXISTS, _("VO %s already maps %s"), vo, fqan);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, err, _("add FQAN mapping"));
	return audit_appendf(st, "voms.map", vo, err, "fqan=%s account=%s", fqan, account);
}

enum pt_status
gridstore_fqan_rm(struct store *st, const char *vo, const char *fqan, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int64_t id;

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	if ((ret = gs_vo_id(st, vo, &id, err)) != PT_OK)
		return ret;
	ret = store_prepare(st, "DELETE FROM voms_fqan_maps WHERE vo_id = ? AND fqan = ?", &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, fqan, -1, SQLITE_STATIC);
	if ((ret = store_run(st, s, err, _("remove FQAN mapping"))) != PT_OK)
		return ret;
	if (sqlite3_changes(store_db(st)) == 0)
		return pt_fail(err, PT_NOTFOUND, _("VO %s does not map %s"), vo, fqan);
	return audit_appendf(st, "voms.unmap", vo, err, "fqan=%s", fqan);
}

enum pt_status
gridstore_fqan_foreach(struct store *st, const char *vo,
                       int (*cb)(const struct gs_fqan_map *m, void *ud), void *ud,
                       struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int64_t id;
	int rc;
	unsigned pos = 0;
	char lastvo[GRIDSTORE_MAX_VO + 1] = "";

	if (vo && (ret = gs_vo_id(st, vo, &id, err)) != PT_OK)
		return ret;
	ret = store_prepare(st,
	                    "SELECT v.name, m.fqan, m.account FROM voms_fqan_maps m"
	                    " JOIN vos v ON v.id = m.vo_id WHERE ?1 IS NULL OR v.name = ?1"
	                    " ORDER BY v.name, m.seq",
	                    &s, err);
	if (ret != PT_OK)
		return ret;
	if (vo)
		sqlite3_bind_text(s, 1, vo, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct gs_fqan_map m = {
			.vo = store_text(s, 0),
			.fqan = store_text(s, 1),
			.account = store_text(s, 2),
		};
		if (strcmp(lastvo, m.vo) != 0) {
			snprintf(lastvo, sizeof(lastvo), "%s", m.vo);
			pos = 0;
		}
		m.pos = ++pos;
		if (cb(&m, ud)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("read the FQAN mappings"));
}

enum pt_status
gridstore_voms_port(struct store *st, const char *vo, const char *host, unsigned port,
                    struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int64_t id;
	int rc;

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	if ((ret = gs_vo_id(st, vo, &id, err)) != PT_OK)
		return ret;
	if (port < 1 || port > 65535)
		return pt_fail(err, PT_INVALID, _("%u is not a port (1 to 65535)"), port);
	ret = store_prepare(st, "SELECT 1 FROM voms_servers WHERE vo_id = ? AND host = ?", &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, host, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return pt_fail(err, PT_NOTFOUND, _("VO %s has no VOMS server %s"), vo, host);
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, err, _("look up VOMS server"));
	ret = store_prepare(
		st, "INSERT OR REPLACE INTO voms_ports (vo_id, host, port) VALUES (?, ?, ?)", &s,
		err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, host, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, port);
	if ((ret = store_run(st, s, err, _("set the VOMS port"))) != PT_OK)
		return ret;
	return audit_appendf(st, "voms.port", vo, err, "host=%s port=%u", host, port);
}
