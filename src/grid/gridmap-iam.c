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

enum pt_status
gm_parse_iam(const char *name, const char *buf, size_t len, struct gm_members *m,
             struct pt_err *err)
{
	json_error_t je;
	json_t *root, *res, *u;
	enum pt_status st = PT_OK;
	size_t i;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return pt_fail(err, PT_INVALID, _("%s:%d: not JSON: %s"), name, je.line, je.text);
	res = json_object_get(root, "Resources");
	if (!json_is_object(root) || !json_is_array(res))
		st = pt_fail(err, PT_INVALID,
		             _("%s: not an IAM SCIM user listing (no \"Resources\" list)"), name);
	else
		json_array_foreach(res, i,
		                   u) if ((st = one_user(name, i, u, m, err)) != PT_OK) break;
	json_decref(root);
	return st;
}
