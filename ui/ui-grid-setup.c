/* ui-grid-setup.c - Grid set-up from the console: VOs added, member
 * lists and mkgridmap rules imported, DNs banned and unbanned, local
 * grid-mapfile entries, VOMS servers, the FQAN mapping table.
 *
 * Each task is a form that stores nothing until the same core call as
 * its CLI command accepts the input, inside one transaction (the core
 * appends the audit row); a refusal stays in the form, on the field to
 * fix, and the store is unchanged.  A member list is shown as its diff
 * against the VO's current snapshot on the Grid screen's page and
 * imported only on yes (ui-grid-flows.c, as a fetched list). */
#include "config.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/i18n.h"
#include "base/lib.h"
#include "grid/lib.h"
#include "store/lib.h"
#include "ui/app.h"
#include "ui/form.h"
#include "ui/grid-screen.h"
#include "ui/grid.h"
#include "ui/view.h"

/* As the CLI's vo import and rules import read them. */
#define SETUP_FILE_MAX (256 * 1024 * 1024)
#define MAX_VOS 64
#define MAX_FQANS 128
#define DN_MAX 1024

/* Run fn in a transaction: committed when it returns PT_OK. */
static enum pt_status
in_tx(struct ui *ui, enum pt_status (*fn)(struct ui *ui, struct ui_field *f, struct pt_err *err),
      struct ui_field *f, struct pt_err *err)
{
	enum pt_status ret = store_begin(ui->st, err);

	if (ret != PT_OK)
		return ret;
	if ((ret = fn(ui, f, err)) == PT_OK)
		return store_commit(ui->st, err);
	store_rollback(ui->st);
	return ret;
}

/* The form's submit for a task done by one core call: its refusal is
 * the form's message, on field 0 (the fields are few and the message
 * names what is wrong). */
struct simple_task {
	enum pt_status (*fn)(struct ui *ui, struct ui_field *f, struct pt_err *err);
	const char *done; /* said before the first two fields' values */
};

static int
simple_submit(struct ui *ui, struct ui_field *f, size_t n, char *msg, size_t len, void *ud)
{
	const struct simple_task *t = ud;
	struct pt_err err = { 0 };

	for (size_t i = 0; i < n; i++)
		if (!f[i].hint && !f[i].buf[0]) {
			snprintf(msg, len, _("Required: %s."), f[i].label);
			return (int)i;
		}
	if (in_tx(ui, t->fn, f, &err) != PT_OK) {
		snprintf(msg, len, "%s", pt_err_text(&err));
		return 0;
	}
	ui_message(ui, ROLE_BAND_OK, "%s %s%s%s", t->done, f[0].buf, n > 1 ? " " : "",
	           n > 1 ? f[1].buf : "");
	return -1;
}

/* The Grid screen read again, with the message the task left. */
static void
reload(struct ui *ui)
{
	char msg[sizeof ui->msg];
	enum theme_role role = ui->msg_role;

	snprintf(msg, sizeof msg, "%s", ui->msg);
	if (ui->view == VIEW_GRID)
		grid_reload(ui);
	snprintf(ui->msg, sizeof ui->msg, "%s", msg);
	ui->msg_role = role;
}

/* ---- the VOs, as choices ---- */

struct vo_names {
	char *name[MAX_VOS];
	const char *choice[MAX_VOS];
	size_t n;
};

static int
vo_name_row(const struct gs_vo *vo, void *ud)
{
	struct vo_names *v = ud;

	if (v->n >= MAX_VOS || !(v->name[v->n] = strdup(vo->name)))
		return 1;
	v->choice[v->n] = v->name[v->n];
	v->n++;
	return 0;
}

static void
vo_names_free(struct vo_names *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->name[i]);
	v->n = 0;
}

/* Every VO; false (and a message) when there is none yet. */
static bool
vo_names_load(struct ui *ui, struct vo_names *v, const char *first)
{
	struct pt_err err = { 0 };

	if (gridstore_vo_foreach(ui->st, vo_name_row, v, &err) != PT_OK) {
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&err));
		vo_names_free(v);
		return false;
	}
	if (v->n == 0) {
		ui_message(ui, ROLE_HINT, "%s",
		           _("No VO yet: add one first (Grid set-up, Add a VO)."));
		return false;
	}
	/* the VO selected on the Grid screen comes first */
	for (size_t i = 1; first && i < v->n; i++)
		if (strcmp(v->name[i], first) == 0) {
			char *t = v->name[0];
			v->name[0] = v->name[i];
			v->name[i] = t;
			v->choice[0] = v->name[0];
			v->choice[i] = v->name[i];
		}
	return true;
}

/* ---- VO add ---- */

static enum pt_status
vo_add_do(struct ui *ui, struct ui_field *f, struct pt_err *err)
{
	char *copy = strdup(f[1].buf), *save = NULL;
	const char *uris[16];
	size_t n = 0;
	enum pt_status ret;

	if (!copy)
		return pt_fail(err, PT_NOMEM, NULL);
	for (char *u = strtok_r(copy, " \t", &save); u; u = strtok_r(NULL, " \t", &save)) {
		if (n == sizeof uris / sizeof uris[0]) {
			free(copy);
			return pt_fail(err, PT_INVALID, _("at most %zu URIs at once"), n);
		}
		uris[n++] = u;
	}
	ret = gridstore_vo_add(ui->st, f[0].buf, uris, n, err);
	free(copy);
	return ret;
}

static void
vo_add_form(struct ui *ui)
{
	char name[GRIDSTORE_MAX_VO + 1] = "", uris[1024] = "";
	struct ui_field f[] = {
		{ _("VO name"), name, sizeof name, false, NULL, UI_FILE_NONE },
		{ _("URIs"), uris, sizeof uris, false,
		  _("optional, separated by spaces: vomss://HOST:PORT/voms/VO, ldap://..."),
		  UI_FILE_NONE },
	};
	struct simple_task t = { vo_add_do, _("VO recorded:") };

	if (ui_form(ui, _("Add a VO"), f, 2, simple_submit, &t))
		reload(ui);
}

/* ---- member list import: the diff before yes ---- */

struct import_run {
	unsigned char *buf;
	size_t len;
};

static int
import_submit(struct ui *ui, struct ui_field *f, size_t n, char *msg, size_t len, void *ud)
{
	struct import_run *r = ud;
	struct gm_members *m = NULL;
	struct gs_diff d = { 0 };
	struct pt_err err = { 0 };

	(void)n;
	free(r->buf);
	r->buf = NULL;
	if (!f[1].buf[0]) {
		snprintf(msg, len, "%s", _("Give the file of the member list."));
		return 1;
	}
	/* read and checked here, so that a bad file stays in the form */
	if (pt_file_read(f[1].buf, false, SETUP_FILE_MAX, &r->buf, &r->len, &err) != PT_OK ||
	    gridmap_members_parse(f[1].buf, (const char *)r->buf, r->len, &m, &err) != PT_OK ||
	    gridstore_vo_diff(ui->st, f[0].buf, m, &d, &err) != PT_OK) {
		gridmap_members_free(&m);
		free(r->buf);
		r->buf = NULL;
		snprintf(msg, len, "%s", pt_err_text(&err));
		return 1;
	}
	gridstore_diff_clear(&d);
	gridmap_members_free(&m);
	return -1;
}

static void
vo_import_form(struct ui *ui, const char *vo)
{
	struct vo_names v = { 0 };
	char name[GRIDSTORE_MAX_VO + 1] = "", path[1024] = "", title[320];
	struct ui_field f[] = {
		{ _("VO"), name, sizeof name, false, NULL, UI_FILE_NONE },
		{ _("File"), path, sizeof path, false,
		  _("plain DNs, CSV, LDIF, grid-mapfile or an IAM SCIM listing (JSON)"),
		  UI_FILE_OPEN },
	};
	struct ui_choice ch = { 0, NULL, 0, NULL };
	struct import_run r = { 0 };

	if (!vo_names_load(ui, &v, vo))
		return;
	snprintf(name, sizeof name, "%s", v.name[0]);
	ch.choices = v.choice;
	ch.n = v.n;
	if (ui_form_choices(ui, _("Import a VO member list"), f, 2, &ch, 1, import_submit, &r) &&
	    r.buf) {
		ui_switch(ui, VIEW_GRID);
		snprintf(title, sizeof title, _("Import a member list into VO %s"), name);
		grid_page_open(NULL, title, _("Nothing is imported before you say yes."));
		grid_offer_import(ui, name, (const char *)r.buf, r.len, path, path);
	}
	free(r.buf);
	vo_names_free(&v);
}

/* ---- rules import ---- */

static enum pt_status
rules_do(struct ui *ui, struct ui_field *f, struct pt_err *err)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	const char *to = f[0].buf;
	enum pt_status ret = pt_file_read(f[1].buf, false, SETUP_FILE_MAX, &buf, &len, err);

	if (ret != PT_OK)
		return ret;
	if (to[0] == '@')
		ret = gridstore_rules_set(ui->st, NULL, to + 1, f[1].buf, (const char *)buf, len,
		                          err);
	else
		ret = gridstore_rules_set(ui->st, to, NULL, f[1].buf, (const char *)buf, len, err);
	free(buf);
	return ret;
}

static void
rules_form(struct ui *ui, const char *host)
{
	char to[256] = "", path[1024] = "";
	struct ui_field f[] = {
		{ _("Host or @group"), to, sizeof to, false, NULL, UI_FILE_NONE },
		{ _("Rules file"), path, sizeof path, false,
		  _("mkgridmap.conf: group, auth, allow, deny, default_lcluser, gmf_local"),
		  UI_FILE_OPEN },
	};
	struct simple_task t = { rules_do, _("Rules imported:") };

	snprintf(to, sizeof to, "%s", host ? host : "");
	if (ui_form(ui, _("Import mkgridmap rules"), f, 2, simple_submit, &t))
		reload(ui);
}

/* ---- bans, local entries ---- */

static enum pt_status
ban_do(struct ui *ui, struct ui_field *f, struct pt_err *err)
{
	return gridstore_ban(ui->st, f[0].buf, err);
}

static enum pt_status
unban_do(struct ui *ui, struct ui_field *f, struct pt_err *err)
{
	return gridstore_unban(ui->st, f[0].buf, err);
}

static enum pt_status
local_add_do(struct ui *ui, struct ui_field *f, struct pt_err *err)
{
	return gridstore_local_add(ui->st, f[0].buf, f[1].buf, err);
}

static enum pt_status
local_rm_do(struct ui *ui, struct ui_field *f, struct pt_err *err)
{
	return gridstore_local_rm(ui->st, f[0].buf, err);
}

static void
dn_form(struct ui *ui, const char *title,
        enum pt_status (*fn)(struct ui *, struct ui_field *, struct pt_err *), const char *done,
        bool account)
{
	char dn[DN_MAX] = "", acct[128] = "";
	struct ui_field f[] = {
		{ _("DN"), dn, sizeof dn, false, NULL, UI_FILE_NONE },
		{ _("Account"), acct, sizeof acct, false, NULL, UI_FILE_NONE },
	};
	struct simple_task t = { fn, done };

	if (ui_form(ui, title, f, account ? 2 : 1, simple_submit, &t))
		reload(ui);
}

/* ---- VOMS servers ---- */

static enum pt_status
voms_add_do(struct ui *ui, struct ui_field *f, struct pt_err *err)
{
	const char *chain = f[5].buf;
	unsigned long port = 0;
	char *end = NULL;
	enum pt_status ret;

	if (f[4].buf[0]) {
		port = strtoul(f[4].buf, &end, 10);
		if (*end || port < 1 || port > 65535)
			return pt_fail(err, PT_INVALID, _("\"%s\" is not a port (1-65535)"),
			               f[4].buf);
	}
	ret = gridstore_voms_add(ui->st, f[0].buf, f[1].buf, f[2].buf, f[3].buf, &chain,
	                         chain[0] ? 1 : 0, err);
	if (ret == PT_OK && port)
		ret = gridstore_voms_port(ui->st, f[0].buf, f[1].buf, (unsigned)port, err);
	return ret;
}

static void
voms_add_form(struct ui *ui, const char *vo)
{
	struct vo_names v = { 0 };
	char name[GRIDSTORE_MAX_VO + 1], host[256] = "", sdn[DN_MAX] = "", cdn[DN_MAX] = "",
					 port[8] = "", chain[4 * DN_MAX] = "";
	struct ui_field f[] = {
		{ _("VO"), name, sizeof name, false, NULL, UI_FILE_NONE },
		{ _("Server"), host, sizeof host, false, NULL, UI_FILE_NONE },
		{ _("Server DN"), sdn, sizeof sdn, false, NULL, UI_FILE_NONE },
		{ _("CA DN"), cdn, sizeof cdn, false, NULL, UI_FILE_NONE },
		{ _("Port"), port, sizeof port, false, _("optional: of its vomses line, 15000"),
		  UI_FILE_NONE },
		{ _("Other chain"), chain, sizeof chain, false,
		  _("optional: SERVER-DN;ISSUER-DN[;...] of a renewal under another CA"),
		  UI_FILE_NONE },
	};
	struct ui_choice ch = { 0, NULL, 0, NULL };
	struct simple_task t = { voms_add_do, _("VOMS server recorded:") };

	if (!vo_names_load(ui, &v, vo))
		return;
	snprintf(name, sizeof name, "%s", v.name[0]);
	ch.choices = v.choice;
	ch.n = v.n;
	if (ui_form_choices(ui, _("Add a VOMS server"), f, 6, &ch, 1, simple_submit, &t))
		reload(ui);
	vo_names_free(&v);
}

static enum pt_status
voms_rm_do(struct ui *ui, struct ui_field *f, struct pt_err *err)
{
	return gridstore_voms_rm(ui->st, f[0].buf, f[1].buf, err);
}

/* A VO chosen, then a name typed: the VOMS server, or an FQAN. */
static void
vo_and_form(struct ui *ui, const char *vo, const char *title, const char *label,
            enum pt_status (*fn)(struct ui *, struct ui_field *, struct pt_err *), const char *done)
{
	struct vo_names v = { 0 };
	char name[GRIDSTORE_MAX_VO + 1], what[512] = "";
	struct ui_field f[] = {
		{ _("VO"), name, sizeof name, false, NULL, UI_FILE_NONE },
		{ label, what, sizeof what, false, NULL, UI_FILE_NONE },
	};
	struct ui_choice ch = { 0, NULL, 0, NULL };
	struct simple_task t = { fn, done };

	if (!vo_names_load(ui, &v, vo))
		return;
	snprintf(name, sizeof name, "%s", v.name[0]);
	ch.choices = v.choice;
	ch.n = v.n;
	if (ui_form_choices(ui, title, f, 2, &ch, 1, simple_submit, &t))
		reload(ui);
	vo_names_free(&v);
}

/* Every VOMS server with each chain's check: ok, or what is wrong. */
struct lsc_page {
	size_t ok, bad;
};

static int
lsc_line(const struct gs_lsc_result *r, void *ud)
{
	struct lsc_page *p = ud;

	if (r->verdict == GM_LSC_OK) {
		p->ok++;
		grid_page_add(ROLE_BAND_OK, _("  %-10s %-28s chain %u: ok"), r->vo, r->host,
		              r->chain);
	} else {
		p->bad++;
		grid_page_add(ROLE_ALERT, _("  %-10s %-28s chain %u: %s"), r->vo, r->host, r->chain,
		              r->why);
	}
	return 0;
}

static int
server_line(const struct gs_voms *v, void *ud)
{
	(void)ud;
	grid_page_add(ROLE_NORMAL, "  %-10s %-28s %5u  %s", v->vo, v->host, v->port, v->server_dn);
	grid_page_add(ROLE_NORMAL, _("  %-10s %-28s        CA %s"), "", "", v->ca_dn);
	return 0;
}

void
grid_voms_page(struct ui *ui)
{
	struct lsc_page p = { 0 };
	struct pt_err err = { 0 };
	char sub[160];

	if (ui->view != VIEW_GRID)
		ui_switch(ui, VIEW_GRID);
	grid_page_open(NULL, _("VOMS servers and their .lsc chains"), "");
	grid_page_add(ROLE_TITLE, "  %-10s %-28s %5s  %s", _("VO"), _("Server"), _("Port"),
	              _("Server DN"));
	if (gridstore_voms_foreach(ui->st, NULL, server_line, NULL, &err) != PT_OK)
		grid_page_add(ROLE_ALERT, "%s", pt_err_text(&err));
	grid_page_add(ROLE_NORMAL, "%s", "");
	grid_page_add(
		ROLE_TITLE, "%s",
		_("Each chain against the store's CAs and IGTF anchors and their namespaces"));
	if (gridstore_lsc_check(ui->st, NULL, 0, lsc_line, &p, &err) != PT_OK)
		grid_page_add(ROLE_ALERT, "%s", pt_err_text(&err));
	snprintf(sub, sizeof sub, _("Chains: %zu ok, %zu failing (a push is refused with one)"),
	         p.ok, p.bad);
	grid_page_sub(sub);
	grid_page_shown();
}

/* ---- the bans: what `gridmap bans` prints ---- */

/* A ban as `gridmap bans` prints it, the time in the CLI's form; a
 * pattern longer than the screen goes on under itself, never cut. */
static int
ban_line(const char *pattern, time_t at, void *ud)
{
	size_t *n = ud, len = strlen(pattern), room = COLS > 40 ? (size_t)COLS - 27 : 16;
	char when[PT_UTC_LEN];

	pt_utc_time(at, NULL, when, sizeof when);
	(*n)++;
	for (size_t at_ = 0; at_ < len || at_ == 0; at_ += room)
		grid_page_add(ROLE_NORMAL, "  %-20s  %.*s", at_ ? "" : when, (int)room,
		              pattern + at_);
	return 0;
}

void
grid_bans_page(struct ui *ui)
{
	struct pt_err err = { 0 };
	size_t n = 0;
	char sub[160];

	if (ui->view != VIEW_GRID)
		ui_switch(ui, VIEW_GRID);
	grid_page_open(NULL, _("Bans: DN patterns kept out of every grid-mapfile"), "");
	grid_page_add(ROLE_TITLE, "  %-20s  %s", _("Added on"), _("Pattern"));
	if (gridstore_ban_foreach(ui->st, ban_line, &n, &err) != PT_OK)
		grid_page_add(ROLE_ALERT, "%s", pt_err_text(&err));
	else if (n == 0)
		grid_page_add(ROLE_HINT, "  %s", _("No ban: o, Grid set-up, bans a DN."));
	snprintf(sub, sizeof sub, _("Bans: %zu (o: ban or unban a DN)"), n);
	grid_page_sub(sub);
	grid_page_shown();
}

/* ---- FQAN mappings (the voms-mapfile) ---- */

static enum pt_status
map_do(struct ui *ui, struct ui_field *f, struct pt_err *err)
{
	return gridstore_fqan_add(ui->st, f[0].buf, f[1].buf, f[2].buf, err);
}

static enum pt_status
unmap_do(struct ui *ui, struct ui_field *f, struct pt_err *err)
{
	return gridstore_fqan_rm(ui->st, f[0].buf, f[1].buf, err);
}

void
grid_map_form(struct ui *ui, const char *vo)
{
	struct vo_names v = { 0 };
	char name[GRIDSTORE_MAX_VO + 1], fqan[GRIDMAP_MAX_FQAN + 1] = "", acct[128] = "";
	struct ui_field f[] = {
		{ _("VO"), name, sizeof name, false, NULL, UI_FILE_NONE },
		{ _("FQAN"), fqan, sizeof fqan, false, NULL, UI_FILE_NONE },
		{ _("Account"), acct, sizeof acct, false,
		  _("an account, or .POOL for a pool; the first matching line wins"),
		  UI_FILE_NONE },
	};
	struct ui_choice ch = { 0, NULL, 0, NULL };
	struct simple_task t = { map_do, _("Mapped:") };

	if (!vo_names_load(ui, &v, vo))
		return;
	snprintf(name, sizeof name, "%s", v.name[0]);
	snprintf(fqan, sizeof fqan, "/%s", v.name[0]);
	ch.choices = v.choice;
	ch.n = v.n;
	if (ui_form_choices(ui, _("Map an FQAN"), f, 3, &ch, 1, simple_submit, &t))
		grid_maps_page(ui, name);
	vo_names_free(&v);
}

void
grid_unmap_form(struct ui *ui, const char *vo)
{
	vo_and_form(ui, vo, _("Unmap an FQAN"), _("FQAN"), unmap_do, _("No longer mapped:"));
	if (ui->view == VIEW_GRID && grid_page_on())
		grid_maps_page(ui, vo);
}

static int
map_line(const struct gs_fqan_map *m, void *ud)
{
	(*(size_t *)ud)++;
	grid_page_add(ROLE_NORMAL, "  %-10s %3u  \"%s\" %s", m->vo, m->pos, m->fqan, m->account);
	return 0;
}

void
grid_maps_page(struct ui *ui, const char *vo)
{
	struct pt_err err = { 0 };
	size_t n = 0;
	char sub[160];

	(void)vo;
	if (ui->view != VIEW_GRID)
		ui_switch(ui, VIEW_GRID);
	grid_page_open(NULL, _("FQAN mappings (voms-mapfile): + maps, - unmaps"), "");
	grid_page_add(ROLE_TITLE, "  %-10s %3s  %s", _("VO"), "#", _("FQAN and account"));
	if (gridstore_fqan_foreach(ui->st, NULL, map_line, &n, &err) != PT_OK)
		grid_page_add(ROLE_ALERT, "%s", pt_err_text(&err));
	else if (n == 0)
		grid_page_add(ROLE_HINT, "%s", _("  No mapping yet: + adds one."));
	snprintf(sub, sizeof sub, _("%zu mappings; per VO the first line that matches decides"), n);
	grid_page_sub(sub);
	grid_page_shown();
}

/* ---- the chooser ---- */

enum setup_task {
	T_VO_ADD,
	T_VO_IMPORT,
	T_RULES,
	T_BAN,
	T_UNBAN,
	T_LOCAL_ADD,
	T_LOCAL_RM,
	T_VOMS_ADD,
	T_VOMS_RM,
	T_VOMS_LIST,
	T_MAP,
	T_UNMAP,
	T_MAX
};

static const char *const task_names[T_MAX] = {
	[T_VO_ADD] = N_("Add a VO"),
	[T_VO_IMPORT] = N_("Import a VO member list"),
	[T_RULES] = N_("Import mkgridmap rules"),
	[T_BAN] = N_("Ban a DN"),
	[T_UNBAN] = N_("Unban a DN"),
	[T_LOCAL_ADD] = N_("Add a local entry"),
	[T_LOCAL_RM] = N_("Delete a local entry"),
	[T_VOMS_ADD] = N_("Add a VOMS server"),
	[T_VOMS_RM] = N_("Remove a VOMS server"),
	[T_VOMS_LIST] = N_("VOMS servers and chain checks"),
	[T_MAP] = N_("Map an FQAN"),
	[T_UNMAP] = N_("Unmap an FQAN"),
};

static int
choose_submit(struct ui *ui, struct ui_field *f, size_t n, char *msg, size_t len, void *ud)
{
	(void)ui;
	(void)f;
	(void)n;
	(void)msg;
	(void)len;
	(void)ud;
	return -1;
}

static void
run_task(struct ui *ui, enum setup_task t, const char *vo, const char *host)
{
	switch (t) {
	case T_VO_ADD: vo_add_form(ui); break;
	case T_VO_IMPORT: vo_import_form(ui, vo); break;
	case T_RULES: rules_form(ui, host); break;
	case T_BAN: dn_form(ui, _("Ban a DN"), ban_do, _("Banned:"), false); break;
	case T_UNBAN: dn_form(ui, _("Unban a DN"), unban_do, _("No longer banned:"), false); break;
	case T_LOCAL_ADD:
		dn_form(ui, _("Add a local entry"), local_add_do, _("Local entry added:"), true);
		break;
	case T_LOCAL_RM:
		dn_form(ui, _("Delete a local entry"), local_rm_do, _("Local entry deleted:"),
		        false);
		break;
	case T_VOMS_ADD: voms_add_form(ui, vo); break;
	case T_VOMS_RM:
		vo_and_form(ui, vo, _("Remove a VOMS server"), _("Server"), voms_rm_do,
		            _("VOMS server removed:"));
		break;
	case T_VOMS_LIST: grid_voms_page(ui); break;
	case T_MAP: grid_map_form(ui, vo); break;
	case T_UNMAP: grid_unmap_form(ui, vo); break;
	default: break;
	}
}

void
ui_grid_setup(struct ui *ui, const char *vo, const char *host)
{
	const char *choices[T_MAX];
	char task[128];
	struct ui_field f[] = {
		{ _("Task"), task, sizeof task, false, _("Left/Right choose, Enter opens its form"),
		  UI_FILE_NONE },
	};
	struct ui_choice ch = { 0, choices, T_MAX, NULL };
	char v[GRIDSTORE_MAX_VO + 1] = "", h[256] = "";

	/* the screen's selection belongs to it: the forms may reload it */
	snprintf(v, sizeof v, "%s", vo ? vo : "");
	snprintf(h, sizeof h, "%s", host ? host : "");
	for (int i = 0; i < T_MAX; i++)
		choices[i] = _(task_names[i]);
	snprintf(task, sizeof task, "%s", choices[0]);
	if (!ui_form_choices(ui, _("Grid set-up"), f, 1, &ch, 1, choose_submit, NULL))
		return;
	for (int i = 0; i < T_MAX; i++)
		if (strcmp(task, choices[i]) == 0) {
			run_task(ui, (enum setup_task)i, v[0] ? v : NULL, h[0] ? h : NULL);
			return;
		}
}
