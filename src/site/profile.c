/* profile.c - a host's install profile, read from and written to its
 * per-host settings (see profile.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/lib.h"
#include "store/lib.h"
#include "site/profile.h"

static const char *const content_names[] = { "key", "cert", "chain", "fullchain" };

/* The parts a profile_set may change. */
static const char *const parts[] = {
	"key-path",        "cert-path", "chain-path", "fullchain-path",
	"owner",           "key-owner", "cert-owner", "chain-owner",
	"fullchain-owner", "key-mode",  "cert-mode",  "chain-mode",
	"fullchain-mode",  "copies",    "reload",     "check-port",
};

const char *
profile_content_name(enum profile_content c)
{
	return (unsigned)c < 4 ? content_names[c] : "?";
}

/* host.FQDN.WHAT, checked: NULL when unset without default. */
static enum pt_status
get_checked(struct store *st, const char *fqdn, const char *what, char **v, struct pt_err *err)
{
	char key[320];
	enum pt_status ret;

	snprintf(key, sizeof(key), "host.%s.%s", fqdn, what);
	if ((ret = settings_get(st, key, v, err)) != PT_OK || !*v)
		return ret;
	if ((ret = settings_check(st, key, *v, err)) != PT_OK) {
		free(*v);
		*v = NULL;
	}
	return ret;
}

static enum pt_status
main_file(struct store *st, const char *fqdn, enum profile_content c, const char *owner,
          struct install_profile *p, struct pt_err *err)
{
	const char *name = content_names[c];
	char what[32], *path = NULL, *own = NULL, *mode = NULL;
	enum pt_status ret;

	snprintf(what, sizeof(what), "%s-path", name);
	if ((ret = get_checked(st, fqdn, what, &path, err)) != PT_OK || !path)
		goto out;
	snprintf(what, sizeof(what), "%s-owner", name);
	if ((ret = get_checked(st, fqdn, what, &own, err)) != PT_OK)
		goto out;
	snprintf(what, sizeof(what), "%s-mode", name);
	if ((ret = get_checked(st, fqdn, what, &mode, err)) != PT_OK)
		goto out;
	{
		struct profile_file *f = &p->files[p->n++];
		f->content = c;
		snprintf(f->path, sizeof(f->path), "%s", path);
		snprintf(f->owner, sizeof(f->owner), "%s", own ? own : owner);
		settings_mode_parse(mode, &f->mode);
		p->needs_chain |= c == PROFILE_CHAIN || c == PROFILE_FULLCHAIN;
	}
out:
	free(path);
	free(own);
	free(mode);
	return ret;
}

static enum pt_status
copies(struct store *st, const char *fqdn, struct install_profile *p, struct pt_err *err)
{
	struct settings_copy c[SETTINGS_COPIES_MAX];
	char *v = NULL;
	enum pt_status ret;
	int n;

	if ((ret = get_checked(st, fqdn, "copies", &v, err)) != PT_OK || !v)
		return ret;
	n = settings_copies_parse(v, c, SETTINGS_COPIES_MAX);
	free(v);
	for (int i = 0; i < n; i++) {
		struct profile_file *f = &p->files[p->n++];
		for (int k = 0; k < 4; k++)
			if (strcmp(c[i].content, content_names[k]) == 0)
				f->content = (enum profile_content)k;
		f->copy = true;
		snprintf(f->path, sizeof(f->path), "%s", c[i].path);
		snprintf(f->owner, sizeof(f->owner), "%s", c[i].owner);
		f->mode = c[i].mode;
		p->needs_chain |= f->content == PROFILE_CHAIN || f->content == PROFILE_FULLCHAIN;
	}
	return PT_OK;
}

enum pt_status
profile_get(struct store *st, const char *fqdn, struct install_profile *p, struct pt_err *err)
{
	char *owner = NULL, *v = NULL;
	enum pt_status ret;

	memset(p, 0, sizeof(*p));
	if ((ret = get_checked(st, fqdn, "owner", &owner, err)) != PT_OK)
		return ret;
	for (int c = PROFILE_KEY; c <= PROFILE_FULLCHAIN && ret == PT_OK; c++)
		ret = main_file(st, fqdn, (enum profile_content)c, owner ? owner : "0:0", p, err);
	free(owner);
	if (ret == PT_OK)
		ret = copies(st, fqdn, p, err);
	if (ret == PT_OK && (ret = get_checked(st, fqdn, "reload", &v, err)) == PT_OK && v)
		snprintf(p->reload, sizeof(p->reload), "%s", v);
	free(v);
	v = NULL;
	if (ret == PT_OK && (ret = get_checked(st, fqdn, "check-port", &v, err)) == PT_OK && v)
		p->check_port = atoi(v);
	free(v);
	return ret;
}

enum pt_status
profile_set(struct store *st, const char *fqdn, const char *what, const char *value,
            struct pt_err *err)
{
	char key[320];
	size_t i;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (strcmp(parts[i], what) == 0)
			break;
	if (i == sizeof(parts) / sizeof(parts[0]))
		return pt_fail(err, PT_INVALID, _("\"%s\" is not a part of an install profile"),
		               what);
	snprintf(key, sizeof(key), "host.%s.%s", fqdn, what);
	if (!*value)
		return settings_unset(st, key, err);
	return settings_set(st, key, value, err);
}
