/* gridmap-build.c - a grid-mapfile built from members, rules, local entries
 * and bans: (DN, account, order) entries sorted by DN, the first kept. */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grid/gridmap.h"
#include "grid/private.h"
#include "base/i18n.h"

/* ---- build --------------------------------------------------------- */

struct entry {
	const char *dn; /* a member's DN or one of the build's own */
	const char *account;
	const char *from; /* group URI, NULL: local */
	size_t seq;
	bool primary; /* the DN as listed, not its other e-mail form */
};

struct build {
	struct entry *e;
	size_t n, cap;
	char **owned; /* other e-mail forms made here */
	size_t nowned, ownedcap;
	struct pat *acl;
	size_t nacl;
	bool default_deny;
	struct pat *bans;
	size_t nbans;
	const char **auth; /* sorted DNs of the auth lists */
	size_t nauth;
	bool use_auth;
	char *low, *low2; /* scratch: lowered DN and other form */
	size_t lowcap;
	struct gm_result *res;
	struct gm_index srcix;  /* URI -> index in the sources */
	struct gm_index missix; /* URIs in res->missing */
	const struct gm_source *src;
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
	u->dn = strdup(gm_show(dn, sbuf));
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
	size_t cap = 2 * n + 32; /* the other e-mail form may be longer */
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
banned(const struct build *b, const char *low, size_t n, const struct bloom *bl, const char *low2,
       size_t n2, const struct bloom *bl2)
{
	size_t i;

	for (i = 0; i < b->nbans; i++)
		if (gm_pat_match(&b->bans[i], low, n, bl) ||
		    (low2 && gm_pat_match(&b->bans[i], low2, n2, bl2)))
			return true;
	return false;
}

static bool
acl_allows(const struct build *b, const char *low, size_t n, const struct bloom *bl)
{
	size_t i;

	for (i = 0; i < b->nacl; i++)
		if (gm_pat_match(&b->acl[i], low, n, bl))
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
	return b->nauth > 0 && bsearch(&dn, b->auth, b->nauth, sizeof(*b->auth), cmp_str) != NULL;
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
	gm_lower_into(b->low, dn, n);
	has_alt = other_email_form(b->low, b->low, n, b->low2);
	gm_bloom_add(bl.w, b->low, n);
	if (has_alt) {
		n2 = strlen(b->low2);
		gm_lower_into(b->low2, b->low2, n2);
		gm_bloom_add(bl2.w, b->low2, n2);
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

	if (!gm_buf_add(out, "\"", 1))
		return false;
	for (p = e->dn; *p; p++) {
		const char *run = p;

		while (*p && *p != '\\')
			p++;
		if (!gm_buf_add(out, run, (size_t)(p - run)))
			return false;
		if (!*p)
			break;
		if (!gm_buf_add(out, "\\\\", 2))
			return false;
	}
	return gm_buf_add(out, "\" ", 2) && gm_buf_add(out, e->account, strlen(e->account)) &&
	       gm_buf_add(out, "\n", 1);
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
	if (!gm_buf_grow(&out, b->n * 64))
		return false;
	out.s[0] = '\0';
	while (i < b->n) {
		const struct entry *kept = &b->e[i];

		if (!write_line(&out, kept))
			goto fail;
		r->nlines++;
		for (j = i + 1; j < b->n && strcmp(b->e[j].dn, kept->dn) == 0; j++) {
			const struct entry *e = &b->e[j];

			if (e->primary &&
			    (!same_from(e->from, kept->from) ||
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

/* The first source of uri with a list, through the index: rules files of
 * hundreds of thousands of groups stay linear. */
static const struct gm_members *
find_source(const struct build *b, const char *uri)
{
	size_t i;

	return gm_index_get(&b->srcix, uri, &i) ? b->src[i].members : NULL;
}

static bool
index_sources(struct build *b, const struct gm_source *src, size_t n)
{
	b->src = src;
	for (size_t i = 0; i < n; i++)
		if (src[i].uri && src[i].members && !gm_index_put(&b->srcix, src[i].uri, i))
			return false;
	return true;
}

static bool
note_missing(struct build *b, const char *uri)
{
	struct gm_result *r = b->res;

	if (gm_index_get(&b->missix, uri, NULL))
		return true;
	if (!gm_strv_push(&r->missing, &r->nmissing, uri))
		return false;
	return gm_index_put(&b->missix, r->missing[r->nmissing - 1], r->nmissing - 1);
}

static bool
build_prepare(struct build *b, const struct gm_rules *rules, const struct gm_source *src,
              size_t nsrc, const char *const *bans, size_t nbans)
{
	size_t i, j;

	if (!index_sources(b, src, nsrc))
		return false;
	b->acl = calloc(rules->nacl + 1, sizeof(*b->acl));
	b->bans = calloc(nbans + 1, sizeof(*b->bans));
	if (!b->acl || !b->bans)
		return false;
	for (i = 0; i < rules->nacl; i++, b->nacl++) {
		if (!gm_pat_compile(rules->acl[i].pattern, &b->acl[i]))
			return false;
		b->acl[i].deny = rules->acl[i].kind == GM_DENY;
		if (rules->acl[i].kind == GM_ALLOW)
			b->default_deny = true;
	}
	for (i = 0; i < nbans; i++, b->nbans++)
		if (!gm_pat_compile(bans[i], &b->bans[i]))
			return false;
	b->use_auth = rules->nauths > 0;
	for (i = 0; i < rules->nauths; i++) {
		const struct gm_members *m = find_source(b, rules->auths[i]);
		const char **v;

		if (!m) {
			if (!note_missing(b, rules->auths[i]))
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
		gm_pat_free(&b->acl[i]);
	for (i = 0; i < b->nbans; i++)
		gm_pat_free(&b->bans[i]);
	for (i = 0; i < b->nowned; i++)
		free(b->owned[i]);
	free(b->acl);
	free(b->bans);
	gm_index_free(&b->srcix);
	gm_index_free(&b->missix);
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
		return gm_nomem(err);
	ok = build_prepare(&b, rules, sources, nsources, bans, nbans) &&
	     take_local(&b, &rules->local) && take_local(&b, local);
	for (g = 0; ok && g < rules->ngroups; g++) {
		const struct gm_group *grp = &rules->groups[g];
		const struct gm_members *m = find_source(&b, grp->uri);

		if (!m) {
			ok = note_missing(&b, grp->uri);
			continue;
		}
		for (i = 0; ok && i < m->n; i++)
			ok = take(&b, m->v[i].dn, grp->account, grp->uri, true);
	}
	ok = ok && emit(&b);
	build_free(&b);
	if (!ok) {
		gridmap_result_free(&b.res);
		return gm_nomem(err);
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
	gm_strv_free(r->missing, r->nmissing);
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
