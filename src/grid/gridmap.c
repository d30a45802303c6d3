/* gridmap.c - what the gridmap parsers share: text split into lines,
 * messages that name the line, case-blind compares (see private.h).
 * The parsers are in gridmap-members.c and gridmap-rules.c, the build in
 * gridmap-build.c, the .lsc files in gridmap-lsc.c.
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
#include "grid/private.h"
#include "base/i18n.h"

/* ---- small helpers ------------------------------------------------ */

bool
gm_buf_grow(struct buf *b, size_t more)
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

bool
gm_buf_add(struct buf *b, const char *s, size_t n)
{
	if (!gm_buf_grow(b, n))
		return false;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return true;
}

char
gm_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

bool
gm_is_space(char c)
{
	return c == ' ' || c == '\t';
}

char *
gm_trim(char *s)
{
	char *e;

	while (gm_is_space(*s))
		s++;
	e = s + strlen(s);
	while (e > s && gm_is_space(e[-1]))
		*--e = '\0';
	return s;
}

bool
gm_starts_ci(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if (gm_lower(*s) != *prefix)
			return false;
	return true;
}

bool
gm_eq_ci(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (gm_lower(*a) != gm_lower(*b))
			return false;
	return *a == *b;
}

/* s quoted safely in a message: control and non-ASCII bytes as \xNN,
 * long text cut. */
const char *
gm_show(const char *s, char out[SHOW_MAX * 4 + 8])
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

enum pt_status
gm_nomem(struct pt_err *err)
{
	return pt_fail(err, PT_NOMEM, "%s", _(pt_status_msg(PT_NOMEM)));
}

/* "NAME:LINE: what is wrong". */
__attribute__((format(printf, 4, 5))) enum pt_status
gm_fail_line(struct pt_err *err, const char *name, unsigned line, const char *fmt, ...)
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

bool
gm_grow(void *v, size_t n, size_t sz)
{
	void **pv = v, *nv;

	if (n != 0 && (n & (n - 1)) != 0)
		return true; /* not a power of two: there is room */
	if (n > SIZE_MAX / 2 / sz)
		return false;
	if ((nv = realloc(*pv, (n ? 2 * n : 1) * sz)) == NULL)
		return false;
	*pv = nv;
	return true;
}

/* ---- a string index ------------------------------------------------ */

static size_t
index_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)h;
}

static size_t
index_slot(const struct gm_index *ix, const char *key)
{
	size_t i = index_hash(key) & (ix->cap - 1);

	while (ix->key[i] && strcmp(ix->key[i], key) != 0)
		i = (i + 1) & (ix->cap - 1);
	return i;
}

static bool
index_resize(struct gm_index *ix)
{
	struct gm_index nx = { NULL, NULL, ix->cap ? ix->cap * 2 : 64, 0 };

	nx.key = calloc(nx.cap, sizeof(*nx.key));
	nx.val = calloc(nx.cap, sizeof(*nx.val));
	if (!nx.key || !nx.val) {
		gm_index_free(&nx);
		return false;
	}
	for (size_t i = 0; i < ix->cap; i++)
		if (ix->key[i]) {
			size_t k = index_slot(&nx, ix->key[i]);

			nx.key[k] = ix->key[i];
			nx.val[k] = ix->val[i];
			nx.n++;
		}
	gm_index_free(ix);
	*ix = nx;
	return true;
}

bool
gm_index_put(struct gm_index *ix, const char *key, size_t val)
{
	size_t i;

	if ((ix->n + 1) * 2 > ix->cap && !index_resize(ix))
		return false;
	i = index_slot(ix, key);
	if (!ix->key[i]) {
		ix->key[i] = key;
		ix->val[i] = val;
		ix->n++;
	}
	return true;
}

bool
gm_index_get(const struct gm_index *ix, const char *key, size_t *val)
{
	size_t i;

	if (ix->cap == 0)
		return false;
	i = index_slot(ix, key);
	if (!ix->key[i])
		return false;
	if (val)
		*val = ix->val[i];
	return true;
}

void
gm_index_free(struct gm_index *ix)
{
	free(ix->key);
	free(ix->val);
	memset(ix, 0, sizeof(*ix));
}

/* ---- text split into lines ---------------------------------------- */

void
gm_text_free(struct text *t)
{
	free(t->copy);
	free(t->lines);
	memset(t, 0, sizeof(*t));
}

enum pt_status
gm_text_split(const char *name, const char *buf, size_t len, struct text *t, struct pt_err *err)
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
		return gm_fail_line(err, name, line, _("NUL byte: not a text file"));
	}
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	for (i = 0; i < len; i++)
		n += buf[i] == '\n';
	/* a final newline does not start a line: n - 1 lines then */
	if (n - (len > 0 && buf[len - 1] == '\n') > GRIDMAP_MAX_LINES)
		return gm_fail_line(err, name, GRIDMAP_MAX_LINES + 1,
		                    _("more than %u lines: too long for a list of this kind"),
		                    GRIDMAP_MAX_LINES);
	t->copy = malloc(len + 1);
	t->lines = malloc(n * sizeof(*t->lines));
	if (!t->copy || !t->lines) {
		gm_text_free(t);
		return gm_nomem(err);
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

bool
gm_is_blank_or_comment(const char *s)
{
	while (gm_is_space(*s))
		s++;
	return *s == '\0' || *s == '#';
}
