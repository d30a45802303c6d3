/* gridmap-authz.c - the other files a CE or storage element reads
 * besides the grid-mapfile: LCMAPS' voms-mapfile (FQAN -> account), the
 * ban-mapfile (banned DNs, quoted) and the vomses lines of VOMS servers.
 * Pure text work, as the grid-mapfile's build: the store feeds it. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grid/gridmap.h"
#include "grid/private.h"
#include "base/i18n.h"

static bool
fqan_char(char c)
{
	return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') ||
	       c == '.' || c == '_' || c == '-' || c == '=' || c == '*';
}

enum pt_status
gridmap_check_fqan(const char *vo, const char *fqan, struct pt_err *err)
{
	size_t vl = strlen(vo), n = strlen(fqan);
	const char *p;

	if (n > GRIDMAP_MAX_FQAN)
		return pt_fail(err, PT_INVALID, _("FQAN longer than %d bytes"), GRIDMAP_MAX_FQAN);
	if (fqan[0] != '/' || strncmp(fqan + 1, vo, vl) != 0 ||
	    (fqan[vl + 1] != '\0' && fqan[vl + 1] != '/'))
		return pt_fail(err, PT_INVALID,
		               _("\"%s\" is not an FQAN of VO %s (/%s[/GROUP...][/Role=ROLE])"),
		               fqan, vo, vo);
	for (p = fqan + 1; *p; p++) {
		if (*p == '/' && (p[1] == '/' || p[1] == '\0'))
			return pt_fail(err, PT_INVALID, _("FQAN \"%s\" has an empty part"), fqan);
		if (*p != '/' && !fqan_char(*p))
			return pt_fail(
				err, PT_INVALID,
				_("FQAN \"%s\": letters, digits, \".\", \"_\", \"-\", \"=\" and \"*\" only"),
				fqan);
	}
	return PT_OK;
}

/* Whether s can be written between double quotes, as the grid-mapfile's
 * DNs: no quote, no control character, no trailing backslash. */
static bool
quotable(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || s[n - 1] == '\\' || strchr(s, '"'))
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* s (quotable) in double quotes, a backslash doubled; false: no memory. */
static bool
add_quoted(struct buf *b, const char *s)
{
	if (!gm_buf_add(b, "\"", 1))
		return false;
	for (const char *p = s; *p; p++)
		if (!gm_buf_add(b, *p == '\\' ? "\\\\" : p, *p == '\\' ? 2 : 1))
			return false;
	return gm_buf_add(b, "\"", 1);
}

/* An empty text is still a text: "" malloc'd. */
static enum pt_status
finish(struct buf *b, char **out, struct pt_err *err)
{
	if (!b->s && !gm_buf_grow(b, 1))
		return gm_nomem(err);
	b->s[b->len] = '\0';
	*out = b->s;
	return PT_OK;
}

enum pt_status
gridmap_voms_mapfile(const struct gm_fqan_map *m, size_t n, char **out, struct pt_err *err)
{
	struct buf b = { 0 };

	*out = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!quotable(m[i].fqan) || !gridmap_account_valid(m[i].account)) {
			free(b.s);
			return pt_fail(err, PT_INVALID,
			               _("FQAN mapping \"%s\" %s cannot be written"), m[i].fqan,
			               m[i].account);
		}
		if (!add_quoted(&b, m[i].fqan) || !gm_buf_add(&b, " ", 1) ||
		    !gm_buf_add(&b, m[i].account, strlen(m[i].account)) ||
		    !gm_buf_add(&b, "\n", 1)) {
			free(b.s);
			return gm_nomem(err);
		}
	}
	return finish(&b, out, err);
}

enum pt_status
gridmap_ban_mapfile(const char *const *bans, size_t n, char **out, size_t *skipped,
                    struct pt_err *err)
{
	struct buf b = { 0 };

	*out = NULL;
	*skipped = 0;
	for (size_t i = 0; i < n; i++) {
		if (!quotable(bans[i])) {
			(*skipped)++;
			continue;
		}
		if (!add_quoted(&b, bans[i]) || !gm_buf_add(&b, "\n", 1)) {
			free(b.s);
			return gm_nomem(err);
		}
	}
	return finish(&b, out, err);
}

enum pt_status
gridmap_vomses_line(const struct gm_vomses *v, char **out, struct pt_err *err)
{
	struct buf b = { 0 };
	char port[16];

	*out = NULL;
	snprintf(port, sizeof(port), "%u", v->port);
	if (!quotable(v->alias) || !quotable(v->host) || !quotable(v->server_dn) ||
	    !quotable(v->vo))
		return pt_fail(err, PT_INVALID,
		               _("the vomses line of %s (VO %s) cannot be written"), v->host,
		               v->vo);
	if (!add_quoted(&b, v->alias) || !gm_buf_add(&b, " ", 1) || !add_quoted(&b, v->host) ||
	    !gm_buf_add(&b, " ", 1) || !add_quoted(&b, port) || !gm_buf_add(&b, " ", 1) ||
	    !add_quoted(&b, v->server_dn) || !gm_buf_add(&b, " ", 1) || !add_quoted(&b, v->vo) ||
	    !gm_buf_add(&b, "\n", 1)) {
		free(b.s);
		return gm_nomem(err);
	}
	return finish(&b, out, err);
}
