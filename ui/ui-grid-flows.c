/* ui-grid-flows.c - push and fetch-vo from the Grid screen: one window
 * each, through the engine's table of flows.
 *
 * What will happen is the engine's own plan (transfer_plan: the code the
 * flow runs), shown on the screen's page and asked for; when the engine
 * would refuse, the page lists every reason instead and nothing is asked.
 * Then the window; then its outcome on the same page.  A fetched member
 * list is only data once the window is closed: its diff against the
 * current snapshot is shown, and it is imported only when the operator
 * says so. */
#include "config.h"

#include <curses.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/actions.h"
#include "ui/app.h"
#include "ui/dialog.h"
#include "ui/form.h"
#include "ui/grid-screen.h"
#include "ui/grid.h"
#include "ui/view.h"
#include "base/i18n.h"
#include "engine/lib.h"
#include "grid/lib.h"
#include "store/lib.h"

static const char *
detail_of(const struct pt_err *err)
{
	return pt_err_text(err);
}

/* A reason of the engine as a sentence: its first letter up. */
static void
why_line(const char *text)
{
	char first = text[0] >= 'a' && text[0] <= 'z' ? (char)(text[0] - 'a' + 'A') : text[0];

	grid_page_add(ROLE_ALERT, "  %c%s", first, text[0] ? text + 1 : "");
}

static void
file_lines(const struct transfer_plan *p)
{
	bool written = false;

	grid_page_add(ROLE_NORMAL, "%s", _("Files moved:"));
	for (size_t i = 0; i < p->nfiles; i++) {
		const struct transfer_file *f = &p->files[i];
		if (!f->to_peer) {
			grid_page_add(ROLE_NORMAL, "  %s:%s", p->host, f->from);
			grid_page_add(ROLE_NORMAL, "    -> %s", f->to);
			continue;
		}
		written = true;
		if (f->size)
			grid_page_add(ROLE_NORMAL, _("  %s (%zu bytes)"), f->from, f->size);
		else
			grid_page_add(ROLE_NORMAL, "  %s", f->from);
		if (f->owner[0])
			grid_page_add(ROLE_NORMAL, _("    -> %s:%s  mode %04o  owner %s"), p->host,
			              f->to, f->mode, f->owner);
		else
			grid_page_add(ROLE_NORMAL, _("    -> %s:%s  mode %04o"), p->host, f->to,
			              f->mode);
	}
	if (p->more_files)
		grid_page_add(ROLE_NORMAL, _("  and %zu more files"), p->more_files);
	if (written)
		grid_page_add(
			ROLE_NORMAL, "%s",
			_("Each file is written whole under a temporary name, then read back."));
}

static void
plan_lines(const struct transfer_plan *p)
{
	grid_page_add(ROLE_NORMAL, _("Peer:       %s at %s, port %d"), p->host, p->peer, p->port);
	grid_page_add(ROLE_NORMAL, _("Interface:  %s, through the gateway %s"), p->ifname,
	              p->gateway);
	grid_page_add(ROLE_NORMAL,
	              p->key_auth ? _("Login:      %s with the stored key %s@%s:%s")
	                          : _("Login:      %s with the stored password %s@%s:%s"),
	              p->user, p->user, p->host, p->service);
	grid_page_add(ROLE_NORMAL, _("Timeout:    %ld s for the whole window"), p->timeout_s);
	if (p->pin[0])
		grid_page_add(ROLE_NORMAL, _("Host key:   pinned %s %s"), p->pin_type, p->pin);
	else
		grid_page_add(ROLE_BAND_WARNING, "%s",
		              _("Host key:   first contact: you give its fingerprint next"));
	file_lines(p);
	if (p->after[0])
		grid_page_add(ROLE_NORMAL, _("Then:       run \"%s\" on %s"), p->after, p->host);
	if (p->note[0])
		grid_page_add(ROLE_BAND_WARNING, "%s", p->note);
	grid_page_add(ROLE_NORMAL, "%s",
	              _("The link is up for this window only; the rules admit only this peer."));
}

/* The engine's plan of flow for target on a new page: what will happen,
 * or every reason the engine would refuse it (then false, and nothing
 * is asked). */
static bool
plan_page(struct ui *ui, const char *flow, const char *target, const char *page_host,
          const char *title, struct transfer_plan *p)
{
	struct pt_err err = { 0 };
	enum pt_status ret = transfer_plan(ui->st, flow, target, p, &err);

	if (ret != PT_OK && p->nwhy == 0) {
		ui_message(ui, ROLE_ALERT, "%s", detail_of(&err));
		return false;
	}
	if (ret != PT_OK) {
		grid_page_open(page_host, title, _("Refused: no window can open, because:"));
		for (size_t i = 0; i < p->nwhy; i++)
			why_line(p->why[i].text);
		grid_page_shown();
		ui_message(ui, ROLE_ALERT, "%s",
		           _("Refused before any window: the page says why."));
		return false;
	}
	grid_page_open(page_host, title, _("What will happen (nothing has moved yet):"));
	plan_lines(p);
	grid_page_shown();
	return true;
}

/* Ask for the fingerprint of a first contact; false on Esc. */
static bool
ask_fingerprint(struct ui *ui, char *buf, size_t len)
{
	for (;;) {
		if (!ui_prompt(ui, _("Host key fingerprint (ssh-keygen -lf on the peer): "), buf,
		               len, false))
			return false;
		if (transfer_fingerprint_check(buf, NULL) == PT_OK)
			return true;
		ui_message(ui, ROLE_ALERT, "%s",
		           _("Give it as ssh-keygen -lf prints it: SHA256:..."));
	}
}

/* The question under the page, which scrolls while it waits: a diff
 * longer than the screen is read whole before the answer. */
static bool
page_confirm(struct ui *ui, const char *question)
{
	const ui_actset scroll = ACTBIT(ACT_UP) | ACTBIT(ACT_DOWN) | ACTBIT(ACT_PGUP) |
	                         ACTBIT(ACT_PGDN) | ACTBIT(ACT_HOME) | ACTBIT(ACT_END);
	char q[sizeof ui->msg];

	snprintf(q, sizeof q, _("%s (y/n) "), question);
	for (;;) {
		int k, yes;
		enum ui_action a;

		/* wrapped over the rows above the key bar, never cut */
		ui_draw_question(ui, q);
		if (!ui_waitkey(ui, &k))
			return false;
		/* q and Esc answer no, as everywhere; the keys that move scroll */
		if ((a = ui_key_action(k, scroll)) != ACT_NONE && k != 'q')
			grid_page_handle(ui, a, k);
		else if ((yes = ui_yes_no(k)) >= 0)
			return yes;
	}
}

/* The question, then the fingerprint of a first contact; false (and no
 * window) when either is declined. */
static bool
go_ahead(struct ui *ui, const struct transfer_plan *p, const char *question, char *accept,
         size_t len)
{
	if (page_confirm(ui, question) && (p->pin[0] || ask_fingerprint(ui, accept, len)))
		return true;
	grid_page_close();
	ui_message(ui, ROLE_HINT, "%s", _("Cancelled: no window opened."));
	return false;
}

/* Shown while the window is open: nothing reads keys then. */
static void
working(const char *what)
{
	ui_put(LINES - 2, 0, COLS, theme_attr(ROLE_HINT), what, true);
	refresh();
}

/* The engine tells each phase of the window: shown on the message row
 * (drawing only: nothing waits for a person while the rules are in). */
static void
phase_shown(enum transfer_phase ph, void *ud)
{
	char line[256];

	(void)ud;
	snprintf(line, sizeof line,
	         _("Working: %s (the window closes by itself at the end or at the timeout)"),
	         transfer_phase_name(ph));
	working(line);
}

static void
outcome_lines(const struct transfer_result *res)
{
	if (res->window_id && res->exposure_ms >= 0)
		grid_page_add(ROLE_NORMAL,
		              _("Window %lld: exposed %.1f ms (first rule in to last rule out)"),
		              (long long)res->window_id, res->exposure_ms);
	else if (res->window_id)
		grid_page_add(ROLE_NORMAL, _("Window %lld: no rule was added"),
		              (long long)res->window_id);
	else
		grid_page_add(ROLE_NORMAL, "%s", _("No window opened."));
	if (res->pinned_now) {
		grid_page_add(ROLE_HINT, "%s", _("First contact: this host key is now pinned:"));
		grid_page_add(ROLE_HINT, "  %s %s", res->hostkey_type, res->hostkey_fp);
	}
}

struct diff_page {
	size_t differ;
	bool detail; /* each line added and removed, not only the counts */
};

static int
diff_line(const struct gs_file_diff *d, void *ud)
{
	struct diff_page *dp = ud;
	const char *state = d->state == GS_FILE_NEW       ? _("new")
	                    : d->state == GS_FILE_GONE    ? _("no longer sent")
	                    : d->state == GS_FILE_CHANGED ? _("behind")
	                                                  : _("current");

	dp->differ += d->state != GS_FILE_SAME;
	grid_page_add(d->state == GS_FILE_SAME ? ROLE_BAND_OK : ROLE_BAND_WARNING,
	              _("  %-34s %-14s +%zu -%zu"), d->path, state, d->nadded, d->nremoved);
	if (d->state == GS_FILE_CHANGED && !d->nadded && !d->nremoved)
		grid_page_add(ROLE_NORMAL, "    %s", _("the same lines in another order"));
	for (size_t i = 0; dp->detail && i < d->nadded; i++)
		grid_page_add(ROLE_BAND_OK, "    + %s", d->added[i]);
	for (size_t i = 0; dp->detail && i < d->nremoved; i++)
		grid_page_add(ROLE_BAND_CRITICAL, "    - %s", d->removed[i]);
	return 0;
}

size_t
grid_diff_lines(struct ui *ui, const char *host, const struct gs_build *b, bool detail)
{
	struct pt_err err = { 0 };
	struct diff_page dp = { 0, detail };

	grid_page_add(ROLE_NORMAL, "%s", "");
	grid_page_add(ROLE_TITLE, _("Each file against the last push to %s:"), host);
	if (gridstore_push_diff(ui->st, host, b, diff_line, &dp, &err) != PT_OK)
		grid_page_add(ROLE_ALERT, "%s", detail_of(&err));
	else if (dp.differ == 0)
		grid_page_add(ROLE_BAND_OK, "%s",
		              _("  Every file is current: a push changes nothing."));
	if (b->nlsc_fail) {
		grid_page_add(ROLE_NORMAL, "%s", "");
		grid_page_add(ROLE_TITLE, "%s",
		              _("VOMS server chains that fail their check (a push is refused):"));
	}
	for (size_t i = 0; i < b->nlsc_fail; i++)
		grid_page_add(ROLE_ALERT, _("  %s %s, chain %u: %s"), b->lsc_fail[i].vo,
		              b->lsc_fail[i].host, b->lsc_fail[i].chain, b->lsc_fail[i].why);
	return dp.differ;
}

/* What the push changes on the host, below its plan; *lsc_fail gets the
 * chains that fail their check. */
static void
push_diff(struct ui *ui, const char *host, size_t *lsc_fail)
{
	struct gs_build *b = NULL;
	struct pt_err err = { 0 };

	*lsc_fail = 0;
	if (gridstore_build(ui->st, host, &b, &err) != PT_OK) {
		grid_page_add(ROLE_ALERT, "%s", detail_of(&err));
		return;
	}
	grid_diff_lines(ui, host, b, true);
	*lsc_fail = b->nlsc_fail;
	gridstore_build_free(&b);
	grid_page_shown();
}

void
ui_grid_push(struct ui *ui, const char *fqdn)
{
	struct transfer_plan *p = calloc(1, sizeof *p);
	struct transfer_result res = { 0 };
	struct pt_err err = { 0 };
	char host[256], title[320], accept[128] = "";
	size_t lsc_fail = 0;
	enum pt_status ret;

	if (!p || !ui_net_allowed(ui, _("Push grid-mapfile and vomsdir"))) {
		free(p);
		return;
	}
	snprintf(host, sizeof host, "%s", fqdn);
	snprintf(title, sizeof title, _("Push grid-mapfile and vomsdir to %s"), host);
	if (!plan_page(ui, "gridmap-push", host, host, title, p))
		goto out;
	/* the diff before the question: what changes on the host */
	push_diff(ui, host, &lsc_fail);
	if (!go_ahead(ui, p,
	              lsc_fail ? _("Chains fail their check: push anyway (forced, audited)?")
	                       : _("Open the window and push now?"),
	              accept, sizeof accept))
		goto out;
	working(_("Working: the window closes by itself at the end or at the timeout..."));
	{
		struct transfer_opts o = { .accept_hostkey = accept[0] ? accept : NULL,
			                   .progress = phase_shown,
			                   .force = lsc_fail > 0 };
		ret = transfer_flow(ui->st, "gridmap-push", host, &o, &res, &err);
	}
	flushinp(); /* keys typed during the window answer nothing */
	grid_page_open(host, title, ret == PT_OK ? _("Done.") : _("Failed."));
	if (ret == PT_OK)
		grid_page_add(ROLE_BAND_OK,
		              _("The grid-mapfile and vomsdir files of %s are in place."), host);
	else
		grid_page_add(ROLE_ALERT, _("It failed: %s"), detail_of(&err));
	outcome_lines(&res);
	grid_page_shown();
	if (ret == PT_OK)
		ui_message(ui, ROLE_BAND_OK, _("Pushed to %s. Exposure %.1f ms."), host,
		           res.exposure_ms);
	else
		ui_message(ui, ROLE_ALERT, "%s", detail_of(&err));
	grid_reload(ui);
	if (res.signal)
		raise(res.signal); /* the window is closed: now the session ends as asked */
out:
	free(p);
}

/* A list (fetched, or a file of the set-up) against the current
 * snapshot, imported on yes. */
void
grid_offer_import(struct ui *ui, const char *vo, const char *data, size_t len, const char *source,
                  const char *name)
{
	struct gm_members *m = NULL;
	struct gs_diff d = { 0 };
	struct pt_err err = { 0 };
	char hex[65];
	enum pt_status ret;

	if (memchr(data, '\0', len))
		ret = pt_fail(&err, PT_INVALID, _("%s: not a text file (NUL byte)"), source);
	else
		ret = gridmap_members_parse(source, data, len, &m, &err);
	if (ret == PT_OK)
		ret = gridstore_vo_diff(ui->st, vo, m, &d, &err);
	if (ret != PT_OK) {
		grid_page_add(ROLE_ALERT, _("It failed: %s"), detail_of(&err));
		grid_page_add(ROLE_NORMAL, "%s", _("Nothing was imported."));
		grid_page_shown();
		ui_message(ui, ROLE_ALERT, "%s", detail_of(&err));
		goto out;
	}
	grid_page_add(ROLE_NORMAL, "%s", "");
	grid_page_add(
		ROLE_TITLE,
		_("%s against the current snapshot: %zu added, %zu removed, %zu members (%s)"),
		name, d.nadded, d.nremoved, d.members, gridstore_format_name(m->format));
	for (size_t i = 0; i < d.nadded; i++)
		grid_page_add(ROLE_BAND_OK, "+ %s", d.added[i]);
	for (size_t i = 0; i < d.nremoved; i++)
		grid_page_add(ROLE_BAND_CRITICAL, "- %s", d.removed[i]);
	grid_page_shown();
	if (!page_confirm(ui, _("Import this list as the new snapshot of the VO?"))) {
		ui_message(ui, ROLE_HINT, "%s", _("Not imported: the VO keeps its snapshot."));
		goto out;
	}
	gridstore_sha256_hex(data, len, hex);
	ret = store_begin(ui->st, &err);
	if (ret == PT_OK)
		ret = gridstore_vo_import(ui->st, vo, m, source, hex, NULL, &err);
	if (ret == PT_OK)
		ret = store_commit(ui->st, &err);
	else
		store_rollback(ui->st);
	if (ret == PT_OK) {
		grid_page_add(ROLE_BAND_OK, _("Imported as the current snapshot of VO %s."), vo);
		ui_message(ui, ROLE_BAND_OK, _("VO %s: %zu added, %zu removed; imported."), vo,
		           d.nadded, d.nremoved);
		grid_reload(ui);
	} else {
		grid_page_add(ROLE_ALERT, _("Not imported: %s"), detail_of(&err));
		ui_message(ui, ROLE_ALERT, "%s", detail_of(&err));
	}
	grid_page_shown();
out:
	gridstore_diff_clear(&d);
	gridmap_members_free(&m);
}

void
ui_grid_fetch_vo(struct ui *ui, const char *vo_name)
{
	struct transfer_plan *p = calloc(1, sizeof *p);
	struct transfer_result res = { 0 };
	struct pt_err err = { 0 };
	char vo[GRIDSTORE_MAX_VO + 1], title[320], accept[128] = "";
	char *data = NULL, *name = NULL;
	size_t len = 0;
	enum pt_status ret;

	if (!p || !ui_net_allowed(ui, _("Fetch a VO member list"))) {
		free(p);
		return;
	}
	snprintf(vo, sizeof vo, "%s", vo_name);
	snprintf(title, sizeof title, _("Fetch the member list of VO %s"), vo);
	if (!plan_page(ui, "fetch-vo", vo, NULL, title, p) ||
	    !go_ahead(ui, p, _("Open the window and fetch now?"), accept, sizeof accept))
		goto out;
	working(_("Working: the window closes by itself at the end or at the timeout..."));
	{
		struct transfer_opts o = { .accept_hostkey = accept[0] ? accept : NULL,
			                   .progress = phase_shown,
			                   .vo_data = &data,
			                   .vo_len = &len,
			                   .vo_name = &name };
		ret = transfer_flow(ui->st, "fetch-vo", vo, &o, &res, &err);
	}
	flushinp();
	grid_page_open(NULL, title, ret == PT_OK ? _("Fetched; not imported yet.") : _("Failed."));
	outcome_lines(&res);
	if (ret == PT_OK) {
		char source[320];
		snprintf(source, sizeof source, "outbox:%s", name);
		grid_offer_import(ui, vo, data, len, source, name);
	} else {
		grid_page_add(ROLE_ALERT, _("It failed: %s"), detail_of(&err));
		grid_page_add(ROLE_NORMAL, "%s", _("Nothing was imported."));
		grid_page_shown();
		ui_message(ui, ROLE_ALERT, "%s", detail_of(&err));
	}
	if (res.signal)
		raise(res.signal);
out:
	free(data);
	free(name);
	free(p);
}
