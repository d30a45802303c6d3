/* gridmap-members.c - VO member lists read: plain, CSV (VOMS-Admin export),
 * LDIF, their detection, and grid-mapfile-local. */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grid/gridmap.h"
#include "grid/private.h"
#include "base/i18n.h"

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

void
gm_members_clear(struct gm_members *m)
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
	gm_members_clear(*m);
	free(*m);
	*m = NULL;
}

static char *
dup_or_null(const char *s)
{
	return (s && *s) ? strdup(s) : NULL;
}

/* Append a member; the strings are copied (empty ca/email become NULL). */
bool
gm_members_push(struct gm_members *m, const char *dn, const char *ca, const char *email,
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
enum pt_status
gm_check_dn(const char *name, unsigned line, const char *what, const char *dn, struct pt_err *err)
{
	char sbuf[SHOW_MAX * 4 + 8];

	if (*dn == '\0')
		/* TRANSLATORS: %s is "DN", "CA DN" or "subject". */
		return gm_fail_line(err, name, line, _("empty %s"), what);
	if (dn[0] != '/' || !strchr(dn, '='))
		/* TRANSLATORS: %s is "DN", "CA DN" or "subject", then the text. */
		return gm_fail_line(err, name, line, _("%s \"%s\" is not in /C=../CN=.. form"),
		                    what, gm_show(dn, sbuf));
	if (strlen(dn) > GRIDMAP_MAX_DN)
		return gm_fail_line(err, name, line, _("%s longer than %d bytes"), what,
		                    GRIDMAP_MAX_DN);
	return PT_OK;
}

bool
gm_valid_account(const char *a)
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
	return gm_members_push(m, dn, ca, email, account, line) ? PT_OK : gm_nomem(err);
}

enum pt_status
gridmap_check_dn(const char *name, unsigned line, const char *dn, struct pt_err *err)
{
	return gm_check_dn(name, line, _("DN"), dn, err);
}

bool
gridmap_account_valid(const char *a)
{
	return gm_valid_account(a);
}

/* ---- plain lists --------------------------------------------------- */

static enum pt_status
parse_plain(const char *name, struct text *t, struct gm_members *m, struct pt_err *err)
{
	size_t i;
	enum pt_status st;

	for (i = 0; i < t->n; i++) {
		char *dn = gm_trim(t->lines[i]);

		if (*dn == '\0' || *dn == '#')
			continue;
		if ((st = gm_check_dn(name, (unsigned)i + 1, _("DN"), dn, err)) != PT_OK)
			return st;
		if (!gm_members_push(m, dn, NULL, NULL, NULL, (unsigned)i + 1))
			return gm_nomem(err);
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
		while (gm_is_space(*r))
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
			while (gm_is_space(*r))
				r++;
			if (*r != ',' && *r != '\0')
				return N_("text after a closing quote");
		} else {
			while (*r && *r != ',') {
				if (*r == '"')
					return N_("quote inside an unquoted field");
				*w++ = *r++;
			}
			while (w > f[*nf - 1] && gm_is_space(w[-1]))
				w--;
		}
		if (*r == '\0') {
			*w = '\0';
			return NULL;
		}
		*w = '\0';
		r++; /* the comma; w <= r-1, so it is safe to cut there */
	}
}

enum { COL_DN, COL_CA, COL_EMAIL, COL_NONE };

static int
csv_column(const char *h)
{
	static const char *const dn[] = {
		"dn", "subject", "user dn", "subject dn", "certificate subject", "certificate dn",
		NULL
	};
	static const char *const ca[] = {
		"ca", "issuer", "ca dn", "issuer dn", "certificate issuer", "ca subject", NULL
	};
	static const char *const mail[] = { "email",         "e-mail",       "mail",
		                            "email address", "emailaddress", NULL };
	size_t i;

	for (i = 0; dn[i]; i++)
		if (gm_eq_ci(h, dn[i]))
			return COL_DN;
	for (i = 0; ca[i]; i++)
		if (gm_eq_ci(h, ca[i]))
			return COL_CA;
	for (i = 0; mail[i]; i++)
		if (gm_eq_ci(h, mail[i]))
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

		if (gm_is_blank_or_comment(t->lines[i]))
			continue;
		if ((why = csv_split(t->lines[i], f, &nf)) != NULL)
			return gm_fail_line(err, name, line, "%s", _(why));
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
		if ((st = gm_check_dn(name, line, _("DN"), v[COL_DN], err)) != PT_OK)
			return st;
		if (v[COL_CA] && *v[COL_CA] &&
		    (st = gm_check_dn(name, line, _("CA DN"), v[COL_CA], err)) != PT_OK)
			return st;
		if (!gm_members_push(m, v[COL_DN], v[COL_CA], v[COL_EMAIL], NULL, line))
			return gm_nomem(err);
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
		if (!gm_members_push(m, r->subj[i], r->ca, r->email, NULL, r->subj_line[i]))
			return gm_nomem(err);
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
		return gm_fail_line(
			err, name, line,
			_("\"%s\" is not an attribute line (a continued line must start "
		          "with one space)"),
			gm_show(s, sbuf));
	*colon = '\0';
	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == ';' || s[i] == '.'))
			return gm_fail_line(
				err, name, line,
				_("\"%s\" is not an attribute name (a continued line must "
			          "start with one space)"),
				gm_show(s, sbuf));
	if ((opt = strchr(s, ';')) != NULL)
		*opt = '\0';
	val = colon + 1;
	if (*val == ':') {
		val = gm_trim(val + 1);
		if (!b64_decode(val))
			return gm_fail_line(err, name, line, _("bad base64 value of %s"),
			                    gm_show(s, sbuf));
	} else if (*val == '<') {
		return gm_fail_line(err, name, line, _("URL values are not supported"));
	} else {
		val = gm_trim(val);
	}
	if (gm_eq_ci(s, "dn")) {
		if (r->has_dn)
			return gm_fail_line(err, name, line, _("second dn: in one record"));
		r->has_dn = true;
		return PT_OK;
	}
	if (gm_eq_ci(s, "version"))
		return PT_OK;
	if (!r->has_dn)
		return gm_fail_line(err, name, line, _("attribute %s before the record's dn:"),
		                    gm_show(s, sbuf));
	if (gm_eq_ci(s, "description")) {
		if (!gm_starts_ci(val, "subject="))
			return PT_OK;
		val = gm_trim(val + strlen("subject="));
	} else if (gm_eq_ci(s, "issuer") || gm_eq_ci(s, "ca")) {
		if (*val && (st = gm_check_dn(name, line, _("CA DN"), val, err)) != PT_OK)
			return st;
		r->ca = val;
		return PT_OK;
	} else if (gm_eq_ci(s, "mail") || gm_eq_ci(s, "email")) {
		r->email = val;
		return PT_OK;
	} else if (!gm_eq_ci(s, "subject")) {
		return PT_OK;
	}
	if ((st = gm_check_dn(name, line, _("subject"), val, err)) != PT_OK)
		return st;
	if (r->nsubj == sizeof(r->subj) / sizeof(r->subj[0]))
		return gm_fail_line(err, name, line, _("too many subjects in one record"));
	r->subj_line[r->nsubj] = line;
	r->subj[r->nsubj++] = val;
	return PT_OK;
}

/* Continuation lines are joined in place in the text's copy: a
 * continuation always lies after the line it continues, so the bytes move
 * left over the NUL that ended that line, and a logical line costs no
 * memory of its own (records point into the copy). */
static enum pt_status
parse_ldif(const char *name, struct text *t, struct gm_members *m, struct pt_err *err)
{
	struct ldif_rec rec = { 0 };
	char *cur = NULL, *end = NULL; /* the logical line being collected */
	unsigned cur_line = 0;
	enum pt_status st;
	size_t i;

	for (i = 0; i < t->n; i++) {
		char *s = t->lines[i];
		unsigned line = (unsigned)i + 1;

		if (*s == ' ') {
			size_t n = strlen(s + 1);

			if (!cur)
				return gm_fail_line(
					err, name, line,
					_("continuation line with no line to continue"));
			memmove(end, s + 1, n);
			end += n;
			*end = '\0';
			continue;
		}
		/* The line before is complete. */
		if (cur && (st = ldif_attr(name, cur_line, cur, &rec, err)) != PT_OK)
			return st;
		cur = NULL;
		if (*s == '\t')
			return gm_fail_line(
				err, name, line,
				_("line starts with a tab (a continued line must start with "
			          "one space)"));
		if (*s == '\0') {
			if ((st = ldif_flush(&rec, m, err)) != PT_OK)
				return st;
			continue;
		}
		cur = s;
		end = s + strlen(s);
		cur_line = line;
	}
	if (cur && (st = ldif_attr(name, cur_line, cur, &rec, err)) != PT_OK)
		return st;
	return ldif_flush(&rec, m, err);
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

		while (gm_is_space(*s))
			s++;
		if (*s == '\0' || *s == '#')
			continue;
		if (gm_starts_ci(s, "dn:") || gm_starts_ci(s, "version:")) {
			*f = GM_FMT_LDIF;
			return PT_OK;
		}
		if ((copy = strdup(s)) == NULL)
			return gm_nomem(err);
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
		return gm_fail_line(
			err, name, (unsigned)i + 1,
			_("not a member list: not one DN per line, not a VOMS-Admin CSV "
		          "export, not LDIF"));
	}
	*f = GM_FMT_PLAIN;
	return PT_OK;
}

/* A JSON object first (after a BOM and blanks): an IAM listing. */
static bool
looks_json(const char *buf, size_t len)
{
	size_t i = len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;

	while (i < len && (gm_is_space(buf[i]) || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	return i < len && buf[i] == '{';
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
	if (looks_json(buf, len)) {
		if ((m = members_new(GM_FMT_IAM)) == NULL)
			return gm_nomem(err);
		if ((st = gm_parse_iam(name, buf, len, m, err)) != PT_OK)
			gridmap_members_free(&m);
		*out = m;
		return st;
	}
	if ((st = gm_text_split(name, buf, len, &t, err)) != PT_OK)
		return st;
	if ((st = detect(name, &t, &f, err)) != PT_OK)
		goto out;
	if ((m = members_new(f)) == NULL) {
		st = gm_nomem(err);
		goto out;
	}
	if (f == GM_FMT_LDIF)
		st = parse_ldif(name, &t, m, err);
	else if (f == GM_FMT_CSV)
		st = parse_csv(name, &t, m, err);
	else
		st = parse_plain(name, &t, m, err);
out:
	gm_text_free(&t);
	if (st != PT_OK)
		gridmap_members_free(&m);
	*out = m;
	return st;
}

/* ---- grid-mapfile-local -------------------------------------------- */

/* A "quoted" DN at s with \-escapes, unquoted in place; *end after it. */
const char *
gm_unquote(char *s, char **end)
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
		if ((why = gm_unquote(s, &end)) != NULL)
			return gm_fail_line(err, name, line, "%s", _(why));
		if (*end && !gm_is_space(*end))
			return gm_fail_line(err, name, line, _("text after a closing quote"));
		acc = end;
	} else {
		acc = s;
		while (*acc && !gm_is_space(*acc))
			acc++;
		if (*acc)
			*acc++ = '\0';
	}
	acc = gm_trim(acc);
	if ((st = gm_check_dn(name, line, _("DN"), dn, err)) != PT_OK)
		return st;
	if (!gm_valid_account(acc))
		return gm_fail_line(err, name, line, _("\"%s\" is not an account name"), acc);
	if (!gm_members_push(m, dn, NULL, NULL, acc, line))
		return gm_nomem(err);
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
	if ((st = gm_text_split(name, buf, len, &t, err)) != PT_OK)
		return st;
	if ((m = members_new(GM_FMT_LOCAL)) == NULL) {
		gm_text_free(&t);
		return gm_nomem(err);
	}
	for (i = 0; i < t.n && st == PT_OK; i++) {
		char *s = gm_trim(t.lines[i]);

		if (*s && *s != '#')
			st = local_line(name, (unsigned)i + 1, s, m, err);
	}
	gm_text_free(&t);
	if (st != PT_OK)
		gridmap_members_free(&m);
	*out = m;
	return st;
}
