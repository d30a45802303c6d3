/* settings.c - validated configuration keys in the store's meta table. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/audit.h"
#include "base/i18n.h"
#include "store/settings.h"

enum kind {
	K_IFNAME,
	K_IPV4,
	K_SECONDS,
	K_HOST,
	K_PATH,
	K_DAYS,
	K_USER,
	K_SERVICE,
	K_OWNER,
	K_AUTH,
	K_COMMAND,
	K_IDLE,
	K_MODE,
	K_PORT,
	K_COPIES,
	K_FIREWALL,
	K_PERCENT,
	K_GRIDFILES
};

struct key_def {
	const char *name; /* "host.*.user": * stands for an FQDN */
	enum kind kind;
	const char *def; /* NULL: unset by default */
};

static const struct key_def keys[] = {
	{ "net.interface", K_IFNAME, NULL },
	{ "net.gateway", K_IPV4, NULL },
	{ "transfer.timeout", K_SECONDS, "30" },
	{ "net.firewall", K_FIREWALL, "auto" },
	{ "operator.host", K_HOST, NULL },
	{ "operator.inbox", K_PATH, "/var/spool/passtore/inbox" },
	{ "operator.outbox", K_PATH, "/var/spool/passtore/outbox" },
	{ "cert.critical_days", K_DAYS, "7" },
	{ "cert.warning_days", K_DAYS, "30" },
	{ "cert.critical_fraction", K_PERCENT, NULL },
	{ "cert.warning_fraction", K_PERCENT, NULL },
	{ "ui.lock_after", K_IDLE, "300" },
	{ "pw.rotate_days", K_DAYS, NULL },     /* unset: passwords are not aged */
	{ "backup.max_age_days", K_DAYS, "7" }, /* an older newest copy needs attention */
	{ "host.*.user", K_USER, "root" },
	{ "host.*.service", K_SERVICE, "ssh" },
	{ "host.*.cert-path", K_PATH, "/etc/grid-security/hostcert.pem" },
	{ "host.*.key-path", K_PATH, "/etc/grid-security/hostkey.pem" },
	{ "host.*.owner", K_OWNER, "0:0" },
	{ "host.*.auth", K_AUTH, "password" },
	{ "host.*.reload", K_COMMAND, NULL },
	{ "host.*.gridmapfile", K_PATH, "/etc/grid-security/grid-mapfile" },
	{ "host.*.vomsdir", K_PATH, "/etc/grid-security/vomsdir" },
	/* the install profile (site/profile.h) */
	{ "host.*.chain-path", K_PATH, NULL },
	{ "host.*.fullchain-path", K_PATH, NULL },
	{ "host.*.key-owner", K_OWNER, NULL },
	{ "host.*.cert-owner", K_OWNER, NULL },
	{ "host.*.chain-owner", K_OWNER, NULL },
	{ "host.*.fullchain-owner", K_OWNER, NULL },
	{ "host.*.key-mode", K_MODE, "0400" },
	{ "host.*.cert-mode", K_MODE, "0644" },
	{ "host.*.chain-mode", K_MODE, "0644" },
	{ "host.*.fullchain-mode", K_MODE, "0644" },
	{ "host.*.copies", K_COPIES, NULL },
	{ "host.*.check-port", K_PORT, NULL },
	{ "host.*.voms-mapfile", K_PATH, "/etc/grid-security/voms-mapfile" },
	{ "host.*.ban-mapfile", K_PATH, "/etc/grid-security/ban-mapfile" },
	{ "host.*.vomses", K_PATH, "/etc/vomses" },
	{ "host.*.grid-files", K_GRIDFILES, "grid-mapfile,voms-mapfile,ban-mapfile,vomses,lsc" },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* Find the definition; for host.* keys, *fqdn gets the host part. */
static const struct key_def *
find_key(const char *key, char *fqdn, size_t fqdnlen)
{
	if (fqdn)
		fqdn[0] = '\0';
	for (size_t i = 0; i < NKEYS; i++) {
		const char *star = strchr(keys[i].name, '*');
		size_t pre, suf, klen = strlen(key);
		if (!star) {
			if (strcmp(keys[i].name, key) == 0)
				return &keys[i];
			continue;
		}
		pre = (size_t)(star - keys[i].name);
		suf = strlen(star + 1);
		if (klen <= pre + suf || strncmp(key, keys[i].name, pre) != 0 ||
		    strcmp(key + klen - suf, star + 1) != 0)
			continue;
		if (fqdn)
			snprintf(fqdn, fqdnlen, "%.*s", (int)(klen - pre - suf), key + pre);
		return &keys[i];
	}
	return NULL;
}

static int
all_chars(const char *s, const char *extra)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
			return 0;
	return 1;
}

/* Decimal digits only: strtol alone takes leading blanks and a sign,
 * and " 30" is not what anybody meant. */
static bool
decimal(const char *v, size_t max_digits)
{
	size_t n = strspn(v, "0123456789");

	return n > 0 && v[n] == '\0' && n <= max_digits;
}

bool
settings_percent_parse(const char *v, int *pct)
{
	size_t n = strspn(v, "0123456789");
	long p;

	if (n == 0 || n > 2 || strcmp(v + n, "%") != 0)
		return false;
	p = strtol(v, NULL, 10);
	if (p < 1 || p > 99)
		return false;
	if (pct)
		*pct = (int)p;
	return true;
}

/* An absolute path without a ".." component: the engine writes there as
 * root on a peer, and a path that climbs is never what was configured. */
static bool
clean_path(const char *v)
{
	const char *p = v;

	if (v[0] != '/' || strchr(v, '\n') || strlen(v) > 1024)
		return false;
	while ((p = strstr(p, "..")) != NULL) {
		if (p[-1] == '/' && (p[2] == '/' || p[2] == '\0'))
			return false;
		p += 2;
	}
	return true;
}

/* A UID or GID as the engine gives it to SFTP: decimal, at most INT_MAX. */
static bool
numeric_id(const char *v, size_t len, unsigned *out)
{
	unsigned long long n = 0;

	if (len == 0 || len > 10)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		n = n * 10 + (unsigned)(v[i] - '0');
	}
	if (n > INT_MAX)
		return false;
	if (out)
		*out = (unsigned)n;
	return true;
}

bool
settings_owner_parse(const char *v, unsigned *uid, unsigned *gid)
{
	const char *colon = strchr(v, ':');

	return colon && numeric_id(v, (size_t)(colon - v), uid) &&
	       numeric_id(colon + 1, strlen(colon + 1), gid);
}

bool
settings_mode_parse(const char *v, unsigned *mode)
{
	size_t n = strspn(v, "01234567");
	unsigned long m;

	if (n < 3 || n > 4 || v[n] != '\0')
		return false;
	m = strtoul(v, NULL, 8);
	if (m > 0777)
		return false;
	if (mode)
		*mode = (unsigned)m;
	return true;
}

static const char *const copy_contents[] = { "key", "cert", "chain", "fullchain" };

/* One "CONTENT:PATH:UID:GID:MODE" of n bytes; the path may hold ':'. */
static bool
copy_parse(const char *v, size_t n, struct settings_copy *c)
{
	const char *end = v + n, *c1 = memchr(v, ':', n), *p, *cols[3];
	char mode[8];
	int k = 0;

	if (!c1 || (size_t)(c1 - v) >= sizeof(c->content))
		return false;
	for (p = end; p > c1 && k < 3; p--)
		if (p[-1] == ':')
			cols[k++] = p - 1; /* last, second last, third last */
	if (k < 3 || cols[2] <= c1 + 1)
		return false;
	snprintf(c->content, sizeof(c->content), "%.*s", (int)(c1 - v), v);
	for (k = 0; k < 4 && strcmp(copy_contents[k], c->content) != 0; k++)
		;
	if (k == 4)
		return false;
	if ((size_t)(cols[2] - c1 - 1) >= sizeof(c->path) ||
	    (size_t)(cols[0] - cols[2] - 1) >= sizeof(c->owner) ||
	    (size_t)(end - cols[0] - 1) >= sizeof(mode))
		return false;
	snprintf(c->path, sizeof(c->path), "%.*s", (int)(cols[2] - c1 - 1), c1 + 1);
	snprintf(c->owner, sizeof(c->owner), "%.*s", (int)(cols[0] - cols[2] - 1), cols[2] + 1);
	snprintf(mode, sizeof(mode), "%.*s", (int)(end - cols[0] - 1), cols[0] + 1);
	return clean_path(c->path) && settings_owner_parse(c->owner, NULL, NULL) &&
	       settings_mode_parse(mode, &c->mode);
}

int
settings_copies_parse(const char *v, struct settings_copy *out, int max)
{
	int n = 0;

	while (*v) {
		const char *semi = strchr(v, ';');
		size_t len = semi ? (size_t)(semi - v) : strlen(v);
		struct settings_copy c;

		if (n == max || !copy_parse(v, len, &c))
			return -1;
		if (out)
			out[n] = c;
		n++;
		if (!semi)
			break;
		v = semi + 1;
		if (!*v)
			return -1;
	}
	return n > 0 ? n : -1;
}

static enum pt_status
host_exists(struct store *st, const char *fqdn, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(store_db(st), "SELECT 1 FROM hosts WHERE fqdn = ?", -1, &s,
	                            NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, fqdn, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return PT_OK;
	if (rc == SQLITE_DONE)
		return pt_fail(err, PT_NOTFOUND, _("no host %s"), fqdn);
	return store_fail(st, rc, err, _("look up host"));
}

/* A host's grid files: a comma-separated, non-empty list of the names a
 * Grid push knows (grid/gridstore.h reads the same names). */
static bool
grid_files_valid(const char *v)
{
	static const char *const names[] = { "grid-mapfile", "voms-mapfile", "ban-mapfile",
		                             "vomses", "lsc" };
	const char *p = v;

	if (!*v)
		return false;
	while (*p) {
		size_t n = strcspn(p, ","), i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i]) == n && strncmp(p, names[i], n) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return false;
		p += n;
		if (*p == ',' && *++p == '\0')
			return false;
	}
	return true;
}

static enum pt_status
validate(struct store *st, const struct key_def *d, const char *key, const char *v,
         struct pt_err *err)
{
	unsigned char a[4];
	long n;

	switch (d->kind) {
	case K_IFNAME:
		if (strlen(v) >= IFNAMSIZ || !all_chars(v, "._-") || strcmp(v, ".") == 0 ||
		    strcmp(v, "..") == 0)
			return pt_fail(err, PT_INVALID, _("%s: \"%s\" is not an interface name"),
			               key, v);
		return PT_OK;
	case K_IPV4:
		if (inet_pton(AF_INET, v, a) != 1)
			return pt_fail(err, PT_INVALID, _("%s: \"%s\" is not an IPv4 address"), key,
			               v);
		return PT_OK;
	case K_SECONDS:
	case K_DAYS:
		n = decimal(v, 4) ? strtol(v, NULL, 10) : 0;
		if (n < 1 || n > (d->kind == K_SECONDS ? 3600 : 3650))
			return pt_fail(
				err, PT_INVALID,
				d->kind == K_SECONDS
					? _("%s: \"%s\" is not a number of seconds from 1 to 3600")
					: _("%s: \"%s\" is not a number of days from 1 to 3650"),
				key, v);
		return PT_OK;
	case K_IDLE: /* as the console's --lock-after */
		n = decimal(v, 5) ? strtol(v, NULL, 10) : -1;
		if (n < 0 || n > 86400)
			return pt_fail(
				err, PT_INVALID,
				_("%s: \"%s\" is not a number of seconds from 0 (never) to 86400"),
				key, v);
		return PT_OK;
	case K_HOST: return st ? host_exists(st, v, err) : PT_OK;
	case K_PATH:
		if (!clean_path(v))
			return pt_fail(err, PT_INVALID, _("%s: \"%s\" is not an absolute path"),
			               key, v);
		return PT_OK;
	case K_USER:
		if (!all_chars(v, "._-") || v[0] == '-' || strlen(v) > 32)
			return pt_fail(err, PT_INVALID, _("%s: \"%s\" is not a user name"), key, v);
		return PT_OK;
	case K_SERVICE:
		if (!all_chars(v, "._/+-"))
			return pt_fail(err, PT_INVALID, _("%s: \"%s\" is not a service name"), key,
			               v);
		return PT_OK;
	case K_COMMAND:
		for (const char *c = v; *c; c++)
			if ((unsigned char)*c < 0x20)
				return pt_fail(err, PT_INVALID,
				               _("%s: a command is one line of printable text"),
				               key);
		if (!*v || strlen(v) > 1024)
			return pt_fail(err, PT_INVALID,
			               _("%s: a command is one line of printable text"), key);
		return PT_OK;
	case K_AUTH:
		if (strcmp(v, "password") != 0 && strcmp(v, "key") != 0)
			return pt_fail(err, PT_INVALID,
			               _("%s: \"%s\" is neither \"password\" nor \"key\""), key, v);
		return PT_OK;
	case K_MODE:
		if (!settings_mode_parse(v, NULL))
			return pt_fail(err, PT_INVALID,
			               _("%s: \"%s\" is not an octal file mode from 000 to 0777"),
			               key, v);
		return PT_OK;
	case K_PORT:
		n = decimal(v, 5) ? strtol(v, NULL, 10) : 0;
		if (n < 1 || n > 65535)
			return pt_fail(err, PT_INVALID,
			               _("%s: \"%s\" is not a TCP port from 1 to 65535"), key, v);
		return PT_OK;
	case K_COPIES:
		if (strlen(v) > 4096 || settings_copies_parse(v, NULL, SETTINGS_COPIES_MAX) < 0)
			return pt_fail(
				err, PT_INVALID,
				_("%s: \"%s\" is not a list of at most %d copies "
			          "CONTENT:PATH:UID:GID:MODE separated by \";\" (CONTENT: key, "
			          "cert, chain or fullchain)"),
				key, v, SETTINGS_COPIES_MAX);
		return PT_OK;
	case K_FIREWALL: /* the engine's backends (engine/guard.h) */
		if (strcmp(v, "auto") != 0 && strcmp(v, "nftables") != 0 &&
		    strcmp(v, "iptables") != 0)
			return pt_fail(err, PT_INVALID,
			               _("%s: \"%s\" is not a firewall backend: use nftables, "
			                 "iptables or auto"),
			               key, v);
		return PT_OK;
	case K_PERCENT:
		if (!settings_percent_parse(v, NULL))
			return pt_fail(
				err, PT_INVALID,
				_("%s: \"%s\" is not a share of the lifetime from 1%% to 99%%"),
				key, v);
		return PT_OK;
	case K_OWNER:
		if (!settings_owner_parse(v, NULL, NULL))
			return pt_fail(err, PT_INVALID, _("%s: \"%s\" is not a numeric UID:GID"),
			               key, v);
		return PT_OK;
	case K_GRIDFILES:
		if (!grid_files_valid(v))
			return pt_fail(
				err, PT_INVALID,
				_("%s: \"%s\" is not a list of grid-mapfile, voms-mapfile, ban-mapfile, vomses, lsc"),
				key, v);
		return PT_OK;
	}
	return PT_OK;
}

enum pt_status
settings_check(struct store *st, const char *key, const char *value, struct pt_err *err)
{
	const struct key_def *d = find_key(key, NULL, 0);

	if (!d)
		return pt_fail(err, PT_INVALID,
		               _("unknown setting \"%s\" (see \"passtore config list\")"), key);
	return validate(st, d, key, value, err);
}

static enum pt_status
meta_key(const char *key, char *buf, size_t n, struct pt_err *err)
{
	if ((size_t)snprintf(buf, n, "cfg.%s", key) >= n)
		return pt_fail(err, PT_INVALID, _("setting name too long: %s"), key);
	return PT_OK;
}

static enum pt_status
unknown_key(const char *key, struct pt_err *err)
{
	return pt_fail(err, PT_INVALID, _("unknown setting \"%s\" (see \"passtore config list\")"),
	               key);
}

enum pt_status
settings_get(struct store *st, const char *key, char **value, struct pt_err *err)
{
	char fqdn[300], mk[320];
	const struct key_def *d = find_key(key, fqdn, sizeof(fqdn));
	enum pt_status ret;

	*value = NULL;
	if (!d)
		return unknown_key(key, err);
	/* a typo in the FQDN of a per-host key is "no host", not "unset" */
	if (fqdn[0] && (ret = host_exists(st, fqdn, err)) != PT_OK)
		return ret;
	if ((ret = meta_key(key, mk, sizeof(mk), err)) != PT_OK)
		return ret;
	ret = store_meta_get(st, mk, value, err);
	if (ret == PT_OK && !*value && d->def && !(*value = strdup(d->def)))
		ret = pt_fail(err, PT_NOMEM, NULL);
	return ret;
}

enum pt_status
settings_get_long(struct store *st, const char *key, long *v, struct pt_err *err)
{
	char *s = NULL;
	enum pt_status ret = settings_get(st, key, &s, err);

	if (ret == PT_OK)
		*v = s ? strtol(s, NULL, 10) : 0;
	free(s);
	return ret;
}

enum pt_status
settings_host_get(struct store *st, const char *fqdn, const char *what, char **value,
                  struct pt_err *err)
{
	char key[320];

	snprintf(key, sizeof(key), "host.%s.%s", fqdn, what);
	return settings_get(st, key, value, err);
}

enum pt_status
settings_set(struct store *st, const char *key, const char *value, struct pt_err *err)
{
	char fqdn[300], mk[320];
	const struct key_def *d = find_key(key, fqdn, sizeof(fqdn));
	enum pt_status ret;

	if (!d)
		return unknown_key(key, err);
	if (fqdn[0] && (ret = host_exists(st, fqdn, err)) != PT_OK)
		return ret;
	if ((ret = validate(st, d, key, value, err)) != PT_OK)
		return ret;
	if ((ret = meta_key(key, mk, sizeof(mk), err)) != PT_OK)
		return ret;
	ret = store_meta_set(st, mk, value, err);
	if (ret == PT_OK)
		ret = audit_append(st, "config.set", key, value, err);
	return ret;
}

enum pt_status
settings_unset(struct store *st, const char *key, struct pt_err *err)
{
	char fqdn[300], mk[320];
	enum pt_status ret;

	if (!find_key(key, fqdn, sizeof(fqdn)))
		return unknown_key(key, err);
	if (fqdn[0] && (ret = host_exists(st, fqdn, err)) != PT_OK)
		return ret;
	if ((ret = meta_key(key, mk, sizeof(mk), err)) != PT_OK ||
	    (ret = store_meta_delete(st, mk, err)) != PT_OK)
		return ret;
	return audit_append(st, "config.unset", key, "", err);
}

enum pt_status
settings_foreach(struct store *st,
                 int (*cb)(const char *key, const char *value, int is_default, void *ud), void *ud,
                 struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret = PT_OK;
	int rc;

	for (size_t i = 0; i < NKEYS; i++) {
		char *v = NULL;
		if (strchr(keys[i].name, '*'))
			continue;
		if ((ret = settings_get(st, keys[i].name, &v, err)) != PT_OK)
			return ret;
		{
			char mk[320], *stored = NULL;
			snprintf(mk, sizeof(mk), "cfg.%s", keys[i].name);
			ret = store_meta_get(st, mk, &stored, err);
			if (ret == PT_OK && cb(keys[i].name, v ? v : "", stored == NULL, ud)) {
				free(stored);
				free(v);
				return PT_OK;
			}
			free(stored);
		}
		free(v);
		if (ret != PT_OK)
			return ret;
	}
	/* per-host keys that were set */
	rc = sqlite3_prepare_v2(
		store_db(st),
		"SELECT substr(key, 5), value FROM meta WHERE key LIKE 'cfg.host.%' ORDER BY key",
		-1, &s, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cb((const char *)sqlite3_column_text(s, 0),
		       (const char *)sqlite3_column_text(s, 1), 0, ud)) {
			rc = SQLITE_DONE;
			break;
		}
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("list settings"));
}

enum pt_status
settings_pin_get(struct store *st, const char *fqdn, char **fp, char **type, struct pt_err *err)
{
	char mk[320], *v = NULL, *sp;
	enum pt_status ret;

	*fp = *type = NULL;
	snprintf(mk, sizeof(mk), "pin.%s", fqdn);
	ret = store_meta_get(st, mk, &v, err);
	if (ret != PT_OK)
		return ret;
	if (!v)
		return pt_fail(err, PT_NOTFOUND, _("no host key pinned for %s"), fqdn);
	sp = strchr(v, ' ');
	if (!sp) {
		free(v);
		return pt_fail(err, PT_DAMAGED, _("the pinned host key of %s is unreadable"), fqdn);
	}
	*sp = '\0';
	*type = strdup(v);
	*fp = strdup(sp + 1);
	free(v);
	if (!*type || !*fp) {
		free(*type);
		free(*fp);
		*fp = *type = NULL;
		return pt_fail(err, PT_NOMEM, NULL);
	}
	return PT_OK;
}

enum pt_status
settings_pin_set(struct store *st, const char *fqdn, const char *fp, const char *type,
                 struct pt_err *err)
{
	char mk[320], *v = NULL;
	enum pt_status ret;

	snprintf(mk, sizeof(mk), "pin.%s", fqdn);
	if (asprintf(&v, "%s %s", type, fp) < 0)
		return pt_fail(err, PT_NOMEM, NULL);
	ret = store_meta_set(st, mk, v, err);
	free(v);
	if (ret == PT_OK)
		ret = audit_appendf(st, "hostkey.pin", fqdn, err, "%s %s", type, fp);
	return ret;
}

enum pt_status
settings_pin_forget(struct store *st, const char *fqdn, struct pt_err *err)
{
	char mk[320], *fp = NULL, *type = NULL;
	enum pt_status ret;

	ret = settings_pin_get(st, fqdn, &fp, &type, err);
	if (ret != PT_OK)
		return ret;
	snprintf(mk, sizeof(mk), "pin.%s", fqdn);
	ret = store_meta_delete(st, mk, err);
	if (ret == PT_OK)
		ret = audit_appendf(st, "hostkey.forget", fqdn, err, "%s %s", type, fp);
	free(fp);
	free(type);
	return ret;
}

/* ---- what the console shows of each key (settings_info) ---- */

/* What each key is for, beside the table so that its rows stay as they
 * are; a key without a line here shows its rule alone. */
static const struct {
	const char *name, *help;
} key_helps[] = {
	{ "net.interface",
	  N_("the station's network interface; unset: every transfer is refused") },
	{ "net.gateway", N_("IPv4 address of the neighbour that masquerades the station") },
	{ "transfer.timeout", N_("seconds a whole transfer window may take") },
	{ "net.firewall",
	  N_("the firewall backend that opens a window (auto: nftables if present)") },
	{ "operator.host",
	  N_("the host entry of the operator's machine (CSRs out, certificates in)") },
	{ "operator.inbox", N_("where sent requests go on the operator's machine") },
	{ "operator.outbox", N_("where issued certificates wait on the operator's machine") },
	{ "cert.critical_days", N_("a certificate this many days from expiry is critical") },
	{ "cert.warning_days", N_("a certificate this many days from expiry is a warning") },
	{ "cert.critical_fraction",
	  N_("critical when this share of the lifetime is left (whichever comes first)") },
	{ "cert.warning_fraction",
	  N_("warning when this share of the lifetime is left (whichever comes first)") },
	{ "ui.lock_after", N_("seconds idle before the console locks itself (0: never)") },
	{ "pw.rotate_days", N_("a password older than this needs rotating (unset: never)") },
	{ "backup.max_age_days", N_("a newest verified backup older than this needs attention") },
	{ "host.*.user", N_("the SSH login on the host") },
	{ "host.*.service", N_("the service of the stored password used to log in") },
	{ "host.*.cert-path", N_("where the host certificate is installed") },
	{ "host.*.key-path", N_("where the host key is installed") },
	{ "host.*.owner", N_("UID:GID of the installed files") },
	{ "host.*.auth", N_("log in with the stored password, or with the OpenSSH key it holds") },
	{ "host.*.reload", N_("a command run on the host after an install (unset: none)") },
	{ "host.*.gridmapfile", N_("where a Grid push writes the grid-mapfile") },
	{ "host.*.vomsdir", N_("where a Grid push writes the .lsc files") },
	{ "host.*.chain-path", N_("where the chain is installed (unset: not installed)") },
	{ "host.*.fullchain-path",
	  N_("where certificate and chain are installed together (unset: not installed)") },
	{ "host.*.key-owner", N_("UID:GID of the installed key (unset: host.*.owner)") },
	{ "host.*.cert-owner", N_("UID:GID of the installed certificate (unset: host.*.owner)") },
	{ "host.*.chain-owner", N_("UID:GID of the installed chain (unset: host.*.owner)") },
	{ "host.*.fullchain-owner",
	  N_("UID:GID of the installed full chain (unset: host.*.owner)") },
	{ "host.*.key-mode", N_("file mode of the installed key") },
	{ "host.*.cert-mode", N_("file mode of the installed certificate") },
	{ "host.*.chain-mode", N_("file mode of the installed chain") },
	{ "host.*.fullchain-mode", N_("file mode of the installed full chain") },
	{ "host.*.copies", N_("extra copies installed beside the usual files") },
	{ "host.*.check-port",
	  N_("the port whose served certificate is checked after an install") },
	{ "host.*.voms-mapfile", N_("where a Grid push writes the voms-mapfile") },
	{ "host.*.ban-mapfile", N_("where a Grid push writes the ban-mapfile") },
	{ "host.*.vomses", N_("where a Grid push writes the vomses file") },
	{ "host.*.grid-files", N_("the files a Grid push installs on the host") },
};

static const char *const auth_choices[] = { "password", "key", NULL };
static const char *const firewall_choices[] = { "auto", "nftables", "iptables", NULL };

/* What validate() accepts, said once per kind. */
static const char *
kind_rule(enum kind k)
{
	switch (k) {
	case K_IFNAME: return N_("an interface name (letters, digits, . _ -; at most 15)");
	case K_IPV4: return N_("an IPv4 address");
	case K_SECONDS: return N_("seconds, from 1 to 3600");
	case K_HOST: return N_("the FQDN of a host in the store");
	case K_PATH: return N_("an absolute path with no \"..\" component");
	case K_DAYS: return N_("days, from 1 to 3650");
	case K_USER: return N_("a user name (letters, digits, . _ -; at most 32)");
	case K_SERVICE: return N_("a service name (letters, digits, . _ / + -)");
	case K_OWNER: return N_("a numeric UID:GID");
	case K_AUTH: return N_("password or key");
	case K_COMMAND: return N_("one line of printable text");
	case K_IDLE: return N_("seconds, from 0 (never) to 86400");
	case K_MODE: return N_("an octal file mode from 000 to 0777");
	case K_PORT: return N_("a TCP port from 1 to 65535");
	case K_COPIES:
		return N_("CONTENT:PATH:UID:GID:MODE;... (CONTENT: key, cert, chain, fullchain)");
	case K_FIREWALL: return N_("auto, nftables or iptables");
	case K_PERCENT: return N_("a share of the lifetime from 1 to 99, as 33%");
	case K_GRIDFILES:
		return N_("a list of grid-mapfile, voms-mapfile, ban-mapfile, vomses, lsc");
	}
	return "";
}

static void
info_fill(const struct key_def *d, struct settings_info *out)
{
	out->name = d->name;
	out->def = d->def;
	out->help = "";
	for (size_t i = 0; i < sizeof(key_helps) / sizeof(key_helps[0]); i++)
		if (strcmp(key_helps[i].name, d->name) == 0)
			out->help = key_helps[i].help;
	out->rule = kind_rule(d->kind);
	out->choices = d->kind == K_AUTH       ? auth_choices
	               : d->kind == K_FIREWALL ? firewall_choices
	                                       : NULL;
}

size_t
settings_count(void)
{
	return NKEYS;
}

bool
settings_info_at(size_t i, struct settings_info *out)
{
	if (i >= NKEYS)
		return false;
	info_fill(&keys[i], out);
	return true;
}

bool
settings_info_key(const char *key, struct settings_info *out)
{
	const struct key_def *d = find_key(key, NULL, 0);

	if (!d)
		return false;
	info_fill(d, out);
	return true;
}
