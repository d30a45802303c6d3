/* igtf-parse.c - the policy files of an IGTF CA directory: .namespaces
 * (EACL) and .signing_policy (Globus), into rules of one form, and the
 * pattern match the namespace check uses.  Pure: no store, no GnuTLS.
 *
 * Both parsers make one pass over their input and keep at most one
 * logical line (TRUST_LINE_MAX) and TRUST_RULES_MAX rules. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/i18n.h"
#include "cert/trust.h"

void
igtf_rules_clear(struct igtf_rules *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		free(rs->r[i].issuer);
		free(rs->r[i].pattern);
	}
	free(rs->r);
	memset(rs, 0, sizeof(*rs));
}

static enum pt_status
rules_add(struct igtf_rules *rs, const char *file, size_t line, const char *issuer, bool permit,
          char *pattern, struct pt_err *err)
{
	char *is;

	if (rs->n >= TRUST_RULES_MAX) {
		free(pattern);
		return pt_fail(err, PT_INVALID, _("%s:%zu: more than %d rules"), file, line,
		               TRUST_RULES_MAX);
	}
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? 2 * rs->cap : 8;
		struct igtf_rule *r = realloc(rs->r, cap * sizeof(*r));

		if (!r) {
			free(pattern);
			return pt_fail(err, PT_NOMEM, NULL);
		}
		rs->r = r;
		rs->cap = cap;
	}
	if (!(is = strdup(issuer))) {
		free(pattern);
		return pt_fail(err, PT_NOMEM, NULL);
	}
	rs->r[rs->n++] = (struct igtf_rule){ is, permit, pattern };
	return PT_OK;
}

bool
igtf_pattern_match(const char *p, const char *s)
{
	const char *star = NULL, *resume = NULL;

	/* the classic walk: on a mismatch go back to the last '*' and let
	 * it take one more character; earlier stars never need revisiting */
	while (*s) {
		if (*p == '*') {
			star = ++p;
			resume = s;
			continue;
		}
		if (*p == '\\' && p[1] && p[1] == *s) {
			p += 2;
			s++;
			continue;
		}
		if (*p && *p != '\\' && (*p == '?' || *p == *s)) {
			p++;
			s++;
			continue;
		}
		if (!star)
			return false;
		p = star;
		s = ++resume;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

/* ---- lines -------------------------------------------------------------- */

/* A reader of logical lines: '\' at the end of a physical line joins the
 * next one (namespaces only), '#' starts a comment outside quotes. */
struct lines {
	const char *file, *p, *end;
	size_t lineno, start; /* physical line now, first line of the logical one */
	bool join;
	char buf[TRUST_LINE_MAX + 1];
};

/* The next logical line in l->buf; 0 at the end, -1 too long, -2 NUL byte. */
static int
next_line(struct lines *l)
{
	size_t n = 0;
	bool more;

	if (l->p >= l->end)
		return 0;
	l->start = l->lineno + 1;
	do {
		const char *nl = memchr(l->p, '\n', (size_t)(l->end - l->p));
		const char *e = nl ? nl : l->end;
		size_t len = (size_t)(e - l->p);

		l->lineno++;
		if (memchr(l->p, '\0', len))
			return -2;
		if (len && l->p[len - 1] == '\r')
			len--;
		more = l->join && len && l->p[len - 1] == '\\';
		if (more)
			len--;
		if (n + len + 1 > TRUST_LINE_MAX)
			return -1;
		memcpy(l->buf + n, l->p, len);
		n += len;
		l->buf[n++] = ' ';
		l->p = nl ? nl + 1 : l->end;
	} while (more && l->p < l->end);
	l->buf[n] = '\0';
	return 1;
}

/* Next token of *pp: a word, or a quoted string (quote q, kept without
 * its quotes; '\' keeps the next character, both bytes).  NULL at the end
 * of the line or at a comment; *bad set for an unterminated quote. */
static char *
token(char **pp, bool *bad)
{
	char *p = *pp, *t;

	while (*p && isspace((unsigned char)*p))
		p++;
	if (!*p || *p == '#') {
		*pp = p;
		return NULL;
	}
	if (*p == '"' || *p == '\'') {
		char q = *p++;

		t = p;
		while (*p && *p != q)
			p += p[0] == '\\' && p[1] ? 2 : 1;
		if (*p != q) {
			*bad = true;
			*pp = p;
			return NULL;
		}
		*p++ = '\0';
		*pp = p;
		return t;
	}
	t = p;
	while (*p && !isspace((unsigned char)*p))
		p++;
	if (*p)
		*p++ = '\0';
	*pp = p;
	return t;
}

static enum pt_status
line_fail(struct lines *l, int rc, struct pt_err *err)
{
	if (rc == -1)
		return pt_fail(err, PT_INVALID, _("%s:%zu: line longer than %d bytes"), l->file,
		               l->start, TRUST_LINE_MAX);
	return pt_fail(err, PT_INVALID, _("%s:%zu: a NUL byte: not a text file"), l->file,
	               l->lineno);
}

/* ---- .namespaces ----------------------------------------------------------- */

/* An EACL regular expression in the IGTF's subset as our pattern. */
static char *
eacl_pattern(const char *re)
{
	size_t n = strlen(re);
	char *out = malloc(2 * n + 1), *o = out;

	if (!out)
		return NULL;
	if (*re == '^')
		re++, n--;
	for (size_t i = 0; i < n; i++) {
		char c = re[i];

		if (c == '$' && i + 1 == n)
			break;
		if (c == '\\' && i + 1 < n) {
			*o++ = '\\';
			*o++ = re[++i];
		} else if (c == '.' && i + 1 < n && re[i + 1] == '*') {
			*o++ = '*';
			i++;
		} else if (c == '.') {
			*o++ = '?';
		} else if (c == '*' || c == '?') {
			*o++ = '\\';
			*o++ = c;
		} else {
			*o++ = c;
		}
	}
	*o = '\0';
	return out;
}

static enum pt_status
ns_statement(struct lines *l, char *p, const char *self, struct igtf_rules *out, struct pt_err *err)
{
	bool bad = false;
	char *t = token(&p, &bad), *issuer;
	size_t clauses = 0;

	if (!t)
		return bad ? pt_fail(err, PT_INVALID, _("%s:%zu: a quote is not closed"), l->file,
		                     l->start)
		           : PT_OK;
	if (strcasecmp(t, "TO") != 0 || !(t = token(&p, &bad)) || strcasecmp(t, "Issuer") != 0)
		return pt_fail(err, PT_INVALID, _("%s:%zu: expected TO Issuer \"DN\""), l->file,
		               l->start);
	if (!(issuer = token(&p, &bad)))
		return pt_fail(err, PT_INVALID, _("%s:%zu: TO Issuer without a DN"), l->file,
		               l->start);
	if (strcasecmp(issuer, "SELF") == 0 && issuer[-1] != '"')
		issuer = (char *)self;
	if (*issuer != '/')
		return pt_fail(err, PT_INVALID,
		               _("%s:%zu: issuer \"%s\" is not a DN (/C=.../CN=...)"), l->file,
		               l->start, issuer);
	while ((t = token(&p, &bad))) {
		bool permit = strcasecmp(t, "PERMIT") == 0;
		char *subj, *pat;
		enum pt_status ret;

		if (!permit && strcasecmp(t, "DENY") != 0)
			return pt_fail(err, PT_INVALID,
			               _("%s:%zu: \"%s\": expected PERMIT or DENY"), l->file,
			               l->start, t);
		if (!(t = token(&p, &bad)) || strcasecmp(t, "Subject") != 0 ||
		    !(subj = token(&p, &bad)))
			return pt_fail(err, PT_INVALID, _("%s:%zu: expected Subject \"PATTERN\""),
			               l->file, l->start);
		if (!(pat = eacl_pattern(subj)))
			return pt_fail(err, PT_NOMEM, NULL);
		if ((ret = rules_add(out, l->file, l->start, issuer, permit, pat, err)) != PT_OK)
			return ret;
		clauses++;
	}
	if (bad)
		return pt_fail(err, PT_INVALID, _("%s:%zu: a quote is not closed"), l->file,
		               l->start);
	if (!clauses)
		return pt_fail(err, PT_INVALID, _("%s:%zu: TO Issuer without PERMIT or DENY"),
		               l->file, l->start);
	return PT_OK;
}

enum pt_status
igtf_parse_namespaces(const char *file, const char *text, size_t len, const char *self,
                      struct igtf_rules *out, struct pt_err *err)
{
	struct lines *l = calloc(1, sizeof(*l));
	enum pt_status ret = PT_OK;
	int rc;

	if (!l)
		return pt_fail(err, PT_NOMEM, NULL);
	if (len > TRUST_FILE_MAX) {
		free(l);
		return pt_fail(err, PT_INVALID, _("%s: larger than %d bytes"), file,
		               TRUST_FILE_MAX);
	}
	*l = (struct lines){ .file = file, .p = text, .end = text + len, .join = true };
	while (ret == PT_OK && (rc = next_line(l)) != 0)
		ret = rc < 0 ? line_fail(l, rc, err)
		             : ns_statement(l, l->buf, self ? self : "", out, err);
	free(l);
	return ret;
}

/* ---- .signing_policy ---------------------------------------------------- */

/* The '"p1" "p2"' of cond_subjects: each a Globus wildcard pattern ('*',
 * '?'), a backslash kept literal. */
static enum pt_status
sp_subjects(struct lines *l, char *v, const char *issuer, struct igtf_rules *out,
            struct pt_err *err)
{
	bool bad = false;
	size_t n = 0;
	char *t;

	while ((t = token(&v, &bad))) {
		char *pat = malloc(2 * strlen(t) + 1), *o = pat;
		enum pt_status ret;

		if (!pat)
			return pt_fail(err, PT_NOMEM, NULL);
		for (const char *c = t; *c; c++) {
			if (*c == '\\')
				*o++ = '\\';
			*o++ = *c;
		}
		*o = '\0';
		if ((ret = rules_add(out, l->file, l->start, issuer, true, pat, err)) != PT_OK)
			return ret;
		n++;
	}
	if (bad || !n)
		return pt_fail(err, PT_INVALID, _("%s:%zu: cond_subjects wants '\"PATTERN\" ...'"),
		               l->file, l->start);
	return PT_OK;
}

enum pt_status
igtf_parse_signing_policy(const char *file, const char *text, size_t len, struct igtf_rules *out,
                          struct pt_err *err)
{
	struct lines *l = calloc(1, sizeof(*l));
	char issuer[TRUST_LINE_MAX + 1] = "";
	enum pt_status ret = PT_OK;
	int rc;

	if (!l)
		return pt_fail(err, PT_NOMEM, NULL);
	if (len > TRUST_FILE_MAX) {
		free(l);
		return pt_fail(err, PT_INVALID, _("%s: larger than %d bytes"), file,
		               TRUST_FILE_MAX);
	}
	*l = (struct lines){ .file = file, .p = text, .end = text + len };
	while (ret == PT_OK && (rc = next_line(l)) != 0) {
		bool bad = false;
		char *p = l->buf, *k, *a, *v;

		if (rc < 0) {
			ret = line_fail(l, rc, err);
			break;
		}
		if (!(k = token(&p, &bad))) {
			if (bad)
				ret = pt_fail(err, PT_INVALID, _("%s:%zu: a quote is not closed"),
				              l->file, l->start);
			continue;
		}
		a = token(&p, &bad);
		v = a ? token(&p, &bad) : NULL;
		if (!v || bad || token(&p, &bad)) {
			ret = pt_fail(err, PT_INVALID,
			              _("%s:%zu: expected KEYWORD AUTHORITY 'VALUE'"), l->file,
			              l->start);
		} else if (strcmp(k, "access_id_CA") == 0) {
			if (*v != '/')
				ret = pt_fail(err, PT_INVALID,
				              _("%s:%zu: \"%s\" is not a DN (/C=.../CN=...)"),
				              l->file, l->start, v);
			else
				snprintf(issuer, sizeof(issuer), "%s", v);
		} else if (strcmp(k, "cond_subjects") == 0) {
			if (!*issuer)
				ret = pt_fail(err, PT_INVALID,
				              _("%s:%zu: cond_subjects before access_id_CA"),
				              l->file, l->start);
			else
				ret = sp_subjects(l, v, issuer, out, err);
		} else if (strcmp(k, "pos_rights") != 0 && strcmp(k, "neg_rights") != 0) {
			ret = pt_fail(err, PT_INVALID, _("%s:%zu: unknown keyword \"%s\""), l->file,
			              l->start, k);
		}
	}
	free(l);
	return ret;
}
