/* hostset.c - a host spec resolved to the hosts of the store. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site/hostset.h"
#include "site/hostspec.h"
#include "site/model.h"

void
hostset_free(struct hostset *hs)
{
	for (size_t i = 0; i < hs->n; i++)
		free(hs->names[i]);
	free(hs->names);
	free(hs->ids);
	free(hs->spec);
	memset(hs, 0, sizeof(*hs));
}

static char *
lowercase(const char *s)
{
	char *d = strdup(s);

	for (char *p = d; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

static enum pt_status
resolve_group(struct store *st, const char *group, struct hostset *hs, struct pt_err *err)
{
	enum pt_status ret;

	hs->spec = malloc(strlen(group) + 2);
	if (!hs->spec)
		return pt_fail(err, PT_NOMEM, NULL);
	sprintf(hs->spec, "@%s", group);
	ret = model_group_hosts(st, group, &hs->ids, &hs->names, &hs->n, err);
	if (ret != PT_OK)
		hostset_free(hs);
	return ret;
}

enum pt_status
hostset_resolve(struct store *st, const char *spec, bool known, struct hostset *hs,
                struct pt_err *err)
{
	struct hostspec x;
	enum pt_status ret;

	memset(hs, 0, sizeof(*hs));
	ret = hostspec_expand(spec, &x, err);
	if (ret != PT_OK)
		return ret;
	if (x.group) {
		ret = resolve_group(st, x.group, hs, err);
		hostspec_free(&x);
		return ret;
	}
	/* the names move from x to hs */
	hs->names = x.names;
	hs->n = x.n;
	x.names = NULL;
	x.n = 0;
	hostspec_free(&x);
	hs->spec = lowercase(spec);
	hs->ids = calloc(hs->n ? hs->n : 1, sizeof(*hs->ids));
	if (!hs->spec || !hs->ids) {
		hostset_free(hs);
		return pt_fail(err, PT_NOMEM, NULL);
	}
	if (known && (ret = model_host_ids(st, hs->names, hs->n, hs->ids, err)) != PT_OK)
		hostset_free(hs);
	return ret;
}
