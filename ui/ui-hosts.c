/* ui-hosts.c - the hosts browser: the host list above, the selected
 * host's passwords (masked) below; Tab moves between the panes. */
#include "config.h"

#include <arpa/inet.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site/lib.h"
#include "base/i18n.h"
#include "store/lib.h"
#include "ui/app.h"
#include "ui/dialog.h"
#include "ui/browse.h"
#include "ui/form.h"
#include "ui/hostedit.h"
#include "ui/hostpage.h"
#include "ui/hosts.h"
#include "ui/pw.h"
#include "ui/view.h"

struct host_each {
	ui_row_cb cb;
	void *ud;
};

static int
host_row(const struct host *h, void *ud)
{
	struct host_each *e = ud;
	char port[16], creds[24];
	struct ui_row r = { .id = h->id };

	snprintf(port, sizeof port, "%d", h->port);
	snprintf(creds, sizeof creds, "%lld", (long long)h->credentials);
	r.col[0] = h->fqdn;
	r.col[1] = h->ip;
	r.col[2] = port;
	r.col[3] = h->groups;
	r.col[4] = creds;
	r.key = h->fqdn; /* the list's order: a page starts after a name */
	return e->cb(&r, e->ud);
}

/* Keyset pages on the fqdn index; the core's filter covers the columns
 * shown, so it can leave out what the list would not show. */
static int
hosts_after(void *ctx, const char *after, const char *filter, size_t limit, ui_row_cb cb, void *ud)
{
	struct ui *ui = ctx;
	struct host_each e = { cb, ud };
	struct pt_err err = { 0 };

	if (!ui->st)
		return -1;
	return model_host_page(ui->st, filter, after, limit, host_row, &e, &err) == PT_OK ? 0 : -1;
}

static const char *const host_heads[] = { N_("Host"), N_("Address"), N_("Port"), N_("Groups"),
	                                  N_("Passwords") };
static const int host_widths[] = { 34, 16, 6, 14, 0 };
static struct browser hosts_b = { NULL, host_heads, host_widths, 5, -1 };

static const char *const hpw_heads[] = { N_("Entry"), N_("Ver"), N_("Hosts"), N_("Updated"),
	                                 N_("Secret") };
static const int hpw_widths[] = { 38, 5, 6, 11, 0 };
static struct pw_source hpw_src;
static struct browser hpw_b = { NULL, hpw_heads, hpw_widths, 5, 4 };
static int focus; /* 0: hosts, 1: the host's passwords */

static void
follow_selection(struct ui *ui)
{
	const struct ui_row *r = hosts_b.list ? ui_list_selected(hosts_b.list) : NULL;
	const char *fqdn = r ? r->col[0] : "";

	if (hpw_b.list && strcmp(fqdn, hpw_src.fqdn) == 0)
		return;
	snprintf(hpw_src.fqdn, sizeof hpw_src.fqdn, "%s", fqdn);
	hpw_src.ui = ui;
	if (!hpw_b.list) {
		/* a host's entries are few: read whole, no seeking */
		struct ui_list_source s = { .ncols = 5, .each = pw_source_each, .ctx = &hpw_src };
		hpw_b.list = ui_list_new(&s);
	}
	if (hpw_b.list) {
		ui_list_home(hpw_b.list);
		if (fqdn[0])
			ui_list_refresh(hpw_b.list);
		else
			hpw_b.list->count = 0;
	}
}

static void
hosts_enter(struct ui *ui)
{
	/* back on the screen, or ^L: the open host page is read again */
	if (hostpage_active() && !hostpage_open(ui, hostpage_host()))
		hostpage_close(ui);
	if (!hosts_b.list) {
		struct ui_list_source s = { .ncols = 5, .ctx = ui, .each_after = hosts_after };
		hosts_b.list = ui_list_new(&s);
	}
	if (hosts_b.list)
		ui_list_refresh(hosts_b.list);
	hpw_src.fqdn[0] = '\0';
	if (hpw_b.list)
		ui_list_free(&hpw_b.list);
}

static void
hosts_draw(struct ui *ui, int top, int rows)
{
	int upper = rows * 3 / 5, lower = rows - upper - 1;
	char line[320];

	if (hostpage_active()) {
		hostpage_draw(ui, top, rows);
		return;
	}
	browser_draw(ui, &hosts_b, top, upper, focus == 0);
	follow_selection(ui);
	mvhline(top + upper, 0, ACS_HLINE, COLS);
	snprintf(line, sizeof line, _(" Passwords of %s "), hpw_src.fqdn[0] ? hpw_src.fqdn : "-");
	ui_put(top + upper, 2, COLS - 4, focus == 1 ? theme_attr(ROLE_TITLE) : (int)A_BOLD, line,
	       false);
	browser_draw(ui, &hpw_b, top + upper + 1, lower, focus == 1);
}

/* The groups field: up to 16 names, comma- or space-separated, in buf. */
static size_t
form_groups(const char *field, char *buf, size_t blen, char **groups)
{
	size_t ng = 0;

	snprintf(buf, blen, "%s", field);
	for (char *save = NULL, *g = strtok_r(buf, ", ", &save); g && ng < 16;
	     g = strtok_r(NULL, ", ", &save))
		groups[ng++] = g;
	return ng;
}

/* A range or braces in the form: the names listed first, then all of them
 * in one transaction (or none), with the port and groups of the form. */
static int
hosts_add_many(struct ui *ui, const struct hostspec *hs, struct ui_field *f, char *msg, size_t len)
{
	struct pt_err err = { 0 };
	char **lines, gbuf[256], *groups[16], *end, q[160];
	size_t ng, i;
	long port = 22;
	enum pt_status ret = PT_OK;
	bool yes;

	if (f[1].buf[0]) {
		snprintf(msg, len, _("One address cannot go to %zu hosts: leave Address empty."),
		         hs->n);
		return 1;
	}
	if (f[2].buf[0]) {
		port = strtol(f[2].buf, &end, 10);
		if (*end || port < 1 || port > 65535) {
			snprintf(msg, len, "%s", _("The port must be a number from 1 to 65535."));
			return 2;
		}
	}
	if (!(lines = calloc(hs->n, sizeof *lines))) {
		snprintf(msg, len, "%s", pt_status_msg(PT_NOMEM));
		return 0;
	}
	for (i = 0; i < hs->n; i++)
		lines[i] = hs->names[i];
	snprintf(q, sizeof q, _("Add these %zu hosts?"), hs->n);
	yes = dialog_ask(ui, _("New hosts"), (const char *const *)lines, hs->n, q);
	free(lines);
	if (!yes) {
		snprintf(msg, len, "%s", _("Nothing was added: change the name or Esc."));
		return 0;
	}
	ng = form_groups(f[3].buf, gbuf, sizeof gbuf, groups);
	if ((ret = store_begin(ui->st, &err)) == PT_OK) {
		for (i = 0; i < hs->n && ret == PT_OK; i++)
			ret = model_host_add(ui->st, hs->names[i], NULL, (int)port,
			                     (const char *const *)groups, ng, &err);
		if (ret == PT_OK)
			ret = store_commit(ui->st, &err);
		else
			store_rollback(ui->st);
	}
	if (ret != PT_OK) {
		snprintf(msg, len, _("Nothing was added: %s"), pt_err_text(&err));
		return 0;
	}
	ui_message(ui, ROLE_BAND_OK, _("Added %zu hosts, %s to %s."), hs->n, hs->names[0],
	           hs->names[hs->n - 1]);
	return -1;
}

/* The new-host form */
static int
host_submit(struct ui *ui, struct ui_field *f, size_t n, char *msg, size_t len, void *ud)
{
	struct pt_err err = { 0 };
	char *groups[16], *end, gbuf[256];
	size_t ng = 0;
	long port = 22;
	enum pt_status ret;

	(void)n;
	(void)ud;
	struct hostspec hs;
	struct in_addr in;

	if (!f[0].buf[0]) {
		snprintf(msg, len, "%s", _("The host name is required."));
		return 0;
	}
	/* the same check as the CLI's: a host spec naming exactly one host */
	if (hostspec_expand(f[0].buf, &hs, &err) != PT_OK) {
		snprintf(msg, len, "%s", err.detail);
		return 0;
	}
	if (hs.group) {
		hostspec_free(&hs);
		snprintf(msg, len, "%s",
		         _("A group names hosts already in the store: give names, a range "
		           "(wn[001-120].example.org) or braces (ce{01,02}.example.org)."));
		return 0;
	}
	if (hs.n > 1) {
		int r = hosts_add_many(ui, &hs, f, msg, len);
		hostspec_free(&hs);
		return r;
	}
	snprintf(f[0].buf, f[0].len, "%s", hs.names[0]);
	hostspec_free(&hs);
	if (f[1].buf[0] && inet_pton(AF_INET, f[1].buf, &in) != 1) {
		snprintf(msg, len, _("\"%s\" is not an IPv4 address."), f[1].buf);
		return 1;
	}
	if (f[2].buf[0]) {
		port = strtol(f[2].buf, &end, 10);
		if (*end || port < 1 || port > 65535) {
			snprintf(msg, len, "%s", _("The port must be a number from 1 to 65535."));
			return 2;
		}
	}
	ng = form_groups(f[3].buf, gbuf, sizeof gbuf, groups);
	if (store_begin(ui->st, &err) != PT_OK) {
		snprintf(msg, len, "%s", err.detail);
		return 0;
	}
	ret = model_host_add(ui->st, f[0].buf, f[1].buf[0] ? f[1].buf : NULL, (int)port,
	                     (const char *const *)groups, ng, &err);
	if (ret == PT_OK)
		ret = store_commit(ui->st, &err);
	else
		store_rollback(ui->st);
	if (ret != PT_OK) {
		snprintf(msg, len, "%s", pt_err_text(&err));
		return strstr(err.detail, "address") || strstr(err.detail, "IP") ? 1 : 0;
	}
	ui_message(ui, ROLE_BAND_OK, _("Added host %s."), f[0].buf);
	return -1;
}

bool
host_new_form(struct ui *ui)
{
	char fqdn[256] = "", ip[64] = "", port[8] = "22", groups[256] = "";
	struct ui_field f[4] = {
		{ _("Host name"), fqdn, sizeof fqdn, false,
		  _("fully qualified: ce01.example.org; or wn[001-120].x, ce{01,02}.x"),
		  UI_FILE_NONE },
		{ _("Address"), ip, sizeof ip, false, _("IPv4, optional"), UI_FILE_NONE },
		{ _("SSH port"), port, sizeof port, false, NULL, UI_FILE_NONE },
		{ _("Groups"), groups, sizeof groups, false, _("comma-separated: ces,grid"),
		  UI_FILE_NONE },
	};

	if (!ui_form(ui, _("New host"), f, 4, host_submit, NULL))
		return false;
	if (hosts_b.list)
		ui_list_refresh(hosts_b.list);
	return true;
}

static const char *hosts_context_host(struct ui *ui);

/* e and D on the host list or a host's page: that host. */
static bool
hosts_edit_delete(struct ui *ui, enum ui_action a)
{
	char fqdn[256];
	const char *h = hosts_context_host(ui);

	if (!h)
		return true;
	snprintf(fqdn, sizeof fqdn, "%s", h);
	ui_reveal_clear(ui);
	if (a == ACT_EDIT ? !ui_host_edit(ui, fqdn) : !ui_host_delete(ui, fqdn))
		return true;
	if (a == ACT_DELETE && hostpage_active())
		hostpage_close(ui);
	else if (hostpage_active())
		hostpage_open(ui, fqdn);
	if (hosts_b.list)
		ui_list_refresh(hosts_b.list);
	return true;
}

static bool
hosts_handle(struct ui *ui, enum ui_action a, int key)
{
	(void)key;
	if ((a == ACT_EDIT || a == ACT_DELETE) && (hostpage_active() || focus == 0))
		return hosts_edit_delete(ui, a);
	if (hostpage_active())
		return hostpage_handle(ui, a, key);
	if (a == ACT_PANE) {
		focus = !focus;
		ui_reveal_clear(ui);
		return true;
	}
	if (focus == 0) {
		if (a == ACT_OPEN) {
			const struct ui_row *h =
				hosts_b.list ? ui_list_selected(hosts_b.list) : NULL;
			if (h)
				hostpage_open(ui, h->col[0]);
			return true;
		}
		if (a == ACT_NEW) {
			host_new_form(ui);
			return true;
		}
		if (a == ACT_REVEAL || a == ACT_UPDATE || a == ACT_GENERATE || a == ACT_HISTORY) {
			ui_message(ui, ROLE_HINT, "%s", _("Tab to the passwords pane first."));
			return true;
		}
		return browser_handle(ui, &hosts_b, a);
	}
	if (a == ACT_BACK) {
		focus = 0;
		ui_reveal_clear(ui);
		return true;
	}
	if (browser_handle(ui, &hpw_b, a))
		return true;
	const struct ui_row *r = hpw_b.list ? ui_list_selected(hpw_b.list) : NULL;
	if (a == ACT_OPEN)
		a = ACT_REVEAL;
	if (a == ACT_NEW) {
		if (pw_new_form(ui, hpw_src.fqdn[0] ? hpw_src.fqdn : NULL)) {
			ui_list_refresh(hpw_b.list);
			ui_list_refresh(hosts_b.list);
		}
		return true;
	}
	if (pw_action(ui, a, r ? r->id : 0)) {
		ui_list_refresh(hpw_b.list);
		return true;
	}
	return false;
}

static void
hosts_reset(struct ui *ui)
{
	hostpage_close(NULL);
	(void)ui;
	ui_list_free(&hosts_b.list);
	ui_list_free(&hpw_b.list);
	hpw_src.fqdn[0] = '\0';
	focus = 0;
}

/* The host of the open page, else the selected host. */
static const char *
hosts_context_host(struct ui *ui)
{
	const struct ui_row *r = hosts_b.list ? ui_list_selected(hosts_b.list) : NULL;

	(void)ui;
	if (hostpage_active())
		return hostpage_host();
	return r ? r->col[0] : NULL;
}

const struct view_ops ui_hosts_ops = {
	.title = N_("Hosts"),
	.actions = BROWSER_ACTIONS | PW_ACTIONS | ACTBIT(ACT_OPEN) | ACTBIT(ACT_PANE) |
	           ACTBIT(ACT_EDIT) | ACTBIT(ACT_DELETE),
	.enter = hosts_enter,
	.draw = hosts_draw,
	.handle = hosts_handle,
	.reset = hosts_reset,
	.context_host = hosts_context_host,
};
