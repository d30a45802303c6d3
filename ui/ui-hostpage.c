/* ui-hostpage.c - one host's page, opened with Enter in the hosts
 * browser: its passwords (masked; r or Enter reveals one for a while),
 * keys, requests, certificates in their band colours, install history
 * and transfer windows, as one scrolling page; q/F10 goes back. */
#include "config.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/i18n.h"
#include "cert/lib.h"
#include "engine/lib.h"
#include "site/lib.h"
#include "ui/app.h"
#include "ui/browse.h"
#include "ui/certs.h"
#include "ui/hostpage.h"
#include "ui/pw.h"

#define MASK "********"

enum line_kind { L_HEAD, L_TEXT, L_PASSWORD, L_CERT };

struct line {
	enum line_kind kind;
	enum theme_role role;
	int64_t id; /* the password or certificate */
	char *text;
};

static struct page {
	char fqdn[256];
	bool open;
	struct line *v;
	size_t n, cap;
	size_t sel, top;
	int rows; /* lines the page shows */
} pg;

static void put(enum line_kind kind, enum theme_role role, int64_t id, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
put(enum line_kind kind, enum theme_role role, int64_t id, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	if (pg.n == pg.cap) {
		size_t cap = pg.cap ? pg.cap * 2 : 64;
		struct line *v = realloc(pg.v, cap * sizeof *v);
		if (!v)
			return;
		pg.v = v;
		pg.cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s)
		pg.v[pg.n++] = (struct line){ kind, role, id, s };
}

static void
lines_free(void)
{
	for (size_t i = 0; i < pg.n; i++)
		free(pg.v[i].text);
	free(pg.v);
	pg.v = NULL;
	pg.n = pg.cap = 0;
}

static void
ymd(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
}

/* A section heading with its count; the count is filled in after. */
static size_t
section(const char *title)
{
	put(L_HEAD, ROLE_TITLE, 0, "%s", title);
	return pg.n - 1;
}

static void
section_done(size_t head, const char *title, size_t count)
{
	if (head >= pg.n)
		return;
	free(pg.v[head].text);
	if (asprintf(&pg.v[head].text, "%s (%zu)", title, count) < 0)
		pg.v[head].text = NULL;
	if (!pg.v[head].text)
		pg.v[head].text = strdup("");
	if (count == 0)
		put(L_TEXT, ROLE_HINT, 0, "  %s", _("none"));
}

/* ---- the sections ---- */

static int
host_cb(const struct host *h, void *ud)
{
	(void)ud;
	put(L_TEXT, ROLE_NORMAL, 0, "%s %s:%d   %s %s", _("Address"), h->ip[0] ? h->ip : "-",
	    h->port, _("Groups"), h->groups[0] ? h->groups : "-");
	return 0;
}

static int
pw_cb(const struct credential *c, void *ud)
{
	char upd[16], entry[600], c0[200];

	(*(size_t *)ud)++;
	ymd(c->updated_at, upd, sizeof upd);
	snprintf(entry, sizeof entry, "%s@%s:%s", c->user, c->hostspec, c->service);
	/* the secret is drawn in place of the mask, never copied here */
	put(L_PASSWORD, ROLE_NORMAL, c->id, "  %s v%-3lld %s  ", ui_cell(c0, sizeof c0, entry, 40),
	    (long long)c->version, upd);
	return 0;
}

/* The store's words for a key's origin and a request's state, in the
 * user's language (the store keeps them in English). */
static const char *
word(const char *w)
{
	static const char *const words[][2] = {
		{ "generated", N_("generated") }, { "adopted", N_("adopted") },
		{ "pending", N_("pending") },     { "issued", N_("issued") },
		{ "cancelled", N_("cancelled") },
	};

	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(w, words[i][0]) == 0)
			return _(words[i][1]);
	return w;
}

/* A key and what uses it: the list ("certificate 2 (current), request 2
 * (issued)") wraps after a comma, the continuation under the list's
 * start, so every use is read whole at 80 columns in any language. */
static int
key_cb(const struct inv_key_row *k, void *ud)
{
	char made[16], c0[64], c1[64], line[640];
	const char *u = k->used_by[0] ? k->used_by : _("nothing");
	int room = COLS > 20 ? COLS : 80, indent;

	(*(size_t *)ud)++;
	ymd(k->created_at, made, sizeof made);
	snprintf(line, sizeof line, "  %s %s %s  %s ", ui_cell(c0, sizeof c0, k->type, 8),
	         ui_cell(c1, sizeof c1, word(k->origin), 9), made, _("used by:"));
	indent = ui_chars(line) < room / 2 ? ui_chars(line) : 4;
	/* lengths in bytes: the page draws a byte a column, so a line
	 * never runs past the screen */
	while (*u) {
		const char *comma = strstr(u, ", ");
		size_t item = comma ? (size_t)(comma - u) + 1 : strlen(u), len = strlen(line);
		bool fresh = len == (size_t)indent && strspn(line, " ") == len;
		if (!fresh && len + item > (size_t)room && len > (size_t)indent) {
			put(L_TEXT, ROLE_NORMAL, 0, "%s", line);
			snprintf(line, sizeof line, "%*s", indent, "");
			continue;
		}
		if (len + item + 1 < sizeof line) {
			memcpy(line + len, u, item);
			line[len + item] = '\0';
		}
		u += item;
		if (*u == ' ' && comma) {
			u++;
			if (strlen(line) + 1 < sizeof line)
				strcat(line, " ");
		}
	}
	put(L_TEXT, ROLE_NORMAL, 0, "%s", line);
	return 0;
}

/* The bytes of s that fit room columns (a character a column): all of
 * it when it fits; else cut before a character of `before` or after one
 * of `after`: at the first such place that leaves a rest of one row
 * ("ce01." and "grid.example.org"), else at the last one in the second
 * half of the room, else at the room. */
static size_t
tail_piece(const char *s, int room, const char *before, const char *after)
{
	size_t at = 0, brk = 0;
	int n = 0, total = ui_chars(s);

	if (total <= room)
		return strlen(s);
	while (s[at]) {
		size_t next = at + 1;
		while (((unsigned char)s[next] & 0xC0) == 0x80)
			next++;
		if (n == room)
			return brk ? brk : at;
		if (at > 0 && strchr(before, s[at])) {
			if (n >= room / 4 && total - n <= room)
				return at;
			if (n >= room / 2)
				brk = at;
		}
		if (strchr(after, s[at])) {
			if (n + 1 >= room / 4 && total - n - 1 <= room)
				return next;
			if (n + 1 >= room / 2)
				brk = next;
		}
		at = next;
		n++;
	}
	return at;
}

/* A row of columns whose last one (a subject, a name) has the rest of
 * the screen: longer, it wraps in its own column, the continuation rows
 * under it, so it never runs off the screen nor into another column. */
static void
put_tail(enum line_kind kind, enum theme_role role, int64_t id, const char *head, const char *text,
         const char *before, const char *after)
{
	int col = ui_chars(head), room = (COLS > 20 ? COLS : 80) - col;

	if (room < 12) { /* a narrow screen: the text under the row */
		put(kind, role, id, "%s", head);
		kind = L_TEXT;
		id = 0;
		col = 4;
		room = (COLS > 20 ? COLS : 80) - col;
		head = "";
	}
	do {
		size_t k = tail_piece(text, room, before, after);
		put(kind, role, id, "%s%*s%.*s", head, *head ? 0 : col, "", (int)k, text);
		text += k;
		text += strspn(text, " ");
		kind = L_TEXT;
		id = 0;
		head = "";
	} while (*text);
}

static int
req_cb(const struct inv_req_row *r, void *ud)
{
	char made[16], c0[64], c1[64], c2[64], head[256];

	(*(size_t *)ud)++;
	ymd(r->created_at, made, sizeof made);
	snprintf(head, sizeof head, "  %s %s %s %s ", made,
	         ui_cell(c0, sizeof c0, word(r->state), 9),
	         ui_cell(c1, sizeof c1, r->ca[0] ? r->ca : "-", 10),
	         ui_cell(c2, sizeof c2, r->keytype, 8));
	/* the subject wraps before an attribute ("/CN=") */
	put_tail(L_TEXT, strcmp(r->state, "pending") == 0 ? ROLE_BAND_WARNING : ROLE_NORMAL, 0,
	         head, r->subject, "/", ",");
	return 0;
}

static int
cert_cb(const struct inv_cert_row *c, void *ud)
{
	char na[16], days[48], c0[64], c1[64], c2[64], head[256];

	(*(size_t *)ud)++;
	ymd(c->not_after, na, sizeof na);
	snprintf(days, sizeof days, ngettext("%ld day", "%ld days", c->days_left), c->days_left);
	snprintf(head, sizeof head, "  %s %s %10s  %s %s ",
	         ui_cell(c0, sizeof c0, certs_band_label(c->band), 13), na, days,
	         ui_cell(c1, sizeof c1,
	                 strcmp(c->state, "current") == 0 ? _("current") : _("superseded"), 10),
	         ui_cell(c2, sizeof c2, c->ca[0] ? c->ca : "-", 10));
	/* the name wraps after a dot of the domain */
	put_tail(L_CERT, certs_band_role(c->band), c->id, head, c->cn, "", ".");
	return 0;
}

static int
install_cb(const struct inv_install *i, void *ud)
{
	char when[16], head[256];

	(*(size_t *)ud)++;
	ymd(i->installed_at, when, sizeof when);
	/* the window by its tag, as the window log shows it; the path last,
	 * wrapping before a "/" in its own column however long it is */
	snprintf(head, sizeof head, "  %s %s %lld  %s %s  ", when, _("certificate"),
	         (long long)i->cert_id, i->window_tag, i->outcome);
	put_tail(L_TEXT, ROLE_NORMAL, 0, head, i->cert_path, "/", "");
	return 0;
}

static int
window_cb(const struct window_info *w, void *ud)
{
	char when[16], exp[32] = "", c0[64], c1[64];

	(*(size_t *)ud)++;
	ymd((time_t)(w->opened_ms / 1000), when, sizeof when);
	if (w->exposure_ms >= 0)
		snprintf(exp, sizeof exp, "%.0f ms", w->exposure_ms);
	put(L_TEXT, strcmp(w->outcome, "ok") == 0 ? ROLE_NORMAL : ROLE_ALERT, 0,
	    "  %s %s %s:%d %s %s %s", when, ui_cell(c0, sizeof c0, w->purpose, 11), w->peer,
	    w->port, ui_cell(c1, sizeof c1, w->outcome, 9), _("exposure"), exp[0] ? exp : "-");
	return 0;
}

/* What an install writes on the host (O edits it). */
static enum pt_status
profile_lines(struct ui *ui, struct pt_err *err)
{
	struct install_profile *p = calloc(1, sizeof *p);
	char c0[64], c1[64], c2[64];
	enum pt_status ret;

	if (!p)
		return pt_fail(err, PT_NOMEM, NULL);
	ret = profile_get(ui->st, pg.fqdn, p, err);
	if (ret == PT_OK) {
		size_t h = section(_("Install profile"));
		for (size_t i = 0; i < p->n; i++)
			put(L_TEXT, ROLE_NORMAL, 0, "  %s %s %04o %s %s",
			    ui_cell(c0, sizeof c0, p->files[i].copy ? _("copy") : "", 5),
			    ui_cell(c1, sizeof c1, profile_content_name(p->files[i].content), 10),
			    p->files[i].mode, ui_cell(c2, sizeof c2, p->files[i].owner, 12),
			    p->files[i].path);
		put(L_TEXT, ROLE_NORMAL, 0, _("  Reload: %s"), p->reload[0] ? p->reload : "-");
		if (p->check_port)
			put(L_TEXT, ROLE_NORMAL, 0, _("  Check port: %d"), p->check_port);
		put(L_TEXT, ROLE_HINT, 0, "  %s", _("O changes the profile."));
		section_done(h, _("Install profile"), p->n);
	}
	free(p);
	return ret;
}

/* Read everything the page shows; false with a message on failure. */
static bool
load(struct ui *ui)
{
	struct inv_filter f = { .fqdn = pg.fqdn };
	struct pt_err err = { 0 };
	time_t now = time(NULL);
	size_t h, n;
	enum pt_status ret;

	lines_free();
	ret = model_host_get(ui->st, pg.fqdn, host_cb, NULL, &err);
	if (ret == PT_OK) {
		h = section(_("Passwords")), n = 0;
		ret = model_pw_foreach_host(ui->st, pg.fqdn, pw_cb, &n, &err);
		section_done(h, _("Passwords"), n);
	}
	if (ret == PT_OK) {
		h = section(_("Keys")), n = 0;
		ret = inv_host_keys(ui->st, pg.fqdn, key_cb, &n, &err);
		section_done(h, _("Keys"), n);
	}
	if (ret == PT_OK) {
		h = section(_("Requests")), n = 0;
		ret = inv_req_page(ui->st, &f, INV_BY_ID, NULL, true, 0, now, req_cb, &n, &err);
		section_done(h, _("Requests"), n);
	}
	if (ret == PT_OK) {
		h = section(_("Certificates")), n = 0;
		ret = inv_cert_page(ui->st, &f, INV_BY_EXPIRY, NULL, true, 0, now, cert_cb, &n,
		                    &err);
		section_done(h, _("Certificates"), n);
	}
	if (ret == PT_OK) {
		h = section(_("Install history")), n = 0;
		ret = inv_installs(ui->st, pg.fqdn, 0, install_cb, &n, &err);
		section_done(h, _("Install history"), n);
	}
	if (ret == PT_OK) {
		h = section(_("Transfer windows")), n = 0;
		ret = transfer_host_windows(ui->st, pg.fqdn, window_cb, &n, &err);
		section_done(h, _("Transfer windows"), n);
	}
	if (ret == PT_OK)
		ret = profile_lines(ui, &err);
	if (ret != PT_OK) {
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&err));
		lines_free();
		return false;
	}
	return true;
}

static bool
selectable(size_t i)
{
	return i < pg.n && (pg.v[i].kind == L_PASSWORD || pg.v[i].kind == L_CERT);
}

/* The selection goes to the next line that can be acted on; past the
 * last one (or before the first) the page just scrolls. */
static void
step(long delta)
{
	size_t i = pg.sel;

	while (delta > 0 ? i + 1 < pg.n : i > 0) {
		i = delta > 0 ? i + 1 : i - 1;
		if (selectable(i)) {
			pg.sel = i;
			if (pg.sel < pg.top)
				pg.top = pg.sel > 0 && pg.v[pg.sel - 1].kind == L_HEAD ? pg.sel - 1
				                                                       : pg.sel;
			if (pg.sel >= pg.top + (size_t)pg.rows)
				pg.top = pg.sel - (size_t)pg.rows + 1;
			return;
		}
	}
	if (delta > 0 && pg.top + (size_t)pg.rows < pg.n)
		pg.top++;
	else if (delta < 0 && pg.top > 0)
		pg.top--;
}

/* ---- the interface of hostpage.h ---- */

bool
hostpage_open(struct ui *ui, const char *fqdn)
{
	char name[sizeof pg.fqdn];

	snprintf(name, sizeof name, "%s", fqdn); /* fqdn may be pg.fqdn: a reload */
	snprintf(pg.fqdn, sizeof pg.fqdn, "%s", name);
	pg.sel = pg.top = 0;
	if (!load(ui))
		return false;
	pg.open = true;
	pg.rows = 1;
	while (pg.sel < pg.n && !selectable(pg.sel))
		pg.sel++;
	if (pg.sel >= pg.n)
		pg.sel = 0;
	ui_reveal_clear(ui);
	return true;
}

bool
hostpage_active(void)
{
	return pg.open;
}

const char *
hostpage_host(void)
{
	return pg.open ? pg.fqdn : NULL;
}

void
hostpage_close(struct ui *ui)
{
	if (pg.open && ui)
		ui_reveal_clear(ui);
	pg.open = false;
	lines_free();
}

void
hostpage_draw(struct ui *ui, int top, int rows)
{
	char head[320];

	snprintf(head, sizeof head, _(" Host %s "), pg.fqdn);
	ui_put(top, 0, COLS, A_BOLD | A_UNDERLINE, head, true);
	pg.rows = rows - 1 > 1 ? rows - 1 : 1;
	bool revealed_seen = false;
	for (int r = 0; r < pg.rows && pg.top + (size_t)r < pg.n; r++) {
		size_t i = pg.top + (size_t)r;
		const struct line *l = &pg.v[i];
		int y = top + 1 + r, attr = theme_attr(l->role);

		if (l->kind == L_HEAD) {
			mvhline(y, 0, ACS_HLINE, COLS);
			snprintf(head, sizeof head, " %s ", l->text);
			ui_put(y, 2, COLS - 4, attr, head, false);
			continue;
		}
		if (i == pg.sel && selectable(i))
			attr = theme_attr(ROLE_SELECTED);
		ui_put(y, 0, COLS, attr, l->text, true);
		if (l->kind == L_PASSWORD) {
			int x = (int)strlen(l->text);
			/* the revealed secret straight from secure memory */
			bool shown = ui->reveal && ui->reveal_id == l->id;
			const char *s = shown ? ui->reveal : MASK;
			revealed_seen |= shown;
			if (x < COLS)
				ui_put(y, x, COLS - x, attr, s, true);
		}
	}
	/* its row scrolled away: the secret goes too */
	if (ui->reveal && !revealed_seen)
		ui_reveal_clear(ui);
	if (pg.n > (size_t)pg.rows) {
		char info[48];
		snprintf(info, sizeof info, " %zu-%zu/%zu ", pg.top + 1,
		         pg.top + (size_t)pg.rows < pg.n ? pg.top + (size_t)pg.rows : pg.n, pg.n);
		ui_put(top, COLS - (int)strlen(info), (int)strlen(info), theme_attr(ROLE_HINT),
		       info, false);
	}
}

bool
hostpage_handle(struct ui *ui, enum ui_action a, int key)
{
	const struct line *l = selectable(pg.sel) ? &pg.v[pg.sel] : NULL;

	(void)key;
	switch (a) {
	case ACT_BACK: hostpage_close(ui); return true;
	case ACT_UP: step(-1); return true;
	case ACT_DOWN: step(1); return true;
	case ACT_PGUP:
		for (int i = 0; i < pg.rows; i++)
			step(-1);
		return true;
	case ACT_PGDN:
		for (int i = 0; i < pg.rows; i++)
			step(1);
		return true;
	case ACT_HOME:
		pg.top = pg.sel = 0;
		while (pg.sel < pg.n && !selectable(pg.sel))
			pg.sel++;
		return true;
	case ACT_END:
		pg.top = pg.n > (size_t)pg.rows ? pg.n - (size_t)pg.rows : 0;
		for (size_t i = pg.n; i-- > 0;)
			if (selectable(i)) {
				pg.sel = i;
				break;
			}
		return true;
	case ACT_REFRESH: load(ui); return true;
	case ACT_OPEN:
	case ACT_REVEAL:
		if (!l) {
			ui_message(ui, ROLE_HINT, "%s",
			           _("Select a password or a certificate first."));
			return true;
		}
		if (l->kind == L_CERT) {
			certs_detail_popup(ui, l->id);
			return true;
		}
		if (ui->reveal && ui->reveal_id == l->id)
			ui_reveal_clear(ui);
		else
			ui_reveal(ui, l->id);
		return true;
	case ACT_UPDATE:
	case ACT_GENERATE:
	case ACT_HISTORY:
		/* the password actions of the browsers, on the selected entry */
		if (!l || l->kind != L_PASSWORD) {
			ui_message(ui, ROLE_HINT, "%s", _("Select a password first."));
			return true;
		}
		if (pw_action(ui, a, l->id) && a != ACT_HISTORY) {
			size_t sel = pg.sel, top = pg.top;
			if (load(ui)) {
				pg.sel = sel < pg.n ? sel : 0;
				pg.top = top;
			}
		}
		return true;
	default: return false;
	}
}
