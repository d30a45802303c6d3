/* ui-ca.c - the certificate authorities screen: the stored CAs in a
 * table (name, default key, requests and certificates made through it,
 * subject template), a list model (list.h) filtered with / and sorted
 * with s/S like the other lists; Enter shows one (its bundle decoded,
 * certificate by certificate), n adds one in a form whose subject
 * template shows, as it is typed, the subject it makes for a sample host
 * of the store, named; @ shows the IGTF trust anchors.  Everything through
 * the core (cert/lib.h): the bundle is parsed there, never here. */
#include "config.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/i18n.h"
#include "base/lib.h"
#include "cert/lib.h"
#include "site/lib.h"
#include "store/lib.h"
#include "ui/app.h"
#include "ui/lines.h"
#include "ui/browse.h"
#include "ui/ca.h"
#include "ui/form.h"
#include "ui/list.h"
#include "ui/trust.h"
#include "ui/view.h"

#define CA_FILE_MAX (64 * 1024 * 1024)
#define SAMPLE_HOST "host.example.org"

/* the list's columns */
enum { C_NAME, C_KEY, C_REQS, C_CERTS, C_TMPL, C_N };

static const char *const ca_heads[C_N] = { N_("CA"), N_("Key"), N_("Reqs"), N_("Certs"),
	                                   N_("Subject template") };
static const int ca_widths[C_N] = { 19, 10, 6, 7, 0 };

static struct ui_list *calist;

/* ---- the list ---- */

struct ca_stream {
	ui_row_cb cb;
	void *ud;
};

static int
ca_row(const struct cert_ca *ca, void *ud)
{
	struct ca_stream *s = ud;
	char reqs[24], certs[24];
	struct ui_row r = { .id = ca->id };

	snprintf(reqs, sizeof reqs, "%lld", (long long)ca->requests);
	snprintf(certs, sizeof certs, "%lld", (long long)ca->certificates);
	r.col[C_NAME] = ca->name;
	r.col[C_KEY] = ca->default_key;
	r.col[C_REQS] = reqs;
	r.col[C_CERTS] = certs;
	r.col[C_TMPL] = ca->subject_tmpl;
	return s->cb(&r, s->ud);
}

/* The source of the list model (list.h): the store's CAs, by name. */
static int
ca_each(void *ctx, ui_row_cb cb, void *ud)
{
	struct ui *ui = ctx;
	struct ca_stream s = { cb, ud };
	struct pt_err err = { 0 };

	if (!ui->st)
		return 0;
	if (cert_ca_foreach(ui->st, ca_row, &s, &err) != PT_OK) {
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&err));
		return -1;
	}
	return 0;
}

static void
cas_load(struct ui *ui)
{
	if (!calist) {
		struct ui_list_source s = { .ncols = C_N, .each = ca_each, .ctx = ui };
		calist = ui_list_new(&s);
	}
	if (calist)
		ui_list_refresh(calist);
}

static void
cas_enter(struct ui *ui)
{
	cas_load(ui);
}

static void
cas_draw(struct ui *ui, int top, int rows)
{
	struct browser b = { calist, ca_heads, ca_widths, C_N, -1 };

	if (!calist)
		cas_load(ui);
	if (!calist)
		return;
	if (calist->count == 0 && !calist->filter && !calist->error) {
		ui_put(top + 2, 2, COLS - 4, theme_attr(ROLE_HINT),
		       _("No CA in the store yet: n adds one from its bundle file."), false);
		ui_put(top + rows - 1, 0, COLS, theme_attr(ROLE_HINT),
		       _("Enter: show; n: add (J everywhere); @: anchors; *: CRLs; / filter; s/S sort"),
		       true);
		return;
	}
	browser_draw(ui, &b, top, rows - 1, true);
	ui_put(top + rows - 1, 0, COLS, theme_attr(ROLE_HINT),
	       _("Enter: show; n: add (J everywhere); @: anchors; *: CRLs; / filter; s/S sort"),
	       true);
}

/* ---- one CA shown ---- */

#define LABEL_W 15

static void addkv(struct lines *l, const char *label, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A label in its column (cut with '~' there, an accent one column wide)
 * and its value after it. */
static void
addkv(struct lines *l, const char *label, const char *fmt, ...)
{
	va_list ap;
	char cell[128], *v = NULL;

	va_start(ap, fmt);
	if (vasprintf(&v, fmt, ap) < 0)
		v = NULL;
	va_end(ap);
	if (v)
		lines_add(l, "%s %s", ui_cell(cell, sizeof cell, label, LABEL_W - 1), v);
	free(v);
}
static void
ymd(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
}

static void
bundle_lines(struct lines *l, const char *pem)
{
	struct x509_cert_list *cl = NULL;
	struct pt_err err = { 0 };
	char a[16], b[16];

	if (x509_bundle_parse((const unsigned char *)pem, strlen(pem), &cl, &err) != PT_OK) {
		lines_field(l, LABEL_W - 1, _("Bundle:"), pt_err_text(&err));
		return;
	}
	addkv(l, _("Bundle:"), "%zu", cl->n);
	for (size_t i = 0; i < cl->n; i++) {
		const struct x509_cert *x = &cl->certs[i];

		lines_add(l, "%s", "");
		lines_add(l, "%zu. %s", i + 1, x->self_signed ? _("root") : _("intermediate"));
		lines_field(l, LABEL_W - 1, _("Subject:"), x->subject_grid);
		lines_field(l, LABEL_W - 1, _("Issuer:"), x->issuer_grid);
		ymd(x->not_before, a, sizeof a);
		ymd(x->not_after, b, sizeof b);
		addkv(l, _("Validity:"), "%s - %s", a, b);
		addkv(l, _("SHA-256:"), "%.47s", x->sha256_hex);
		addkv(l, "", "%s", x->sha256_hex + 48);
	}
	x509_cert_list_free(&cl);
}

static int
show_cb(const struct cert_ca *ca, void *ud)
{
	struct lines *l = ud;
	char when[16];

	lines_field(l, LABEL_W - 1, _("CA:"), ca->name);
	lines_field(l, LABEL_W - 1, _("Template:"), ca->subject_tmpl);
	addkv(l, _("Default key:"), "%s", ca->default_key);
	ymd(ca->created_at, when, sizeof when);
	addkv(l, _("Added:"), "%s", when);
	addkv(l, _("Requests:"), "%lld", (long long)ca->requests);
	addkv(l, _("Certificates:"), "%lld", (long long)ca->certificates);
	bundle_lines(l, ca->bundle_pem);
	return 0;
}

void
ui_ca_show(struct ui *ui, const char *name)
{
	struct lines l = { 0 };
	struct pt_err err = { 0 };
	char title[128];

	if (!ui->st)
		return;
	if (cert_ca_get(ui->st, name, show_cb, &l, &err) != PT_OK) {
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&err));
		lines_free(&l);
		return;
	}
	snprintf(title, sizeof title, _("CA %s"), name);
	ui_popup(ui, title, (const char *const *)l.v, l.n);
	lines_free(&l);
}

/* ---- adding one ---- */

enum { F_NAME, F_BUNDLE, F_TMPL, F_KEY, F_N };

struct add_form {
	char sample[256]; /* the host the preview is made for */
	char preview[600];
	const char *keys[X509_KEY_MAX];
	char added[64];
};

static int
first_host(const struct host *h, void *ud)
{
	snprintf(ud, 256, "%s", h->fqdn);
	return 1;
}

/* The subject the template makes for the sample host, or why it makes
 * none: the hint under the template, again at each key. */
static void
preview(struct add_form *af, const char *tmpl)
{
	struct x509_subject *s = NULL;
	struct pt_err err = { 0 };
	char *grid;

	if (x509_subject_parse(tmpl[0] ? tmpl : CERT_DEFAULT_TEMPLATE, af->sample, &s, &err) !=
	    PT_OK) {
		snprintf(af->preview, sizeof af->preview, "%s", pt_err_text(&err));
		return;
	}
	grid = x509_subject_grid(s);
	/* the host on a line of its own, the subject under it whole */
	snprintf(af->preview, sizeof af->preview, _("for %s:\nmakes %s"), af->sample,
	         grid ? grid : "?");
	free(grid);
	x509_subject_free(&s);
}

static void
add_typed(struct ui_field *f, size_t n, size_t which, void *ud)
{
	(void)n;
	if (which == F_TMPL)
		preview(ud, f[F_TMPL].buf);
}

/* The bundle file, read and parsed by the core: the field to fix, or -1. */
static int
check_bundle(const char *path, char *msg, size_t len)
{
	unsigned char *buf = NULL;
	size_t blen = 0;
	struct x509_cert_list *l = NULL;
	struct pt_err err = { 0 };
	enum pt_status st;

	if (!path[0]) {
		snprintf(msg, len, "%s",
		         _("Give the CA's bundle file (PEM: root and intermediates)."));
		return F_BUNDLE;
	}
	if ((st = pt_file_read(path, false, CA_FILE_MAX, &buf, &blen, &err)) == PT_OK)
		st = x509_bundle_parse(buf, blen, &l, &err);
	free(buf);
	x509_cert_list_free(&l);
	if (st != PT_OK) {
		snprintf(msg, len, _("%s: %s"), path, pt_err_text(&err));
		return F_BUNDLE;
	}
	return -1;
}

static int
add_submit(struct ui *ui, struct ui_field *f, size_t n, char *msg, size_t len, void *ud)
{
	struct add_form *af = ud;
	struct x509_subject *s = NULL;
	struct pt_err err = { 0 };
	unsigned char *buf = NULL;
	size_t blen = 0;
	enum pt_status ret;
	int bad;

	(void)n;
	if (!f[F_NAME].buf[0]) {
		snprintf(msg, len, "%s", _("The CA needs a name (e.g. infn)."));
		return F_NAME;
	}
	if ((bad = check_bundle(f[F_BUNDLE].buf, msg, len)) >= 0)
		return bad;
	if (x509_subject_parse(f[F_TMPL].buf[0] ? f[F_TMPL].buf : CERT_DEFAULT_TEMPLATE, af->sample,
	                       &s, &err) != PT_OK) {
		snprintf(msg, len, "%s", pt_err_text(&err));
		return F_TMPL;
	}
	x509_subject_free(&s);
	if ((ret = pt_file_read(f[F_BUNDLE].buf, false, CA_FILE_MAX, &buf, &blen, &err)) == PT_OK &&
	    (ret = store_begin(ui->st, &err)) == PT_OK) {
		ret = cert_ca_add(ui->st, f[F_NAME].buf, buf, blen,
		                  f[F_TMPL].buf[0] ? f[F_TMPL].buf : NULL, f[F_KEY].buf, &err);
		if (ret == PT_OK)
			ret = store_commit(ui->st, &err);
		else
			store_rollback(ui->st);
	}
	free(buf);
	if (ret != PT_OK) {
		snprintf(msg, len, _("Nothing was added: %s"), pt_err_text(&err));
		/* a name taken or not valid is fixed in the name; anything else
		 * the core refused is in what the file holds */
		return ret == PT_EXISTS || strstr(pt_err_text(&err), f[F_NAME].buf) ? F_NAME
		                                                                    : F_BUNDLE;
	}
	snprintf(af->added, sizeof af->added, "%s", f[F_NAME].buf);
	return -1;
}

bool
ui_ca_add_form(struct ui *ui)
{
	struct add_form af = { .sample = SAMPLE_HOST };
	struct pt_err err = { 0 };
	char name[64] = "", file[1024] = "", tmpl[256] = "", key[16] = CERT_DEFAULT_KEY;
	bool ok;

	if (!ui->st)
		return false;
	model_host_foreach(ui->st, NULL, first_host, af.sample, &err);
	for (int i = 0; i < X509_KEY_MAX; i++)
		af.keys[i] = x509_keytype_name((enum x509_keytype)i);
	snprintf(tmpl, sizeof tmpl, "%s", CERT_DEFAULT_TEMPLATE);
	preview(&af, tmpl);
	struct ui_field f[F_N] = {
		{ _("Name"), name, sizeof name, false, _("a short name: letters, digits, - _ ."),
		  UI_FILE_NONE },
		{ _("Bundle file"), file, sizeof file, false,
		  _("PEM: the CA's root and intermediates"), UI_FILE_OPEN },
		{ _("Subject"), tmpl, sizeof tmpl, false, af.preview, UI_FILE_NONE },
		{ _("Default key"), key, sizeof key, false, _("for its requests"), UI_FILE_NONE },
	};
	const struct ui_choice ch[1] = { { F_KEY, af.keys, X509_KEY_MAX, NULL } };
	ok = ui_form_live(ui, _("Add a CA"), f, F_N, ch, 1, add_typed, add_submit, &af);
	if (ok) {
		ui_message(ui, ROLE_BAND_OK, _("Added CA %s."), af.added);
		if (ui->view == VIEW_CAS)
			cas_load(ui);
	}
	return ok;
}

/* ---- the trust anchors ---- */

static int
anchor_lines(const struct trust_anchor *a, void *ud)
{
	char when[PT_UTC_LEN], cell[128];

	pt_utc_time(a->not_after, NULL, when, sizeof when);
	lines_add(ud, "%s %-20s %5lld", ui_cell(cell, sizeof cell, a->name, 28), when,
	          (long long)a->rules);
	lines_add(ud, "  %s", a->subject);
	return 0;
}

/* What `ca anchors` lists: each IGTF trust anchor, its expiry and the
 * namespace rules it has, its subject under it (80 columns hold no more). */
void
ui_ca_anchors(struct ui *ui)
{
	struct lines l = { 0 };
	struct pt_err err = { 0 };

	if (!ui->st)
		return;
	char c0[128], c1[128];

	lines_add(&l, "%s %s %5s", ui_cell(c0, sizeof c0, _("ANCHOR"), 28),
	          ui_cell(c1, sizeof c1, _("NOT AFTER"), 20), _("RULES"));
	lines_add(&l, "  %s", _("SUBJECT"));
	if (trust_anchor_foreach(ui->st, anchor_lines, &l, &err) != PT_OK) {
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&err));
		lines_free(&l);
		return;
	}
	if (l.n == 2)
		lines_add(
			&l, "%s",
			_("No trust anchor in the store: T imports them from an IGTF directory."));
	ui_popup(ui, _("Trust anchors"), (const char *const *)l.v, l.n);
	lines_free(&l);
}

/* ---- keys ---- */

static bool
cas_handle(struct ui *ui, enum ui_action a, int key)
{
	struct browser b = { calist, ca_heads, ca_widths, C_N, -1 };
	const struct ui_row *r;

	(void)key;
	switch (a) {
	case ACT_OPEN:
		if (calist && (r = ui_list_selected(calist)))
			ui_ca_show(ui, r->col[C_NAME]);
		return true;
	case ACT_NEW:
	case ACT_ADDCA: ui_ca_add_form(ui); return true;
	case ACT_ANCHORS: ui_ca_anchors(ui); return true;
	case ACT_CRLLIST: return ui_trust_action(ui, a, NULL);
	default: return browser_handle(ui, &b, a);
	}
}

static void
cas_reset(struct ui *ui)
{
	(void)ui;
	ui_list_free(&calist);
}

const struct view_ops ui_cas_ops = {
	.title = N_("Certificate authorities"),
	.actions = BROWSER_ACTIONS | ACTBIT(ACT_OPEN) | ACTBIT(ACT_NEW) | ACTBIT(ACT_ANCHORS) |
	           ACTBIT(ACT_CRLLIST),
	.enter = cas_enter,
	.draw = cas_draw,
	.handle = cas_handle,
	.reset = cas_reset,
};
