/* ui-xfer.c - the transfers screen's actions, the console's face of
 * `transfer forget-hostkey` and `transfer recover`: a pinned host key
 * forgotten after a confirmation (audited by the core), and the recovery
 * a dead process needs (its windows closed in the journal, its rules
 * swept, the temporary files it left removed through a window each,
 * which the posture must allow). */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/lib.h"
#include "engine/lib.h"
#include "store/lib.h"
#include "ui/actions.h"
#include "ui/app.h"
#include "ui/dialog.h"
#include "ui/lines.h"
#include "ui/view.h"
#include "ui/xfer.h"

#define MAX_LINES 80
#define MAX_TEMP_HOSTS 32

/* ---- forget a pinned host key ---- */

static void
forget(struct ui *ui, const char *host)
{
	struct pt_err err = { 0 };
	char h[256], *fp = NULL, *type = NULL;
	struct lines L = { .max = MAX_LINES };
	bool yes;

	snprintf(h, sizeof h, "%s", host ? host : "");
	if (!h[0] &&
	    (!ui_prompt(ui, _("Forget the pinned host key of host: "), h, sizeof h, false) ||
	     !h[0]))
		return;
	for (char *p = h; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (settings_pin_get(ui->st, h, &fp, &type, &err) != PT_OK) {
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&err));
		return;
	}
	lines_add(&L, _("Pinned host key of %s:"), h);
	lines_add(&L, "  %s", type);
	lines_add(&L, "  %s", fp);
	lines_add(&L, "%s", "");
	lines_add(&L, "%s", _("The next transfer to it is a first contact: its key is checked"));
	lines_add(&L, "%s", _("against the fingerprint you give (ssh-keygen -lf on the host)."));
	free(fp);
	free(type);
	yes = dialog_ask(ui, _("Forget a pinned host key"), (const char *const *)L.v, L.n,
	                 _("Forget it?"));
	lines_free(&L);
	if (!yes) {
		ui_message(ui, ROLE_HINT, "%s", _("Cancelled: the host key stays pinned."));
		return;
	}
	if (store_begin(ui->st, &err) == PT_OK) {
		if (settings_pin_forget(ui->st, h, &err) == PT_OK)
			store_commit(ui->st, &err);
		else
			store_rollback(ui->st);
	}
	if (err.status != PT_OK)
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&err));
	else
		ui_message(ui, ROLE_BAND_OK,
		           _("The host key of %s is forgotten: the next transfer asks for its "
		             "fingerprint."),
		           h);
}

/* ---- recover ---- */

struct temps_host {
	char host[256];
	int files;
};

struct temps {
	struct temps_host h[MAX_TEMP_HOSTS];
	int n;
};

static int
temps_cb(const char *host, int files, void *ud)
{
	struct temps *t = ud;

	if (t->n == MAX_TEMP_HOSTS)
		return 1;
	snprintf(t->h[t->n].host, sizeof t->h[0].host, "%s", host);
	t->h[t->n++].files = files;
	return 0;
}

/* The files dead windows left on peers: a window to each, when the
 * posture allows one. */
static void
clean_temps(struct ui *ui, const struct temps *t, struct lines *L)
{
	for (int i = 0; i < t->n; i++) {
		struct transfer_result r = { 0 };
		struct pt_err e = { 0 };
		const char *l[1] = { t->h[i].host };

		dialog_show(ui, _("Recover"), l, 1,
		            _("Removing the temporary files a window left..."));
		if (transfer_clean_temps(ui->st, t->h[i].host, &r, &e) == PT_OK)
			lines_add(L,
			          _("%s: %d temporary files removed, %d not there (window %lld)."),
			          t->h[i].host, r.temps_removed, r.temps_cleared - r.temps_removed,
			          (long long)r.window_id);
		else
			lines_add(L, _("%s: %d temporary files stay named in the journal: %s"),
			          t->h[i].host, t->h[i].files, pt_err_text(&e));
	}
}

static void
recover(struct ui *ui)
{
	struct pt_err err = { 0 };
	struct lines L = { .max = MAX_LINES };
	struct temps t = { 0 };
	int windows = 0, rules = 0;
	const char *q[2] = {
		_("Windows a dead process left open are closed in the journal, its firewall"),
		_("rules are removed, and the temporary files it left on peers are removed."),
	};

	if (!dialog_ask(ui, _("Recover"), q, 2, _("Recover now?"))) {
		ui_message(ui, ROLE_HINT, "%s", _("Cancelled: nothing was changed."));
		return;
	}
	dialog_show(ui, _("Recover"), q, 2, _("Sweeping..."));
	if (transfer_sweep_now(ui->st, &windows, &rules, &err) != PT_OK) {
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&err));
		return;
	}
	lines_add(&L, _("Windows recovered: %d; firewall rules removed: %d."), windows, rules);
	if (transfer_temps_pending(ui->st, temps_cb, &t, &err) != PT_OK)
		lines_add(&L, "%s", pt_err_text(&err));
	else if (t.n && ui_net_allowed(ui, _("Recover")))
		clean_temps(ui, &t, &L);
	else if (t.n)
		lines_add(&L,
		          _("Temporary files on %d hosts stay named in the journal: the posture "
		            "forbids a window."),
		          t.n);
	else
		lines_add(&L, "%s", _("No temporary files are left on any peer."));
	ui_popup(ui, _("Recover"), (const char *const *)L.v, L.n);
	ui_message(ui, ROLE_BAND_OK, _("Windows recovered: %d; firewall rules removed: %d."),
	           windows, rules);
	lines_free(&L);
}

bool
ui_xfer_action(struct ui *ui, enum ui_action a, const char *host)
{
	if (!ui->st)
		return false;
	switch (a) {
	case ACT_FORGET: forget(ui, host); return true;
	case ACT_XRECOVER: recover(ui); return true;
	default: return false;
	}
}
