/* gridmap-iam.c - an INDIGO IAM SCIM user listing as a VO member list:
 * each certificate of each user (the IndigoUser extension's subjectDn and
 * issuerDn) is a member.  IAM writes DNs in RFC 2253 order
 * ("CN=Mario Rossi,O=INFN,C=IT"): they become the Grid form. */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grid/gridmap.h"
#include "grid/private.h"
#include "base/i18n.h"

#define IAM_EXT "urn:indigo-dc:scim:schemas:IndigoUser"

char *
gm_rfc2253_to_grid(const char *s, size_t n)
{
	char *out = malloc(n + 2), *o = out;
	size_t end = n;

	if (!out)
		return NULL;
	while (end > 0) {
		size_t start = end, k;

		/* back to the unescaped ',' before this RDN */
		while (start > 0 && !(s[start - 1] == ',' && (start < 2 || s[start - 2] != '\\')))
			start--;
		*o++ = '/';
		k = start;
		while (k < end && s[k] == ' ')
			k++;
		for (; k < end; k++) {
			if (s[k] == '\\' && k + 1 < end)
				k++;
			*o++ = s[k];
		}
		end = start > 0 ? start - 1 : 0;
	}
	*o = '\0';
	return out;
}

/* A DN as IAM wrote it, in Grid form (malloc'd). */
static char *
grid_dn(const char *dn)
{
	return dn[0] == '/' ? strdup(dn) : gm_rfc2253_to_grid(dn, strlen(dn));
}

/* JSON can carry what a line of the other formats cannot. */
static bool
has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static enum pt_status
one_cert(const char *name, size_t i, size_t k, json_t *c, const char *email, struct gm_members *m,
         struct pt_err *err)
{
	json_t *sub = json_object_get(c, "subjectDn"), *iss = json_object_get(c, "issuerDn");
	char *dn = NULL, *ca = NULL, where[96];
	enum pt_status st;

	snprintf(where, sizeof(where), "%s: Resources[%zu] certificates[%zu]", name, i, k);
	if (!json_is_string(sub) || (iss && !json_is_string(iss)))
		return pt_fail(err, PT_INVALID, _("%s: subjectDn and issuerDn are strings"), where);
	if (has_control(json_string_value(sub)) || (iss && has_control(json_string_value(iss))))
		return pt_fail(err, PT_INVALID, _("%s: a DN with a control character"), where);
	if ((dn = grid_dn(json_string_value(sub))) == NULL ||
	    (iss && (ca = grid_dn(json_string_value(iss))) == NULL)) {
		free(dn);
		return gm_nomem(err);
	}
	if ((st = gridmap_check_dn(where, 0, dn, err)) == PT_OK &&
	    (!ca || (st = gridmap_check_dn(where, 0, ca, err)) == PT_OK))
		st = gridmap_members_add(m, dn, ca, email, NULL, 0, err);
	free(dn);
	free(ca);
	return st;
}

/* The first e-mail address of a user, NULL when none. */
static const char *
email_of(json_t *u)
{
	json_t *e = json_array_get(json_object_get(u, "emails"), 0);

	return json_is_string(json_object_get(e, "value"))
	               ? json_string_value(json_object_get(e, "value"))
	               : NULL;
}

static enum pt_status
one_user(const char *name, size_t i, json_t *u, struct gm_members *m, struct pt_err *err)
{
	json_t *ext, *certs, *groups, *c;
	enum pt_status st = PT_OK;
	size_t k;

	if (!json_is_object(u))
		return pt_fail(err, PT_INVALID, _("%s: Resources[%zu] is not a user"), name, i);
	groups = json_object_get(u, "groups");
	if (groups && !json_is_array(groups))
		return pt_fail(err, PT_INVALID, _("%s: Resources[%zu]: groups is not a list"), name,
		               i);
	ext = json_object_get(u, IAM_EXT);
	if (!ext)
		return PT_OK; /* a user without certificates has no DN to map */
	certs = json_object_get(ext, "certificates");
	if (!json_is_object(ext) || (certs && !json_is_array(certs)))
		return pt_fail(err, PT_INVALID,
		               _("%s: Resources[%zu]: %s has no list of certificates"), name, i,
		               IAM_EXT);
	json_array_foreach(certs, k, c)
	{
		if (!json_is_object(c))
			return pt_fail(
				err, PT_INVALID,
				_("%s: Resources[%zu] certificates[%zu] is not a certificate"),
				name, i, k);
		if ((st = one_cert(name, i, k, c, email_of(u), m, err)) != PT_OK)
			break;
	}
	return st;
}

/* The listing is read one user at a time: jansson decodes each value of
 * the top-level object, and each element of its Resources array, on its
 * own (JSON_DISABLE_EOF_CHECK says where it ended), so that memory follows
 * one user, not the whole listing (a tree of 300,000 users is most of a
 * GiB).  Only the punctuation between those values is read here. */
struct iam_reader {
	const char *name, *buf;
	size_t len, pos;
	size_t lpos; /* newlines counted up to here ... */
	int line;    /* ... and the line there */
	struct pt_err *err;
};

static int
iam_line_at(struct iam_reader *r, size_t pos)
{
	for (; r->lpos < pos; r->lpos++)
		r->line += r->buf[r->lpos] == '\n';
	return r->line;
}

/* The next byte that is not JSON white space, 0 at the end. */
static char
iam_peek(struct iam_reader *r)
{
	while (r->pos < r->len && (r->buf[r->pos] == ' ' || r->buf[r->pos] == '\t' ||
	                           r->buf[r->pos] == '\n' || r->buf[r->pos] == '\r'))
		r->pos++;
	return r->pos < r->len ? r->buf[r->pos] : '\0';
}

static enum pt_status
iam_bad(struct iam_reader *r, const char *why)
{
	return pt_fail(r->err, PT_INVALID, _("%s:%d: not JSON: %s"), r->name,
	               iam_line_at(r, r->pos), why);
}

/* One value at pos, decoded by jansson; *out NULL and an error if bad. */
static enum pt_status
iam_value(struct iam_reader *r, json_t **out)
{
	json_error_t je;
	size_t n = 0;
	char c = iam_peek(r);

	if (c == '{' || c == '[' || c == '"') {
		*out = json_loadb(r->buf + r->pos, r->len - r->pos,
		                  JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES,
		                  &je);
		n = *out ? (size_t)je.position : 0;
	} else {
		/* a number, true, false or null: its bytes alone */
		while (r->pos + n < r->len && strchr("+-.0123456789eEtrufalsn", r->buf[r->pos + n]))
			n++;
		*out = n ? json_loadb(r->buf + r->pos, n, JSON_DECODE_ANY, &je) : NULL;
		if (!n)
			snprintf(je.text, sizeof(je.text), "%s", _("a value was expected"));
	}
	if (!*out) {
		int line = iam_line_at(r, r->pos);

		if (c == '{' || c == '[' || c == '"')
			line += je.line > 0 ? je.line - 1 : 0;
		return pt_fail(r->err, PT_INVALID, _("%s:%d: not JSON: %s"), r->name, line,
		               je.text);
	}
	r->pos += n;
	return PT_OK;
}

static enum pt_status
iam_resources(struct iam_reader *r, struct gm_members *m)
{
	enum pt_status st;
	json_t *u;
	size_t i = 0;

	r->pos++; /* '[' */
	if (iam_peek(r) == ']') {
		r->pos++;
		return PT_OK;
	}
	for (;; i++) {
		if ((st = iam_value(r, &u)) != PT_OK)
			return st;
		st = one_user(r->name, i, u, m, r->err);
		json_decref(u);
		if (st != PT_OK)
			return st;
		if (iam_peek(r) == ']') {
			r->pos++;
			return PT_OK;
		}
		if (iam_peek(r) != ',')
			return iam_bad(r, _("',' or ']' expected"));
		r->pos++;
	}
}

/* One "key": value of the top-level object; *has_res when it was the
 * Resources list. */
static enum pt_status
iam_member(struct iam_reader *r, json_t *seen, struct gm_members *m, bool *has_res)
{
	enum pt_status st;
	json_t *k, *v;
	const char *key;

	if (iam_peek(r) != '"')
		return iam_bad(r, _("a key was expected"));
	if ((st = iam_value(r, &k)) != PT_OK)
		return st;
	key = json_string_value(k);
	if (json_object_get(seen, key)) {
		json_decref(k);
		return iam_bad(r, _("duplicate object key"));
	}
	json_object_set_new(seen, key, json_null());
	if (iam_peek(r) != ':') {
		json_decref(k);
		return iam_bad(r, _("':' expected"));
	}
	r->pos++;
	if (!strcmp(key, "Resources") && iam_peek(r) == '[') {
		json_decref(k);
		*has_res = true;
		return iam_resources(r, m);
	}
	json_decref(k);
	if ((st = iam_value(r, &v)) == PT_OK)
		json_decref(v);
	return st;
}

enum pt_status
gm_parse_iam(const char *name, const char *buf, size_t len, struct gm_members *m,
             struct pt_err *err)
{
	struct iam_reader r = { name, buf, len, 0, 0, 1, err };
	enum pt_status st = PT_OK;
	json_t *seen = json_object();
	bool has_res = false;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		r.pos = r.lpos = 3;
	if (!seen)
		return gm_nomem(err);
	if (iam_peek(&r) != '{')
		st = iam_bad(&r, _("an object was expected"));
	else if (r.pos++, iam_peek(&r) == '}')
		r.pos++;
	else
		for (;;) {
			if ((st = iam_member(&r, seen, m, &has_res)) != PT_OK)
				break;
			if (iam_peek(&r) == '}') {
				r.pos++;
				break;
			}
			if (iam_peek(&r) != ',') {
				st = iam_bad(&r, _("',' or '}' expected"));
				break;
			}
			r.pos++;
		}
	json_decref(seen);
	if (st == PT_OK && iam_peek(&r) != '\0')
		st = iam_bad(&r, _("end of text expected"));
	if (st == PT_OK && !has_res)
		st = pt_fail(err, PT_INVALID,
		             _("%s: not an IAM SCIM user listing (no \"Resources\" list)"), name);
	return st;
}
