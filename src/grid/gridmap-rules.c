/* gridmap-rules.c - mkgridmap rules parsed, and the DN patterns they hold
 * compiled once (lowered, cut at '*', their bigrams kept). */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grid/gridmap.h"
#include "grid/private.h"
#include "base/i18n.h"

/* ---- rules --------------------------------------------------------- */

#define MAX_TOKENS 3

/* Cut line into at most MAX_TOKENS + 1 words; NULL or a message. */
static const char *
tokenize(char *line, char **tok, size_t *n)
{
	char *r = line, *w;

	*n = 0;
	for (;;) {
		while (gm_is_space(*r))
			r++;
		if (*r == '\0' || *r == '#')
			return NULL;
		if (*n == MAX_TOKENS + 1)
			return NULL;
		w = r;
		tok[(*n)++] = w;
		if (*r == '"') {
			char *end;
			const char *why = gm_unquote(r, &end);

			if (why)
				return why;
			if (*end && !gm_is_space(*end) && *end != '#')
				return N_("text after a closing quote");
			r = end;
			if (*r == '#') {
				*r = '\0';
				return NULL;
			}
		} else {
			while (*r && !gm_is_space(*r) && *r != '#')
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

bool
gm_strv_push(char ***v, size_t *n, const char *s)
{
	if (!gm_grow(v, *n, sizeof(**v)))
		return false;
	if (((*v)[*n] = strdup(s)) == NULL)
		return false;
	(*n)++;
	return true;
}

void
gm_strv_free(char **v, size_t n)
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
	gm_strv_free(r->auths, r->nauths);
	for (i = 0; i < r->nacl; i++)
		free(r->acl[i].pattern);
	free(r->acl);
	free(r->default_account);
	gm_strv_free(r->local_files, r->nlocal_files);
	gm_members_clear(&r->local);
	free(r);
	*rp = NULL;
}

static enum pt_status
rule_account(const char *name, unsigned line, const char *a, struct pt_err *err)
{
	char sbuf[SHOW_MAX * 4 + 8];

	if (!gm_valid_account(a))
		return gm_fail_line(err, name, line,
		                    _("\"%s\" is not an account name (NAME, or .NAME for a pool)"),
		                    gm_show(a, sbuf));
	return PT_OK;
}

static enum pt_status
rule_uri(const char *name, unsigned line, const char *u, struct pt_err *err)
{
	char sbuf[SHOW_MAX * 4 + 8];

	if (!valid_uri(u))
		return gm_fail_line(err, name, line, _("\"%s\" is not a URI"), gm_show(u, sbuf));
	return PT_OK;
}

static enum pt_status
rule_group(const char *name, unsigned line, char **tok, size_t n, struct gm_rules *r,
           struct pt_err *err)
{
	struct gm_group *g;
	enum pt_status st;

	if (n < 2 || n > 3)
		return gm_fail_line(err, name, line, _("usage: group URI [lcluser]"));
	if ((st = rule_uri(name, line, tok[1], err)) != PT_OK)
		return st;
	if (n == 3 && (st = rule_account(name, line, tok[2], err)) != PT_OK)
		return st;
	if (!gm_grow(&r->groups, r->ngroups, sizeof(*g)))
		return gm_nomem(err);
	g = r->groups + r->ngroups;
	g->uri = strdup(tok[1]);
	g->account = n == 3 ? strdup(tok[2]) : NULL;
	g->line = line;
	r->ngroups++;
	if (!g->uri || (n == 3 && !g->account))
		return gm_nomem(err);
	return PT_OK;
}

static enum pt_status
rule_acl(const char *name, unsigned line, enum gm_acl_kind kind, char **tok, size_t n,
         struct gm_rules *r, struct pt_err *err)
{
	struct gm_acl *a;

	if (n != 2 || *tok[1] == '\0')
		return gm_fail_line(err, name, line,
		                    kind == GM_ALLOW ? _("usage: allow PATTERN")
		                                     : _("usage: deny PATTERN"));
	if (!gm_grow(&r->acl, r->nacl, sizeof(*a)))
		return gm_nomem(err);
	a = r->acl + r->nacl;
	a->kind = kind;
	a->line = line;
	if ((a->pattern = strdup(tok[1])) == NULL)
		return gm_nomem(err);
	r->nacl++;
	return PT_OK;
}

static enum pt_status
rule_line(const char *name, unsigned line, char **tok, size_t n, struct gm_rules *r,
          unsigned *default_line, struct pt_err *err)
{
	char sbuf[SHOW_MAX * 4 + 8];
	enum pt_status st;

	if (gm_eq_ci(tok[0], "group"))
		return rule_group(name, line, tok, n, r, err);
	if (gm_eq_ci(tok[0], "allow"))
		return rule_acl(name, line, GM_ALLOW, tok, n, r, err);
	if (gm_eq_ci(tok[0], "deny"))
		return rule_acl(name, line, GM_DENY, tok, n, r, err);
	if (gm_eq_ci(tok[0], "auth")) {
		if (n != 2)
			return gm_fail_line(err, name, line, _("usage: auth URI"));
		if ((st = rule_uri(name, line, tok[1], err)) != PT_OK)
			return st;
		return gm_strv_push(&r->auths, &r->nauths, tok[1]) ? PT_OK : gm_nomem(err);
	}
	if (gm_eq_ci(tok[0], "default_lcluser")) {
		if (n != 2)
			return gm_fail_line(err, name, line, _("usage: default_lcluser NAME"));
		if (r->default_account)
			return gm_fail_line(err, name, line,
			                    _("default_lcluser already set at line %u"),
			                    *default_line);
		if ((st = rule_account(name, line, tok[1], err)) != PT_OK)
			return st;
		*default_line = line;
		return (r->default_account = strdup(tok[1])) ? PT_OK : gm_nomem(err);
	}
	if (gm_eq_ci(tok[0], "gmf_local")) {
		if (n == 2)
			return gm_strv_push(&r->local_files, &r->nlocal_files, tok[1])
			               ? PT_OK
			               : gm_nomem(err);
		if (n != 3)
			return gm_fail_line(
				err, name, line,
				_("usage: gmf_local FILE, or gmf_local \"DN\" ACCOUNT"));
		if ((st = gm_check_dn(name, line, _("DN"), tok[1], err)) != PT_OK ||
		    (st = rule_account(name, line, tok[2], err)) != PT_OK)
			return st;
		return gm_members_push(&r->local, tok[1], NULL, NULL, tok[2], line) ? PT_OK
		                                                                    : gm_nomem(err);
	}
	return gm_fail_line(err, name, line, _("unknown keyword \"%s\""), gm_show(tok[0], sbuf));
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
	if ((st = gm_text_split(name, buf, len, &t, err)) != PT_OK)
		return st;
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		gm_text_free(&t);
		return gm_nomem(err);
	}
	r->local.format = GM_FMT_LOCAL;
	for (i = 0; i < t.n && st == PT_OK; i++) {
		char *tok[MAX_TOKENS + 1];
		size_t n;
		const char *why = tokenize(t.lines[i], tok, &n);

		if (why)
			st = gm_fail_line(err, name, (unsigned)i + 1, "%s", _(why));
		else if (n > 0)
			st = rule_line(name, (unsigned)i + 1, tok, n, r, &default_line, err);
	}
	/* Groups without an account take the default, wherever it was set. */
	for (i = 0; i < r->ngroups && st == PT_OK; i++) {
		if (r->groups[i].account)
			continue;
		if (!r->default_account)
			st = gm_fail_line(err, name, r->groups[i].line,
			                  _("group without lcluser and no default_lcluser"));
		else if ((r->groups[i].account = strdup(r->default_account)) == NULL)
			st = gm_nomem(err);
	}
	gm_text_free(&t);
	if (st != PT_OK)
		gridmap_rules_free(&r);
	*out = r;
	return st;
}

/* ---- patterns ------------------------------------------------------ */

static unsigned
bigram(char a, char b)
{
	return ((unsigned char)a * 31u + (unsigned char)b) % BLOOM_BITS;
}

/* Add the pairs of s[0..n) (lowered). */
void
gm_bloom_add(uint64_t *w, const char *s, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++) {
		unsigned h = bigram(s[i - 1], s[i]);

		w[h / 64] |= (uint64_t)1 << (h % 64);
	}
}

void
gm_pat_free(struct pat *p)
{
	free(p->low);
	free(p->mid);
	free(p->midlen);
	memset(p, 0, sizeof(*p));
}

bool
gm_pat_compile(const char *pattern, struct pat *p)
{
	size_t n = strlen(pattern), i, stars = 0;
	char *s, *first, *last;

	memset(p, 0, sizeof(*p));
	if ((p->low = malloc(n + 1)) == NULL)
		return false;
	for (i = 0; i <= n; i++) {
		p->low[i] = gm_lower(pattern[i]);
		stars += pattern[i] == '*';
	}
	p->pre = p->low;
	if (stars == 0) {
		p->prelen = n;
		gm_bloom_add(p->need, p->low, n);
		return true;
	}
	p->star = true;
	p->mid = calloc(stars, sizeof(*p->mid));
	p->midlen = calloc(stars, sizeof(*p->midlen));
	if (!p->mid || !p->midlen) {
		gm_pat_free(p);
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
	gm_bloom_add(p->need, p->pre, p->prelen);
	gm_bloom_add(p->need, p->suf, p->suflen);
	for (i = 0; i < p->nmid; i++)
		gm_bloom_add(p->need, p->mid[i], p->midlen[i]);
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
bool
gm_pat_match(const struct pat *p, const char *dn, size_t n, const struct bloom *bl)
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

void
gm_lower_into(char *dst, const char *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = gm_lower(src[i]);
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
	gm_lower_into(low, dn, n);
	if (gm_pat_compile(pattern, &p)) {
		ok = gm_pat_match(&p, low, n, NULL);
		gm_pat_free(&p);
	}
	free(low);
	return ok;
}
