/* inventory-list.c - the certificates screen's list (inv_list_page,
 * inv_list_count, see inventory.h) and its query planner: the WHERE clause
 * over cert_list, the day ranges and name sets a text filter becomes, the
 * keyset pages, and the cached answers that choose between them. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert/cert.h"
#include "base/i18n.h"
#include "cert/inventory.h"
#include "cert/private.h"

#define DAY 86400

/* ---- the certificates screen's list ---- */

/* see list_names */
enum names { NAMES_NONE, NAMES_FEW, NAMES_SOME, NAMES_MANY, NAMES_ALL };

/* Which state of the store a cached answer is about: it changes with
 * a write through another connection (data_version) or this one (the
 * changes it made); false when unknown. */
struct store_state {
	long long data_version, changes;
};

static bool
store_state(struct store *st, struct store_state *v)
{
	sqlite3_stmt *s = NULL;
	bool ok = false;

	if (sqlite3_prepare_v2(store_db(st), "PRAGMA data_version", -1, &s, NULL) != SQLITE_OK)
		return false;
	if (sqlite3_step(s) == SQLITE_ROW) {
		v->data_version = sqlite3_column_int64(s, 0);
		v->changes = sqlite3_total_changes(store_db(st));
		ok = true;
	}
	sqlite3_finalize(s);
	return ok;
}

/* The not-after values whose date (UTC "YYYY-MM-DD") or days left hold
 * text, for not-after values between lo and hi, appended to *sql as
 * " OR ..." terms: a few comparisons a row instead of formatting its
 * date.  Adjacent days join into ranges of the order (on its index) when
 * they are at most LIST_RANGES; else (a text such as "1" that matches
 * most days) the day numbers are looked up in a set.  False when out of
 * memory or the span is absurd (then the row's date is formatted). */
#define LIST_RANGES 48
#define LIST_DAYS 200000

struct span {
	long long a, b; /* a <= not_after <= b */
};

static int
span_cmp(const void *x, const void *y)
{
	const struct span *p = x, *q = y;

	return (p->a > q->a) - (p->a < q->a);
}

static long long
floor_day(long long t)
{
	return t >= 0 ? t / DAY : -((-t + DAY - 1) / DAY);
}

/* Appends " OR <col> IN (d, ...)" for the days of list[0..n). */
static bool
day_set(char **sql, const char *col, const long long *list, size_t n)
{
	size_t len = strlen(*sql), cap = len + strlen(col) + 32 + n * 21;
	char *p = realloc(*sql, cap);

	if (!p)
		return false;
	*sql = p;
	len += (size_t)snprintf(p + len, cap - len, " OR %s IN (", col);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(p + len, cap - len, "%s%lld", i ? "," : "", list[i]);
	snprintf(p + len, cap - len, ")");
	return true;
}

static bool
day_ranges(const char *text, long long now, long long lo, long long hi, char **sql)
{
	long long d0 = floor_day(lo), d1 = floor_day(hi), k0 = floor_day(lo - now);
	long long k1 = floor_day(hi - now), *dates, *days;
	size_t nd = 0, nk = 0, nsp = 0;
	struct span *sp;
	char buf[32], col[128];
	bool ok = true;

	if (lo > hi)
		return true;
	if (d1 - d0 > LIST_DAYS || k1 - k0 > LIST_DAYS)
		return false;
	dates = malloc((size_t)(d1 - d0 + 1) * sizeof *dates);
	days = malloc((size_t)(k1 - k0 + 1) * sizeof *days);
	sp = malloc((size_t)(d1 - d0 + k1 - k0 + 2) * sizeof *sp);
	if (!dates || !days || !sp) {
		free(dates);
		free(days);
		free(sp);
		return false;
	}
	for (long long d = d0; d <= d1; d++) {
		time_t t = (time_t)(d * DAY);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
		if (strstr(buf, text)) {
			dates[nd++] = d;
			sp[nsp++] = (struct span){ d * DAY, d * DAY + DAY - 1 };
		}
	}
	/* days left k: floor((not_after - now) / DAY) = k */
	for (long long k = k0; k <= k1; k++) {
		snprintf(buf, sizeof buf, "%lld", k);
		if (strstr(buf, text)) {
			days[nk++] = k;
			sp[nsp++] = (struct span){ now + k * DAY, now + k * DAY + DAY - 1 };
		}
	}
	/* adjacent or overlapping days: one range */
	qsort(sp, nsp, sizeof *sp, span_cmp);
	size_t m = 0;
	for (size_t i = 0; i < nsp; i++) {
		if (m && sp[i].a <= sp[m - 1].b + 1) {
			if (sp[m - 1].b < sp[i].b)
				sp[m - 1].b = sp[i].b;
		} else {
			sp[m++] = sp[i];
		}
	}
	if (m <= LIST_RANGES) {
		for (size_t i = 0; i < m && ok; i++) {
			char *t = *sql;
			if (asprintf(sql, "%s OR l.not_after BETWEEN %lld AND %lld", t, sp[i].a,
			             sp[i].b) < 0) {
				*sql = t;
				ok = false;
			} else {
				free(t);
			}
		}
	} else {
		/* floor division, as x509_band's, of a value that may be negative */
		snprintf(col, sizeof col, "((l.not_after - (l.not_after %% %d + %d) %% %d) / %d)",
		         DAY, DAY, DAY, DAY);
		ok = !nd || day_set(sql, col, dates, nd);
		snprintf(col, sizeof col,
		         "((l.not_after - %lld - ((l.not_after - %lld) %% %d + %d) %% %d) / %d)",
		         now, now, DAY, DAY, DAY, DAY);
		ok = ok && (!nk || day_set(sql, col, days, nk));
	}
	free(dates);
	free(days);
	free(sp);
	return ok;
}

/* The certificates a stored CRL lists, as a set for IN. */
/* each CRL entry looked up by issuer and serial (schema 14's index), never
 * every certificate read to match them */
#define REVOKED_IDS \
	"(SELECT c.id FROM crl_entries e CROSS JOIN certificates c" \
	" ON c.issuer = e.issuer AND c.serial = e.serial)"

/* The WHERE of a listing page or count (l: cert_list), malloc'd; ?1 is
 * the LIKE pattern, ?2 the text.  A text becomes a look-up of the few
 * names that hold it and an index search of the rows that carry them,
 * labels and dates ranges of the order: few matches are found without
 * reading the other rows.  Many are found sooner by one scan (scan). */
static char *
list_where(const struct inv_list_filter *f, time_t now, const struct x509_thresholds *th, int names,
           const char *few, bool scan, long long lo, long long hi)
{
	long long n = (long long)now, c = n + (long long)th->critical_days * DAY,
		  w = n + (long long)th->warning_days * DAY;
	long long ok = c > w ? c : w;
	/* the shares of the lifetime: less than pct% of it left */
	char cpct[128] = "", wpct[128] = "";
	char *sql = NULL, *t;
	bool text = f && f->text && *f->text;

	if (!f || (!text && !f->bands && !f->states) || (text && names == NAMES_ALL))
		return strdup(" WHERE 1");
	/* " OR term" each; the first " OR" becomes " WHERE (" at the end */
	if (!text || names == NAMES_NONE)
		sql = strdup("");
	else if (names == NAMES_FEW && few)
		sql = strdup(few);
	else
		sql = strdup(
			" OR l.host_id IN (SELECT id FROM hosts WHERE fqdn LIKE ?1 ESCAPE '\\')"
			" OR l.cn_id IN (SELECT id FROM cert_cns WHERE cn LIKE ?1 ESCAPE '\\')"
			" OR l.ca_id IN (SELECT id FROM cas WHERE name LIKE ?1 ESCAPE '\\')");
	if (th->critical_pct)
		snprintf(cpct, sizeof cpct,
		         " OR (l.not_after - %lld) * 100 < %d * (l.not_after - l.not_before)", n,
		         th->critical_pct);
	if (th->warning_pct)
		snprintf(wpct, sizeof wpct,
		         " OR (l.not_after - %lld) * 100 < %d * (l.not_after - l.not_before)", n,
		         th->warning_pct);
	/* the bands of x509_band_at(), as ranges of the listing's order; a
	 * revoked certificate is in no other band */
	for (int b = 0; b <= X509_BAND_REVOKED && sql; b++) {
		char cond[640];
		if (!(f->bands & (1u << b)))
			continue;
		switch (b) {
		case X509_BAND_REVOKED:
			snprintf(cond, sizeof cond, " OR l.id IN " REVOKED_IDS);
			break;
		case X509_BAND_NOT_YET_VALID:
			snprintf(cond, sizeof cond,
			         " OR (l.not_before > %lld AND l.id NOT IN " REVOKED_IDS ")", n);
			break;
		case X509_BAND_EXPIRED:
			snprintf(cond, sizeof cond,
			         " OR (l.not_after < %lld AND l.not_before <= %lld"
			         " AND l.id NOT IN " REVOKED_IDS ")",
			         n, n);
			break;
		case X509_BAND_CRITICAL:
			snprintf(cond, sizeof cond,
			         " OR (l.not_after >= %lld AND (l.not_after < %lld%s)"
			         " AND l.not_before <= %lld AND l.id NOT IN " REVOKED_IDS ")",
			         n, c, cpct, n);
			break;
		case X509_BAND_WARNING:
			snprintf(cond, sizeof cond,
			         " OR (l.not_after >= %lld AND NOT (l.not_after < %lld%s)"
			         " AND (l.not_after < %lld%s)"
			         " AND l.not_before <= %lld AND l.id NOT IN " REVOKED_IDS ")",
			         n, c, cpct, w, wpct, n);
			break;
		default:
			snprintf(cond, sizeof cond,
			         " OR (l.not_after >= %lld AND NOT (l.not_after < %lld%s%s)"
			         " AND l.not_before <= %lld AND l.id NOT IN " REVOKED_IDS ")",
			         ok, ok, cpct, wpct, n);
			break;
		}
		t = sql;
		if (asprintf(&sql, "%s%s", t, cond) < 0)
			sql = NULL;
		free(t);
	}
	if (sql && (f->states & 3)) {
		t = sql;
		if (asprintf(&sql, "%s%s", t,
		             (f->states & 3) == 3 ? " OR 1 = 1"
		             : f->states & 1      ? " OR l.current = 1"
		                                  : " OR l.current = 0") < 0)
			sql = NULL;
		free(t);
	}
	/* days left: floor((not_after - now) / day), as x509_band */
	if (sql && text && f->numbers && !day_ranges(f->text, n, lo, hi, &sql)) {
		t = sql;
		if (asprintf(
			    &sql,
			    "%s OR instr(strftime('%%Y-%%m-%%d', l.not_after, 'unixepoch'), ?2)"
			    " OR instr((l.not_after - %lld) / %d - ((l.not_after - %lld) %% %d < 0),"
			    " ?2)",
			    t, n, DAY, n, DAY) < 0)
			sql = NULL;
		free(t);
	}
	if (sql) {
		t = sql;
		if (asprintf(&sql, " WHERE (%s)", *t ? t + 4 : "0") < 0)
			sql = NULL;
		free(t);
	}
	/* "+l.col": no term on an index, so no row is fetched by one; the
	 * listing is scanned once in its order (the keyset's range, added
	 * outside, still starts it) */
	if (sql && scan) {
		size_t k = 0, len = strlen(sql);
		char *p = malloc(2 * len + 1);
		for (size_t i = 0; p && i < len; i++) {
			if (sql[i] == 'l' && sql[i + 1] == '.' &&
			    (i == 0 || sql[i - 1] == ' ' || sql[i - 1] == '('))
				p[k++] = '+';
			p[k++] = sql[i];
		}
		if (p)
			p[k] = '\0';
		free(sql);
		sql = p;
	}
	return sql;
}

static void list_bind(sqlite3_stmt *s, const struct inv_list_filter *f);

/* The first and last not-after of the listing (the ends of its order),
 * when the filter matches dates. */
static enum pt_status
list_span(struct store *st, const struct inv_list_filter *f, long long *lo, long long *hi,
          struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	if (!f || !f->numbers || !f->text || !*f->text)
		return PT_OK;
	ret = store_prepare(st,
	                    "SELECT (SELECT not_after FROM cert_list ORDER BY not_after LIMIT 1),"
	                    " (SELECT not_after FROM cert_list ORDER BY not_after DESC LIMIT 1)",
	                    &s, err);
	if (ret != PT_OK)
		return ret;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		*lo = sqlite3_column_int64(s, 0);
		*hi = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? PT_OK : store_fail(st, rc, err, _("list certificates"));
}

/* How many names a text matches.  None: the text leaves the query (a
 * label's rows are then a range of the order, or of cert_list_current).
 * Many: its rows are many too, and one scan of the listing (about 20 ms
 * on 100k certificates) beats fetching each by index (a few microseconds
 * a row: half a second when every host matches).  More than one name in
 * fifty, or a CA (a CA stands for many certificates), is many.  Some:
 * many, but the share of the hosts plus the share of the names it
 * matches is at most the whole, and no CA: a page still scans, but a
 * count reads the matching rows' ids from the host and name indexes
 * (list_count_ids), fewer entries than the listing has rows.  All
 * the hosts or all the names (a site's domain): every row, no filter.  The
 * answer is kept for the last text, so the pages of one filter ask once. */
/* Appends ",id" (the first without the comma) to a growing list. */
static bool
id_append(char **list, size_t *len, size_t *cap, int64_t id)
{
	char num[24];
	int n = snprintf(num, sizeof num, "%s%lld", *len ? "," : "", (long long)id);

	if (*len + (size_t)n + 1 > *cap) {
		size_t c = *cap ? *cap * 2 : 256;
		char *p;
		while (c < *len + (size_t)n + 1)
			c *= 2;
		if (!(p = realloc(*list, c)))
			return false;
		*list = p;
		*cap = c;
	}
	memcpy(*list + *len, num, (size_t)n + 1);
	*len += (size_t)n;
	return true;
}

/* The ids of the rows of the names a text matches, for a count
 * (list_count_ids): each from its own index, the listing's rows left
 * unread. */
#define ARM_HOSTS "SELECT l.id FROM cert_list l WHERE l.host_id IN "
#define ARM_CNS "SELECT l.id FROM cert_list l WHERE l.cn_id IN "
#define ARMS_LIKE \
	ARM_HOSTS "(SELECT id FROM hosts WHERE fqdn LIKE ?1 ESCAPE '\\')" \
		  " UNION ALL " ARM_CNS "(SELECT id FROM cert_cns WHERE cn LIKE ?1 ESCAPE '\\')"

/* *few: for few names, the WHERE terms that name them; *arms: for few or
 * some, the SELECTs of their rows' ids (ARM_HOSTS ...); else NULL. */
static enum names
list_names(struct store *st, const struct inv_list_filter *f, const char **few, const char **arms)
{
	static struct store *last_st;
	static char *last_text, *last_few, *last_arms;
	static struct store_state last_state;
	static enum names last;
	sqlite3_stmt *s = NULL;
	enum names names = NAMES_FEW;
	struct store_state now = { 0, 0 };
	bool known = store_state(st, &now), ca = false, nomem = false;
	int64_t th = 0, tc = 0, h = 0, c = 0;
	char *hl = NULL, *cl = NULL, *frag = NULL, *ids = NULL;
	size_t hlen = 0, hcap = 0, clen = 0, ccap = 0;
	int rc;

	*few = *arms = NULL;
	if (!f || !f->text || !*f->text)
		return NAMES_NONE;
	/* none and all change the query: kept only while the store is the same */
	if (known && last_st == st && last_text && strcmp(last_text, f->text) == 0 &&
	    now.data_version == last_state.data_version && now.changes == last_state.changes) {
		*few = last_few;
		*arms = last_arms;
		return last;
	}
	if (sqlite3_prepare_v2(
		    store_db(st),
		    "SELECT (SELECT count(*) FROM hosts), (SELECT count(*) FROM cert_cns),"
		    " EXISTS (SELECT 1 FROM cas WHERE name LIKE ?1 ESCAPE '\\')",
		    -1, &s, NULL) != SQLITE_OK)
		return NAMES_MANY; /* the page's own statement reports the error */
	list_bind(s, f);
	if (sqlite3_step(s) == SQLITE_ROW) {
		th = sqlite3_column_int64(s, 0);
		tc = sqlite3_column_int64(s, 1);
		ca = sqlite3_column_int(s, 2) != 0;
	}
	sqlite3_finalize(s);
	/* the names that hold the text, each table read once; their ids are
	 * kept while few, and the queries then name them */
	if (sqlite3_prepare_v2(store_db(st),
	                       "SELECT 0, id FROM hosts WHERE fqdn LIKE ?1 ESCAPE '\\'"
	                       " UNION ALL SELECT 1, id FROM cert_cns WHERE cn LIKE ?1 ESCAPE '\\'",
	                       -1, &s, NULL) != SQLITE_OK)
		return NAMES_MANY;
	list_bind(s, f);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		bool host = sqlite3_column_int(s, 0) == 0;
		int64_t id = sqlite3_column_int64(s, 1);
		if (host && ++h * 50 <= th)
			nomem = nomem || !id_append(&hl, &hlen, &hcap, id);
		else if (!host && ++c * 50 <= tc)
			nomem = nomem || !id_append(&cl, &clen, &ccap, id);
	}
	sqlite3_finalize(s);
	names = rc != SQLITE_DONE || nomem   ? NAMES_MANY
	        : h == th || c == tc         ? NAMES_ALL
	        : !h && !c && !ca            ? NAMES_NONE
	        : ca                         ? NAMES_MANY
	        : h * tc + c * th > th * tc  ? NAMES_MANY
	        : h * 50 > th || c * 50 > tc ? NAMES_SOME
	                                     : NAMES_FEW;
	if (names == NAMES_FEW &&
	    asprintf(&frag, "%s%s%s%s%s%s", h ? " OR l.host_id IN (" : "", h ? hl : "",
	             h ? ")" : "", c ? " OR l.cn_id IN (" : "", c ? cl : "", c ? ")" : "") < 0) {
		frag = NULL;
		names = NAMES_MANY;
	}
	if (names == NAMES_FEW && asprintf(&ids, "%s%s%s%s%s%s%s", h ? ARM_HOSTS "(" : "",
	                                   h ? hl : "", h ? ")" : "", h && c ? " UNION ALL " : "",
	                                   c ? ARM_CNS "(" : "", c ? cl : "", c ? ")" : "") < 0)
		ids = NULL; /* counted as the page is read: slower, not wrong */
	if (names == NAMES_SOME)
		ids = strdup(ARMS_LIKE);
	free(hl);
	free(cl);
	free(last_text);
	free(last_few);
	free(last_arms);
	last_text = strdup(f->text);
	last_few = frag;
	last_arms = ids;
	last_st = known && last_text ? st : NULL;
	last_state = now;
	last = names;
	*few = frag;
	*arms = ids;
	return names;
}

/* The last count, by filter: a page of a filter that matches one row in
 * fifty or more finds its rows sooner by scanning in the order than by
 * fetching and sorting every match (a list counts before it pages). */
static struct {
	struct store *st;
	char *text;
	unsigned bands, states;
	bool numbers;
	size_t n;
} counted;

static bool
same_filter(struct store *st, const struct inv_list_filter *f)
{
	return counted.st == st && counted.text && f && f->text &&
	       strcmp(counted.text, f->text) == 0 && counted.bands == f->bands &&
	       counted.states == f->states && counted.numbers == f->numbers;
}

static void
list_counted(struct store *st, const struct inv_list_filter *f, size_t n)
{
	if (!f || !f->text)
		return;
	free(counted.text);
	counted.text = strdup(f->text);
	counted.st = st;
	counted.bands = f->bands;
	counted.states = f->states;
	counted.numbers = f->numbers;
	counted.n = n;
}

static bool
list_dense(struct store *st, const struct inv_list_filter *f)
{
	sqlite3_stmt *s = NULL;
	int64_t rows = 0;

	if (!f || !same_filter(st, f))
		return false;
	/* the listing's size, near enough: its highest id, from the index */
	if (sqlite3_prepare_v2(store_db(st), "SELECT max(id) FROM cert_list", -1, &s, NULL) !=
	    SQLITE_OK)
		return false;
	if (sqlite3_step(s) == SQLITE_ROW)
		rows = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return (int64_t)counted.n * 50 >= rows;
}

static void
list_bind(sqlite3_stmt *s, const struct inv_list_filter *f)
{
	/* the pattern in ?1, the text itself in ?2 */
	if (f && f->text && *f->text) {
		inv_bind_like(s, 1, f->text);
		sqlite3_bind_text(s, 2, f->text, -1, SQLITE_STATIC);
	}
}

/* The WHERE clause of a listing query and the band thresholds it was
 * built with.  A page may scan in order where a count would not: when
 * the last count showed the filter matches many rows (list_dense).  When
 * ids is not NULL and the text matches few or some names (list_names),
 * *ids is the query of the ids of the matching rows for list_count_ids:
 * those of the names, then those of the rest of the filter (labels,
 * dates); else NULL. */
static enum pt_status
list_clause(struct store *st, const struct inv_list_filter *f, time_t now, bool page, char **where,
            char **ids, struct x509_thresholds *th, struct pt_err *err)
{
	long long lo = 0, hi = -1;
	const char *few, *arms;
	char *rest = NULL;
	enum names names;
	enum pt_status ret;

	if (ids)
		*ids = NULL;
	if ((ret = cert_thresholds(st, th, err)) != PT_OK ||
	    (ret = list_span(st, f, &lo, &hi, err)) != PT_OK)
		return ret;
	names = list_names(st, f, &few, &arms);
	if (!(*where = list_where(f, now, th, names, few,
	                          names >= NAMES_SOME || (page && list_dense(st, f)), lo, hi)))
		return pt_fail(err, PT_NOMEM, NULL);
	if (!ids || !arms)
		return PT_OK;
	if (!(rest = list_where(f, now, th, NAMES_NONE, NULL, false, lo, hi)) ||
	    asprintf(ids, "%s%s%s", arms,
	             strcmp(rest, " WHERE (0)") ? " UNION ALL SELECT l.id FROM cert_list l" : "",
	             strcmp(rest, " WHERE (0)") ? rest : "") < 0) {
		*ids = NULL;
		free(rest);
		free(*where);
		return pt_fail(err, PT_NOMEM, NULL);
	}
	free(rest);
	return PT_OK;
}

enum pt_status
inv_list_page(struct store *st, const struct inv_list_filter *f, const struct inv_key *after,
              bool backward, size_t limit, time_t now,
              int (*cb)(const struct inv_cert_row *r, void *ud), void *ud, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	char *where, *sql = NULL;
	struct x509_thresholds th;
	int rc;

	if ((ret = list_clause(st, f, now, true, &where, NULL, &th, err)) != PT_OK)
		return ret;
	/* the page's rows in the listing first, then their names */
	rc = asprintf(&sql,
	              "SELECT p.id, h.fqdn, coalesce(n.cn, ''), p.current, coalesce(ca.name, ''),"
	              " p.not_before, p.not_after, coalesce(c.installed_at, 0),"
	              " EXISTS (SELECT 1 FROM crl_entries e"
	              "  WHERE e.issuer = c.issuer AND e.serial = c.serial)"
	              " FROM (SELECT l.* FROM cert_list l%s%s ORDER BY %s LIMIT ?3) p"
	              " JOIN hosts h ON h.id = p.host_id LEFT JOIN cert_cns n ON n.id = p.cn_id"
	              " LEFT JOIN cas ca ON ca.id = p.ca_id LEFT JOIN certificates c ON c.id = p.id"
	              " ORDER BY %s",
	              where,
	              after && after->set ? (backward ? " AND (l.not_after, l.id) < (?4, ?5)"
	                                              : " AND (l.not_after, l.id) > (?4, ?5)")
	                                  : "",
	              backward ? "l.not_after DESC, l.id DESC" : "l.not_after, l.id",
	              backward ? "p.not_after DESC, p.id DESC" : "p.not_after, p.id");
	free(where);
	if (rc < 0)
		return pt_fail(err, PT_NOMEM, NULL);
	ret = store_prepare(st, sql, &s, err);
	free(sql);
	if (ret != PT_OK)
		return ret;
	list_bind(s, f);
	sqlite3_bind_int64(s, 3, limit ? (sqlite3_int64)limit : -1);
	if (after && after->set) {
		sqlite3_bind_int64(s, 4, after->num);
		sqlite3_bind_int64(s, 5, after->id);
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct inv_cert_row r = { 0 };

		r.id = sqlite3_column_int64(s, 0);
		r.fqdn = store_text(s, 1);
		r.cn = store_text(s, 2);
		r.subject = "";
		r.state = sqlite3_column_int(s, 3) ? "current" : "superseded";
		r.ca = store_text(s, 4);
		r.not_before = (time_t)sqlite3_column_int64(s, 5);
		r.not_after = (time_t)sqlite3_column_int64(s, 6);
		r.installed_at = (time_t)sqlite3_column_int64(s, 7);
		r.band = x509_band_at(r.not_before, r.not_after, now, &th, &r.days_left);
		if (sqlite3_column_int(s, 8))
			r.band = X509_BAND_REVOKED;
		r.key.set = true;
		r.key.id = r.id;
		r.key.num = (int64_t)r.not_after;
		snprintf(r.key.text, sizeof r.key.text, "%s", r.fqdn);
		if (cb(&r, ud)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("list certificates"));
}

/* The ids of cert_list seen, one bit each; grows with the largest. */
struct idset {
	unsigned char *bit;
	size_t len; /* bytes */
	size_t n;   /* distinct ids set */
};

#define IDSET_MAX ((size_t)64 << 20) /* bytes: ids up to half a billion */

static bool
idset_add(struct idset *s, int64_t id)
{
	size_t byte;

	if (id < 0 || (uint64_t)id / 8 >= IDSET_MAX)
		return false;
	byte = (size_t)id / 8;
	if (byte >= s->len) {
		size_t len = s->len ? s->len : 4096;
		unsigned char *p;
		while (len <= byte)
			len *= 2;
		if (!(p = realloc(s->bit, len)))
			return false;
		memset(p + s->len, 0, len - s->len);
		s->bit = p;
		s->len = len;
	}
	if (!(s->bit[byte] & (1u << (id % 8)))) {
		s->bit[byte] |= (unsigned char)(1u << (id % 8));
		s->n++;
	}
	return true;
}

/* A count for a text that matches few or some names (list_names): the
 * ids of the rows of those hosts and of those names, each read from its
 * own index without reading the listing's rows, and of the rows the rest
 * of the filter takes (labels, dates), each counted once (sql: see
 * list_clause).  On 100k certificates, a text naming one host in ten is
 * counted in 3 ms, where a scan testing every row against the names took
 * 15 ms; and one naming a few hosts reads no page of the listing.
 * PT_NOMEM when the ids do not fit (the caller then scans). */
static enum pt_status
list_count_ids(struct store *st, const struct inv_list_filter *f, const char *sql, size_t *n,
               struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	struct idset ids = { 0 };
	enum pt_status ret;
	bool fits = true;
	int rc = SQLITE_DONE;

	if ((ret = store_prepare(st, sql, &s, err)) != PT_OK)
		return ret;
	list_bind(s, f);
	while (fits && (rc = sqlite3_step(s)) == SQLITE_ROW)
		fits = idset_add(&ids, sqlite3_column_int64(s, 0));
	sqlite3_finalize(s);
	free(ids.bit);
	if (!fits)
		return PT_NOMEM;
	*n = ids.n;
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("count"));
}

enum pt_status
inv_list_count(struct store *st, const struct inv_list_filter *f, time_t now, size_t *n,
               struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	char *where, *ids, *sql = NULL;
	struct x509_thresholds th;
	int rc;

	*n = 0;
	if ((ret = list_clause(st, f, now, false, &where, &ids, &th, err)) != PT_OK)
		return ret;
	if (ids) {
		ret = list_count_ids(st, f, ids, n, err);
		free(ids);
		if (ret != PT_NOMEM) {
			free(where);
			if (ret == PT_OK)
				list_counted(st, f, *n);
			return ret;
		}
		*n = 0; /* too many ids to keep: the scan below */
	}
	rc = asprintf(&sql, "SELECT count(*) FROM cert_list l%s", where);
	free(where);
	if (rc < 0)
		return pt_fail(err, PT_NOMEM, NULL);
	ret = store_prepare(st, sql, &s, err);
	free(sql);
	if (ret != PT_OK)
		return ret;
	list_bind(s, f);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n = (size_t)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		list_counted(st, f, *n);
	return rc == SQLITE_ROW ? PT_OK : store_fail(st, rc, err, _("count"));
}
