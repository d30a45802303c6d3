/* ui-pw.c - the passwords browser (user@host:service, masked) and the
 * password actions: reveal for a while, add, update and generate with
 * confirmation, history. */
#include "config.h"

#include <ctype.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "site/lib.h"
#include "base/i18n.h"
#include "base/lib.h"
#include "store/lib.h"
#include "ui/app.h"
#include "ui/browse.h"
#include "ui/form.h"
#include "ui/pw.h"
#include "ui/pwview.h"
#include "ui/view.h"

#define SECRET_MAX 512
#define GENERATED_LEN 24

/* ---- the source ---- */

struct pw_each {
	ui_row_cb cb;
	void *ud;
};

/* A row's key: host spec, user and service (the list's order), joined
 * by a unit separator, which none of them holds. */
#define KEYSEP '\x1f'

static int
pw_row(const struct credential *c, void *ud)
{
	struct pw_each *e = ud;
	char entry[768], key[768], ver[24], hosts[24], upd[32];
	struct ui_row r = { .id = c->id };
	struct tm tm;

	snprintf(entry, sizeof entry, "%s@%s:%s", c->user, c->hostspec, c->service);
	snprintf(ver, sizeof ver, "%lld", (long long)c->version);
	snprintf(hosts, sizeof hosts, "%lld", (long long)c->hosts);
	localtime_r(&c->updated_at, &tm);
	strftime(upd, sizeof upd, "%Y-%m-%d", &tm);
	r.col[0] = entry;
	r.col[1] = ver;
	r.col[2] = hosts;
	r.col[3] = upd;
	r.col[4] = "";
	snprintf(key, sizeof key, "%s%c%s%c%s", c->hostspec, KEYSEP, c->user, KEYSEP, c->service);
	r.key = key;
	return e->cb(&r, e->ud);
}

int
pw_source_each(void *ctx, ui_row_cb cb, void *ud)
{
	struct pw_source *s = ctx;
	struct pw_each e = { cb, ud };
	struct pt_err err = { 0 };
	enum pt_status ret;

	if (!s->ui->st)
		return -1;
	ret = s->fqdn[0] ? model_pw_foreach_host(s->ui->st, s->fqdn, pw_row, &e, &err)
	                 : model_pw_foreach(s->ui->st, NULL, pw_row, &e, &err);
	return ret == PT_OK ? 0 : -1;
}

int
pw_source_after(void *ctx, const char *after, const char *filter, size_t limit, ui_row_cb cb,
                void *ud)
{
	struct pw_source *s = ctx;
	struct pw_each e = { cb, ud };
	struct pt_err err = { 0 };
	struct credential a = { 0 };
	char key[768], *p, *q;

	if (!s->ui->st || s->fqdn[0]) /* one host's entries: read whole (each) */
		return -1;
	if (after) {
		snprintf(key, sizeof key, "%s", after);
		if (!(p = strchr(key, KEYSEP)) || !(q = strchr(p + 1, KEYSEP)))
			return -1;
		*p++ = '\0';
		*q++ = '\0';
		a.hostspec = key;
		a.user = p;
		a.service = q;
	}
	return model_pw_page(s->ui->st, filter, after ? &a : NULL, limit, pw_row, &e, &err) == PT_OK
	               ? 0
	               : -1;
}

/* ---- the form ---- */

struct new_pw {
	int64_t id; /* 0: add; else update this entry */
};

/* The ids of the hosts spec names (hostset_resolve, the CLI's resolver). */
static enum pt_status
resolve(struct store *st, const char *spec, int64_t **ids, size_t *n, struct pt_err *err)
{
	struct hostset hs;
	enum pt_status ret = hostset_resolve(st, spec, true, &hs, err);

	*ids = hs.ids;
	*n = hs.n;
	hs.ids = NULL;
	hostset_free(&hs);
	return ret;
}

/* Store the secret: the whole change in one transaction, or nothing. */
static int
save_secret(struct ui *ui, int64_t id, const char *entry, const char *secret, char *msg, size_t len)
{
	struct pt_err err = { 0 };
	char *user = NULL, *spec = NULL, *service = NULL;
	int64_t *ids = NULL, newid = 0;
	size_t n = 0;
	enum pt_status ret;

	if (store_begin(ui->st, &err) != PT_OK)
		goto fail;
	if (id) {
		ret = model_pw_update(ui->st, id, secret, strlen(secret), &err);
	} else {
		ret = hostspec_parse_entry(entry, &user, &spec, &service, &err);
		if (ret == PT_OK) {
			for (char *p = spec; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			ret = resolve(ui->st, spec, &ids, &n, &err);
		}
		if (ret == PT_OK)
			ret = model_pw_add(ui->st, user, spec, service, ids, n, secret,
			                   strlen(secret), &newid, &err);
	}
	if (ret == PT_OK)
		ret = store_commit(ui->st, &err);
	else
		store_rollback(ui->st);
	free(user);
	free(spec);
	free(service);
	free(ids);
	if (ret == PT_OK)
		return 0;
fail:
	snprintf(msg, len, "%s", pt_err_text(&err));
	return -1;
}

static int
pw_submit(struct ui *ui, struct ui_field *f, size_t n, char *msg, size_t len, void *ud)
{
	struct new_pw *np = ud;
	struct pt_err err = { 0 };
	char *gen = NULL;
	int entry_field = np->id ? -1 : 0, sf = np->id ? 0 : 1;
	const char *secret = f[sf].buf;

	(void)n;
	if (!np->id) {
		if (hostspec_parse_entry(f[0].buf, NULL, NULL, NULL, &err) != PT_OK) {
			snprintf(msg, len, "%s", err.detail);
			return 0;
		}
	}
	if (strcmp(f[sf].buf, f[sf + 1].buf) != 0) {
		snprintf(msg, len, "%s", _("The two secrets differ: type them again."));
		secmem_wipe(f[sf].buf, f[sf].len);
		secmem_wipe(f[sf + 1].buf, f[sf + 1].len);
		return sf;
	}
	if (!*secret) {
		if (model_generate_secret(GENERATED_LEN, &gen, &err) != PT_OK) {
			snprintf(msg, len, "%s", err.detail);
			return sf;
		}
		secret = gen;
	}
	int rc = save_secret(ui, np->id, np->id ? NULL : f[0].buf, secret, msg, len);
	secmem_free(gen);
	if (rc != 0)
		return entry_field >= 0 ? entry_field : sf;
	if (np->id)
		ui_message(ui, ROLE_BAND_OK, "%s", _("Secret updated."));
	else
		ui_message(ui, ROLE_BAND_OK, _("Added %s."), f[0].buf);
	return -1;
}

static bool
secret_form(struct ui *ui, const char *title, const char *host, int64_t id)
{
	char entry[512] = "";
	char *s1 = secmem_alloc(SECRET_MAX), *s2 = secmem_alloc(SECRET_MAX);
	struct new_pw np = { id };
	struct ui_field f[3] = {
		{ _("Entry"), entry, sizeof entry, false,
		  _("user@host:service, hosts as ce[01-02].x or @group"), UI_FILE_NONE },
		{ _("Secret"), s1, SECRET_MAX, true, _("empty: generate one"), UI_FILE_NONE },
		{ _("Repeat"), s2, SECRET_MAX, true, NULL, UI_FILE_NONE },
	};
	bool ok = false;

	if (s1 && s2) {
		if (host)
			snprintf(entry, sizeof entry, "root@%s:ssh", host);
		ok = id ? ui_form(ui, title, f + 1, 2, pw_submit, &np)
		        : ui_form(ui, title, f, 3, pw_submit, &np);
	}
	secmem_free(s1);
	secmem_free(s2);
	ui->dirty = true;
	return ok;
}

bool
pw_new_form(struct ui *ui, const char *host)
{
	return secret_form(ui, _("New password"), host, 0);
}

/* ---- history ---- */

struct hist {
	char **lines;
	size_t n, cap;
};

static int
hist_cb(const struct credential_version *v, void *ud)
{
	struct hist *h = ud;
	char set[32], rep[32] = "";
	struct tm tm;

	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 16;
		char **n = realloc(h->lines, cap * sizeof *n);
		if (!n)
			return 1;
		h->lines = n;
		h->cap = cap;
	}
	localtime_r(&v->set_at, &tm);
	strftime(set, sizeof set, "%Y-%m-%d %H:%M", &tm);
	if (v->replaced_at) {
		localtime_r(&v->replaced_at, &tm);
		strftime(rep, sizeof rep, "%Y-%m-%d %H:%M", &tm);
	}
	if (asprintf(&h->lines[h->n], _("version %-4lld set %s  %s%s"), (long long)v->version, set,
	             v->replaced_at ? _("replaced ") : _("current"), rep) >= 0)
		h->n++;
	return 0;
}

static void
show_history(struct ui *ui, int64_t id)
{
	struct hist h = { 0 };
	struct pt_err err = { 0 };

	if (model_pw_history(ui->st, id, hist_cb, &h, &err) != PT_OK)
		ui_message(ui, ROLE_ALERT, "%s", err.detail);
	else
		ui_popup(ui, _("History"), (const char *const *)h.lines, h.n);
	for (size_t i = 0; i < h.n; i++)
		free(h.lines[i]);
	free(h.lines);
}

bool
pw_action(struct ui *ui, enum ui_action a, int64_t id)
{
	struct pt_err err = { 0 };
	char *gen = NULL, msg[256];

	if (a == ACT_NEW)
		return pw_new_form(ui, NULL), true;
	if (ui_pwview_action(ui, a, id))
		return true;
	if (!id && (a == ACT_REVEAL || a == ACT_UPDATE || a == ACT_GENERATE || a == ACT_HISTORY)) {
		ui_message(ui, ROLE_HINT, "%s", _("No entry selected."));
		return true;
	}
	switch (a) {
	case ACT_REVEAL:
		if (ui->reveal && ui->reveal_id == id)
			ui_reveal_clear(ui);
		else
			ui_reveal(ui, id);
		return true;
	case ACT_UPDATE: {
		/* the question names the entry: read whole, wrapped */
		char name[512], q[640];
		if (!ui_pw_name(ui, id, name, sizeof name))
			return true;
		snprintf(q, sizeof q, _("Replace the secret of %s?"), name);
		if (ui_confirm(ui, q))
			secret_form(ui, _("Update password"), NULL, id);
		return true;
	}
	case ACT_GENERATE:
		if (!ui_confirm(ui, _("Replace the secret with a generated one?")))
			return true;
		if (model_generate_secret(GENERATED_LEN, &gen, &err) != PT_OK) {
			ui_message(ui, ROLE_ALERT, "%s", err.detail);
			return true;
		}
		if (save_secret(ui, id, NULL, gen, msg, sizeof msg) == 0)
			ui_message(ui, ROLE_BAND_OK, "%s",
			           _("New secret generated: reveal it with r."));
		else
			ui_message(ui, ROLE_ALERT, "%s", msg);
		secmem_free(gen);
		return true;
	case ACT_HISTORY: show_history(ui, id); return true;
	default: return false;
	}
}

/* ---- the browser ---- */

static const char *const pw_heads[] = { N_("Entry"), N_("Ver"), N_("Hosts"), N_("Updated"),
	                                N_("Secret") };
static const int pw_widths[] = { 38, 5, 6, 11, 0 };
static struct pw_source pw_src;
static struct browser pw_b = { NULL, pw_heads, pw_widths, 5, 4 };

static void
pw_enter(struct ui *ui)
{
	pw_src.ui = ui;
	pw_src.fqdn[0] = '\0';
	if (!pw_b.list) {
		struct ui_list_source s = { .ncols = 5,
			                    .each = pw_source_each,
			                    .ctx = &pw_src,
			                    .each_after = pw_source_after };
		pw_b.list = ui_list_new(&s);
	}
	if (pw_b.list)
		ui_list_refresh(pw_b.list);
}

void
pw_show_entry(struct ui *ui, const char *entry)
{
	if (pw_b.list && ui_list_set_filter(pw_b.list, entry) == 0)
		ui_message(ui, ROLE_HINT, _("Filtered on %s (/ then Enter on nothing clears)."),
		           entry);
}

static void
pw_draw(struct ui *ui, int top, int rows)
{
	/* a long entry is cut a place short of the next column */
	static const struct browser_cells gap = { .gap = true };

	browser_draw_cells(ui, &pw_b, &gap, top, rows, true);
}

static bool
pw_handle(struct ui *ui, enum ui_action a, int key)
{
	const struct ui_row *r;

	(void)key;
	if (browser_handle(ui, &pw_b, a))
		return true;
	r = pw_b.list ? ui_list_selected(pw_b.list) : NULL;
	if (a == ACT_OPEN)
		a = ACT_REVEAL;
	if (pw_action(ui, a, r ? r->id : 0)) {
		if (a == ACT_NEW || a == ACT_UPDATE || a == ACT_GENERATE || a == ACT_DELETE)
			ui_list_refresh(pw_b.list);
		return true;
	}
	return false;
}

static void
pw_reset(struct ui *ui)
{
	(void)ui;
	ui_list_free(&pw_b.list);
}

const struct view_ops ui_passwords_ops = {
	.title = N_("Passwords"),
	.actions = BROWSER_ACTIONS | PW_ACTIONS | ACTBIT(ACT_OPEN),
	.enter = pw_enter,
	.draw = pw_draw,
	.handle = pw_handle,
	.reset = pw_reset,
};
