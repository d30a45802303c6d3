/* ui-certs.c - certificates and requests: the stored certificates above,
 * coloured by expiry band, the pending requests below; Tab moves between
 * the panes, Enter opens a certificate's detail (subject, issuer, serial,
 * validity, SANs, key match, chain, installs) or a request's CSR, D
 * cancels a request.  Everything is read
 * through src/inventory.h. */
#include "config.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/i18n.h"
#include "cert/lib.h"
#include "store/lib.h"
#include "ui/app.h"
#include "ui/lines.h"
#include "ui/browse.h"
#include "ui/certs.h"
#include "ui/csr.h"
#include "ui/hostpage.h"
#include "ui/view.h"

#define CN_COLS 104 /* the subject CN gets a column from this width on */

static const char *const band_names[] = {
	[X509_BAND_NOT_YET_VALID] = N_("not yet valid"),
	[X509_BAND_EXPIRED] = N_("expired"),
	[X509_BAND_CRITICAL] = N_("critical"),
	[X509_BAND_WARNING] = N_("warning"),
	[X509_BAND_OK] = N_("ok"),
	[X509_BAND_REVOKED] = N_("revoked"),
};

enum theme_role
certs_band_role(enum x509_band b)
{
	switch (b) {
	case X509_BAND_NOT_YET_VALID: return ROLE_BAND_FUTURE;
	case X509_BAND_EXPIRED: return ROLE_BAND_EXPIRED;
	case X509_BAND_CRITICAL: return ROLE_BAND_CRITICAL;
	case X509_BAND_WARNING: return ROLE_BAND_WARNING;
	case X509_BAND_REVOKED: return ROLE_BAND_REVOKED;
	default: return ROLE_BAND_OK;
	}
}

const char *
certs_band_label(enum x509_band b)
{
	return (unsigned)b <= X509_BAND_REVOKED ? _(band_names[b]) : "?";
}

/* The band of a row, from the label it was given. */
static enum x509_band
row_band(const struct ui_row *r)
{
	for (int b = X509_BAND_NOT_YET_VALID; b <= X509_BAND_REVOKED; b++)
		if (strcmp(r->col[2], _(band_names[b])) == 0)
			return (enum x509_band)b;
	return X509_BAND_OK;
}

static void
ymd(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
}

static void
ymdhm(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm);
}

/* ---- the sources: keyset pages of the store (list.h's each_after) ---- */

struct stream {
	ui_row_cb cb;
	void *ud;
};

enum { C_HOST, C_CN, C_BAND, C_NOTAFTER, C_DAYS, C_STATE, C_CA, C_NCOLS };

/* A row's place in the not-after order, as the list model keeps it:
 * "NOTAFTER:ID", read back by key_parse. */
static void
key_parse(const char *s, struct inv_key *k, bool with_text)
{
	char *end;

	memset(k, 0, sizeof *k);
	if (!s)
		return;
	k->num = strtoll(s, &end, 10);
	if (*end != ':')
		return;
	k->id = strtoll(end + 1, &end, 10);
	if (with_text && *end == ':')
		snprintf(k->text, sizeof k->text, "%s", end + 1);
	k->set = true;
}

static int
cert_row(const struct inv_cert_row *c, void *ud)
{
	struct stream *s = ud;
	char na[16], days[24], key[48];
	struct ui_row r = { .id = c->id, .key = key };

	ymd(c->not_after, na, sizeof na);
	snprintf(days, sizeof days, "%ld", c->days_left);
	snprintf(key, sizeof key, "%lld:%lld", (long long)c->key.num, (long long)c->key.id);
	r.col[C_HOST] = c->fqdn;
	r.col[C_CN] = c->cn;
	r.col[C_BAND] = certs_band_label(c->band);
	r.col[C_NOTAFTER] = na;
	r.col[C_DAYS] = days;
	r.col[C_STATE] = strcmp(c->state, "current") == 0 ? _("current") : _("superseded");
	r.col[C_CA] = c->ca;
	return s->cb(&r, s->ud);
}

static bool
contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return n == 0;
}

/* The list's filter as the store answers it: the text against host, CN
 * and CA, and the labels this screen shows (in the language it shows
 * them in) that hold the text become their bands and states. */
static void
list_filter(const char *filter, struct inv_list_filter *f)
{
	memset(f, 0, sizeof *f);
	if (!filter || !*filter)
		return;
	f->text = filter;
	for (int b = X509_BAND_NOT_YET_VALID; b <= X509_BAND_REVOKED; b++)
		if (contains_ci(_(band_names[b]), filter))
			f->bands |= 1u << b;
	if (contains_ci(_("current"), filter))
		f->states |= 1;
	if (contains_ci(_("superseded"), filter))
		f->states |= 2;
	/* the date and the days hold digits and "-" only */
	f->numbers = strspn(filter, "0123456789-") == strlen(filter);
}

/* Most urgent first: the not-after order of the store's listing, which
 * filters and counts by itself (list.h: count, each_before). */
static int
certs_page(struct ui *ui, const char *at, bool backward, const char *filter, size_t limit,
           ui_row_cb cb, void *ud)
{
	struct stream s = { cb, ud };
	struct inv_list_filter f;
	struct inv_key k;
	struct pt_err err = { 0 };

	if (!ui->st)
		return -1;
	key_parse(at, &k, false);
	list_filter(filter, &f);
	return inv_list_page(ui->st, &f, &k, backward, limit, time(NULL), cert_row, &s, &err) ==
	                       PT_OK
	               ? 0
	               : -1;
}

static int
certs_after(void *ctx, const char *after, const char *filter, size_t limit, ui_row_cb cb, void *ud)
{
	return certs_page(ctx, after, false, filter, limit, cb, ud);
}

static int
certs_before(void *ctx, const char *before, const char *filter, size_t limit, ui_row_cb cb,
             void *ud)
{
	return certs_page(ctx, before, true, filter, limit, cb, ud);
}

static int
certs_count(void *ctx, const char *filter, size_t *n)
{
	struct ui *ui = ctx;
	struct inv_list_filter f;
	struct pt_err err = { 0 };

	if (!ui->st)
		return -1;
	list_filter(filter, &f);
	return inv_list_count(ui->st, &f, time(NULL), n, &err) == PT_OK ? 0 : -1;
}

enum { R_HOST, R_CA, R_KEY, R_AGE, R_SUBJECT, R_NCOLS };

static int
req_row(const struct inv_req_row *q, void *ud)
{
	struct stream *s = ud;
	char age[48], key[300];
	struct ui_row r = { .id = q->id, .key = key };

	snprintf(age, sizeof age, ngettext("%ld day", "%ld days", q->age_days), q->age_days);
	snprintf(key, sizeof key, "0:%lld:%s", (long long)q->key.id, q->key.text);
	r.col[R_HOST] = q->fqdn;
	r.col[R_CA] = q->ca;
	r.col[R_KEY] = q->keytype;
	r.col[R_AGE] = age;
	r.col[R_SUBJECT] = q->subject;
	return s->cb(&r, s->ud);
}

static int
reqs_after(void *ctx, const char *after, const char *filter, size_t limit, ui_row_cb cb, void *ud)
{
	struct ui *ui = ctx;
	struct stream s = { cb, ud };
	struct inv_filter f = { .pending_only = true };
	struct inv_key k;
	struct pt_err err = { 0 };

	(void)filter; /* the age label is the model's to match */
	if (!ui->st)
		return -1;
	key_parse(after, &k, true);
	return inv_req_page(ui->st, &f, INV_BY_HOST, &k, false, limit, time(NULL), req_row, &s,
	                    &err) == PT_OK
	               ? 0
	               : -1;
}

/* ---- key match of the rows on screen ---- */

#define KEYCACHE 64
static struct {
	int64_t id;
	int match;
} keycache[KEYCACHE];

/* Check the keys of the rows on screen that were not checked yet, in
 * one call: only they are parsed, never the whole store. */
static void
keys_for(struct ui *ui, struct ui_list *l, size_t rows)
{
	int64_t ids[KEYCACHE];
	int match[KEYCACHE];
	size_t n = 0;
	struct pt_err err = { 0 };

	for (size_t r = 0; r < rows && n < KEYCACHE; r++) {
		const struct ui_row *row = ui_list_row(l, l->top + r);
		if (!row)
			break;
		if (keycache[(size_t)row->id % KEYCACHE].id != row->id)
			ids[n++] = row->id;
	}
	if (!n || !ui->st || inv_cert_keys(ui->st, ids, n, match, &err) != PT_OK)
		return;
	for (size_t i = 0; i < n; i++) {
		keycache[(size_t)ids[i] % KEYCACHE].id = ids[i];
		keycache[(size_t)ids[i] % KEYCACHE].match = match[i];
	}
}

/* 1 match, 0 mismatch, -1 unknown */
static int
key_match(int64_t id)
{
	return keycache[(size_t)id % KEYCACHE].id == id ? keycache[(size_t)id % KEYCACHE].match
	                                                : -1;
}

/* ---- drawing ---- */

struct colspec {
	const char *head; /* N_() */
	int col;          /* row column; -1: the key match */
	int width;        /* 0: the rest */
};

static const char *const req_heads[] = { N_("Host"), N_("CA"), N_("Key type"), N_("Age"),
	                                 N_("Subject") };
static const int req_widths[] = { 28, 14, 10, 10, 0 };

static struct ui_list *certs, *reqs;
static struct browser reqs_b = { NULL, req_heads, req_widths, R_NCOLS, -1 };
static int focus; /* 0: certificates, 1: requests */

/* The certificate columns for this width: the CN when there is room. */
static int
cert_cols(struct colspec *c)
{
	int n = 0;

	c[n++] = (struct colspec){ N_("Host"), C_HOST, 27 };
	if (COLS >= CN_COLS)
		c[n++] = (struct colspec){ N_("Subject CN"), C_CN, COLS - 80 };
	c[n++] = (struct colspec){ N_("Band"), C_BAND, 10 };
	c[n++] = (struct colspec){ N_("Not after"), C_NOTAFTER, 11 };
	c[n++] = (struct colspec){ N_("Days"), C_DAYS, 7 }; /* "Giorni" */
	c[n++] = (struct colspec){ N_("State"), C_STATE, 11 };
	c[n++] = (struct colspec){ N_("Key"), -1, 7 }; /* "Chiave" */
	c[n++] = (struct colspec){ N_("CA"), C_CA, 0 };
	return n;
}

/* The key column says whether the stored key matches; the band shows in
 * its colour on the band, date and days cells, also on the selected row
 * (its host keeps the selection). */
static void
cert_cell(struct ui *ui, const struct ui_row *row, int col, bool sel, bool focused,
          const char **text, int *attr)
{
	(void)ui;
	if (col < 0) {
		int m = key_match(row->id);
		*text = m > 0 ? _("yes") : m == 0 ? _("NO") : "?";
		if (m == 0)
			*attr = theme_attr(ROLE_ALERT);
	}
	if (col == C_BAND || col == C_NOTAFTER || col == C_DAYS)
		*attr = theme_attr(certs_band_role(row_band(row))) |
		        (sel && focused ? A_REVERSE : 0);
}

static void
open_lists(struct ui *ui)
{
	if (!certs) {
		struct ui_list_source s = { .ncols = C_NCOLS,
			                    .ctx = ui,
			                    .each_after = certs_after,
			                    .count = certs_count,
			                    .each_before = certs_before };
		certs = ui_list_new(&s);
	}
	if (!reqs) {
		struct ui_list_source s = { .ncols = R_NCOLS, .ctx = ui, .each_after = reqs_after };
		reqs = ui_list_new(&s);
	}
}

static void
certs_enter(struct ui *ui)
{
	open_lists(ui);
	memset(keycache, 0, sizeof keycache);
	if (certs)
		ui_list_refresh(certs);
	if (reqs)
		ui_list_refresh(reqs);
}

static void
certs_draw(struct ui *ui, int top, int rows)
{
	struct colspec cs[10];
	const char *heads[10];
	int widths[10], cols[10];
	int lower = rows >= 21 ? 6 : 5, upper = rows - lower - 1, nc;
	char line[160];

	nc = cert_cols(cs);
	for (int c = 0; c < nc; c++) {
		heads[c] = cs[c].head;
		widths[c] = cs[c].width;
		cols[c] = cs[c].col;
	}
	browser_draw_cells(ui, &(struct browser){ certs, heads, widths, nc, -1 },
	                   &(struct browser_cells){ cols, true, keys_for, cert_cell }, top, upper,
	                   focus == 0);
	mvhline(top + upper, 0, ACS_HLINE, COLS);
	snprintf(line, sizeof line, _(" Pending requests (%zu) "), reqs ? reqs->count : 0);
	ui_put(top + upper, 2, COLS - 4, focus == 1 ? theme_attr(ROLE_TITLE) : (int)A_BOLD, line,
	       false);
	reqs_b.list = reqs;
	browser_draw(ui, &reqs_b, top + upper + 1, lower, focus == 1);
}

/* ---- the detail popups ---- */

#define LABEL "%-12s "
#define LABEL_W 13

static int
detail_cb(const struct inv_cert_detail *d, void *ud)
{
	struct lines *l = ud;
	const struct cert_status *cs = d->cs;
	const struct x509_cert *x = cs->x;
	char a[40], b[40];

	lines_add(l, LABEL "%s", _("Host:"), cs->fqdn);
	lines_field(l, LABEL_W - 1, _("Subject:"), x->subject_grid);
	lines_field(l, LABEL_W - 1, _("Issuer:"), x->issuer_grid);
	lines_add(l, LABEL "%s", _("Serial:"), d->serial_hex);
	ymdhm(x->not_before, a, sizeof a);
	ymdhm(x->not_after, b, sizeof b);
	lines_add(l, LABEL "%s - %s", _("Validity:"), a, b);
	if (cs->days_left >= 0)
		lines_add(l, LABEL "%s, %ld %s", _("Band:"), certs_band_label(cs->band),
		          cs->days_left, ngettext("day left", "days left", cs->days_left));
	else
		lines_add(l, LABEL "%s, %ld %s", _("Band:"), certs_band_label(cs->band),
		          -cs->days_left, ngettext("day ago", "days ago", -cs->days_left));
	for (size_t i = 0; i < x->nsans; i++)
		lines_add(l, LABEL "%s", i == 0 ? _("SANs:") : "", x->sans[i]);
	if (x->nsans == 0)
		lines_add(l, LABEL "%s", _("SANs:"), _("none"));
	lines_add(l, LABEL "%s %u (%s)", _("Public key:"), x->key_algo, x->key_bits, cs->origin);
	if (cs->key_match)
		lines_add(l, LABEL "%s", _("Key match:"),
		          _("yes, the stored private key belongs to it"));
	else
		lines_add(l, LABEL "%s", _("Key match:"), _("NO"));
	if (!cs->key_match)
		lines_field(l, LABEL_W - 1, "", cs->key_detail);
	if (cs->chain_ok)
		lines_add(l, LABEL "%s %s", _("Chain:"), _("verified by CA"), cs->ca);
	else
		lines_add(l, LABEL "%s", _("Chain:"), _("NOT verified"));
	if (!cs->chain_ok)
		lines_field(l, LABEL_W - 1, "", cs->chain_detail);
	ymdhm(cs->imported_at, a, sizeof a);
	lines_add(l, LABEL "%s, %s %s", _("State:"),
	          strcmp(cs->state, "current") == 0 ? _("current") : _("superseded"), _("stored"),
	          a);
	lines_add(l, LABEL "%.47s", _("SHA-256:"), x->sha256_hex);
	lines_add(l, LABEL "%s", "", x->sha256_hex + 48);
	if (d->ninstalls == 0)
		lines_add(l, LABEL "%s", _("Installed:"), _("never"));
	for (size_t i = 0; i < d->ninstalls; i++) {
		const struct inv_install *in = &d->installs[i];
		ymdhm(in->installed_at, a, sizeof a);
		lines_add(l, LABEL "%s %s %s", i == 0 ? _("Installed:") : "", a, _("on"), in->fqdn);
		lines_field(l, LABEL_W - 1, "", in->cert_path);
		lines_field(l, LABEL_W - 1, "", in->key_path);
		if (in->exposure_ms >= 0)
			lines_add(l, LABEL "  %s %s (%s, %s %.0f ms)", "", _("window"),
			          in->window_tag, in->outcome, _("exposure"), in->exposure_ms);
		else
			lines_add(l, LABEL "  %s %s (%s)", "", _("window"), in->window_tag,
			          in->outcome);
	}
	return 0;
}

void
certs_detail_popup(struct ui *ui, int64_t id)
{
	struct lines l = { 0 };
	struct pt_err err = { 0 };
	char title[64];

	if (!ui->st)
		return;
	if (inv_cert_detail(ui->st, id, time(NULL), detail_cb, &l, &err) != PT_OK) {
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&err));
		lines_free(&l);
		return;
	}
	snprintf(title, sizeof title, _("Certificate %lld"), (long long)id);
	ui_popup(ui, title, (const char *const *)l.v, l.n);
	lines_free(&l);
}

/* ---- keys ---- */

static bool
certs_handle(struct ui *ui, enum ui_action a, int key)
{
	struct ui_list *l = focus == 0 ? certs : reqs;
	struct browser b = { l, NULL, NULL, focus == 0 ? C_NCOLS : R_NCOLS, -1 };
	const struct ui_row *r;

	(void)key;
	if (!l)
		return false;
	switch (a) {
	case ACT_PANE: focus = !focus; return true;
	case ACT_BACK:
		if (focus == 1) {
			focus = 0;
			return true;
		}
		return false;
	case ACT_OPEN:
		if (!(r = ui_list_selected(l)))
			return true;
		if (focus == 0)
			certs_detail_popup(ui, r->id);
		else
			ui_csr_show(ui, r->col[R_HOST]);
		return true;
	case ACT_DELETE:
		if (focus == 0) {
			ui_message(ui, ROLE_HINT, "%s",
			           _("Only a request can be cancelled here: Tab to the requests."));
			return true;
		}
		if ((r = ui_list_selected(l)) && ui_csr_cancel(ui, r->col[R_HOST]))
			certs_enter(ui);
		return true;
	case ACT_SORT: {
		/* the next column on screen (the CN only when it is shown) */
		int c = l->sort_col + 1;
		if (focus == 0 && c == C_CN && COLS < CN_COLS)
			c++;
		ui_list_set_sort(l, c < b.ncols ? c : -1, l->sort_desc);
		return true;
	}
	default: return browser_handle(ui, &b, a);
	}
}

static const char *
certs_context_host(struct ui *ui)
{
	struct ui_list *l = focus == 0 ? certs : reqs;
	const struct ui_row *r = l ? ui_list_selected(l) : NULL;

	(void)ui;
	return r ? r->col[0] : NULL;
}

static void
certs_reset(struct ui *ui)
{
	(void)ui;
	ui_list_free(&certs);
	ui_list_free(&reqs);
	memset(keycache, 0, sizeof keycache);
	focus = 0;
}

const struct view_ops ui_certs_ops = {
	.title = N_("Certificates"),
	.actions = BROWSER_ACTIONS | ACTBIT(ACT_OPEN) | ACTBIT(ACT_PANE) | ACTBIT(ACT_DELETE),
	.enter = certs_enter,
	.draw = certs_draw,
	.handle = certs_handle,
	.reset = certs_reset,
	.context_host = certs_context_host,
};
