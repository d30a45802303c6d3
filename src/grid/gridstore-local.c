/* gridstore-local.c - what a site adds to the VOs' lists: bans, local
 * grid-mapfile entries and the VOMS servers its .lsc files name. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/lib.h"
#include "grid/gridstore.h"
#include "grid/private.h"
#include "base/i18n.h"

/* ---- bans and local entries -------------------------------------------- */

static enum pt_status
check_text(const char *what, const char *s, struct pt_err *err)
{
	if (!*s)
		return pt_fail(err, PT_INVALID, _("empty %s"), what);
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return pt_fail(err, PT_INVALID, _("%s with a control character"), what);
	if (strlen(s) > GRIDMAP_MAX_DN)
		return pt_fail(err, PT_INVALID, _("%s longer than %d bytes"), what, GRIDMAP_MAX_DN);
	return PT_OK;
}

enum pt_status
gridstore_ban(struct store *st, const char *pattern, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	if ((ret = check_text(_("ban"), pattern, err)) != PT_OK)
		return ret;
	if (pattern[0] != '/' && pattern[0] != '*')
		return pt_fail(err, PT_INVALID,
		               _("\"%s\" is not a DN or pattern in /C=../CN=.. form"), pattern);
	ret = store_prepare(st, "INSERT INTO gm_bans (pattern, created_at) VALUES (?, ?)", &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, pattern, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)time(NULL));
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return pt_fail(err, PT_EXISTS, _("%s is already banned"), pattern);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, err, _("add ban"));
	return audit_append(st, "gridmap.ban", pattern, "", err);
}

enum pt_status
gridstore_unban(struct store *st, const char *pattern, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	if ((ret = store_prepare(st, "DELETE FROM gm_bans WHERE pattern = ?", &s, err)) != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, pattern, -1, SQLITE_STATIC);
	if ((ret = store_run(st, s, err, _("remove ban"))) != PT_OK)
		return ret;
	if (sqlite3_changes(store_db(st)) == 0)
		return pt_fail(err, PT_NOTFOUND, _("%s is not banned"), pattern);
	return audit_append(st, "gridmap.unban", pattern, "", err);
}

enum pt_status
gridstore_ban_foreach(struct store *st, int (*cb)(const char *pattern, time_t at, void *ud),
                      void *ud, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	ret = store_prepare(st, "SELECT pattern, created_at FROM gm_bans ORDER BY pattern", &s,
	                    err);
	if (ret != PT_OK)
		return ret;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb(store_text(s, 0), (time_t)sqlite3_column_int64(s, 1), ud)) {
			rc = SQLITE_DONE;
			break;
		}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("read the bans"));
}

enum pt_status
gridstore_local_add(struct store *st, const char *dn, const char *account, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	if ((ret = check_text(_("DN"), dn, err)) != PT_OK ||
	    (ret = gridmap_check_dn(_("DN"), 0, dn, err)) != PT_OK)
		return ret;
	if (strchr(dn, '"') || dn[strlen(dn) - 1] == '\\')
		return pt_fail(
			err, PT_INVALID,
			_("a DN with a double quote or a trailing backslash cannot be written in a grid-mapfile"));
	if (!gridmap_account_valid(account))
		return pt_fail(err, PT_INVALID, _("\"%s\" is not an account (NAME or .POOL)"),
		               account);
	ret = store_prepare(st, "INSERT INTO gm_local (dn, account, created_at) VALUES (?, ?, ?)",
	                    &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, dn, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, account, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)time(NULL));
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return pt_fail(err, PT_EXISTS, _("%s already has a local entry"), dn);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, err, _("add local entry"));
	return audit_append(st, "gridmap.local.add", dn, account, err);
}

enum pt_status
gridstore_local_rm(struct store *st, const char *dn, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	if ((ret = store_prepare(st, "DELETE FROM gm_local WHERE dn = ?", &s, err)) != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, dn, -1, SQLITE_STATIC);
	if ((ret = store_run(st, s, err, _("remove local entry"))) != PT_OK)
		return ret;
	if (sqlite3_changes(store_db(st)) == 0)
		return pt_fail(err, PT_NOTFOUND, _("no local entry for %s"), dn);
	return audit_append(st, "gridmap.local.rm", dn, "", err);
}

enum pt_status
gridstore_local_foreach(struct store *st, int (*cb)(const char *dn, const char *account, void *ud),
                        void *ud, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	ret = store_prepare(st, "SELECT dn, account FROM gm_local ORDER BY dn", &s, err);
	if (ret != PT_OK)
		return ret;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb(store_text(s, 0), store_text(s, 1), ud)) {
			rc = SQLITE_DONE;
			break;
		}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("read the local entries"));
}

/* ---- VOMS servers ------------------------------------------------------------ */

/* Split "DN;DN;..." into trimmed DNs, in place. */
static size_t
split_chain(char *s, char **dns, size_t max)
{
	size_t n = 0;
	char *p = s;

	while (p && n < max) {
		char *e = strchr(p, GRIDSTORE_CHAIN_SEP), *a, *b;

		if (e)
			*e = '\0';
		for (a = p; *a == ' ' || *a == '\t'; a++)
			;
		for (b = a + strlen(a); b > a && (b[-1] == ' ' || b[-1] == '\t'); b--)
			;
		*b = '\0';
		dns[n++] = a;
		p = e ? e + 1 : NULL;
	}
	return p ? max + 1 : n;
}

#define MAX_CHAIN 8
#define MAX_CHAINS 8

/* The .lsc text of a server from its fields. */
enum pt_status
gs_lsc_of(const char *server_dn, const char *ca_dn, const char *chains, char **out,
          struct pt_err *err)
{
	struct gm_cert certs[MAX_CHAINS + 1][MAX_CHAIN];
	struct gm_chain ch[MAX_CHAINS + 1];
	char *copy = strdup(chains), *line, *save = NULL;
	size_t nch = 1;
	enum pt_status ret;

	if (!copy)
		return gs_nomem(err);
	certs[0][0] = (struct gm_cert){ server_dn, ca_dn };
	ch[0] = (struct gm_chain){ certs[0], 1 };
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *dns[MAX_CHAIN + 1];
		size_t n = split_chain(line, dns, MAX_CHAIN + 1);

		if (nch > MAX_CHAINS) {
			free(copy);
			return pt_fail(err, PT_INVALID, _("more than %d alternative chains"),
			               MAX_CHAINS);
		}
		if (n < 2 || n > MAX_CHAIN + 1) {
			/* line points into copy: the message first */
			ret = pt_fail(
				err, PT_INVALID,
				_("a chain is \"SERVER-DN;ISSUER-DN[;ISSUER-DN...]\" (at most %d issuers): \"%s\""),
				MAX_CHAIN, line);
			free(copy);
			return ret;
		}
		/* another chain of the same server: renewed under another CA */
		if (strcmp(dns[0], server_dn) != 0) {
			ret = pt_fail(
				err, PT_INVALID,
				_("an alternative chain starts with the server's DN %s, not %s"),
				server_dn, dns[0]);
			free(copy);
			return ret;
		}
		for (size_t i = 0; i + 1 < n; i++)
			certs[nch][i] = (struct gm_cert){ dns[i], dns[i + 1] };
		ch[nch] = (struct gm_chain){ certs[nch], n - 1 };
		nch++;
	}
	ret = gridmap_lsc(ch, nch, out, err);
	free(copy);
	return ret;
}

enum pt_status
gridstore_voms_add(struct store *st, const char *vo, const char *host, const char *server_dn,
                   const char *ca_dn, const char *const *chains, size_t nchains, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	char *joined = NULL, *lsc = NULL;
	size_t len = 1;
	int64_t id;

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	if ((ret = gs_vo_id(st, vo, &id, err)) != PT_OK)
		return ret;
	if (!*host || strpbrk(host, "/ \t\r\n") || strlen(host) > 253 || host[0] == '.')
		return pt_fail(err, PT_INVALID, _("\"%s\" is not a host name"), host);
	if ((ret = gridmap_check_dn(_("server DN"), 0, server_dn, err)) != PT_OK ||
	    (ret = gridmap_check_dn(_("CA DN"), 0, ca_dn, err)) != PT_OK)
		return ret;
	for (size_t i = 0; i < nchains; i++) {
		if (strchr(chains[i], '\n'))
			return pt_fail(err, PT_INVALID, _("a chain is one line"));
		len += strlen(chains[i]) + 1;
	}
	if ((joined = calloc(1, len)) == NULL)
		return gs_nomem(err);
	for (size_t i = 0; i < nchains; i++) {
		if (i)
			strcat(joined, "\n");
		strcat(joined, chains[i]);
	}
	if ((ret = gs_lsc_of(server_dn, ca_dn, joined, &lsc, err)) != PT_OK)
		goto out;
	ret = store_prepare(st,
	                    "INSERT OR REPLACE INTO voms_servers (vo_id, host, server_dn, ca_dn,"
	                    " chains, created_at) VALUES (?, ?, ?, ?, ?, ?)",
	                    &s, err);
	if (ret != PT_OK)
		goto out;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, host, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, server_dn, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, ca_dn, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, joined, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)time(NULL));
	if ((ret = store_run(st, s, err, _("add VOMS server"))) != PT_OK)
		goto out;
	ret = audit_appendf(st, "voms.add", vo, err, "host=%s dn=%s chains=%zu", host, server_dn,
	                    nchains);
out:
	free(joined);
	free(lsc);
	return ret;
}

enum pt_status
gridstore_voms_foreach(struct store *st, const char *vo,
                       int (*cb)(const struct gs_voms *v, void *ud), void *ud, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	ret = store_prepare(
		st,
		"SELECT v.name, s.host, s.server_dn, s.ca_dn, s.chains, coalesce(p.port, 15000)"
		" FROM voms_servers s JOIN vos v ON v.id = s.vo_id LEFT JOIN voms_ports p"
		" ON p.vo_id = s.vo_id AND p.host = s.host WHERE ?1 IS NULL OR v.name = ?1"
		" ORDER BY v.name, s.host",
		&s, err);
	if (ret != PT_OK)
		return ret;
	if (vo)
		sqlite3_bind_text(s, 1, vo, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct gs_voms v = {
			.vo = store_text(s, 0),
			.host = store_text(s, 1),
			.server_dn = store_text(s, 2),
			.ca_dn = store_text(s, 3),
			.chains = store_text(s, 4),
			.port = (unsigned)sqlite3_column_int(s, 5),
		};
		if (*v.chains) {
			v.nchains = 1;
			for (const char *p = v.chains; *p; p++)
				v.nchains += *p == '\n';
		}
		if (cb(&v, ud)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("read the VOMS servers"));
}

enum pt_status
gridstore_voms_rm(struct store *st, const char *vo, const char *host, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int64_t id;
	int gone;

	if ((ret = store_need_tx(st, err)) != PT_OK || (ret = gs_vo_id(st, vo, &id, err)) != PT_OK)
		return ret;
	ret = store_prepare(st, "DELETE FROM voms_servers WHERE vo_id = ? AND host = ?", &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, host, -1, SQLITE_STATIC);
	if ((ret = store_run(st, s, err, _("remove VOMS server"))) != PT_OK)
		return ret;
	if ((gone = sqlite3_changes(store_db(st))) == 0)
		return pt_fail(err, PT_NOTFOUND, _("VO %s has no VOMS server %s"), vo, host);
	/* its port belongs to its vomses line: a server added again starts afresh */
	ret = store_prepare(st, "DELETE FROM voms_ports WHERE vo_id = ? AND host = ?", &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, host, -1, SQLITE_STATIC);
	if ((ret = store_run(st, s, err, _("remove VOMS server"))) != PT_OK)
		return ret;
	return audit_appendf(st, "voms.rm", vo, err, "host=%s", host);
}

struct lsc_find {
	const char *host;
	char *lsc;
	enum pt_status ret;
	struct pt_err *err;
	int seen;
};

static int
lsc_find_cb(const struct gs_voms *v, void *ud)
{
	struct lsc_find *f = ud;

	if (strcmp(v->host, f->host) != 0)
		return 0;
	f->seen = 1;
	f->ret = gs_lsc_of(v->server_dn, v->ca_dn, v->chains, &f->lsc, f->err);
	return 1;
}

enum pt_status
gridstore_voms_lsc(struct store *st, const char *vo, const char *host, char **out,
                   struct pt_err *err)
{
	struct lsc_find f = { host, NULL, PT_OK, err, 0 };
	enum pt_status ret;
	int64_t id;

	*out = NULL;
	if ((ret = gs_vo_id(st, vo, &id, err)) != PT_OK)
		return ret;
	if ((ret = gridstore_voms_foreach(st, vo, lsc_find_cb, &f, err)) != PT_OK)
		return ret;
	if (!f.seen)
		return pt_fail(err, PT_NOTFOUND, _("VO %s has no VOMS server %s"), vo, host);
	if (f.ret == PT_OK)
		*out = f.lsc;
	return f.ret;
}
