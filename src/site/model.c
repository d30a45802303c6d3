/* model.c - hosts, groups, backup records, audit and certificate pages in
 * the store; the credentials are in model-pw.c. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <arpa/inet.h>
#include <stdbool.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/lib.h"
#include "base/i18n.h"
#include "site/model.h"
#include "base/lib.h"

static int
valid_ip(const char *ip)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, ip, buf) == 1 || inet_pton(AF_INET6, ip, buf) == 1;
}

static int
valid_group(const char *g)
{
	if (!*g || strlen(g) > 64)
		return 0;
	for (; *g; g++)
		if (!(('a' <= *g && *g <= 'z') || ('A' <= *g && *g <= 'Z') ||
		      ('0' <= *g && *g <= '9') || *g == '.' || *g == '_' || *g == '-'))
			return 0;
	return 1;
}

static enum pt_status
group_id(struct store *st, const char *name, int create, int64_t *id, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	ret = store_prepare(st, "SELECT id FROM groups WHERE name = ?", &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
		return PT_OK;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, err, _("look up group"));
	if (!create)
		return pt_fail(err, PT_NOTFOUND, _("no group \"%s\""), name);
	ret = store_prepare(st, "INSERT INTO groups (name, created_at) VALUES (?, ?)", &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)time(NULL));
	ret = store_run(st, s, err, _("add group"));
	if (ret != PT_OK)
		return ret;
	*id = sqlite3_last_insert_rowid(store_db(st));
	return audit_append(st, "group.add", name, "", err);
}

enum pt_status
model_host_add(struct store *st, const char *fqdn, const char *ip, int port,
               const char *const *groups, size_t ngroups, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int64_t hid, gid;
	time_t now = time(NULL);
	int rc;

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	if (ip && *ip && !valid_ip(ip))
		return pt_fail(err, PT_INVALID, _("\"%s\" is not an IPv4 or IPv6 address"), ip);
	if (port < 1 || port > 65535)
		return pt_fail(err, PT_INVALID, _("port %d is out of range (1-65535)"), port);
	for (size_t i = 0; i < ngroups; i++)
		if (!valid_group(groups[i]))
			return pt_fail(
				err, PT_INVALID,
				_("\"%s\" is not a group name (letters, digits, \".\", \"_\", \"-\")"),
				groups[i]);
	ret = store_prepare(
		st,
		"INSERT INTO hosts (fqdn, ip, port, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
		&s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, fqdn, -1, SQLITE_STATIC);
	if (ip && *ip)
		sqlite3_bind_text(s, 2, ip, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, port);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)now);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)now);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return pt_fail(err, PT_EXISTS, _("host %s already exists"), fqdn);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, err, _("add host"));
	hid = sqlite3_last_insert_rowid(store_db(st));
	for (size_t i = 0; i < ngroups; i++) {
		ret = group_id(st, groups[i], 1, &gid, err);
		if (ret != PT_OK)
			return ret;
		ret = store_prepare(
			st, "INSERT OR IGNORE INTO host_groups (host_id, group_id) VALUES (?, ?)",
			&s, err);
		if (ret != PT_OK)
			return ret;
		sqlite3_bind_int64(s, 1, hid);
		sqlite3_bind_int64(s, 2, gid);
		ret = store_run(st, s, err, _("add host to group"));
		if (ret != PT_OK)
			return ret;
	}
	return audit_appendf(st, "host.add", fqdn, err, "ip=%s port=%d groups=%zu",
	                     ip && *ip ? ip : "-", port, ngroups);
}

enum pt_status
model_host_rm(struct store *st, const char *fqdn, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int64_t id, creds, keys;
	int rc;

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	ret = store_prepare(
		st,
		"SELECT h.id, (SELECT count(*) FROM credential_hosts c WHERE c.host_id = h.id),"
		" (SELECT count(*) FROM keys k WHERE k.host_id = h.id)"
		" FROM hosts h WHERE h.fqdn = ?",
		&s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, fqdn, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		if (rc == SQLITE_DONE)
			return pt_fail(err, PT_NOTFOUND, _("no host %s"), fqdn);
		return store_fail(st, rc, err, _("look up host"));
	}
	id = sqlite3_column_int64(s, 0);
	creds = sqlite3_column_int64(s, 1);
	keys = sqlite3_column_int64(s, 2);
	sqlite3_finalize(s);
	/* its private keys would be lost with it: never by a plain host rm */
	if (keys > 0)
		return pt_fail(
			err, PT_REFUSED,
			_("host %s still has private keys in the store (%lld), with their requests and certificates: they are not removed with the host"),
			fqdn, (long long)keys);
	if (creds > 0)
		return pt_fail(
			err, PT_REFUSED,
			_("host %s is still covered by password entries (%lld): remove them first (passtore pw list %s)"),
			fqdn, (long long)creds, fqdn);
	ret = store_prepare(st, "DELETE FROM hosts WHERE id = ?", &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, id);
	ret = store_run(st, s, err, _("remove host"));
	if (ret != PT_OK)
		return ret;
	return audit_append(st, "host.rm", fqdn, "", err);
}

/* Set or clear (ungroup) one membership; changed tells whether a row moved. */
static enum pt_status
host_group_set(struct store *st, int64_t hid, const char *group, bool member, bool *changed,
               struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int64_t gid;

	ret = group_id(st, group, member, &gid, err);
	if (!member && ret == PT_NOTFOUND) {
		pt_err_clear(err);
		return PT_OK; /* not in a group nobody has: nothing to take away */
	}
	if (ret != PT_OK)
		return ret;
	ret = store_prepare(
		st,
		member ? "INSERT OR IGNORE INTO host_groups (host_id, group_id) VALUES (?, ?)"
		       : "DELETE FROM host_groups WHERE host_id = ? AND group_id = ?",
		&s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, hid);
	sqlite3_bind_int64(s, 2, gid);
	ret = store_run(st, s, err, _("change the host's groups"));
	if (ret == PT_OK && sqlite3_changes(store_db(st)) > 0)
		*changed = true;
	return ret;
}

static enum pt_status
host_set_check(const struct host_change *ch, struct pt_err *err)
{
	if (ch->ip && *ch->ip && !valid_ip(ch->ip))
		return pt_fail(err, PT_INVALID, _("\"%s\" is not an IPv4 or IPv6 address"), ch->ip);
	if (ch->port != 0 && (ch->port < 1 || ch->port > 65535))
		return pt_fail(err, PT_INVALID, _("port %d is out of range (1-65535)"), ch->port);
	for (size_t i = 0; i < ch->nadd + ch->ndel; i++) {
		const char *g = i < ch->nadd ? ch->add[i] : ch->del[i - ch->nadd];
		if (!valid_group(g))
			return pt_fail(
				err, PT_INVALID,
				_("\"%s\" is not a group name (letters, digits, \".\", \"_\", \"-\")"),
				g);
	}
	return PT_OK;
}

enum pt_status
model_host_set(struct store *st, const char *fqdn, const struct host_change *ch, bool *changed,
               struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	bool moved = false;
	int64_t hid;
	int rc;

	if (changed)
		*changed = false;
	if ((ret = store_need_tx(st, err)) != PT_OK || (ret = host_set_check(ch, err)) != PT_OK)
		return ret;
	if ((ret = model_host_ids(st, (char *const *)&fqdn, 1, &hid, err)) != PT_OK)
		return ret;
	ret = store_prepare(st,
	                    "UPDATE hosts SET ip = CASE WHEN ?1 THEN nullif(?2, '') ELSE ip END,"
	                    " port = CASE WHEN ?3 > 0 THEN ?3 ELSE port END WHERE id = ?4"
	                    " AND (?1 AND coalesce(ip, '') IS NOT ?2 OR ?3 > 0 AND port IS NOT ?3)",
	                    &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int(s, 1, ch->ip != NULL);
	sqlite3_bind_text(s, 2, ch->ip ? ch->ip : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, ch->port);
	sqlite3_bind_int64(s, 4, hid);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, err, _("change host"));
	moved = sqlite3_changes(store_db(st)) > 0;
	for (size_t i = 0; ret == PT_OK && i < ch->ndel; i++)
		ret = host_group_set(st, hid, ch->del[i], false, &moved, err);
	for (size_t i = 0; ret == PT_OK && i < ch->nadd; i++)
		ret = host_group_set(st, hid, ch->add[i], true, &moved, err);
	if (ret != PT_OK || !moved)
		return ret;
	if (changed)
		*changed = true;
	ret = store_prepare(st, "UPDATE hosts SET updated_at = ? WHERE id = ?", &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)time(NULL));
	sqlite3_bind_int64(s, 2, hid);
	if ((ret = store_run(st, s, err, _("change host"))) != PT_OK)
		return ret;
	return audit_appendf(st, "host.set", fqdn, err, "ip=%s port=%d +groups=%zu -groups=%zu",
	                     ch->ip ? (*ch->ip ? ch->ip : "none") : "=", ch->port, ch->nadd,
	                     ch->ndel);
}

#define HOST_SELECT \
	"SELECT h.id, h.fqdn, coalesce(h.ip, ''), h.port, h.created_at, h.updated_at," \
	" coalesce((SELECT group_concat(name, ',') FROM (SELECT g.name FROM groups g" \
	"   JOIN host_groups hg ON hg.group_id = g.id WHERE hg.host_id = h.id ORDER BY g.name)), '')," \
	" (SELECT count(*) FROM credential_hosts c WHERE c.host_id = h.id)" \
	" FROM hosts h "

static enum pt_status
host_rows(struct store *st, sqlite3_stmt *s, int (*cb)(const struct host *h, void *ud), void *ud,
          int *seen, struct pt_err *err)
{
	int rc;

	*seen = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct host h = {
			.id = sqlite3_column_int64(s, 0),
			.fqdn = store_text(s, 1),
			.ip = store_text(s, 2),
			.port = sqlite3_column_int(s, 3),
			.created_at = (time_t)sqlite3_column_int64(s, 4),
			.updated_at = (time_t)sqlite3_column_int64(s, 5),
			.groups = store_text(s, 6),
			.credentials = sqlite3_column_int64(s, 7),
		};
		(*seen)++;
		if (cb(&h, ud)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("read the host list"));
}

enum pt_status
model_host_get(struct store *st, const char *fqdn, int (*cb)(const struct host *h, void *ud),
               void *ud, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int seen;

	ret = store_prepare(st, HOST_SELECT "WHERE h.fqdn = ?", &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, fqdn, -1, SQLITE_STATIC);
	ret = host_rows(st, s, cb, ud, &seen, err);
	if (ret == PT_OK && !seen)
		ret = pt_fail(err, PT_NOTFOUND, _("no host %s"), fqdn);
	return ret;
}

enum pt_status
model_host_foreach(struct store *st, const char *filter, int (*cb)(const struct host *h, void *ud),
                   void *ud, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int seen;

	ret = store_prepare(st,
	                    HOST_SELECT "WHERE ?1 IS NULL OR instr(h.fqdn, ?1) > 0 ORDER BY h.fqdn",
	                    &s, err);
	if (ret != PT_OK)
		return ret;
	if (filter)
		sqlite3_bind_text(s, 1, filter, -1, SQLITE_STATIC);
	return host_rows(st, s, cb, ud, &seen, err);
}

/* The filter of a host page: the columns a host list shows.  A group is
 * matched through the (few) matching group names, not by building every
 * host's list of groups; only a filter with a comma, which can span two
 * names of that list, needs the list itself.  Port and password count are
 * numbers: only a filter of digits can match them. */
#define HOST_PAGE_FILTER(GROUPS, DIGITS) \
	" AND (instr(lower(h.fqdn), lower(?2)) OR instr(lower(coalesce(h.ip, '')), lower(?2))" GROUPS \
		DIGITS ")"
#define HOST_GROUP_BY_NAME \
	" OR h.id IN (SELECT hg.host_id FROM host_groups hg WHERE hg.group_id IN" \
	"   (SELECT g.id FROM groups g WHERE instr(lower(g.name), lower(?2))))"
#define HOST_GROUP_LIST \
	" OR instr(lower((SELECT group_concat(name, ',') FROM (SELECT g.name FROM groups g" \
	"   JOIN host_groups hg ON hg.group_id = g.id WHERE hg.host_id = h.id ORDER BY g.name)))," \
	"   lower(?2))"
#define HOST_DIGITS \
	" OR instr(h.port, ?2)" \
	" OR instr((SELECT count(*) FROM credential_hosts c WHERE c.host_id = h.id), ?2)"

enum pt_status
model_host_page(struct store *st, const char *filter, const char *after, size_t limit,
                int (*cb)(const struct host *h, void *ud), void *ud, struct pt_err *err)
{
	/* [after][filter: none, plain, digits, comma, comma and digits] */
	static const char *const sql[2][5] = {
#define HOST_PAGE(AFTER, FILTER) HOST_SELECT "WHERE 1" AFTER FILTER " ORDER BY h.fqdn LIMIT ?3"
#define HOST_PAGES(AFTER) \
	{ HOST_PAGE(AFTER, ""), HOST_PAGE(AFTER, HOST_PAGE_FILTER(HOST_GROUP_BY_NAME, "")), \
	  HOST_PAGE(AFTER, HOST_PAGE_FILTER(HOST_GROUP_BY_NAME, HOST_DIGITS)), \
	  HOST_PAGE(AFTER, HOST_PAGE_FILTER(HOST_GROUP_LIST, "")), \
	  HOST_PAGE(AFTER, HOST_PAGE_FILTER(HOST_GROUP_LIST, HOST_DIGITS)) }
		HOST_PAGES(""),
		/* a range of the fqdn index: a deep page costs what the first does */
		HOST_PAGES(" AND h.fqdn > ?1"),
#undef HOST_PAGES
#undef HOST_PAGE
	};
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int f = 0, seen;

	if (filter && *filter) {
		bool digits = strspn(filter, "0123456789") == strlen(filter);
		f = strchr(filter, ',') ? (digits ? 4 : 3) : digits ? 2 : 1;
	}
	ret = store_prepare(st, sql[after != NULL][f], &s, err);
	if (ret != PT_OK)
		return ret;
	if (after)
		sqlite3_bind_text(s, 1, after, -1, SQLITE_STATIC);
	if (f)
		sqlite3_bind_text(s, 2, filter, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, limit ? (sqlite3_int64)limit : -1);
	return host_rows(st, s, cb, ud, &seen, err);
}

enum pt_status
model_host_ids(struct store *st, char *const *names, size_t n, int64_t *ids, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	ret = store_prepare(st, "SELECT id FROM hosts WHERE fqdn = ?", &s, err);
	if (ret != PT_OK)
		return ret;
	for (size_t i = 0; i < n; i++) {
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, names[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			ids[i] = sqlite3_column_int64(s, 0);
			continue;
		}
		sqlite3_finalize(s);
		if (rc == SQLITE_DONE)
			return pt_fail(
				err, PT_NOTFOUND,
				_("unknown host %s (add it first with \"passtore host add %s\")"),
				names[i], names[i]);
		return store_fail(st, rc, err, _("look up host"));
	}
	sqlite3_finalize(s);
	return PT_OK;
}

enum pt_status
model_group_hosts(struct store *st, const char *group, int64_t **ids, char ***names, size_t *n,
                  struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	size_t cap = 0;
	int64_t gid;
	int rc;

	*ids = NULL;
	*names = NULL;
	*n = 0;
	ret = group_id(st, group, 0, &gid, err);
	if (ret != PT_OK)
		return ret;
	ret = store_prepare(
		st,
		"SELECT h.id, h.fqdn FROM hosts h JOIN host_groups hg ON hg.host_id = h.id"
		" WHERE hg.group_id = ? ORDER BY h.fqdn",
		&s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, gid);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			int64_t *ni = realloc(*ids, ncap * sizeof(**ids));
			char **nn = ni ? realloc(*names, ncap * sizeof(**names)) : NULL;
			if (ni)
				*ids = ni;
			if (nn)
				*names = nn;
			if (!ni || !nn) {
				rc = SQLITE_NOMEM;
				break;
			}
			cap = ncap;
		}
		(*ids)[*n] = sqlite3_column_int64(s, 0);
		(*names)[*n] = strdup(store_text(s, 1));
		if (!(*names)[*n]) {
			rc = SQLITE_NOMEM;
			break;
		}
		(*n)++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		for (size_t i = 0; i < *n; i++)
			free((*names)[i]);
		free(*ids);
		free(*names);
		*ids = NULL;
		*names = NULL;
		*n = 0;
		return store_fail(st, rc, err, _("list group members"));
	}
	if (*n == 0)
		return pt_fail(err, PT_NOTFOUND, _("group \"%s\" has no hosts"), group);
	return PT_OK;
}

enum pt_status
model_group_foreach(struct store *st, int (*cb)(const struct group_info *g, void *ud), void *ud,
                    struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	ret = store_prepare(
		st,
		"SELECT g.name, (SELECT count(*) FROM host_groups hg WHERE hg.group_id = g.id)"
		" FROM groups g ORDER BY g.name",
		&s, err);
	if (ret != PT_OK)
		return ret;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct group_info g = { store_text(s, 0), sqlite3_column_int64(s, 1) };
		if (cb(&g, ud)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("list groups"));
}

enum pt_status
model_backup_record(struct store *st, const char *path, uint64_t bytes, const char *sha256,
                    struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	ret = store_prepare(
		st, "INSERT INTO backups (path, created_at, bytes, sha256) VALUES (?, ?, ?, ?)", &s,
		err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)time(NULL));
	sqlite3_bind_int64(s, 3, (sqlite3_int64)bytes);
	sqlite3_bind_text(s, 4, sha256, -1, SQLITE_STATIC);
	ret = store_run(st, s, err, _("record backup"));
	if (ret != PT_OK)
		return ret;
	return audit_appendf(st, "backup", path, err, "bytes=%llu sha256=%s",
	                     (unsigned long long)bytes, sha256);
}

enum pt_status
model_backup_foreach(struct store *st, int (*cb)(const struct backup_info *b, void *ud), void *ud,
                     struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	ret = store_prepare(
		st, "SELECT path, sha256, created_at, bytes FROM backups ORDER BY created_at, id",
		&s, err);
	if (ret != PT_OK)
		return ret;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct backup_info b = { store_text(s, 0), store_text(s, 1),
			                 (time_t)sqlite3_column_int64(s, 2),
			                 (uint64_t)sqlite3_column_int64(s, 3) };
		if (cb(&b, ud)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("list backups"));
}

/* Each text column by LIKE (ASCII case folded in place, no lower() copy
 * of every row: half the time of one instr over their concatenation),
 * the pattern in ?4.  The id and time hold digits, "-", ":" and " "
 * only: other filters skip them. */
#define AUDIT_TEXT \
	" AND (actor LIKE ?4 ESCAPE '\\' OR action LIKE ?4 ESCAPE '\\'" \
	"      OR object LIKE ?4 ESCAPE '\\' OR detail LIKE ?4 ESCAPE '\\'"
#define AUDIT_NUMBERS \
	" OR instr(id, ?2) OR instr(strftime('%Y-%m-%d %H:%M', ts, 'unixepoch', 'localtime'), ?2)"

/* "%text%" with LIKE's own characters escaped, malloc'd. */
static char *
like_pattern(const char *text)
{
	char *p = malloc(2 * strlen(text) + 3), *q = p;

	if (!p)
		return NULL;
	*q++ = '%';
	for (const char *c = text; *c; c++) {
		if (*c == '%' || *c == '_' || *c == '\\')
			*q++ = '\\';
		*q++ = *c;
	}
	*q++ = '%';
	*q = '\0';
	return p;
}

enum pt_status
model_audit_page(struct store *st, const char *filter, int64_t before_id, size_t limit,
                 int (*cb)(const struct audit_row *r, void *ud), void *ud, struct pt_err *err)
{
	return model_audit_page_kind(st, NULL, filter, before_id, limit, cb, ud, err);
}

/* The page of model_audit_page_kind (newer false) or of
 * model_audit_page_newer_kind (newer true). */
static enum pt_status
audit_page(struct store *st, const char *kind, const char *filter, int64_t bound, bool newer,
           size_t limit, int (*cb)(const struct audit_row *r, void *ud), void *ud,
           struct pt_err *err)
{
	/* [direction][filter: none, text, numbers]: a range of the rowid,
	 * from bound on; the kind (?5, NULL: any) as audit_kind_match has it */
#define AUDIT_PAGE(CMP, FILTER, ORDER) \
	"SELECT id, ts, actor, action, object, detail, prev_hash, hash FROM audit" \
	" WHERE id " CMP " ?1 AND (?5 IS NULL OR action = ?5" \
	"  OR substr(action, 1, length(?5) + 1) = ?5 || '.')" FILTER " ORDER BY id " ORDER \
	" LIMIT ?3"
	static const char *const sql[2][3] = {
		{
			AUDIT_PAGE("<", "", "DESC"),
			AUDIT_PAGE("<", AUDIT_TEXT ")", "DESC"),
			AUDIT_PAGE("<", AUDIT_TEXT AUDIT_NUMBERS ")", "DESC"),
		},
		{
			AUDIT_PAGE(">", "", "ASC"),
			AUDIT_PAGE(">", AUDIT_TEXT ")", "ASC"),
			AUDIT_PAGE(">", AUDIT_TEXT AUDIT_NUMBERS ")", "ASC"),
		},
	};
#undef AUDIT_PAGE
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int f = 0, rc;

	if (filter && *filter)
		f = strspn(filter, "0123456789-: ") == strlen(filter) ? 2 : 1;
	ret = store_prepare(st, sql[newer][f], &s, err);
	if (ret != PT_OK)
		return ret;
	if (newer)
		sqlite3_bind_int64(s, 1, bound > 0 ? (sqlite3_int64)bound : 0);
	else
		sqlite3_bind_int64(s, 1, bound > 0 ? (sqlite3_int64)bound : INT64_MAX);
	if (f) {
		char *pat = like_pattern(filter);
		if (!pat) {
			sqlite3_finalize(s);
			return pt_fail(err, PT_NOMEM, NULL);
		}
		sqlite3_bind_text(s, 2, filter, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, pat, -1, free);
	}
	sqlite3_bind_int64(s, 3, limit ? (sqlite3_int64)limit : -1);
	if (kind && *kind)
		sqlite3_bind_text(s, 5, audit_kind_action(kind), -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct audit_row r = {
			.id = sqlite3_column_int64(s, 0),
			.ts = (time_t)sqlite3_column_int64(s, 1),
			.actor = store_text(s, 2),
			.action = store_text(s, 3),
			.object = store_text(s, 4),
			.detail = store_text(s, 5),
			.prev_hash = store_text(s, 6),
			.hash = store_text(s, 7),
		};
		if (cb(&r, ud)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("read the audit trail"));
}

enum pt_status
model_audit_page_kind(struct store *st, const char *kind, const char *filter, int64_t before_id,
                      size_t limit, int (*cb)(const struct audit_row *r, void *ud), void *ud,
                      struct pt_err *err)
{
	return audit_page(st, kind, filter, before_id, false, limit, cb, ud, err);
}

enum pt_status
model_audit_page_newer_kind(struct store *st, const char *kind, const char *filter,
                            int64_t after_id, size_t limit,
                            int (*cb)(const struct audit_row *r, void *ud), void *ud,
                            struct pt_err *err)
{
	return audit_page(st, kind, filter, after_id, true, limit, cb, ud, err);
}

enum pt_status
model_cert_current_foreach(struct store *st, int (*cb)(const struct cert_glance *c, void *ud),
                           void *ud, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	/* superseded rows (most of a long-lived store) are not even visited */
	ret = store_prepare(
		st,
		"SELECT fqdn, not_before, not_after FROM certificates INDEXED BY certificates_current"
		" WHERE state = 'current'",
		&s, err);
	if (ret != PT_OK)
		return ret;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct cert_glance c = { store_text(s, 0), (time_t)sqlite3_column_int64(s, 1),
			                 (time_t)sqlite3_column_int64(s, 2) };
		if (cb(&c, ud)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("read certificates"));
}
