/* guard-station.c - the station rows of the posture: the seed's own rules
 * (interface down, IPv6 off, only direct console access, RAID1 healthy,
 * swap off or encrypted, a clock not behind what the store has seen, a
 * recent verified backup), each ok / warning / broken with its reason.
 *
 * Everything read from /proc and /sys is read under a root directory and
 * bounded (GUARD_PROC_MAX bytes, a few directory entries), and parsed in
 * one pass: a hostile or huge file costs at most that.  The rows describe
 * the station; whether a window may open is guard_posture_ok's alone.
 */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "base/i18n.h"
#include "engine/guard.h"
#include "store/lib.h"

#define STATION_ROOT_ENV "PASSTORE_STATION_ROOT"
#define DM_DEPTH 4        /* dm devices stacked on each other (LVM on LUKS) */
#define DM_ENTRIES 64     /* entries of a sysfs directory looked at */
#define LINE_MAX_KEPT 512 /* a longer line is cut: only its start matters */

const char *
guard_row_level_name(enum guard_row_level l)
{
	switch (l) {
	case GUARD_ROW_OK: return "ok";
	case GUARD_ROW_WARNING: return "warning";
	default: return "broken";
	}
}

enum guard_row_level
guard_station_level(const struct guard_station *s)
{
	enum guard_row_level worst = GUARD_ROW_OK;

	for (int i = 0; i < s->n; i++)
		if (s->row[i].level > worst)
			worst = s->row[i].level;
	return worst;
}

static const struct {
	const char *key, *title;
} titles[] = {
	{ "interface", N_("interface") }, { "ipv6", N_("IPv6") },
	{ "listeners", N_("listeners") }, { "raid", N_("RAID1") },
	{ "swap", N_("swap") },           { "clock", N_("clock") },
	{ "backup", N_("backup") },       { "root", N_("test root") },
};

static void row(struct guard_station *s, const char *key, enum guard_row_level level,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
row(struct guard_station *s, const char *key, enum guard_row_level level, const char *fmt, ...)
{
	struct guard_row *r;
	va_list ap;

	if (s->n >= GUARD_STATION_ROWS)
		return;
	r = &s->row[s->n++];
	r->key = key;
	r->title = key;
	for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
		if (strcmp(titles[i].key, key) == 0)
			r->title = _(titles[i].title);
	r->level = level;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ */
/* bounded reads under the root                                        */

/* At most max bytes of root/path, NUL-terminated (malloc'd); *big when
 * the file had more.  NULL with errno set when it cannot be read. */
static char *
read_bounded(const char *root, const char *path, size_t max, size_t *len, bool *big)
{
	char full[PATH_MAX], *buf;
	size_t n = 0;
	ssize_t r;
	int fd;

	*len = 0;
	*big = false;
	if ((size_t)snprintf(full, sizeof(full), "%s%s", root, path) >= sizeof(full)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return NULL;
	buf = malloc(max + 1);
	if (!buf) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	while (n < max && ((r = read(fd, buf + n, max - n)) > 0 || (r < 0 && errno == EINTR)))
		if (r > 0)
			n += (size_t)r;
	if (n == max) {
		char c;
		*big = read(fd, &c, 1) == 1;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The next line of [*p, end) into out (cut at LINE_MAX_KEPT); false at the end. */
static bool
next_line(const char **p, const char *end, char *out)
{
	const char *s = *p, *nl;
	size_t n;

	if (s >= end)
		return false;
	nl = memchr(s, '\n', (size_t)(end - s));
	n = (size_t)((nl ? nl : end) - s);
	*p = nl ? nl + 1 : end;
	if (n >= LINE_MAX_KEPT)
		n = LINE_MAX_KEPT - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (out[i] == '\0' || out[i] == '\t' || out[i] == '\r')
			out[i] = ' ';
	return true;
}

/* ------------------------------------------------------------------ */
/* /proc/mdstat                                                        */

struct md_cur {
	bool open, raid1, inactive, degraded;
	char name[32], status[32];
};

static void
md_close(struct md_cur *c, struct guard_mdstat *m)
{
	if (!c->open)
		return;
	m->arrays++;
	if (c->raid1)
		m->raid1++;
	if (c->inactive)
		m->inactive++;
	else if (c->degraded)
		m->degraded++;
	if ((c->inactive || c->degraded) && !m->bad[0]) {
		snprintf(m->bad, sizeof(m->bad), "%s", c->name);
		snprintf(m->bad_status, sizeof(m->bad_status), "%s",
		         c->inactive ? "inactive" : c->status);
	}
	memset(c, 0, sizeof(*c));
}

/* "[2/1] [U_]" in a status line: degraded when a member is missing. */
static void
md_status(const char *line, struct md_cur *c)
{
	const char *b = strchr(line, '[');
	unsigned want, have;
	size_t k;

	for (; b; b = strchr(b + 1, '[')) {
		if (sscanf(b, "[%u/%u]", &want, &have) == 2) {
			if (have < want)
				c->degraded = true;
			continue;
		}
		k = strspn(b + 1, "U_");
		if (k > 0 && b[1 + k] == ']') {
			if (memchr(b + 1, '_', k))
				c->degraded = true;
			snprintf(c->status, sizeof(c->status), "%.*s", (int)(k + 2), b);
		}
	}
}

void
guard_mdstat_parse(const char *text, size_t len, struct guard_mdstat *m)
{
	const char *p = text, *end = text + len;
	char line[LINE_MAX_KEPT], name[32], state[16], level[16];
	struct md_cur c = { 0 };

	memset(m, 0, sizeof(*m));
	while (next_line(&p, end, line)) {
		if (line[0] != ' ' && line[0] != '\0') {
			md_close(&c, m);
			if (strncmp(line, "md", 2) != 0 ||
			    sscanf(line, "%31s : %15s %15s", name, state, level) < 2)
				continue;
			c.open = true;
			snprintf(c.name, sizeof(c.name), "%s", name);
			c.inactive = strcmp(state, "inactive") == 0;
			/* "active (auto-read-only) raid1": the level is a word of its own */
			c.raid1 = strstr(line, " raid1 ") != NULL ||
			          (strlen(line) >= 6 &&
			           strcmp(line + strlen(line) - 6, " raid1") == 0);
			continue;
		}
		if (c.open)
			md_status(line, &c);
	}
	md_close(&c, m);
}

/* ------------------------------------------------------------------ */
/* /proc/swaps                                                         */

void
guard_swaps_parse(const char *text, size_t len, struct guard_swaps *s)
{
	const char *p = text, *end = text + len;
	char line[LINE_MAX_KEPT], name[128], type[16];

	memset(s, 0, sizeof(*s));
	while (next_line(&p, end, line)) {
		if (sscanf(line, "%127s %15s", name, type) != 2 || name[0] != '/')
			continue; /* the header, or nothing */
		s->total++;
		if (s->n >= GUARD_SWAPS)
			continue;
		snprintf(s->sw[s->n].name, sizeof(s->sw[0].name), "%s", name);
		s->sw[s->n].file = strcmp(type, "file") == 0;
		s->n++;
	}
}

/* The kernel writes blanks and backslashes of a path as \ooo. */
static void
unescape(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (; *in && o + 1 < len; in++) {
		if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && in[2] >= '0' && in[2] <= '7' &&
		    in[3] >= '0' && in[3] <= '7') {
			out[o++] = (char)((in[1] - '0') * 64 + (in[2] - '0') * 8 + (in[3] - '0'));
			in += 3;
		} else {
			out[o++] = *in;
		}
	}
	out[o] = '\0';
}

/* A dm device (sysfs directory) on dm-crypt: its own target, or one of
 * the devices under it (LVM on LUKS), DM_DEPTH deep at most. */
static bool
dm_crypt(const char *root, const char *sysdir, int depth)
{
	char path[PATH_MAX], uuid[16] = "";
	bool crypt = false;
	struct dirent *de;
	DIR *d;
	FILE *f;
	int seen = 0;

	if (depth <= 0 ||
	    (size_t)snprintf(path, sizeof(path), "%s/dm/uuid", sysdir) >= sizeof(path))
		return false;
	f = fopen(path, "re");
	if (f) {
		if (!fgets(uuid, sizeof(uuid), f))
			uuid[0] = '\0';
		fclose(f);
	}
	if (strncmp(uuid, "CRYPT-", 6) == 0)
		return true;
	if ((size_t)snprintf(path, sizeof(path), "%s/slaves", sysdir) >= sizeof(path) ||
	    !(d = opendir(path)))
		return false;
	while (!crypt && seen++ < DM_ENTRIES && (de = readdir(d))) {
		char sub[PATH_MAX];

		if (strncmp(de->d_name, "dm-", 3) != 0 ||
		    (size_t)snprintf(sub, sizeof(sub), "%s/sys/block/%s", root, de->d_name) >=
		            sizeof(sub))
			continue;
		crypt = dm_crypt(root, sub, depth - 1);
	}
	closedir(d);
	return crypt;
}

/* The dm-N whose dm/name is `name` (a /dev/mapper entry), into out. */
static bool
dm_by_name(const char *root, const char *name, char *out, size_t len)
{
	char path[PATH_MAX], got[128];
	struct dirent *de;
	bool found = false;
	int seen = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/sys/block", root);
	if (!(d = opendir(path)))
		return false;
	while (!found && seen++ < 4 * DM_ENTRIES && (de = readdir(d))) {
		FILE *f;

		if (strncmp(de->d_name, "dm-", 3) != 0 ||
		    (size_t)snprintf(path, sizeof(path), "%s/sys/block/%s/dm/name", root,
		                     de->d_name) >= sizeof(path) ||
		    !(f = fopen(path, "re")))
			continue;
		if (fgets(got, sizeof(got), f)) {
			got[strcspn(got, "\n")] = '\0';
			if (strcmp(got, name) == 0) {
				snprintf(out, len, "%.63s", de->d_name);
				found = true;
			}
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

enum guard_swap_kind
guard_swap_kind(const char *root, const char *name, bool file)
{
	char path[PATH_MAX], full[PATH_MAX], real[PATH_MAX], sysdir[PATH_MAX], dm[64] = "";
	const char *base;
	struct stat sb;

	unescape(name, path, sizeof(path));
	if ((size_t)snprintf(full, sizeof(full), "%s%s", root, path) >= sizeof(full))
		return GUARD_SWAP_PLAIN;
	if (file) {
		/* the file's filesystem: the block device it lives on */
		if (stat(full, &sb) != 0)
			return GUARD_SWAP_PLAIN;
		snprintf(sysdir, sizeof(sysdir), "%s/sys/dev/block/%u:%u", root, major(sb.st_dev),
		         minor(sb.st_dev));
		return dm_crypt(root, sysdir, DM_DEPTH) ? GUARD_SWAP_CRYPT : GUARD_SWAP_PLAIN;
	}
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (realpath(full, real)) {
		const char *rb = strrchr(real, '/');
		if (rb && strncmp(rb + 1, "dm-", 3) == 0)
			snprintf(dm, sizeof(dm), "%.63s", rb + 1);
		else if (rb && strncmp(rb + 1, "zram", 4) == 0)
			return GUARD_SWAP_MEMORY;
	}
	if (!dm[0] && strncmp(base, "dm-", 3) == 0)
		snprintf(dm, sizeof(dm), "%.63s", base);
	if (!dm[0] && strncmp(base, "zram", 4) == 0 && strncmp(path, "/dev/", 5) == 0)
		return GUARD_SWAP_MEMORY;
	if (!dm[0] && strncmp(path, "/dev/mapper/", 12) == 0)
		(void)dm_by_name(root, path + 12, dm, sizeof(dm));
	if (!dm[0])
		return GUARD_SWAP_PLAIN;
	snprintf(sysdir, sizeof(sysdir), "%s/sys/block/%s", root, dm);
	return dm_crypt(root, sysdir, DM_DEPTH) ? GUARD_SWAP_CRYPT : GUARD_SWAP_PLAIN;
}

/* ------------------------------------------------------------------ */
/* the rows                                                            */

static void
row_interface(struct guard_station *s, const struct guard_posture *p, int open_windows)
{
	if (!p->link_found)
		row(s, "interface", GUARD_ROW_BROKEN, _("interface %s not found"), p->ifname);
	else if (p->link_up && open_windows == 0)
		row(s, "interface", GUARD_ROW_BROKEN,
		    _("%s is up outside a window: the station is on the network"), p->ifname);
	else if (p->link_up)
		row(s, "interface", GUARD_ROW_OK, _("%s is up for an open window"), p->ifname);
	else
		row(s, "interface", GUARD_ROW_OK, _("%s is down"), p->ifname);
}

static void
row_ipv6(struct guard_station *s, const struct guard_posture *p)
{
	switch (p->ipv6) {
	case GUARD_IPV6_ABSENT:
		row(s, "ipv6", GUARD_ROW_OK, "%s", _("the kernel has no IPv6"));
		break;
	case GUARD_IPV6_DISABLED:
		row(s, "ipv6", GUARD_ROW_OK, _("IPv6 is off on %s"), p->ifname);
		break;
	case GUARD_IPV6_ENABLED:
		if (p->input6 == GUARD_POLICY_DROP && p->output6 == GUARD_POLICY_DROP &&
		    p->forward6 == GUARD_POLICY_DROP)
			row(s, "ipv6", GUARD_ROW_WARNING,
			    _("IPv6 is enabled on %s (ip6tables drops everything)"), p->ifname);
		else
			row(s, "ipv6", GUARD_ROW_BROKEN,
			    _("IPv6 is enabled on %s and ip6tables does not drop everything"),
			    p->ifname);
		break;
	default:
		row(s, "ipv6", GUARD_ROW_WARNING, _("cannot tell whether IPv6 is off on %s"),
		    p->ifname);
	}
}

static void
row_listeners(struct guard_station *s, const struct guard_posture *p)
{
	for (int i = 0; i < p->n_listen; i++) {
		const struct guard_socket *k = &p->listen[i];

		if (k->loopback)
			continue;
		row(s, "listeners", GUARD_ROW_BROKEN,
		    _("%s %s port %u listens: more than direct console access"),
		    k->proto == IPPROTO_TCP ? "tcp" : "udp", k->addr, k->port);
		return;
	}
	if (p->listen_total > p->n_listen)
		row(s, "listeners", GUARD_ROW_WARNING,
		    _("%d listening sockets: only the first %d were looked at"), p->listen_total,
		    p->n_listen);
	else
		row(s, "listeners", GUARD_ROW_OK, "%s",
		    _("only direct console access: nothing listens except on loopback"));
}

static void
row_raid(struct guard_station *s, const char *root)
{
	struct guard_mdstat m;
	size_t len;
	bool big;
	char *t = read_bounded(root, "/proc/mdstat", GUARD_PROC_MAX, &len, &big);

	if (!t && errno != ENOENT) {
		row(s, "raid", GUARD_ROW_WARNING, _("cannot read %s: %s"), "/proc/mdstat",
		    strerror(errno));
		return;
	}
	guard_mdstat_parse(t ? t : "", len, &m);
	free(t);
	if (m.inactive || m.degraded)
		row(s, "raid", GUARD_ROW_BROKEN, _("md array %s is degraded: %s"), m.bad,
		    m.bad_status);
	else if (big)
		row(s, "raid", GUARD_ROW_WARNING, _("%s is larger than %d bytes: not read whole"),
		    "/proc/mdstat", GUARD_PROC_MAX);
	else if (m.arrays == 0)
		row(s, "raid", GUARD_ROW_WARNING, "%s",
		    _("no md array: the seed keeps two copies on two disks"));
	else if (m.raid1 == 0)
		row(s, "raid", GUARD_ROW_WARNING, _("no RAID1 among the %d md arrays"), m.arrays);
	else
		row(s, "raid", GUARD_ROW_OK, _("RAID1 healthy (%d md arrays, all complete)"),
		    m.arrays);
}

static void
row_swap(struct guard_station *s, const char *root)
{
	struct guard_swaps w;
	size_t len;
	bool big, mem = false;
	char *t = read_bounded(root, "/proc/swaps", GUARD_PROC_MAX, &len, &big);

	if (!t) {
		if (errno == ENOENT)
			row(s, "swap", GUARD_ROW_OK, "%s", _("swap is off"));
		else
			row(s, "swap", GUARD_ROW_WARNING, _("cannot read %s: %s"), "/proc/swaps",
			    strerror(errno));
		return;
	}
	guard_swaps_parse(t, len, &w);
	free(t);
	for (int i = 0; i < w.n; i++) {
		enum guard_swap_kind k = guard_swap_kind(root, w.sw[i].name, w.sw[i].file);

		if (k == GUARD_SWAP_PLAIN) {
			row(s, "swap", GUARD_ROW_BROKEN,
			    _("swap %s is not encrypted: secrets may reach the disk"),
			    w.sw[i].name);
			return;
		}
		mem |= k == GUARD_SWAP_MEMORY;
	}
	if (big || w.total > w.n)
		row(s, "swap", GUARD_ROW_WARNING,
		    _("%d swap areas: only the first %d were looked at"), w.total, w.n);
	else if (w.total == 0)
		row(s, "swap", GUARD_ROW_OK, "%s", _("swap is off"));
	else
		row(s, "swap", GUARD_ROW_OK, "%s",
		    mem ? _("swap is in memory (zram) or encrypted")
		        : _("swap is encrypted (dm-crypt)"));
}

/* max(column) of a table, 0 when it has no row. */
static enum pt_status
newest(struct store *st, const char *sql, int64_t *v, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret = store_prepare(st, sql, &s, err);
	int rc;

	*v = 0;
	if (ret != PT_OK)
		return ret;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? PT_OK : store_fail(st, rc, err, _("read the posture's dates"));
}

static void
utc_text(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm))
		strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
	else
		snprintf(buf, len, "%lld", (long long)t);
}

static enum pt_status
row_clock(struct guard_station *s, struct store *st, time_t now, struct pt_err *err)
{
	char a[40], b[40];
	int64_t audit, cert;
	enum pt_status ret;

	if ((ret = newest(st, "SELECT coalesce(max(ts), 0) FROM audit", &audit, err)) != PT_OK ||
	    (ret = newest(st, "SELECT coalesce(max(not_before), 0) FROM certificates", &cert,
	                  err)) != PT_OK)
		return ret;
	utc_text((int64_t)now, a, sizeof(a));
	if ((int64_t)now < audit) {
		utc_text(audit, b, sizeof(b));
		row(s, "clock", GUARD_ROW_BROKEN,
		    _("the clock (%s) is earlier than the newest audit record (%s): expiry dates "
		      "depend on it"),
		    a, b);
	} else if ((int64_t)now < cert) {
		utc_text(cert, b, sizeof(b));
		row(s, "clock", GUARD_ROW_BROKEN,
		    _("the clock (%s) is earlier than a stored certificate's notBefore (%s): "
		      "expiry dates depend on it"),
		    a, b);
	} else {
		row(s, "clock", GUARD_ROW_OK,
		    _("the clock (%s) is not earlier than the newest audit record or certificate"),
		    a);
	}
	return PT_OK;
}

static enum pt_status
row_backup(struct guard_station *s, struct store *st, time_t now, struct pt_err *err)
{
	int64_t last;
	long max_days = 7, age;
	enum pt_status ret;

	if ((ret = settings_get_long(st, "backup.max_age_days", &max_days, err)) != PT_OK ||
	    (ret = newest(st, "SELECT coalesce(max(created_at), 0) FROM backups", &last, err)) !=
	            PT_OK)
		return ret;
	if (last == 0) {
		row(s, "backup", GUARD_ROW_WARNING, "%s",
		    _("no verified backup yet: run \"passtore backup DIR\""));
		return PT_OK;
	}
	age = (int64_t)now > last ? (long)(((int64_t)now - last) / 86400) : 0;
	if (age > max_days)
		row(s, "backup", GUARD_ROW_WARNING,
		    _("the last verified backup is %ld days old (backup.max_age_days: %ld)"), age,
		    max_days);
	else
		row(s, "backup", GUARD_ROW_OK,
		    _("the last verified backup is %ld days old (backup.max_age_days: %ld)"), age,
		    max_days);
	return PT_OK;
}

enum pt_status
guard_station_rows(struct store *st, const struct guard_posture *p,
                   const struct guard_station_src *src, struct guard_station *out,
                   struct pt_err *err)
{
	const char *root = src ? src->root : NULL;
	time_t now = src && src->now ? src->now : time(NULL);
	enum pt_status ret;

	memset(out, 0, sizeof(*out));
	if (!root)
		root = getenv(STATION_ROOT_ENV);
	if (!root || (root[0] && (root[0] != '/' || strlen(root) > 256)))
		root = "";
	if (p) {
		row_interface(out, p, src ? src->open_windows : 0);
		row_ipv6(out, p);
		row_listeners(out, p);
	}
	row_raid(out, root);
	row_swap(out, root);
	if ((ret = row_clock(out, st, now, err)) != PT_OK ||
	    (ret = row_backup(out, st, now, err)) != PT_OK)
		return ret;
	/* never silent: a posture read from elsewhere says so */
	if (root[0])
		row(out, "root", GUARD_ROW_WARNING,
		    _("/proc and /sys were read under %s, not the system's own"), root);
	return PT_OK;
}

enum guard_row_level
guard_swap_check(const char *root, char *reason, size_t n)
{
	struct guard_station s;

	memset(&s, 0, sizeof(s));
	if (!root)
		root = getenv(STATION_ROOT_ENV);
	if (!root || (root[0] && (root[0] != '/' || strlen(root) > 256)))
		root = "";
	row_swap(&s, root);
	snprintf(reason, n, "%s", s.n ? s.row[0].reason : "");
	return s.n ? s.row[0].level : GUARD_ROW_OK;
}
