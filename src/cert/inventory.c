/* inventory.c - certificates, requests and a host's holdings for the
 * console, read a page at a time (see inventory.h).  The certificates
 * screen's listing and its query planner are in inventory-list.c. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert/cert.h"
#include "base/i18n.h"
#include "cert/inventory.h"
#include "cert/private.h"

#define DAY 86400

/* The keyset condition and order of a page, on the columns of one order.
 * The row-value comparison lets SQLite start the index range right
 * after the key instead of counting rows up to it. */
struct order_sql {
	const char *cols; /* the key's columns, as a row value */
	const char *key;  /* the bound key, as a row value */
	const char *asc, *desc;
};

static const struct order_sql cert_orders[] = {
	[INV_BY_HOST] = { "(h.fqdn, c.id)", "(?5, ?6)", "h.fqdn, c.id", "h.fqdn DESC, c.id DESC" },
	[INV_BY_EXPIRY] = { "(c.not_after, c.id)", "(?7, ?6)", "c.not_after, c.id",
	                    "c.not_after DESC, c.id DESC" },
	[INV_BY_ID] = { "c.id", "?6", "c.id", "c.id DESC" },
};

static const struct order_sql req_orders[] = {
	[INV_BY_HOST] = { "(h.fqdn, r.id)", "(?5, ?6)", "h.fqdn, r.id", "h.fqdn DESC, r.id DESC" },
	[INV_BY_EXPIRY] = { "r.id", "?6", "r.id", "r.id DESC" }, /* requests do not expire */
	[INV_BY_ID] = { "r.id", "?6", "r.id", "r.id DESC" },
};

static bool
valid_order(enum inv_order o)
{
	return o == INV_BY_HOST || o == INV_BY_EXPIRY || o == INV_BY_ID;
}

/* "SELECT ... WHERE base AND keyset ORDER BY ... LIMIT ?4", malloc'd. */
static char *
page_sql(const char *select, const struct order_sql *o, const struct inv_key *after, bool backward)
{
	char *sql = NULL;

	if (asprintf(&sql, "%s%s%s %s %s ORDER BY %s LIMIT ?4", select,
	             after && after->set ? " AND " : "", after && after->set ? o->cols : "",
	             after && after->set ? (backward ? "<" : ">") : "",
	             after && after->set ? o->key : "", backward ? o->desc : o->asc) < 0)
		return NULL;
	return sql;
}

/* A substring, case-insensitive (LIKE folds ASCII): %text% with the
 * pattern characters of text escaped, bound to parameter i. */
void
inv_bind_like(sqlite3_stmt *s, int i, const char *text)
{
	char *p = malloc(2 * strlen(text) + 3), *q = p;

	if (!p)
		return; /* left NULL, as without a text */
	*q++ = '%';
	for (const char *c = text; *c; c++) {
		if (*c == '%' || *c == '_' || *c == '\\')
			*q++ = '\\';
		*q++ = *c;
	}
	*q++ = '%';
	*q = '\0';
	sqlite3_bind_text(s, i, p, -1, free);
}

static void
bind_common(sqlite3_stmt *s, const struct inv_filter *f, const struct inv_key *after, size_t limit)
{
	if (f && f->fqdn)
		sqlite3_bind_text(s, 1, f->fqdn, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, f && (f->current_only || f->pending_only));
	if (f && f->text && *f->text)
		inv_bind_like(s, 3, f->text);
	sqlite3_bind_int64(s, 4, limit ? (sqlite3_int64)limit : -1);
	if (after && after->set) {
		sqlite3_bind_text(s, 5, after->text, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 6, after->id);
		sqlite3_bind_int64(s, 7, after->num);
	}
}

/* The CN of a Grid subject "/C=IT/.../CN=host": the last CN. */
static void
subject_cn(const char *subject, char *out, size_t len)
{
	const char *p = NULL, *q = subject;
	size_t n;

	while ((q = strstr(q, "/CN=")) != NULL)
		p = q += 4;
	if (!p) {
		out[0] = '\0';
		return;
	}
	n = strcspn(p, "/");
	if (n >= len)
		n = len - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* ---- certificates ---- */

/* Whether a stored certificate's public key is the stored key filed
 * with it: the SHA-256 key id of its DER against keys.key_id ("AB:CD:..",
 * as cert.c writes it).  Only the key id is taken: the whole parse of
 * x509_certs_parse costs about 2.5 times as much, and a page of the list
 * checks every row it shows. */
static bool
der_has_key(const void *der, int len, const char *key_id)
{
	char hex[X509_ID_HEX_LEN];

	return der && len > 0 && x509_der_key_id(der, (size_t)len, hex, NULL) == PT_OK &&
	       strcmp(hex, key_id) == 0;
}

/* Read in an order, the joins walk its index: a page is an index range.
 * With a text filter that may match few rows, that walk would visit
 * the whole table in index order, a random read of every page (ten
 * times a sequential scan on 100k certificates, bench/bench_inventory):
 * then the table is scanned once and only the page's rows are sorted. */
#define CERT_JOIN_INDEXED \
	" FROM hosts h JOIN certificates c ON c.host_id = h.id" \
	" LEFT JOIN cas ca ON ca.id = c.ca_id"
#define CERT_JOIN_SCAN \
	" FROM certificates c NOT INDEXED JOIN hosts h ON h.id = c.host_id" \
	" LEFT JOIN cas ca ON ca.id = c.ca_id"
#define CERT_WHERE \
	" WHERE (?1 IS NULL OR h.fqdn = ?1) AND (NOT ?2 OR c.state = 'current')" \
	"  AND (?3 IS NULL OR c.fqdn LIKE ?3 ESCAPE '\\' OR c.subject LIKE ?3 ESCAPE '\\'" \
	"       OR ca.name LIKE ?3 ESCAPE '\\')"
#define CERT_FROM CERT_JOIN_INDEXED CERT_WHERE

/* A filtered page first walks the order's index for a bounded time (a
 * filter that matches often fills the page at once) and, if the time
 * runs out, goes on from the last row it found with one scan: a rare
 * match costs one scan, not a random read of every page. */
#define WALK_TICK 1000 /* VM instructions between looks at the clock */
static long walk_budget_ms = 5;

void
inv_set_walk_budget(long ms)
{
	walk_budget_ms = ms < 0 ? 5 : ms;
}

static double
cpu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
budget_cb(void *ud)
{
	return cpu_now_ms() >= *(double *)ud;
}

struct pass {
	const struct inv_filter *f;
	enum inv_order o;
	struct x509_thresholds t;
	time_t now;
	int (*cb)(const struct inv_cert_row *r, void *ud);
	void *ud;
	size_t delivered;
	struct inv_key last;
	bool stopped; /* the callback asked to stop */
};

/* Whether its issuer's CRL lists the certificate: one look-up on the
 * entries' key a row. */
#define REVOKED_COL \
	" EXISTS (SELECT 1 FROM crl_entries e WHERE e.issuer = c.issuer AND e.serial = c.serial)"

/* One pass: rows after `after`, at most limit (0: all); SQLITE_DONE, or
 * SQLITE_INTERRUPT when it had a budget and the budget ran out. */
static int
cert_pass(struct store *st, struct pass *p, bool scan, const struct inv_key *after, bool backward,
          size_t limit, bool budget, struct pt_err *err, enum pt_status *ret)
{
	double deadline = cpu_now_ms() + (double)walk_budget_ms;
	sqlite3_stmt *s = NULL;
	char *sql = NULL, *full;
	int rc;

	*ret = PT_OK;
	/* the key id and DER only when asked: a scan must not parse */
	if (asprintf(
		    &sql, "%s%s" CERT_WHERE,
		    p->f && p->f->check_keys
			    ? "SELECT c.id, h.fqdn, c.subject, c.state, coalesce(ca.name, ''),"
			      " c.not_before, c.not_after, coalesce(c.installed_at, 0),"
			      " (SELECT key_id FROM keys WHERE id = c.key_ref),"
			      " (SELECT der FROM certificate_der WHERE cert_id = c.id)," REVOKED_COL
			    : "SELECT c.id, h.fqdn, c.subject, c.state, coalesce(ca.name, ''),"
			      " c.not_before, c.not_after, coalesce(c.installed_at, 0), NULL, NULL," REVOKED_COL,
		    scan ? CERT_JOIN_SCAN : CERT_JOIN_INDEXED) < 0) {
		*ret = pt_fail(err, PT_NOMEM, NULL);
		return SQLITE_NOMEM;
	}
	full = page_sql(sql, &cert_orders[p->o], after, backward);
	free(sql);
	if (!full) {
		*ret = pt_fail(err, PT_NOMEM, NULL);
		return SQLITE_NOMEM;
	}
	*ret = store_prepare(st, full, &s, err);
	free(full);
	if (*ret != PT_OK)
		return SQLITE_ERROR;
	bind_common(s, p->f, after, limit);
	if (budget)
		sqlite3_progress_handler(store_db(st), WALK_TICK, budget_cb, &deadline);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct inv_cert_row r = { 0 };
		char cn[256];

		r.id = sqlite3_column_int64(s, 0);
		r.fqdn = store_text(s, 1);
		r.subject = store_text(s, 2);
		subject_cn(r.subject, cn, sizeof cn);
		r.cn = cn;
		r.state = store_text(s, 3);
		r.ca = store_text(s, 4);
		r.not_before = (time_t)sqlite3_column_int64(s, 5);
		r.not_after = (time_t)sqlite3_column_int64(s, 6);
		r.installed_at = (time_t)sqlite3_column_int64(s, 7);
		r.band = x509_band_at(r.not_before, r.not_after, p->now, &p->t, &r.days_left);
		if (sqlite3_column_int(s, 10))
			r.band = X509_BAND_REVOKED;
		if (p->f && p->f->check_keys) {
			r.key_checked = true;
			r.key_match = der_has_key(sqlite3_column_blob(s, 9),
			                          sqlite3_column_bytes(s, 9), store_text(s, 8));
		}
		r.key.set = true;
		r.key.id = r.id;
		r.key.num = (int64_t)r.not_after;
		snprintf(r.key.text, sizeof r.key.text, "%s", r.fqdn);
		p->delivered++;
		p->last = r.key;
		if (p->cb(&r, p->ud)) {
			p->stopped = true;
			rc = SQLITE_DONE;
			break;
		}
	}
	if (budget)
		sqlite3_progress_handler(store_db(st), 0, NULL, NULL);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_INTERRUPT)
		*ret = store_fail(st, rc, err, _("list certificates"));
	return rc;
}

enum pt_status
inv_cert_page(struct store *st, const struct inv_filter *f, enum inv_order o,
              const struct inv_key *after, bool backward, size_t limit, time_t now,
              int (*cb)(const struct inv_cert_row *r, void *ud), void *ud, struct pt_err *err)
{
	struct pass p = { .f = f, .o = o, .now = now, .cb = cb, .ud = ud };
	bool filtered = f && f->text && *f->text && !f->fqdn;
	enum pt_status ret;
	int rc;

	if (!valid_order(o))
		return pt_fail(err, PT_INVALID, _("unknown order of a certificate list"));
	if ((ret = cert_thresholds(st, &p.t, err)) != PT_OK)
		return ret;
	/* the whole list (limit 0): one scan and a sort beat the index walk's
	 * random reads (as report.c found for the expiry report) */
	if (limit == 0 && !(f && f->fqdn))
		return cert_pass(st, &p, true, after, backward, 0, false, err, &ret), ret;
	rc = cert_pass(st, &p, false, after, backward, limit, filtered, err, &ret);
	if (rc == SQLITE_INTERRUPT && !p.stopped && (limit == 0 || p.delivered < limit))
		cert_pass(st, &p, true, p.delivered ? &p.last : after, backward,
		          limit ? limit - p.delivered : 0, false, err, &ret);
	return ret;
}

enum pt_status
inv_cert_keys(struct store *st, const int64_t *ids, size_t n, int *match, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc = SQLITE_DONE;

	if (n == 0)
		return PT_OK;
	ret = store_prepare(st,
	                    "SELECT k.key_id, d.der FROM certificates c"
	                    " JOIN keys k ON k.id = c.key_ref"
	                    " JOIN certificate_der d ON d.cert_id = c.id WHERE c.id = ?",
	                    &s, err);
	if (ret != PT_OK)
		return ret;
	for (size_t i = 0; i < n; i++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, ids[i]);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			match[i] = der_has_key(sqlite3_column_blob(s, 1),
			                       sqlite3_column_bytes(s, 1), store_text(s, 0));
		else if (rc == SQLITE_DONE)
			match[i] = -1;
		else
			break;
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("check the keys"));
}

static enum pt_status
count_sql(struct store *st, const char *sql, const struct inv_filter *f, size_t *n,
          struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret = store_prepare(st, sql, &s, err);
	int rc;

	*n = 0;
	if (ret != PT_OK)
		return ret;
	bind_common(s, f, NULL, 0);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n = (size_t)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? PT_OK : store_fail(st, rc, err, _("count"));
}

enum pt_status
inv_cert_count(struct store *st, const struct inv_filter *f, size_t *n, struct pt_err *err)
{
	return count_sql(st, "SELECT count(*)" CERT_FROM, f, n, err);
}

/* ---- requests ---- */

#define REQ_FROM \
	" FROM hosts h JOIN requests r ON r.host_id = h.id" \
	" JOIN keys k ON k.id = r.key_ref LEFT JOIN cas ca ON ca.id = r.ca_id" \
	" WHERE (?1 IS NULL OR h.fqdn = ?1) AND (NOT ?2 OR r.state = 'pending')" \
	"  AND (?3 IS NULL OR h.fqdn LIKE ?3 ESCAPE '\\' OR ca.name LIKE ?3 ESCAPE '\\'" \
	"       OR k.type LIKE ?3 ESCAPE '\\' OR r.subject LIKE ?3 ESCAPE '\\')"

enum pt_status
inv_req_page(struct store *st, const struct inv_filter *f, enum inv_order o,
             const struct inv_key *after, bool backward, size_t limit, time_t now,
             int (*cb)(const struct inv_req_row *r, void *ud), void *ud, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	char *sql;
	int rc;

	if (!valid_order(o))
		return pt_fail(err, PT_INVALID, _("unknown order of a request list"));
	sql = page_sql("SELECT r.id, h.fqdn, coalesce(ca.name, ''), k.type, r.subject, r.sans,"
	               " r.state, r.created_at" REQ_FROM,
	               &req_orders[o], after, backward);
	if (!sql)
		return pt_fail(err, PT_NOMEM, NULL);
	ret = store_prepare(st, sql, &s, err);
	free(sql);
	if (ret != PT_OK)
		return ret;
	bind_common(s, f, after, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct inv_req_row r = {
			.id = sqlite3_column_int64(s, 0),
			.fqdn = store_text(s, 1),
			.ca = store_text(s, 2),
			.keytype = store_text(s, 3),
			.subject = store_text(s, 4),
			.sans = store_text(s, 5),
			.state = store_text(s, 6),
			.created_at = (time_t)sqlite3_column_int64(s, 7),
		};
		r.age_days = now >= r.created_at ? (long)((now - r.created_at) / DAY) : 0;
		r.key.set = true;
		r.key.id = r.id;
		snprintf(r.key.text, sizeof r.key.text, "%s", r.fqdn);
		if (cb(&r, ud)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("list requests"));
}

enum pt_status
inv_req_count(struct store *st, const struct inv_filter *f, size_t *n, struct pt_err *err)
{
	return count_sql(st, "SELECT count(*)" REQ_FROM, f, n, err);
}

/* ---- installs and windows ---- */

enum pt_status
inv_installs(struct store *st, const char *fqdn, int64_t cert_id,
             int (*cb)(const struct inv_install *i, void *ud), void *ud, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	ret = store_prepare(
		st,
		"SELECT i.cert_id, h.fqdn, i.cert_path, i.key_path, i.cert_sha256, i.installed_at,"
		" coalesce(w.tag, ''), coalesce(w.peer, ''), coalesce(w.outcome, 'open'),"
		" coalesce(w.exposure_ms, -1)"
		" FROM installs i JOIN hosts h ON h.id = i.host_id"
		" LEFT JOIN windows w ON w.id = i.window_id"
		" WHERE (?1 IS NULL OR h.fqdn = ?1) AND (?2 = 0 OR i.cert_id = ?2)"
		" ORDER BY i.installed_at DESC, i.id DESC",
		&s, err);
	if (ret != PT_OK)
		return ret;
	if (fqdn)
		sqlite3_bind_text(s, 1, fqdn, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, cert_id > 0 ? cert_id : 0);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct inv_install i = {
			.cert_id = sqlite3_column_int64(s, 0),
			.fqdn = store_text(s, 1),
			.cert_path = store_text(s, 2),
			.key_path = store_text(s, 3),
			.cert_sha256 = store_text(s, 4),
			.installed_at = (time_t)sqlite3_column_int64(s, 5),
			.window_tag = store_text(s, 6),
			.peer = store_text(s, 7),
			.outcome = store_text(s, 8),
			.exposure_ms = sqlite3_column_double(s, 9),
		};
		if (cb(&i, ud)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("read the install history"));
}

/* ---- one certificate ---- */

struct detail_ctx {
	struct store *st;
	int64_t id;
	bool found;
	int (*cb)(const struct inv_cert_detail *d, void *ud);
	void *ud;
	int stop;
	struct inv_install *inst;
	char **strs;
	size_t ninst, nstrs;
	enum pt_status ret;
	struct pt_err *err;
};

static char *
keep(struct detail_ctx *c, const char *s)
{
	char **n = realloc(c->strs, (c->nstrs + 1) * sizeof *n);

	if (!n)
		return NULL;
	c->strs = n;
	return c->strs[c->nstrs++] = strdup(s ? s : "");
}

static int
install_cb(const struct inv_install *i, void *ud)
{
	struct detail_ctx *c = ud;
	struct inv_install *n = realloc(c->inst, (c->ninst + 1) * sizeof *n);

	if (!n)
		return 1;
	c->inst = n;
	n[c->ninst] = *i;
	n[c->ninst].fqdn = keep(c, i->fqdn);
	n[c->ninst].cert_path = keep(c, i->cert_path);
	n[c->ninst].key_path = keep(c, i->key_path);
	n[c->ninst].cert_sha256 = keep(c, i->cert_sha256);
	n[c->ninst].window_tag = keep(c, i->window_tag);
	n[c->ninst].peer = keep(c, i->peer);
	n[c->ninst].outcome = keep(c, i->outcome);
	c->ninst++;
	return 0;
}

static int
status_cb(const struct cert_status *cs, void *ud)
{
	struct detail_ctx *c = ud;
	struct inv_cert_detail d = { .cs = cs };
	char serial[3 * sizeof cs->x->serial];
	size_t n = 0;

	if (cs->id != c->id)
		return 0;
	c->found = true;
	/* "1234AB" -> "12:34:AB", as openssl and the CA's mails show it */
	for (const char *p = cs->x->serial; *p && n + 4 < sizeof serial; p += 2) {
		if (n)
			serial[n++] = ':';
		serial[n++] = p[0];
		if (p[1])
			serial[n++] = p[1];
		else
			break;
	}
	serial[n] = '\0';
	d.serial_hex = serial;
	c->ret = inv_installs(c->st, NULL, c->id, install_cb, c, c->err);
	if (c->ret != PT_OK)
		return 1;
	d.installs = c->inst;
	d.ninstalls = c->ninst;
	c->stop = c->cb(&d, c->ud);
	return 1;
}

enum pt_status
inv_cert_detail(struct store *st, int64_t id, time_t now,
                int (*cb)(const struct inv_cert_detail *d, void *ud), void *ud, struct pt_err *err)
{
	struct detail_ctx c = { .st = st, .id = id, .cb = cb, .ud = ud, .ret = PT_OK, .err = err };
	sqlite3_stmt *s = NULL;
	char fqdn[256] = "";
	enum pt_status ret;
	int rc;

	/* cert_status_foreach checks a host's certificates: find the host */
	if ((ret = store_prepare(st,
	                         "SELECT fqdn FROM hosts WHERE id ="
	                         " (SELECT host_id FROM certificates WHERE id = ?)",
	                         &s, err)) != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		snprintf(fqdn, sizeof fqdn, "%s", store_text(s, 0));
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return pt_fail(err, PT_NOTFOUND, _("no certificate %lld in the store"),
		               (long long)id);
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, err, _("look up the certificate"));
	ret = cert_status_foreach(st, fqdn, true, -1, now, status_cb, &c, err);
	if (ret == PT_OK)
		ret = c.ret;
	if (ret == PT_OK && !c.found)
		ret = pt_fail(err, PT_NOTFOUND, _("no certificate %lld in the store"),
		              (long long)id);
	for (size_t i = 0; i < c.nstrs; i++)
		free(c.strs[i]);
	free(c.strs);
	free(c.inst);
	return ret;
}

/* ---- a host's keys ---- */

enum pt_status
inv_host_keys(struct store *st, const char *fqdn, int (*cb)(const struct inv_key_row *k, void *ud),
              void *ud, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	/* what uses each key: certificates and requests, in the words the
	 * page shows, their states too (translated here: the core owns the
	 * message catalogue; a state the schema may add later shows as
	 * stored) */
	ret = store_prepare(st,
	                    "SELECT k.id, k.type, k.origin, k.key_id, k.created_at,"
	                    " (SELECT group_concat(?2 || ' ' || c.id || ' ('"
	                    "   || CASE c.state WHEN 'current' THEN ?4 WHEN 'superseded' THEN ?5"
	                    "      ELSE c.state END || ')', ', ')"
	                    "   FROM certificates c WHERE c.key_ref = k.id),"
	                    " (SELECT group_concat(?3 || ' ' || r.id || ' ('"
	                    "   || CASE r.state WHEN 'pending' THEN ?6 WHEN 'issued' THEN ?7"
	                    "      WHEN 'cancelled' THEN ?8 ELSE r.state END || ')', ', ')"
	                    "   FROM requests r WHERE r.key_ref = k.id)"
	                    " FROM keys k JOIN hosts h ON h.id = k.host_id WHERE h.fqdn = ?1"
	                    " ORDER BY k.created_at DESC, k.id DESC",
	                    &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, fqdn, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, _("certificate"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, _("request"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, _("current"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, _("superseded"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 6, _("pending"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 7, _("issued"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 8, _("cancelled"), -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char used[512];
		const char *a = store_text(s, 5), *b = store_text(s, 6);
		struct inv_key_row k = {
			.id = sqlite3_column_int64(s, 0),
			.type = store_text(s, 1),
			.origin = store_text(s, 2),
			.key_id = store_text(s, 3),
			.created_at = (time_t)sqlite3_column_int64(s, 4),
			.used_by = used,
		};
		snprintf(used, sizeof used, "%s%s%s", a, *a && *b ? ", " : "", b);
		if (cb(&k, ud)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("read the host's keys"));
}
