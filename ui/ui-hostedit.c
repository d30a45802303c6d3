/* ui-hostedit.c - change a host (address, port, groups) from a form and
 * delete it after a confirmation naming it; the hosts list and a host's
 * page call these (e and D). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "site/lib.h"
#include "store/lib.h"
#include "ui/app.h"
#include "ui/dialog.h"
#include "ui/form.h"
#include "ui/hostedit.h"

#define HOSTEDIT_MAXGROUPS 32

struct host_now {
	char fqdn[256], ip[64], port[8], groups[512];
};

static int
host_now_fill(const struct host *h, void *ud)
{
	struct host_now *hn = ud;

	snprintf(hn->ip, sizeof hn->ip, "%s", h->ip);
	snprintf(hn->port, sizeof hn->port, "%d", h->port);
	snprintf(hn->groups, sizeof hn->groups, "%s", h->groups);
	return 1;
}

/* Split a comma/space list into at most max names (pointers into buf). */
static size_t
split_groups(char *buf, const char **out, size_t max)
{
	size_t n = 0;

	for (char *save = NULL, *g = strtok_r(buf, ", ", &save); g && n < max;
	     g = strtok_r(NULL, ", ", &save))
		out[n++] = g;
	return n;
}

static bool
in_list(const char *g, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(g, list[i]) == 0)
			return true;
	return false;
}

/* The groups to join and leave: the difference of the typed list and
 * the host's current one. */
static void
group_diff(struct host_change *ch, const char **add, const char **del, const char *const *now,
           size_t nnow, const char *const *want, size_t nwant)
{
	for (size_t i = 0; i < nwant; i++)
		if (!in_list(want[i], now, nnow) && !in_list(want[i], add, ch->nadd))
			add[ch->nadd++] = want[i];
	for (size_t i = 0; i < nnow; i++)
		if (!in_list(now[i], want, nwant))
			del[ch->ndel++] = now[i];
}

static int
host_edit_submit(struct ui *ui, struct ui_field *f, size_t n, char *msg, size_t len, void *ud)
{
	struct host_now *hn = ud;
	const char *now[HOSTEDIT_MAXGROUPS], *want[HOSTEDIT_MAXGROUPS];
	const char *add[HOSTEDIT_MAXGROUPS], *del[HOSTEDIT_MAXGROUPS];
	char nowbuf[512], wantbuf[512], *end;
	struct host_change ch = { .ip = f[0].buf, .add = add, .del = del };
	struct pt_err err = { 0 };
	bool changed = false;
	long port;

	(void)n;
	port = strtol(f[1].buf, &end, 10);
	if (!f[1].buf[0] || *end || port < 1 || port > 65535) {
		snprintf(msg, len, "%s", _("The port must be a number from 1 to 65535."));
		return 1;
	}
	ch.port = (int)port;
	snprintf(nowbuf, sizeof nowbuf, "%s", hn->groups);
	snprintf(wantbuf, sizeof wantbuf, "%s", f[2].buf);
	group_diff(&ch, add, del, now, split_groups(nowbuf, now, HOSTEDIT_MAXGROUPS), want,
	           split_groups(wantbuf, want, HOSTEDIT_MAXGROUPS));
	if (store_begin(ui->st, &err) != PT_OK) {
		snprintf(msg, len, "%s", pt_err_text(&err));
		return 0;
	}
	if (model_host_set(ui->st, hn->fqdn, &ch, &changed, &err) == PT_OK)
		store_commit(ui->st, &err);
	else
		store_rollback(ui->st);
	if (err.status != PT_OK) {
		snprintf(msg, len, "%s", pt_err_text(&err));
		return strstr(err.detail, "port") ? 1 : strstr(err.detail, "group") ? 2 : 0;
	}
	if (changed)
		ui_message(ui, ROLE_BAND_OK, _("Changed host %s."), hn->fqdn);
	else
		ui_message(ui, ROLE_HINT, _("Host %s unchanged."), hn->fqdn);
	return -1;
}

bool
ui_host_edit(struct ui *ui, const char *fqdn)
{
	struct host_now hn = { .fqdn = "" };
	struct pt_err err = { 0 };
	char title[320];

	snprintf(hn.fqdn, sizeof hn.fqdn, "%s", fqdn);
	if (model_host_get(ui->st, hn.fqdn, host_now_fill, &hn, &err) != PT_OK) {
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&err));
		return false;
	}
	struct ui_field f[3] = {
		{ _("Address"), hn.ip, sizeof hn.ip, false, _("IPv4 or IPv6; empty clears it"),
		  UI_FILE_NONE },
		{ _("SSH port"), hn.port, sizeof hn.port, false, NULL, UI_FILE_NONE },
		{ _("Groups"), hn.groups, sizeof hn.groups, false, _("comma-separated: ces,grid"),
		  UI_FILE_NONE },
	};
	char groups_now[512];

	/* the form edits a copy; the submit compares with the stored list */
	snprintf(groups_now, sizeof groups_now, "%s", hn.groups);
	f[2].buf = groups_now;
	f[2].len = sizeof groups_now;
	snprintf(title, sizeof title, _("Edit host %s"), hn.fqdn);
	return ui_form(ui, title, f, 3, host_edit_submit, &hn);
}

/* Remove the host in a transaction; commit only when asked to, so a
 * first try tells the reason of a refusal before any question. */
static enum pt_status
host_rm_try(struct ui *ui, const char *fqdn, bool commit, struct pt_err *err)
{
	enum pt_status ret;

	if ((ret = store_begin(ui->st, err)) != PT_OK)
		return ret;
	ret = model_host_rm(ui->st, fqdn, err);
	if (ret == PT_OK && commit)
		return store_commit(ui->st, err);
	store_rollback(ui->st);
	return ret;
}

bool
ui_host_delete(struct ui *ui, const char *fqdn)
{
	struct pt_err err = { 0 };
	char name[256], line[320], q[320];
	const char *lines[2];

	snprintf(name, sizeof name, "%s", fqdn);
	if (host_rm_try(ui, name, false, &err) != PT_OK) {
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&err));
		return false;
	}
	snprintf(line, sizeof line, _("Host: %s"), name);
	lines[0] = line;
	lines[1] = _("Its group memberships go with it; the groups stay.");
	/* the question names the host: a long name wraps in the box */
	snprintf(q, sizeof q, _("Delete host %s?"), name);
	if (!dialog_ask(ui, _("Delete host"), lines, 2, q)) {
		ui_message(ui, ROLE_HINT, "%s", _("Nothing deleted."));
		return false;
	}
	if (host_rm_try(ui, name, true, &err) != PT_OK) {
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&err));
		return false;
	}
	ui_message(ui, ROLE_BAND_OK, _("Deleted host %s."), name);
	return true;
}
