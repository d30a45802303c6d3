/* gridmap.c - VO member lists, mkgridmap rules, grid-mapfile and .lsc.
 *
 * The parsers work on a private NUL-terminated copy of the caller's
 * buffer, split in place into lines, so that every message can name the
 * line.  The build collects (DN, account, order) entries, sorts them by
 * DN with the order as tie-break and keeps the first of each DN: that is
 * "local entries win, then the first group" without a hash table, and
 * gives the sorted output for free.  Patterns are lowered and cut at '*'
 * once, so that 50k members against hundreds of rules stay cheap.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grid/gridmap.h"
#include "base/i18n.h"

/* Longest piece of input quoted in a message. */
#define SHOW_MAX 80

/* ---- small helpers ------------------------------------------------ */

struct buf {
	char *s;
	size_t len, cap;
};

static bool
buf_grow(struct buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 256;
	char *s;

	if (b->len + more + 1 <= b->cap)
		return true;
	while (cap < b->len + more + 1)
		cap *= 2;
	s = realloc(b->s, cap);
	if (!s)
		return false;
	b->s = s;
	b->cap = cap;
	return true;
}

static bool
buf_add(struct buf *b, const char *s, size_t n)
{
	if (!buf_grow(b, n))
		return false;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return true;
}

static char
lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t';
}

static char *
trim(char *s)
{
	char *e;

	while (is_space(*s))
		s++;
	e = s + strlen(s);
	while (e > s && is_space(e[-1]))
		*--e = '\0';
	return s;
}

static bool
starts_ci(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if (lower(*s) != *prefix)
			return false;
	return true;
}

static bool
eq_ci(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (lower(*a) != lower(*b))
			return false;
	return *a == *b;
}

/* s quoted safely in a message: control and non-ASCII bytes as \xNN,
 * long text cut. */
static const char *
show(const char *s, char out[SHOW_MAX * 4 + 8])
{
	size_t o = 0;

	for (; *s && o < SHOW_MAX * 4; s++) {
		unsigned char u = (unsigned char)*s;

		if (u >= 0x20 && u < 0x7f)
			out[o++] = (char)u;
		else
			o += (size_t)snprintf(out + o, 5, "\\x%02x", u);
	}
	if (*s)
		o += (size_t)snprintf(out + o, 4, "...");
	out[o] = '\0';
	return out;
}

static enum pt_status
nomem(struct pt_err *err)
{
	return pt_fail(err, PT_NOMEM, "%s", _(pt_status_msg(PT_NOMEM)));
}

/* "NAME:LINE: what is wrong". */
__attribute__((format(printf, 4, 5))) static enum pt_status
fail_line(struct pt_err *err, const char *name, unsigned line, const char *fmt, ...)
{
	char detail[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (line == 0)
		return pt_fail(err, PT_INVALID, "%s: %s", name, detail);
	/* TRANSLATORS: file name, 1-based line number, the problem. */
	return pt_fail(err, PT_INVALID, _("%s:%u: %s"), name, line, detail);
}

/* ---- text split into lines ---------------------------------------- */

struct text {
	char *copy;         /* the buffer, NUL-terminated, lines cut in place */
	char **lines;       /* without their '\n' and a trailing '\r' */
	size_t n;
};

static void
text_free(struct text *t)
{
	free(t->copy);
	free(t->lines);
	memset(t, 0, sizeof(*t));
}

static enum pt_status
text_split(const char *name, const char *buf, size_t len, struct text *t, struct pt_err *err)
{
	const char *nul = len ? memchr(buf, '\0', len) : NULL;
	size_t i, n = 1, k = 0;
	bool ends_nl;
	char *p;

	memset(t, 0, sizeof(*t));
	if (nul) {
		unsigned line = 1;

		for (p = (char *)buf; p < nul; p++)
			line += *p == '\n';
		return fail_line(err, name, line, _("NUL byte: not a text file"));
	}
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	for (i = 0; i < len; i++)
		n += buf[i] == '\n';
	t->copy = malloc(len + 1);
	t->lines = malloc(n * sizeof(*t->lines));
	if (!t->copy || !t->lines) {
		text_free(t);
		return nomem(err);
	}
	if (len)
		memcpy(t->copy, buf, len);
	t->copy[len] = '\0';
	ends_nl = len > 0 && buf[len - 1] == '\n';
	p = t->copy;
	for (;;) {
		char *nl = strchr(p, '\n');

		t->lines[k++] = p;
		if (!nl)
			break;
		*nl = '\0';
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		p = nl + 1;
	}
	/* A final newline does not start one more line. */
	if (k > 1 && ends_nl)
		k--;
	{
		size_t last = strlen(t->lines[k - 1]);

		if (last && t->lines[k - 1][last - 1] == '\r')
			t->lines[k - 1][last - 1] = '\0';
	}
	t->n = k;
	return PT_OK;
}

static bool
is_blank_or_comment(const char *s)
{
	while (is_space(*s))
		s++;
	return *s == '\0' || *s == '#';
}

/* ---- members ------------------------------------------------------- */

static struct gm_members *
members_new(enum gm_format f)
{
	struct gm_members *m = calloc(1, sizeof(*m));

	if (m)
		m->format = f;
	return m;
}

static void
member_clear(struct gm_member *mb)
{
	free(mb->dn);
	free(mb->ca);
	free(mb->email);
	free(mb->account);
}

static void
members_clear(struct gm_members *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		member_clear(&m->v[i]);
	free(m->v);
	m->v = NULL;
	m->n = m->cap = 0;
}

void
gridmap_members_free(struct gm_members **m)
{
	if (!m || !*m)
		return;
	members_clear(*m);
	free(*m);
	*m = NULL;
}

static char *
dup_or_null(const char *s)
{
	return (s && *s) ? strdup(s) : NULL;
}

/* Append a member; the strings are copied (empty ca/email become NULL). */
static bool
members_push(struct gm_members *m, const char *dn, const char *ca, const char *email,
             const char *account, unsigned line)
{
	struct gm_member mb = { 0 };

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct gm_member *v = realloc(m->v, cap * sizeof(*v));

		if (!v)
			return false;
		m->v = v;
		m->cap = cap;
	}
	mb.dn = strdup(dn);
	mb.ca = dup_or_null(ca);
	mb.email = dup_or_null(email);
	mb.account = dup_or_null(account);
	mb.line = line;
	if (!mb.dn || (ca && *ca && !mb.ca) || (email && *email && !mb.email) ||
	    (account && *account && !mb.account)) {
		member_clear(&mb);
		return false;
	}
	m->v[m->n++] = mb;
	return true;
}

/* A DN as the parsers accept it: "/A=v/B=w", bounded. */
static enum pt_status
check_dn(const char *name, unsigned line, const char *what, const char *dn, struct pt_err *err)
{
	char sbuf[SHOW_MAX * 4 + 8];

	if (*dn == '\0')
		/* TRANSLATORS: %s is "DN", "CA DN" or "subject". */
		return fail_line(err, name, line, _("empty %s"), what);
	if (dn[0] != '/' || !strchr(dn, '='))
		/* TRANSLATORS: %s is "DN", "CA DN" or "subject", then the text. */
		return fail_line(err, name, line, _("%s \"%s\" is not in /C=../CN=.. form"), what,
		                 show(dn, sbuf));
	if (strlen(dn) > GRIDMAP_MAX_DN)
		return fail_line(err, name, line, _("%s longer than %d bytes"), what,
		                 GRIDMAP_MAX_DN);
	return PT_OK;
}

static bool
valid_account(const char *a)
{
	size_t n = strlen(a);
	const char *p = a;

	if (n == 0 || n > GRIDMAP_MAX_ACCOUNT)
		return false;
	if (*p == '.')
		p++;
	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_'))
		return false;
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.'))
			return false;
	return true;
}

struct gm_members *
gridmap_members_new(enum gm_format f)
{
	return members_new(f);
}

enum pt_status
gridmap_members_add(struct gm_members *m, const char *dn, const char *ca, const char *email,
                    const char *account, unsigned line, struct pt_err *err)
{
	return members_push(m, dn, ca, email, account, line) ? PT_OK : nomem(err);
}

enum pt_status
gridmap_check_dn(const char *name, unsigned line, const char *dn, struct pt_err *err)
{
	return check_dn(name, line, _("DN"), dn, err);
}

bool
gridmap_account_valid(const char *a)
{
	return valid_account(a);
}

/* ---- plain lists --------------------------------------------------- */

static enum pt_status
parse_plain(const char *name, struct text *t, struct gm_members *m, struct pt_err *err)
{
	size_t i;
	enum pt_status st;

	for (i = 0; i < t->n; i++) {
		char *dn = trim(t->lines[i]);

		if (*dn == '\0' || *dn == '#')
			continue;
		if ((st = check_dn(name, (unsigned)i + 1, _("DN"), dn, err)) != PT_OK)
			return st;
		if (!members_push(m, dn, NULL, NULL, NULL, (unsigned)i + 1))
			return nomem(err);
	}
	return PT_OK;
}

/* ---- CSV (VOMS-Admin export) --------------------------------------- */

#define CSV_MAX_FIELDS 16

/* Split line in place into fields (RFC 4180 quoting, "" inside quotes),
 * each trimmed outside its quotes.  NULL or a message on error. */
static const char *
csv_split(char *line, char **f, size_t *nf)
{
	char *r = line, *w;

	*nf = 0;
	for (;;) {
		if (*nf == CSV_MAX_FIELDS)
			return N_("too many fields");
		while (is_space(*r))
			r++;
		w = r;
		f[(*nf)++] = w;
		if (*r == '"') {
			r++;
			for (;;) {
				if (*r == '\0')
					return N_("unterminated quoted field");
				if (*r == '"' && r[1] == '"') {
					*w++ = '"';
					r += 2;
				} else if (*r == '"') {
					r++;
					break;
				} else {
					*w++ = *r++;
				}
			}
			while (is_space(*r))
				r++;
			if (*r != ',' && *r != '\0')
				return N_("text after a closing quote");
		} else {
			while (*r && *r != ',') {
				if (*r == '"')
					return N_("quote inside an unquoted field");
				*w++ = *r++;
			}
			while (w > f[*nf - 1] && is_space(w[-1]))
				w--;
		}
		if (*r == '\0') {
			*w = '\0';
			return NULL;
		}
		*w = '\0';
		r++;    /* the comma; w <= r-1, so it is safe to cut there */
	}
}

enum { COL_DN, COL_CA, COL_EMAIL, COL_NONE };

static int
csv_column(const char *h)
{
	static const char *const dn[] = { "dn", "subject", "user dn", "subject dn",
		                          "certificate subject", "certificate dn", NULL };
	static const char *const ca[] = { "ca", "issuer", "ca dn", "issuer dn",
		                          "certificate issuer", "ca subject", NULL };
	static const char *const mail[] = { "email", "e-mail", "mail", "email address",
		                            "emailaddress", NULL };
	size_t i;

	for (i = 0; dn[i]; i++)
		if (eq_ci(h, dn[i]))
			return COL_DN;
	for (i = 0; ca[i]; i++)
		if (eq_ci(h, ca[i]))
			return COL_CA;
	for (i = 0; mail[i]; i++)
		if (eq_ci(h, mail[i]))
			return COL_EMAIL;
	return COL_NONE;
}

/* A header: names, one of them the DN column's. */
static bool
csv_is_header(char *const *f, size_t nf)
{
	bool dn = false;
	size_t i;

	for (i = 0; i < nf; i++) {
		if (f[i][0] == '/')
			return false;
		dn = dn || csv_column(f[i]) == COL_DN;
	}
	return dn;
}

/* A data row of the header-less export: DN, CA[, e-mail]. */
static bool
csv_looks_like_row(char *const *f, size_t nf)
{
	return nf >= 2 && nf <= 3 && f[0][0] == '/' && (f[1][0] == '\0' || f[1][0] == '/') &&
	       (nf < 3 || f[2][0] == '\0' || strchr(f[2], '@'));
}

static enum pt_status
parse_csv(const char *name, struct text *t, struct gm_members *m, struct pt_err *err)
{
	int col[CSV_MAX_FIELDS];
	bool first = true;
	size_t i, j;
	enum pt_status st;

	for (j = 0; j < CSV_MAX_FIELDS; j++)
		col[j] = j < 3 ? (int)j : COL_NONE;
	for (i = 0; i < t->n; i++) {
		char *f[CSV_MAX_FIELDS], *v[3] = { NULL, NULL, NULL };
		size_t nf;
		unsigned line = (unsigned)i + 1;
		const char *why;

		if (is_blank_or_comment(t->lines[i]))
			continue;
		if ((why = csv_split(t->lines[i], f, &nf)) != NULL)
			return fail_line(err, name, line, "%s", _(why));
		if (first && csv_is_header(f, nf)) {
			for (j = 0; j < CSV_MAX_FIELDS; j++)
				col[j] = j < nf ? csv_column(f[j]) : COL_NONE;
			first = false;
			continue;
		}
		first = false;
		for (j = 0; j < nf; j++)
			if (col[j] != COL_NONE && !v[col[j]])
				v[col[j]] = f[j];
		if (!v[COL_DN])
			v[COL_DN] = (char *)"";
		if ((st = check_dn(name, line, _("DN"), v[COL_DN], err)) != PT_OK)
			return st;
		if (v[COL_CA] && *v[COL_CA] &&
		    (st = check_dn(name, line, _("CA DN"), v[COL_CA], err)) != PT_OK)
			return st;
		if (!members_push(m, v[COL_DN], v[COL_CA], v[COL_EMAIL], NULL, line))
			return nomem(err);
	}
	return PT_OK;
}

/* ---- LDIF ---------------------------------------------------------- */

static int
b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode s in place; false if it is not base64 or decodes to a NUL. */
static bool
b64_decode(char *s)
{
	size_t n = 0, i, len;
	uint32_t acc = 0;
	int bits = 0;
	char *w = s;

	len = strlen(s);
	while (len && s[len - 1] == '=') {
		len--;
		n++;
	}
	if (n > 2 || (len + n) % 4 != 0)
		return false;
	for (i = 0; i < len; i++) {
		int v = b64_val(s[i]);

		if (v < 0)
			return false;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			*w = (char)((acc >> bits) & 0xff);
			if (*w == '\0')
				return false;
			w++;
		}
	}
	*w = '\0';
	return true;
}

struct ldif_rec {
	bool has_dn;
	char *subj[32];
	unsigned subj_line[32];
	size_t nsubj;
	char *ca, *email;
};

static enum pt_status
ldif_flush(struct ldif_rec *r, struct gm_members *m, struct pt_err *err)
{
	size_t i;

	for (i = 0; i < r->nsubj; i++)
		if (!members_push(m, r->subj[i], r->ca, r->email, NULL, r->subj_line[i]))
			return nomem(err);
	memset(r, 0, sizeof(*r));
	return PT_OK;
}

/* One logical line (continuations joined) at line number `line`. */
static enum pt_status
ldif_attr(const char *name, unsigned line, char *s, struct ldif_rec *r, struct pt_err *err)
{
	char *colon = strchr(s, ':'), *val, *opt;
	char sbuf[SHOW_MAX * 4 + 8];
	enum pt_status st;
	size_t i;

	if (*s == '#')
		return PT_OK;
	if (!colon || colon == s)
		return fail_line(err, name, line,
		                 _("\"%s\" is not an attribute line (a continued line must start "
		                   "with one space)"),
		                 show(s, sbuf));
	*colon = '\0';
	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == ';' || s[i] == '.'))
			return fail_line(err, name, line,
			                 _("\"%s\" is not an attribute name (a continued line must "
			                   "start with one space)"),
			                 show(s, sbuf));
	if ((opt = strchr(s, ';')) != NULL)
		*opt = '\0';
	val = colon + 1;
	if (*val == ':') {
		val = trim(val + 1);
		if (!b64_decode(val))
			return fail_line(err, name, line, _("bad base64 value of %s"),
			                 show(s, sbuf));
	} else if (*val == '<') {
		return fail_line(err, name, line, _("URL values are not supported"));
	} else {
		val = trim(val);
	}
	if (eq_ci(s, "dn")) {
		if (r->has_dn)
			return fail_line(err, name, line, _("second dn: in one record"));
		r->has_dn = true;
		return PT_OK;
	}
	if (eq_ci(s, "version"))
		return PT_OK;
	if (!r->has_dn)
		return fail_line(err, name, line, _("attribute %s before the record's dn:"),
		                 show(s, sbuf));
	if (eq_ci(s, "description")) {
		if (!starts_ci(val, "subject="))
			return PT_OK;
		val = trim(val + strlen("subject="));
	} else if (eq_ci(s, "issuer") || eq_ci(s, "ca")) {
		if (*val && (st = check_dn(name, line, _("CA DN"), val, err)) != PT_OK)
			return st;
		r->ca = val;
		return PT_OK;
	} else if (eq_ci(s, "mail") || eq_ci(s, "email")) {
		r->email = val;
		return PT_OK;
	} else if (!eq_ci(s, "subject")) {
		return PT_OK;
	}
	if ((st = check_dn(name, line, _("subject"), val, err)) != PT_OK)
		return st;
	if (r->nsubj == sizeof(r->subj) / sizeof(r->subj[0]))
		return fail_line(err, name, line, _("too many subjects in one record"));
	r->subj_line[r->nsubj] = line;
	r->subj[r->nsubj++] = val;
	return PT_OK;
}

static enum pt_status
parse_ldif(const char *name, struct text *t, struct gm_members *m, struct pt_err *err)
{
	struct ldif_rec rec = { 0 };
	struct buf *joined;
	size_t i, nj = 0;
	unsigned *jline;
	enum pt_status st = PT_OK;
	bool open = false;  /* a logical line is being collected */

	/* Logical lines outlive the loop (records point into them). */
	joined = calloc(t->n, sizeof(*joined));
	jline = calloc(t->n, sizeof(*jline));
	if (!joined || !jline) {
		free(joined);
		free(jline);
		return nomem(err);
	}
	for (i = 0; i < t->n; i++) {
		char *s = t->lines[i];
		unsigned line = (unsigned)i + 1;

		if (*s == ' ') {
			if (!open) {
				st = fail_line(err, name, line,
				               _("continuation line with no line to continue"));
				goto out;
			}
			if (!buf_add(&joined[nj - 1], s + 1, strlen(s + 1))) {
				st = nomem(err);
				goto out;
			}
			continue;
		}
		/* The line before is complete. */
		if (open &&
		    (st = ldif_attr(name, jline[nj - 1], joined[nj - 1].s, &rec, err)) != PT_OK)
			goto out;
		open = false;
		if (*s == '\t') {
			st = fail_line(err, name, line,
			               _("line starts with a tab (a continued line must start with "
			                 "one space)"));
			goto out;
		}
		if (*s == '\0') {
			if ((st = ldif_flush(&rec, m, err)) != PT_OK)
				goto out;
			continue;
		}
		jline[nj] = line;
		if (!buf_add(&joined[nj++], s, strlen(s))) {
			st = nomem(err);
			goto out;
		}
		open = true;
	}
	if (open && (st = ldif_attr(name, jline[nj - 1], joined[nj - 1].s, &rec, err)) != PT_OK)
		goto out;
	st = ldif_flush(&rec, m, err);
out:
	for (i = 0; i < nj; i++)
		free(joined[i].s);
	free(joined);
	free(jline);
	return st;
}

/* ---- detection ----------------------------------------------------- */

static enum pt_status
detect(const char *name, struct text *t, enum gm_format *f, struct pt_err *err)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		const char *s = t->lines[i];
		char *copy, *fields[CSV_MAX_FIELDS];
		size_t nf;
		bool csv;

		while (is_space(*s))
			s++;
		if (*s == '\0' || *s == '#')
			continue;
		if (starts_ci(s, "dn:") || starts_ci(s, "version:")) {
			*f = GM_FMT_LDIF;
			return PT_OK;
		}
		if ((copy = strdup(s)) == NULL)
			return nomem(err);
		csv = csv_split(copy, fields, &nf) == NULL &&
		      (csv_is_header(fields, nf) || csv_looks_like_row(fields, nf) ||
		       (s[0] == '"' && nf >= 1 && fields[0][0] == '/'));
		free(copy);
		if (csv) {
			*f = GM_FMT_CSV;
			return PT_OK;
		}
		if (*s == '/') {
			*f = GM_FMT_PLAIN;
			return PT_OK;
		}
		return fail_line(err, name, (unsigned)i + 1,
		                 _("not a member list: not one DN per line, not a VOMS-Admin CSV "
		                   "export, not LDIF"));
	}
	*f = GM_FMT_PLAIN;
	return PT_OK;
}

enum pt_status
gridmap_members_parse(const char *name, const char *buf, size_t len, struct gm_members **out,
                      struct pt_err *err)
{
	struct text t;
	struct gm_members *m = NULL;
	enum gm_format f;
	enum pt_status st;

	*out = NULL;
	if ((st = text_split(name, buf, len, &t, err)) != PT_OK)
		return st;
	if ((st = detect(name, &t, &f, err)) != PT_OK)
		goto out;
	if ((m = members_new(f)) == NULL) {
		st = nomem(err);
		goto out;
	}
	if (f == GM_FMT_LDIF)
		st = parse_ldif(name, &t, m, err);
	else if (f == GM_FMT_CSV)
		st = parse_csv(name, &t, m, err);
	else
		st = parse_plain(name, &t, m, err);
out:
	text_free(&t);
	if (st != PT_OK)
		gridmap_members_free(&m);
	*out = m;
	return st;
}

/* ---- grid-mapfile-local -------------------------------------------- */

/* A "quoted" DN at s with \-escapes, unquoted in place; *end after it. */
static const char *
unquote(char *s, char **end)
{
	char *r = s + 1, *w = s;

	for (;;) {
		if (*r == '\0')
			return N_("unterminated quote");
		if (*r == '\\' && r[1] != '\0') {
			*w++ = r[1];
			r += 2;
		} else if (*r == '"') {
			*w = '\0';
			*end = r + 1;
			return NULL;
		} else {
			*w++ = *r++;
		}
	}
}

static enum pt_status
local_line(const char *name, unsigned line, char *s, struct gm_members *m, struct pt_err *err)
{
	char *dn = s, *acc, *end;
	const char *why;
	enum pt_status st;

	if (*s == '"') {
		if ((why = unquote(s, &end)) != NULL)
			return fail_line(err, name, line, "%s", _(why));
		if (*end && !is_space(*end))
			return fail_line(err, name, line, _("text after a closing quote"));
		acc = end;
	} else {
		acc = s;
		while (*acc && !is_space(*acc))
			acc++;
		if (*acc)
			*acc++ = '\0';
	}
	acc = trim(acc);
	if ((st = check_dn(name, line, _("DN"), dn, err)) != PT_OK)
		return st;
	if (!valid_account(acc))
		return fail_line(err, name, line, _("\"%s\" is not an account name"), acc);
	if (!members_push(m, dn, NULL, NULL, acc, line))
		return nomem(err);
	return PT_OK;
}

enum pt_status
gridmap_local_parse(const char *name, const char *buf, size_t len, struct gm_members **out,
                    struct pt_err *err)
{
	struct text t;
	struct gm_members *m;
	enum pt_status st = PT_OK;
	size_t i;

	*out = NULL;
	if ((st = text_split(name, buf, len, &t, err)) != PT_OK)
		return st;
	if ((m = members_new(GM_FMT_LOCAL)) == NULL) {
		text_free(&t);
		return nomem(err);
	}
	for (i = 0; i < t.n && st == PT_OK; i++) {
		char *s = trim(t.lines[i]);

		if (*s && *s != '#')
			st = local_line(name, (unsigned)i + 1, s, m, err);
	}
	text_free(&t);
	if (st != PT_OK)
		gridmap_members_free(&m);
	*out = m;
	return st;
}

/* ---- rules --------------------------------------------------------- */

#define MAX_TOKENS 3

/* Cut line into at most MAX_TOKENS + 1 words; NULL or a message. */
static const char *
tokenize(char *line, char **tok, size_t *n)
{
	char *r = line, *w;

	*n = 0;
	for (;;) {
		while (is_space(*r))
			r++;
		if (*r == '\0' || *r == '#')
			return NULL;
		if (*n == MAX_TOKENS + 1)
			return NULL;
		w = r;
		tok[(*n)++] = w;
		if (*r == '"') {
			char *end;
			const char *why = unquote(r, &end);

			if (why)
				return why;
			if (*end && !is_space(*end) && *end != '#')
				return N_("text after a closing quote");
			r = end;
			if (*r == '#') {
				*r = '\0';
				return NULL;
			}
		} else {
			while (*r && !is_space(*r) && *r != '#')
				r++;
			if (*r == '#') {
				*r = '\0';
				return NULL;
			}
		}
		if (*r == '\0')
			return NULL;
		*r++ = '\0';
	}
}

static bool
valid_uri(const char *u)
{
	const char *p = u, *sep = strstr(u, "://");

	if (!sep || sep == u || sep[3] == '\0')
		return false;
	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return false;
	for (; p < sep; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.'))
			return false;
	return true;
}

static bool
strv_push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return false;
	*v = nv;
	if ((nv[*n] = strdup(s)) == NULL)
		return false;
	(*n)++;
	return true;
}

static void
strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
gridmap_rules_free(struct gm_rules **rp)
{
	struct gm_rules *r;
	size_t i;

	if (!rp || !*rp)
		return;
	r = *rp;
	for (i = 0; i < r->ngroups; i++) {
		free(r->groups[i].uri);
		free(r->groups[i].account);
	}
	free(r->groups);
	strv_free(r->auths, r->nauths);
	for (i = 0; i < r->nacl; i++)
		free(r->acl[i].pattern);
	free(r->acl);
	free(r->default_account);
	strv_free(r->local_files, r->nlocal_files);
	members_clear(&r->local);
	free(r);
	*rp = NULL;
}

static enum pt_status
rule_account(const char *name, unsigned line, const char *a, struct pt_err *err)
{
	char sbuf[SHOW_MAX * 4 + 8];

	if (!valid_account(a))
		return fail_line(err, name, line,
		                 _("\"%s\" is not an account name (NAME, or .NAME for a pool)"),
		                 show(a, sbuf));
	return PT_OK;
}

static enum pt_status
rule_uri(const char *name, unsigned line, const char *u, struct pt_err *err)
{
	char sbuf[SHOW_MAX * 4 + 8];

	if (!valid_uri(u))
		return fail_line(err, name, line, _("\"%s\" is not a URI"), show(u, sbuf));
	return PT_OK;
}

static enum pt_status
rule_group(const char *name, unsigned line, char **tok, size_t n, struct gm_rules *r,
           struct pt_err *err)
{
	struct gm_group *g;
	enum pt_status st;

	if (n < 2 || n > 3)
		return fail_line(err, name, line, _("usage: group URI [lcluser]"));
	if ((st = rule_uri(name, line, tok[1], err)) != PT_OK)
		return st;
	if (n == 3 && (st = rule_account(name, line, tok[2], err)) != PT_OK)
		return st;
	g = realloc(r->groups, (r->ngroups + 1) * sizeof(*g));
	if (!g)
		return nomem(err);
	r->groups = g;
	g += r->ngroups;
	g->uri = strdup(tok[1]);
	g->account = n == 3 ? strdup(tok[2]) : NULL;
	g->line = line;
	r->ngroups++;
	if (!g->uri || (n == 3 && !g->account))
		return nomem(err);
	return PT_OK;
}

static enum pt_status
rule_acl(const char *name, unsigned line, enum gm_acl_kind kind, char **tok, size_t n,
         struct gm_rules *r, struct pt_err *err)
{
	struct gm_acl *a;

	if (n != 2 || *tok[1] == '\0')
		return fail_line(err, name, line, kind == GM_ALLOW ? _("usage: allow PATTERN")
		                                                   : _("usage: deny PATTERN"));
	a = realloc(r->acl, (r->nacl + 1) * sizeof(*a));
	if (!a)
		return nomem(err);
	r->acl = a;
	a += r->nacl;
	a->kind = kind;
	a->line = line;
	if ((a->pattern = strdup(tok[1])) == NULL)
		return nomem(err);
	r->nacl++;
	return PT_OK;
}

static enum pt_status
rule_line(const char *name, unsigned line, char **tok, size_t n, struct gm_rules *r,
          unsigned *default_line, struct pt_err *err)
{
	char sbuf[SHOW_MAX * 4 + 8];
	enum pt_status st;

	if (eq_ci(tok[0], "group"))
		return rule_group(name, line, tok, n, r, err);
	if (eq_ci(tok[0], "allow"))
		return rule_acl(name, line, GM_ALLOW, tok, n, r, err);
	if (eq_ci(tok[0], "deny"))
		return rule_acl(name, line, GM_DENY, tok, n, r, err);
	if (eq_ci(tok[0], "auth")) {
		if (n != 2)
			return fail_line(err, name, line, _("usage: auth URI"));
		if ((st = rule_uri(name, line, tok[1], err)) != PT_OK)
			return st;
		return strv_push(&r->auths, &r->nauths, tok[1]) ? PT_OK : nomem(err);
	}
	if (eq_ci(tok[0], "default_lcluser")) {
		if (n != 2)
			return fail_line(err, name, line, _("usage: default_lcluser NAME"));
		if (r->default_account)
			return fail_line(err, name, line,
			                 _("default_lcluser already set at line %u"),
			                 *default_line);
		if ((st = rule_account(name, line, tok[1], err)) != PT_OK)
			return st;
		*default_line = line;
		return (r->default_account = strdup(tok[1])) ? PT_OK : nomem(err);
	}
	if (eq_ci(tok[0], "gmf_local")) {
		if (n == 2)
			return strv_push(&r->local_files, &r->nlocal_files, tok[1]) ? PT_OK
			                                                            : nomem(err);
		if (n != 3)
			return fail_line(err, name, line,
			                 _("usage: gmf_local FILE, or gmf_local \"DN\" ACCOUNT"));
		if ((st = check_dn(name, line, _("DN"), tok[1], err)) != PT_OK ||
		    (st = rule_account(name, line, tok[2], err)) != PT_OK)
			return st;
		return members_push(&r->local, tok[1], NULL, NULL, tok[2], line) ? PT_OK
		                                                                 : nomem(err);
	}
	return fail_line(err, name, line, _("unknown keyword \"%s\""), show(tok[0], sbuf));
}

enum pt_status
gridmap_rules_parse(const char *name, const char *buf, size_t len, struct gm_rules **out,
                    struct pt_err *err)
{
	struct text t;
	struct gm_rules *r;
	enum pt_status st = PT_OK;
	unsigned default_line = 0;
	size_t i;

	*out = NULL;
	if ((st = text_split(name, buf, len, &t, err)) != PT_OK)
		return st;
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		text_free(&t);
		return nomem(err);
	}
	r->local.format = GM_FMT_LOCAL;
	for (i = 0; i < t.n && st == PT_OK; i++) {
		char *tok[MAX_TOKENS + 1];
		size_t n;
		const char *why = tokenize(t.lines[i], tok, &n);

		if (why)
			st = fail_line(err, name, (unsigned)i + 1, "%s", _(why));
		else if (n > 0)
			st = rule_line(name, (unsigned)i + 1, tok, n, r, &default_line, err);
	}
	/* Groups without an account take the default, wherever it was set. */
	for (i = 0; i < r->ngroups && st == PT_OK; i++) {
		if (r->groups[i].account)
			continue;
		if (!r->default_account)
			st = fail_line(err, name, r->groups[i].line,
			               _("group without lcluser and no default_lcluser"));
		else if ((r->groups[i].account = strdup(r->default_account)) == NULL)
			st = nomem(err);
	}
	text_free(&t);
	if (st != PT_OK)
		gridmap_rules_free(&r);
	*out = r;
	return st;
}

/* ---- patterns ------------------------------------------------------ */

/* A DN's byte pairs hashed into a bit set: a pattern whose literal pairs
 * are not all in the set cannot match, which settles most rules without
 * a substring search. */
#define BLOOM_WORDS 8
#define BLOOM_BITS (BLOOM_WORDS * 64)

struct bloom {
	uint64_t w[BLOOM_WORDS];
};

static unsigned
bigram(char a, char b)
{
	return ((unsigned char)a * 31u + (unsigned char)b) % BLOOM_BITS;
}

/* Add the pairs of s[0..n) (lowered). */
static void
bloom_add(uint64_t *w, const char *s, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++) {
		unsigned h = bigram(s[i - 1], s[i]);

		w[h / 64] |= (uint64_t)1 << (h % 64);
	}
}

/* A pattern lowered and cut at '*': an anchored prefix, middle pieces
 * found left to right, an anchored suffix. */
struct pat {
	char *low;
	const char *pre, *suf;
	size_t prelen, suflen;
	const char **mid;
	size_t *midlen;
	size_t nmid;
	bool star;
	bool deny;          /* an ACL's deny rule */
	uint64_t need[BLOOM_WORDS];  /* bigrams of the literal parts */
};

static void
pat_free(struct pat *p)
{
	free(p->low);
	free(p->mid);
	free(p->midlen);
	memset(p, 0, sizeof(*p));
}

static bool
pat_compile(const char *pattern, struct pat *p)
{
	size_t n = strlen(pattern), i, stars = 0;
	char *s, *first, *last;

	memset(p, 0, sizeof(*p));
	if ((p->low = malloc(n + 1)) == NULL)
		return false;
	for (i = 0; i <= n; i++) {
		p->low[i] = lower(pattern[i]);
		stars += pattern[i] == '*';
	}
	p->pre = p->low;
	if (stars == 0) {
		p->prelen = n;
		bloom_add(p->need, p->low, n);
		return true;
	}
	p->star = true;
	p->mid = calloc(stars, sizeof(*p->mid));
	p->midlen = calloc(stars, sizeof(*p->midlen));
	if (!p->mid || !p->midlen) {
		pat_free(p);
		return false;
	}
	first = strchr(p->low, '*');
	last = strrchr(p->low, '*');
	p->prelen = (size_t)(first - p->low);
	p->suf = last + 1;
	p->suflen = strlen(p->suf);
	s = first + 1;
	while (s < last) {
		char *e = strchr(s, '*');

		if (e > s) {
			p->mid[p->nmid] = s;
			p->midlen[p->nmid++] = (size_t)(e - s);
		}
		s = e + 1;
	}
	bloom_add(p->need, p->pre, p->prelen);
	bloom_add(p->need, p->suf, p->suflen);
	for (i = 0; i < p->nmid; i++)
		bloom_add(p->need, p->mid[i], p->midlen[i]);
	return true;
}

/* memmem for the short haystacks of DNs: cheaper than glibc's set-up. */
static const char *
find(const char *h, size_t hn, const char *nd, size_t nn)
{
	const char *p = h, *last;

	if (hn < nn)
		return NULL;
	last = h + hn - nn;
	while (p <= last) {
		p = memchr(p, nd[0], (size_t)(last - p) + 1);
		if (!p)
			return NULL;
		if (memcmp(p + 1, nd + 1, nn - 1) == 0)
			return p;
		p++;
	}
	return NULL;
}

/* dn already lowered, of length n; bl its bigrams, or NULL. */
static bool
pat_match(const struct pat *p, const char *dn, size_t n, const struct bloom *bl)
{
	const char *cur, *end;
	size_t i;

	if (bl)
		for (i = 0; i < BLOOM_WORDS; i++)
			if (p->need[i] & ~bl->w[i])
				return false;
	if (!p->star)
		return n == p->prelen && memcmp(dn, p->pre, n) == 0;
	if (n < p->prelen + p->suflen || memcmp(dn, p->pre, p->prelen) != 0 ||
	    memcmp(dn + n - p->suflen, p->suf, p->suflen) != 0)
		return false;
	cur = dn + p->prelen;
	end = dn + n - p->suflen;
	for (i = 0; i < p->nmid; i++) {
		const char *f = find(cur, (size_t)(end - cur), p->mid[i], p->midlen[i]);

		if (!f)
			return false;
		cur = f + p->midlen[i];
	}
	return true;
}

static void
lower_into(char *dst, const char *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = lower(src[i]);
	dst[n] = '\0';
}

bool
gridmap_match(const char *pattern, const char *dn)
{
	struct pat p;
	size_t n = strlen(dn);
	char *low = malloc(n + 1);
	bool ok = false;

	if (!low)
		return false;
	lower_into(low, dn, n);
	if (pat_compile(pattern, &p)) {
		ok = pat_match(&p, low, n, NULL);
		pat_free(&p);
	}
	free(low);
	return ok;
}

/* ---- build --------------------------------------------------------- */

struct entry {
	const char *dn;         /* a member's DN or one of the build's own */
	const char *account;
	const char *from;       /* group URI, NULL: local */
	size_t seq;
	bool primary;           /* the DN as listed, not its other e-mail form */
};

struct build {
	struct entry *e;
	size_t n, cap;
	char **owned;           /* other e-mail forms made here */
	size_t nowned, ownedcap;
	struct pat *acl;
	size_t nacl;
	bool default_deny;
	struct pat *bans;
	size_t nbans;
	const char **auth;      /* sorted DNs of the auth lists */
	size_t nauth;
	bool use_auth;
	char *low, *low2;       /* scratch: lowered DN and other form */
	size_t lowcap;
	struct gm_result *res;
};

static const char *
unsafe_why(const char *dn)
{
	const unsigned char *p = (const unsigned char *)dn;
	size_t n = strlen(dn);

	if (dn[0] != '/')
		return N_("not a DN in /C=../CN=.. form");
	if (n > GRIDMAP_MAX_DN)
		return N_("too long");
	if (dn[n - 1] == '\\')
		return N_("ends with a backslash");
	while (*p) {
		size_t k, need;

		if (*p == '"')
			return N_("has a double quote");
		if (*p < 0x20 || *p == 0x7f)
			return N_("has a control character");
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			need = 1;
		else if (*p >= 0xe0 && *p <= 0xef)
			need = 2;
		else if (*p >= 0xf0 && *p <= 0xf4)
			need = 3;
		else
			return N_("is not valid UTF-8");
		for (k = 1; k <= need; k++)
			if ((p[k] & 0xc0) != 0x80)
				return N_("is not valid UTF-8");
		if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0) ||
		    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))
			return N_("is not valid UTF-8");
		p += need + 1;
	}
	return NULL;
}

static bool
note_unsafe(struct build *b, const char *dn, const char *why, const char *from)
{
	struct gm_result *r = b->res;
	struct gm_unsafe *u = realloc(r->unsafe, (r->nunsafe + 1) * sizeof(*u));
	char sbuf[SHOW_MAX * 4 + 8];

	if (!u)
		return false;
	r->unsafe = u;
	u += r->nunsafe;
	u->dn = strdup(show(dn, sbuf));
	u->why = why;
	u->from = from ? strdup(from) : NULL;
	if (!u->dn || (from && !u->from)) {
		free(u->dn);
		free(u->from);
		return false;
	}
	r->nunsafe++;
	return true;
}

static bool
ensure_scratch(struct build *b, size_t n)
{
	size_t cap = 2 * n + 32;    /* the other e-mail form may be longer */
	char *a, *c;

	if (cap <= b->lowcap)
		return true;
	a = realloc(b->low, cap);
	if (!a)
		return false;
	b->low = a;
	c = realloc(b->low2, cap);
	if (!c)
		return false;
	b->low2 = c;
	b->lowcap = cap;
	return true;
}

/* The DN with its e-mail attribute spelled the other way, written into
 * out (room for n + 8), or false if it has none.  low is the lowered dn. */
static bool
other_email_form(const char *dn, const char *low, size_t n, char *out)
{
	static const char emaila[] = "/emailaddress=", email[] = "/email=";
	const char *hit = strstr(low, emaila);
	size_t at, from_len;
	const char *to;

	if (hit) {
		from_len = sizeof(emaila) - 1;
		to = "/Email=";
	} else if ((hit = strstr(low, email)) != NULL) {
		from_len = sizeof(email) - 1;
		to = "/emailAddress=";
	} else {
		return false;
	}
	at = (size_t)(hit - low);
	memcpy(out, dn, at);
	strcpy(out + at, to);
	memcpy(out + at + strlen(to), dn + at + from_len, n - at - from_len + 1);
	return true;
}

static bool
add_entry(struct build *b, const char *dn, const char *account, const char *from, bool primary)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1024;
		struct entry *e = realloc(b->e, cap * sizeof(*e));

		if (!e)
			return false;
		b->e = e;
		b->cap = cap;
	}
	b->e[b->n] = (struct entry){ dn, account, from, b->n, primary };
	b->n++;
	return true;
}

/* bl, bl2: the bigrams of low and low2, so that most bans are settled
 * without a substring search. */
static bool
banned(const struct build *b, const char *low, size_t n, const struct bloom *bl,
       const char *low2, size_t n2, const struct bloom *bl2)
{
	size_t i;

	for (i = 0; i < b->nbans; i++)
		if (pat_match(&b->bans[i], low, n, bl) ||
		    (low2 && pat_match(&b->bans[i], low2, n2, bl2)))
			return true;
	return false;
}

static bool
acl_allows(const struct build *b, const char *low, size_t n, const struct bloom *bl)
{
	size_t i;

	for (i = 0; i < b->nacl; i++)
		if (pat_match(&b->acl[i], low, n, bl))
			return !b->acl[i].deny;
	return !b->default_deny;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool
authorized(const struct build *b, const char *dn)
{
	if (!b->use_auth)
		return true;
	return b->nauth > 0 &&
	       bsearch(&dn, b->auth, b->nauth, sizeof(*b->auth), cmp_str) != NULL;
}

/* Take one member (from a group, or local if from_group is false). */
static bool
take(struct build *b, const char *dn, const char *account, const char *from, bool vo)
{
	const char *why = unsafe_why(dn);
	size_t n = strlen(dn), n2 = 0;
	struct bloom bl = { { 0 } }, bl2 = { { 0 } };
	char *alt = NULL;
	bool has_alt;

	if (why)
		return note_unsafe(b, dn, why, from);
	if (!ensure_scratch(b, n))
		return false;
	lower_into(b->low, dn, n);
	has_alt = other_email_form(b->low, b->low, n, b->low2);
	bloom_add(bl.w, b->low, n);
	if (has_alt) {
		n2 = strlen(b->low2);
		lower_into(b->low2, b->low2, n2);
		bloom_add(bl2.w, b->low2, n2);
	}
	if (banned(b, b->low, n, &bl, has_alt ? b->low2 : NULL, n2, &bl2)) {
		b->res->nbanned++;
		return true;
	}
	if (vo && !authorized(b, dn)) {
		b->res->nunauthorized++;
		return true;
	}
	if (vo && !acl_allows(b, b->low, n, &bl)) {
		b->res->ndenied++;
		return true;
	}
	if (!add_entry(b, dn, account, from, true))
		return false;
	if (!has_alt)
		return true;
	if (b->nowned == b->ownedcap) {
		size_t cap = b->ownedcap ? b->ownedcap * 2 : 256;
		char **v = realloc(b->owned, cap * sizeof(*v));

		if (!v)
			return false;
		b->owned = v;
		b->ownedcap = cap;
	}
	if ((alt = malloc(n + 16)) == NULL)
		return false;
	other_email_form(dn, b->low, n, alt);
	if (!add_entry(b, alt, account, from, false)) {
		free(alt);
		return false;
	}
	b->owned[b->nowned++] = alt;
	return true;
}

static int
cmp_entry(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	int c = strcmp(a->dn, b->dn);

	if (c)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static bool
same_from(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool
note_conflict(struct gm_result *r, const struct entry *kept, const struct entry *lost)
{
	struct gm_conflict *c = realloc(r->conflicts, (r->nconflicts + 1) * sizeof(*c));

	if (!c)
		return false;
	r->conflicts = c;
	c += r->nconflicts;
	memset(c, 0, sizeof(*c));
	c->dn = strdup(lost->dn);
	c->kept_from = kept->from ? strdup(kept->from) : NULL;
	c->kept_account = strdup(kept->account);
	c->lost_from = lost->from ? strdup(lost->from) : NULL;
	c->lost_account = strdup(lost->account);
	r->nconflicts++;
	return c->dn && c->kept_account && c->lost_account && (!kept->from || c->kept_from) &&
	       (!lost->from || c->lost_from);
}

static bool
write_line(struct buf *out, const struct entry *e)
{
	const char *p;

	if (!buf_add(out, "\"", 1))
		return false;
	for (p = e->dn; *p; p++) {
		const char *run = p;

		while (*p && *p != '\\')
			p++;
		if (!buf_add(out, run, (size_t)(p - run)))
			return false;
		if (!*p)
			break;
		if (!buf_add(out, "\\\\", 2))
			return false;
	}
	return buf_add(out, "\" ", 2) && buf_add(out, e->account, strlen(e->account)) &&
	       buf_add(out, "\n", 1);
}

/* Sort, keep the first of each DN, note conflicts, write the text. */
static bool
emit(struct build *b)
{
	struct gm_result *r = b->res;
	struct buf out = { 0 };
	size_t i = 0, j;

	if (b->n > 1)
		qsort(b->e, b->n, sizeof(*b->e), cmp_entry);
	if (!buf_grow(&out, b->n * 64))
		return false;
	out.s[0] = '\0';
	while (i < b->n) {
		const struct entry *kept = &b->e[i];

		if (!write_line(&out, kept))
			goto fail;
		r->nlines++;
		for (j = i + 1; j < b->n && strcmp(b->e[j].dn, kept->dn) == 0; j++) {
			const struct entry *e = &b->e[j];

			if (e->primary && (!same_from(e->from, kept->from) ||
			                   strcmp(e->account, kept->account) != 0) &&
			    !note_conflict(r, kept, e))
				goto fail;
		}
		i = j;
	}
	r->text = out.s;
	r->len = out.len;
	return true;
fail:
	free(out.s);
	return false;
}

static int
cmp_unsafe(const void *pa, const void *pb)
{
	const struct gm_unsafe *a = pa, *b = pb;

	return strcmp(a->dn, b->dn);
}

static void
dedup_unsafe(struct gm_result *r)
{
	size_t i, k = 0;

	if (r->nunsafe == 0)
		return;
	qsort(r->unsafe, r->nunsafe, sizeof(*r->unsafe), cmp_unsafe);
	for (i = 0; i < r->nunsafe; i++) {
		if (k > 0 && strcmp(r->unsafe[k - 1].dn, r->unsafe[i].dn) == 0) {
			free(r->unsafe[i].dn);
			free(r->unsafe[i].from);
			continue;
		}
		r->unsafe[k++] = r->unsafe[i];
	}
	r->nunsafe = k;
}

static const struct gm_members *
find_source(const struct gm_source *src, size_t n, const char *uri)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (src[i].uri && src[i].members && strcmp(src[i].uri, uri) == 0)
			return src[i].members;
	return NULL;
}

static bool
note_missing(struct gm_result *r, const char *uri)
{
	size_t i;

	for (i = 0; i < r->nmissing; i++)
		if (strcmp(r->missing[i], uri) == 0)
			return true;
	return strv_push(&r->missing, &r->nmissing, uri);
}

static bool
build_prepare(struct build *b, const struct gm_rules *rules, const struct gm_source *src,
              size_t nsrc, const char *const *bans, size_t nbans)
{
	size_t i, j;

	b->acl = calloc(rules->nacl + 1, sizeof(*b->acl));
	b->bans = calloc(nbans + 1, sizeof(*b->bans));
	if (!b->acl || !b->bans)
		return false;
	for (i = 0; i < rules->nacl; i++, b->nacl++) {
		if (!pat_compile(rules->acl[i].pattern, &b->acl[i]))
			return false;
		b->acl[i].deny = rules->acl[i].kind == GM_DENY;
		if (rules->acl[i].kind == GM_ALLOW)
			b->default_deny = true;
	}
	for (i = 0; i < nbans; i++, b->nbans++)
		if (!pat_compile(bans[i], &b->bans[i]))
			return false;
	b->use_auth = rules->nauths > 0;
	for (i = 0; i < rules->nauths; i++) {
		const struct gm_members *m = find_source(src, nsrc, rules->auths[i]);
		const char **v;

		if (!m) {
			if (!note_missing(b->res, rules->auths[i]))
				return false;
			continue;
		}
		v = realloc(b->auth, (b->nauth + m->n + 1) * sizeof(*v));
		if (!v)
			return false;
		b->auth = v;
		for (j = 0; j < m->n; j++)
			b->auth[b->nauth++] = m->v[j].dn;
	}
	if (b->nauth)
		qsort(b->auth, b->nauth, sizeof(*b->auth), cmp_str);
	return true;
}

static void
build_free(struct build *b)
{
	size_t i;

	for (i = 0; i < b->nacl; i++)
		pat_free(&b->acl[i]);
	for (i = 0; i < b->nbans; i++)
		pat_free(&b->bans[i]);
	for (i = 0; i < b->nowned; i++)
		free(b->owned[i]);
	free(b->acl);
	free(b->bans);
	free(b->owned);
	free(b->auth);
	free(b->e);
	free(b->low);
	free(b->low2);
}

static bool
take_local(struct build *b, const struct gm_members *m)
{
	size_t i;

	for (i = 0; m && i < m->n; i++) {
		/* An entry without account cannot be written: skip it. */
		if (!m->v[i].account)
			continue;
		if (!take(b, m->v[i].dn, m->v[i].account, NULL, false))
			return false;
	}
	return true;
}

enum pt_status
gridmap_build(const struct gm_rules *rules, const struct gm_source *sources, size_t nsources,
              const struct gm_members *local, const char *const *bans, size_t nbans,
              struct gm_result **out, struct pt_err *err)
{
	struct build b = { 0 };
	size_t g, i;
	bool ok;

	*out = NULL;
	if ((b.res = calloc(1, sizeof(*b.res))) == NULL)
		return nomem(err);
	ok = build_prepare(&b, rules, sources, nsources, bans, nbans) &&
	     take_local(&b, &rules->local) && take_local(&b, local);
	for (g = 0; ok && g < rules->ngroups; g++) {
		const struct gm_group *grp = &rules->groups[g];
		const struct gm_members *m = find_source(sources, nsources, grp->uri);

		if (!m) {
			ok = note_missing(b.res, grp->uri);
			continue;
		}
		for (i = 0; ok && i < m->n; i++)
			ok = take(&b, m->v[i].dn, grp->account, grp->uri, true);
	}
	ok = ok && emit(&b);
	build_free(&b);
	if (!ok) {
		gridmap_result_free(&b.res);
		return nomem(err);
	}
	dedup_unsafe(b.res);
	*out = b.res;
	return PT_OK;
}

void
gridmap_result_free(struct gm_result **rp)
{
	struct gm_result *r;
	size_t i;

	if (!rp || !*rp)
		return;
	r = *rp;
	free(r->text);
	strv_free(r->missing, r->nmissing);
	for (i = 0; i < r->nunsafe; i++) {
		free(r->unsafe[i].dn);
		free(r->unsafe[i].from);
	}
	free(r->unsafe);
	for (i = 0; i < r->nconflicts; i++) {
		free(r->conflicts[i].dn);
		free(r->conflicts[i].kept_from);
		free(r->conflicts[i].kept_account);
		free(r->conflicts[i].lost_from);
		free(r->conflicts[i].lost_account);
	}
	free(r->conflicts);
	free(r);
	*rp = NULL;
}

/* ---- .lsc ---------------------------------------------------------- */

static enum pt_status
lsc_dn(size_t chain, size_t cert, const char *what, const char *dn, struct pt_err *err)
{
	const char *p;
	char sbuf[SHOW_MAX * 4 + 8];

	if (!dn || dn[0] != '/' || !strchr(dn, '='))
		/* TRANSLATORS: chain number, certificate number, "subject" or
		 * "issuer", the DN. */
		return pt_fail(err, PT_INVALID,
		               _("chain %zu, certificate %zu: %s \"%s\" is not in /C=../CN=.. "
		                 "form"),
		               chain, cert, what, show(dn ? dn : "", sbuf));
	for (p = dn; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return pt_fail(err, PT_INVALID,
			               _("chain %zu, certificate %zu: %s \"%s\" has a control "
			                 "character"),
			               chain, cert, what, show(dn, sbuf));
	return PT_OK;
}

static enum pt_status
lsc_chain(size_t ci, const struct gm_chain *c, struct buf *out, struct pt_err *err)
{
	char s1[SHOW_MAX * 4 + 8], s2[SHOW_MAX * 4 + 8];
	enum pt_status st;
	size_t i;

	if (c->n == 0)
		return pt_fail(err, PT_INVALID, _("chain %zu is empty"), ci);
	for (i = 0; i < c->n; i++) {
		if ((st = lsc_dn(ci, i + 1, _("subject"), c->certs[i].subject, err)) != PT_OK ||
		    (st = lsc_dn(ci, i + 1, _("issuer"), c->certs[i].issuer, err)) != PT_OK)
			return st;
		if (i + 1 < c->n && strcmp(c->certs[i].issuer, c->certs[i + 1].subject) != 0)
			return pt_fail(err, PT_INVALID,
			               _("chain %zu: certificate %zu is issued by \"%s\", but "
			                 "certificate %zu is \"%s\""),
			               ci, i + 1, show(c->certs[i].issuer, s1), i + 2,
			               show(c->certs[i + 1].subject, s2));
	}
	if (!buf_add(out, c->certs[0].subject, strlen(c->certs[0].subject)) ||
	    !buf_add(out, "\n", 1))
		return nomem(err);
	for (i = 0; i < c->n; i++) {
		const struct gm_cert *k = &c->certs[i];

		/* A self-signed root is already on the line before. */
		if (i > 0 && strcmp(k->subject, k->issuer) == 0)
			break;
		if (!buf_add(out, k->issuer, strlen(k->issuer)) || !buf_add(out, "\n", 1))
			return nomem(err);
	}
	return PT_OK;
}

enum pt_status
gridmap_lsc(const struct gm_chain *chains, size_t nchains, char **out, struct pt_err *err)
{
	struct buf b = { 0 };
	enum pt_status st = PT_OK;
	size_t i;

	*out = NULL;
	if (nchains == 0)
		return pt_fail(err, PT_INVALID, "%s", _("no certificate chain"));
	for (i = 0; i < nchains && st == PT_OK; i++) {
		if (i > 0 && !buf_add(&b, GRIDMAP_LSC_NEXT "\n", strlen(GRIDMAP_LSC_NEXT) + 1))
			st = nomem(err);
		else
			st = lsc_chain(i + 1, &chains[i], &b, err);
	}
	if (st != PT_OK) {
		free(b.s);
		return st;
	}
	*out = b.s;
	return PT_OK;
}
