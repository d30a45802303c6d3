/* hostspec.c - parse and expand host specifications and entry names.
 *
 * A recursive-descent parser over the spec: a sequence of items (a run
 * of literal host characters, "{alt,alt}" or "[range,range]") whose
 * lists of strings are multiplied left to right.  Every list is kept at
 * or under HOSTSPEC_MAX_HOSTS strings of at most HOSTSPEC_MAX_NAME bytes,
 * checked before it is built, so memory stays bounded whatever the input.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site/hostspec.h"
#include "base/i18n.h"

/* Deep enough for any real spec, shallow enough for the stack. */
#define MAX_DEPTH 16
/* Longest spec or name quoted in a message: keeps the detail readable
 * and inside struct pt_err. */
#define SHOW_MAX 120
/* More digits than this could overflow unsigned long long. */
#define MAX_BOUND_DIGITS 18

struct strlist {
	char **v;
	size_t n, cap;
};

struct parser {
	const char *spec; /* what is parsed, NUL-terminated */
	size_t pos;       /* cursor in spec */
	const char *show; /* the text quoted in messages */
	size_t col0;      /* offset of spec within show */
	int depth;        /* of braces */
	struct pt_err *err;
};

struct bound {
	size_t pos, len; /* the bound as written */
	unsigned long long val;
};

static enum pt_status parse_braces(struct parser *ps, struct strlist *out);
static enum pt_status parse_range(struct parser *ps, struct strlist *out);

/* ---- characters and messages ------------------------------------- */

/* Explicit ASCII tests: <ctype.h> depends on the locale. */
static bool
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool
is_host_char(char c)
{
	return is_alnum(c) || c == '-' || c == '.';
}

/* Users and groups. */
static bool
is_name_char(char c)
{
	return is_alnum(c) || c == '-' || c == '.' || c == '_';
}

static bool
is_service_char(char c)
{
	return is_name_char(c) || c == '/' || c == '+';
}

static char
to_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* A control or non-ASCII byte is shown as \xNN, never raw. */
static const char *
show_char(char c, char buf[8])
{
	unsigned char u = (unsigned char)c;

	if (u >= 0x20 && u < 0x7f)
		snprintf(buf, 8, "%c", c);
	else
		snprintf(buf, 8, "\\x%02x", u);
	return buf;
}

/* s, or its first bytes and "..." (not cutting a UTF-8 sequence). */
static const char *
shorten(const char *s, char buf[SHOW_MAX + 4])
{
	size_t cut = SHOW_MAX;

	if (strlen(s) <= SHOW_MAX)
		return s;
	while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
		cut--;
	memcpy(buf, s, cut);
	memcpy(buf + cut, "...", 4);
	return buf;
}

static enum pt_status
nomem(struct parser *ps)
{
	return pt_fail(ps->err, PT_NOMEM, "%s", _(pt_status_msg(PT_NOMEM)));
}

/* "TEXT: column N: what is wrong", N 1-based in the text the user typed. */
__attribute__((format(printf, 3, 4))) static enum pt_status
fail_at(struct parser *ps, size_t pos, const char *fmt, ...)
{
	char detail[256], sbuf[SHOW_MAX + 4];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	/* TRANSLATORS: the text typed, the 1-based column, the problem. */
	return pt_fail(ps->err, PT_INVALID, _("%s: column %zu: %s"), shorten(ps->show, sbuf),
	               ps->col0 + pos + 1, detail);
}

/* A bad expanded name has no column in the spec: quote the name. */
__attribute__((format(printf, 3, 4))) static enum pt_status
fail_name(struct parser *ps, const char *name, const char *fmt, ...)
{
	char detail[256], sbuf[SHOW_MAX + 4], nbuf[SHOW_MAX + 4];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	/* TRANSLATORS: the spec typed, a host name it expands to, its problem. */
	return pt_fail(ps->err, PT_INVALID, _("%s: host \"%s\": %s"), shorten(ps->show, sbuf),
	               shorten(name, nbuf), detail);
}

static enum pt_status
fail_too_many(struct parser *ps, size_t pos)
{
	return fail_at(ps, pos, _("too many hosts (more than %d)"), HOSTSPEC_MAX_HOSTS);
}

/* ---- string lists ------------------------------------------------ */

static void
list_clear(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static bool
list_reserve(struct strlist *l, size_t more)
{
	size_t cap = l->cap ? l->cap : 8;
	char **v;

	if (l->n + more <= l->cap)
		return true;
	while (cap < l->n + more)
		cap *= 2;
	v = realloc(l->v, cap * sizeof(*v));
	if (!v)
		return false;
	l->v = v;
	l->cap = cap;
	return true;
}

/* Takes s, NULL included (a failed strdup), and frees it on failure. */
static bool
list_push(struct strlist *l, char *s)
{
	if (!s || !list_reserve(l, 1)) {
		free(s);
		return false;
	}
	l->v[l->n++] = s;
	return true;
}

/* Move all of src to the end of dst; pos is blamed if that is too many. */
static enum pt_status
list_move(struct parser *ps, size_t pos, struct strlist *dst, struct strlist *src)
{
	if (src->n > HOSTSPEC_MAX_HOSTS - dst->n)
		return fail_too_many(ps, pos);
	if (!list_reserve(dst, src->n))
		return nomem(ps);
	memcpy(dst->v + dst->n, src->v, src->n * sizeof(*src->v));
	dst->n += src->n;
	src->n = 0;
	return PT_OK;
}

/* a := every string of a followed by every string of b, a's varying
 * slowest, as the shell does; the item at pos is blamed for excess. */
static enum pt_status
list_product(struct parser *ps, size_t pos, struct strlist *a, const struct strlist *b)
{
	struct strlist r = { 0 };

	if (b->n && a->n > HOSTSPEC_MAX_HOSTS / b->n)
		return fail_too_many(ps, pos);
	for (size_t i = 0; i < a->n; i++) {
		for (size_t j = 0; j < b->n; j++) {
			size_t la = strlen(a->v[i]), lb = strlen(b->v[j]);
			char *s;

			if (la + lb > HOSTSPEC_MAX_NAME) {
				list_clear(&r);
				return fail_at(ps, pos, _("host name is longer than %d characters"),
				               HOSTSPEC_MAX_NAME);
			}
			s = malloc(la + lb + 1);
			if (s) {
				memcpy(s, a->v[i], la);
				memcpy(s + la, b->v[j], lb + 1);
			}
			if (!list_push(&r, s)) {
				list_clear(&r);
				return nomem(ps);
			}
		}
	}
	list_clear(a);
	*a = r;
	return PT_OK;
}

/* ---- the grammar ------------------------------------------------- */

/* Why the character at the cursor cannot start a literal run. */
static enum pt_status
fail_char(struct parser *ps)
{
	char c = ps->spec[ps->pos], buf[8];

	if (c == '}' || c == ']')
		return fail_at(ps, ps->pos, _("unbalanced \"%c\""), c);
	if (c == ',')
		return fail_at(ps, ps->pos, _("\",\" outside braces or brackets"));
	return fail_at(ps, ps->pos, _("character \"%s\" is not allowed in a host name"),
	               show_char(c, buf));
}

/* A run of host characters, lower-cased, as a one-string list. */
static enum pt_status
parse_literal(struct parser *ps, struct strlist *out)
{
	size_t start = ps->pos;
	char *run;

	while (is_host_char(ps->spec[ps->pos]))
		ps->pos++;
	if (ps->pos == start)
		return fail_char(ps);
	run = strndup(ps->spec + start, ps->pos - start);
	for (char *p = run; p && *p; p++)
		*p = to_lower(*p);
	return list_push(out, run) ? PT_OK : nomem(ps);
}

/* Items up to the end, or inside braces up to ',' or '}'. */
static enum pt_status
parse_seq(struct parser *ps, struct strlist *out)
{
	if (!list_push(out, strdup("")))
		return nomem(ps);
	for (;;) {
		struct strlist item = { 0 };
		size_t pos = ps->pos;
		char c = ps->spec[pos];
		enum pt_status st;

		if (c == '\0' || (ps->depth > 0 && (c == ',' || c == '}')))
			return PT_OK;
		if (c == '{')
			st = parse_braces(ps, &item);
		else if (c == '[')
			st = parse_range(ps, &item);
		else
			st = parse_literal(ps, &item);
		if (st == PT_OK)
			st = list_product(ps, pos, out, &item);
		list_clear(&item);
		if (st != PT_OK)
			return st;
	}
}

static enum pt_status
parse_braces(struct parser *ps, struct strlist *out)
{
	size_t open = ps->pos++;
	enum pt_status st = PT_OK;

	if (++ps->depth > MAX_DEPTH)
		return fail_at(ps, open, _("braces nested more than %d deep"), MAX_DEPTH);
	while (st == PT_OK) {
		struct strlist alt = { 0 };
		size_t start = ps->pos;

		st = parse_seq(ps, &alt);
		if (st == PT_OK && ps->spec[ps->pos] == '\0')
			st = fail_at(ps, open, _("unbalanced \"%c\""), '{');
		else if (st == PT_OK && ps->pos == start)
			st = fail_at(ps, start, _("empty alternative in braces"));
		if (st == PT_OK)
			st = list_move(ps, start, out, &alt);
		list_clear(&alt);
		if (st == PT_OK && ps->spec[ps->pos++] == '}')
			break;
	}
	ps->depth--;
	return st;
}

/* One number of a range: everything up to '-', ',' or ']'. */
static enum pt_status
parse_bound(struct parser *ps, struct bound *b)
{
	const char *s = ps->spec;

	b->pos = ps->pos;
	while (s[ps->pos] && s[ps->pos] != '-' && s[ps->pos] != ',' && s[ps->pos] != ']')
		ps->pos++;
	b->len = ps->pos - b->pos;
	if (b->len == 0)
		return fail_at(ps, b->pos, _("missing number in range"));
	b->val = 0;
	for (size_t i = 0; i < b->len; i++) {
		char c = s[b->pos + i];

		if (c < '0' || c > '9')
			return fail_at(ps, b->pos, _("range bound \"%.*s\" is not a number"),
			               (int)b->len, s + b->pos);
		b->val = b->val * 10 + (unsigned long long)(c - '0');
	}
	if (b->len > MAX_BOUND_DIGITS)
		return fail_at(ps, b->pos, _("range bound \"%.*s\" is too large"), (int)b->len,
		               s + b->pos);
	return PT_OK;
}

/* lo..hi onto out, zero-padded to lo's width when lo is written with
 * leading zeros ("001"), as pdsh and Slurm hostlists do. */
static enum pt_status
range_emit(struct parser *ps, const struct bound *lo, const struct bound *hi, struct strlist *out)
{
	const char *s = ps->spec;
	int width = (lo->len > 1 && s[lo->pos] == '0') ? (int)lo->len : 0;

	if (lo->val > hi->val)
		return fail_at(ps, lo->pos, _("range start %.*s is greater than end %.*s"),
		               (int)lo->len, s + lo->pos, (int)hi->len, s + hi->pos);
	if (hi->val - lo->val >= HOSTSPEC_MAX_HOSTS - out->n)
		return fail_too_many(ps, lo->pos);
	for (unsigned long long v = lo->val;; v++) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%0*llu", width, v);
		if (!list_push(out, strdup(buf)))
			return nomem(ps);
		if (v == hi->val)
			return PT_OK;
	}
}

/* "[" bound ["-" bound] {"," bound ["-" bound]} "]" */
static enum pt_status
parse_range(struct parser *ps, struct strlist *out)
{
	size_t open = ps->pos++;

	/* Checked first so that "wn[1-3.x" says what is really wrong. */
	if (!strchr(ps->spec + open, ']'))
		return fail_at(ps, open, _("unbalanced \"%c\""), '[');
	for (;;) {
		struct bound lo, hi;
		enum pt_status st = parse_bound(ps, &lo);

		hi = lo;
		if (st == PT_OK && ps->spec[ps->pos] == '-') {
			ps->pos++;
			st = parse_bound(ps, &hi);
		}
		if (st == PT_OK)
			st = range_emit(ps, &lo, &hi, out);
		if (st != PT_OK)
			return st;
		/* The bounds stop only at '-', ',' or ']' (one is ahead). */
		if (ps->spec[ps->pos] == '-')
			return fail_at(ps, ps->pos, _("unexpected \"%c\" in range"), '-');
		if (ps->spec[ps->pos++] == ']')
			return PT_OK;
	}
}

/* ---- names and groups -------------------------------------------- */

/* A plain spec is the name (up to case), so point at the column; an
 * expanded name has no column in the spec, so quote it instead. */
__attribute__((format(printf, 5, 6))) static enum pt_status
fail_label(struct parser *ps, const char *name, bool plain, size_t at, const char *fmt, ...)
{
	char detail[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (plain)
		return fail_at(ps, at, "%s", detail);
	return fail_name(ps, name, "%s", detail);
}

static enum pt_status
check_label(struct parser *ps, const char *name, bool plain, size_t start, size_t len)
{
	const char *l = name + start;
	int n = (int)len;

	if (len == 0)
		return fail_label(ps, name, plain, start, "%s", _("empty label"));
	if (len > HOSTSPEC_MAX_LABEL)
		return fail_label(ps, name, plain, start,
		                  _("label \"%.*s...\" is longer than %d characters"), 20, l,
		                  HOSTSPEC_MAX_LABEL);
	if (l[0] == '-')
		return fail_label(ps, name, plain, start, _("label \"%.*s\" starts with a hyphen"),
		                  n, l);
	if (l[len - 1] == '-')
		return fail_label(ps, name, plain, start + len - 1,
		                  _("label \"%.*s\" ends with a hyphen"), n, l);
	return PT_OK;
}

/* name has only host characters (the parser saw to it); its length is
 * bounded by list_product. */
static enum pt_status
check_name(struct parser *ps, const char *name, bool plain)
{
	size_t start = 0;

	for (;;) {
		size_t end = start + strcspn(name + start, ".");
		enum pt_status st = check_label(ps, name, plain, start, end - start);

		if (st != PT_OK || name[end] == '\0')
			return st;
		start = end + 1;
	}
}

struct ranked {
	const char *s;
	size_t i;
};

static int
cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	int c = strcmp(x->s, y->s);

	if (c)
		return c;
	return (x->i > y->i) - (x->i < y->i);
}

/* Drop repeats, keeping the first of each.  Sorting (name, index) makes
 * the first of each run the one to keep: n log n, not n squared, for
 * ten thousand names. */
static enum pt_status
dedupe(struct parser *ps, struct strlist *l)
{
	struct ranked *r = calloc(l->n ? l->n : 1, sizeof(*r));
	size_t k = 0;

	if (!r)
		return nomem(ps);
	for (size_t i = 0; i < l->n; i++)
		r[i] = (struct ranked){ l->v[i], i };
	qsort(r, l->n, sizeof(*r), cmp_ranked);
	for (size_t i = 1, head = 0; i < l->n; i++) {
		if (strcmp(r[i].s, r[head].s) != 0) {
			head = i;
			continue;
		}
		free(l->v[r[i].i]);
		l->v[r[i].i] = NULL;
	}
	free(r);
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i])
			l->v[k++] = l->v[i];
	l->n = k;
	return PT_OK;
}

static enum pt_status
parse_group(struct parser *ps, struct hostspec *out)
{
	const char *name = ps->spec + 1;
	char buf[8];

	if (*name == '\0')
		return fail_at(ps, 0, _("empty group name after \"@\""));
	for (size_t i = 0; name[i]; i++)
		if (!is_name_char(name[i]))
			return fail_at(ps, i + 1,
			               _("character \"%s\" is not allowed in a group name"),
			               show_char(name[i], buf));
	out->group = strdup(name);
	return out->group ? PT_OK : nomem(ps);
}

static enum pt_status
expand(struct parser *ps, struct hostspec *out)
{
	struct strlist l = { 0 };
	bool plain = !strpbrk(ps->spec, "{[");
	enum pt_status st;

	if (ps->spec[0] == '\0')
		return pt_fail(ps->err, PT_INVALID, _("empty host specification"));
	if (strlen(ps->spec) > HOSTSPEC_MAX_SPEC)
		return pt_fail(ps->err, PT_INVALID,
		               _("host specification is longer than %d characters"),
		               HOSTSPEC_MAX_SPEC);
	if (ps->spec[0] == '@')
		return parse_group(ps, out);
	st = parse_seq(ps, &l);
	if (st == PT_OK)
		st = dedupe(ps, &l);
	/* Plain: check the spec as typed, so the quoted label keeps its case. */
	for (size_t i = 0; st == PT_OK && i < l.n; i++)
		st = check_name(ps, plain ? ps->spec : l.v[i], plain);
	if (st != PT_OK) {
		list_clear(&l);
		return st;
	}
	out->names = l.v;
	out->n = l.n;
	return PT_OK;
}

/* ---- API --------------------------------------------------------- */

enum pt_status
hostspec_expand(const char *spec, struct hostspec *out, struct pt_err *err)
{
	struct parser ps = { .spec = spec ? spec : "", .show = spec ? spec : "", .err = err };
	enum pt_status st;

	memset(out, 0, sizeof(*out));
	st = expand(&ps, out);
	if (st != PT_OK)
		hostspec_free(out);
	return st;
}

void
hostspec_free(struct hostspec *hs)
{
	if (!hs)
		return;
	for (size_t i = 0; i < hs->n; i++)
		free(hs->names[i]);
	free(hs->names);
	free(hs->group);
	memset(hs, 0, sizeof(*hs));
}

bool
hostspec_is_pattern(const char *spec)
{
	return spec && (spec[0] == '@' || strpbrk(spec, "{[") != NULL);
}

/* Index of the first byte of s[0..len) that ok() refuses, or len. */
static size_t
first_bad(const char *s, size_t len, bool (*ok)(char))
{
	size_t i = 0;

	while (i < len && ok(s[i]))
		i++;
	return i;
}

/* ps->spec is the whole entry; the user is its first len bytes. */
static enum pt_status
check_user(struct parser *ps, size_t len)
{
	size_t bad = first_bad(ps->spec, len, is_name_char);
	char buf[8];

	if (len == 0)
		return fail_at(ps, 0, _("empty user before \"@\""));
	if (bad < len)
		return fail_at(ps, bad, _("character \"%s\" is not allowed in a user name"),
		               show_char(ps->spec[bad], buf));
	return PT_OK;
}

/* The service runs from after the ':' at colon to the end. */
static enum pt_status
check_service(struct parser *ps, size_t colon)
{
	const char *svc = ps->spec + colon + 1;
	size_t len = strlen(svc), bad = first_bad(svc, len, is_service_char);
	char buf[8];

	if (len == 0)
		return fail_at(ps, colon, _("empty service after \":\""));
	if (bad < len)
		return fail_at(ps, colon + 1 + bad,
		               _("character \"%s\" is not allowed in a service name"),
		               show_char(svc[bad], buf));
	return PT_OK;
}

/* The host spec is expanded for its errors only, with columns counted
 * in the whole entry. */
static enum pt_status
check_hostspec(struct parser *ps, const char *hs, size_t at)
{
	struct parser sub = { .spec = hs, .show = ps->spec, .col0 = at + 1, .err = ps->err };
	struct hostspec out = { 0 };
	enum pt_status st;

	if (hs[0] == '\0')
		return fail_at(ps, at + 1, _("empty host specification between \"@\" and \":\""));
	st = expand(&sub, &out);
	hostspec_free(&out);
	return st;
}

static void
give(char **dst, char **src)
{
	if (dst)
		*dst = *src;
	else
		free(*src);
	*src = NULL;
}

enum pt_status
hostspec_parse_entry(const char *text, char **user, char **hostspec, char **service,
                     struct pt_err *err)
{
	struct parser ps = { .spec = text ? text : "", .show = text ? text : "", .err = err };
	const char *at = strchr(ps.spec, '@'), *colon = strrchr(ps.spec, ':');
	char *u = NULL, *h = NULL, *s = NULL, sbuf[SHOW_MAX + 4];
	enum pt_status st;

	if (user)
		*user = NULL;
	if (hostspec)
		*hostspec = NULL;
	if (service)
		*service = NULL;
	if (!at)
		return pt_fail(err, PT_INVALID, _("\"%s\" has no \"USER@\" part"),
		               shorten(ps.show, sbuf));
	if (!colon || colon < at)
		return pt_fail(err, PT_INVALID, _("\"%s\" has no \":SERVICE\" part"),
		               shorten(ps.show, sbuf));
	h = strndup(at + 1, (size_t)(colon - at - 1));
	if (!h)
		return nomem(&ps);
	st = check_user(&ps, (size_t)(at - ps.spec));
	if (st == PT_OK)
		st = check_hostspec(&ps, h, (size_t)(at - ps.spec));
	if (st == PT_OK)
		st = check_service(&ps, (size_t)(colon - ps.spec));
	if (st == PT_OK) {
		u = strndup(ps.spec, (size_t)(at - ps.spec));
		s = strdup(colon + 1);
		if (!u || !s)
			st = nomem(&ps);
	}
	if (st == PT_OK) {
		give(user, &u);
		give(hostspec, &h);
		give(service, &s);
	}
	free(u);
	free(h);
	free(s);
	return st;
}
