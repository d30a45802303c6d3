/* ui-import.c - the console's import of certificate files as CAs deliver
 * them (PEM with the chain, DER, PKCS#7, PKCS#12): a form with the file
 * and, when the file turns out to be PKCS#12, its password; the outcome
 * of every certificate in a box.  The work is the core's (cert_import_file,
 * the same batch import as `cert import`). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/i18n.h"
#include "base/lib.h"
#include "cert/lib.h"
#include "store/lib.h"
#include "ui/app.h"
#include "ui/dialog.h"
#include "ui/filelist.h"
#include "ui/form.h"
#include "ui/import.h"

#define IMPORT_LINES 200
#define IMPORT_PW_MAX 1024

struct import_box {
	char *l[IMPORT_LINES];
	size_t n, stored, added;
	char refusal[512];
	size_t earlier; /* stored not current: it expires before the current one */
	char earlier_host[256];
};

static void box_add(struct import_box *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
box_add(struct import_box *b, const char *fmt, ...)
{
	va_list ap;

	if (b->n >= IMPORT_LINES)
		return;
	va_start(ap, fmt);
	if (vasprintf(&b->l[b->n], fmt, ap) >= 0)
		b->n++;
	va_end(ap);
}

static void
box_free(struct import_box *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->l[i]);
	memset(b, 0, sizeof(*b));
}

static void
import_item(const struct cert_batch_item *it, void *ud)
{
	struct import_box *b = ud;

	if (it->chain) {
		b->added += it->chain_outcome == CERT_CHAIN_ADDED;
		if (it->chain_outcome == CERT_CHAIN_ADDED)
			box_add(b, _("CA certificate added to the bundle of %s: %s"), it->ca,
			        it->x->subject_grid);
		else if (it->chain_outcome == CERT_CHAIN_KNOWN)
			box_add(b, _("CA certificate already in the bundle of %s: %s"), it->ca,
			        it->x->subject_grid);
		else
			box_add(b, _("Not stored (no stored CA): %s"), it->x->subject_grid);
	} else if (it->outcome == CERT_NO_KEY) {
		if (!b->refusal[0])
			snprintf(b->refusal, sizeof(b->refusal), "%s", it->why);
	} else if (it->outcome == CERT_DUPLICATE) {
		box_add(b, _("Already in the store: %s"), it->x->subject_grid);
	} else if (it->outcome == CERT_STORED_EARLIER) {
		b->stored++;
		if (!b->earlier++)
			snprintf(b->earlier_host, sizeof b->earlier_host, "%s", it->host);
		box_add(b, _("Imported for %s, not current (the current one expires later): %s"),
		        it->host, it->x->subject_grid);
	} else {
		b->stored++;
		box_add(b, _("Imported for %s: %s"), it->host, it->x->subject_grid);
	}
}

/* One transaction: everything the files hold, or nothing.  With ask
 * set, a certificate that would expire before the host's current one
 * rolls everything back and sets *ask: the user decides, then the
 * import runs again. */
static enum pt_status
import_run(struct ui *ui, char *const *paths, size_t np, const char *pw, struct import_box *b,
           bool *ask, struct pt_err *err)
{
	struct cert_batch *batch = NULL;
	size_t refused = 0;
	enum pt_status ret;

	if ((ret = store_begin(ui->st, err)) != PT_OK)
		return ret;
	if ((ret = cert_batch_new(ui->st, &batch, err)) == PT_OK)
		for (size_t i = 0; i < np && ret == PT_OK; i++)
			ret = cert_import_file(batch, paths[i], pw, import_item, b, &refused, err);
	cert_batch_free(&batch);
	if (ret == PT_OK && refused)
		ret = pt_fail(err, PT_MISMATCH, "%s", b->refusal);
	if (ret == PT_OK && ask && b->earlier) {
		store_rollback(ui->st);
		*ask = true;
		return PT_OK;
	}
	if (ret == PT_OK)
		return store_commit(ui->st, err);
	store_rollback(ui->st);
	return ret;
}

/* A certificate that expires before the host's current one is not made
 * current silently: the user says which one stays; the import runs again. */
static enum pt_status
import_earlier(struct ui *ui, char *const *paths, size_t np, const char *pw, struct import_box *b,
               struct pt_err *err)
{
	char l0[400];
	const char *l[4] = { l0, "", _("y: the new one becomes current (its validity is shorter)"),
		             _("n: the one that expires later stays current; the new one is "
		               "stored") };
	enum pt_status ret;
	bool yes;

	if (b->earlier == 1)
		snprintf(l0, sizeof l0,
		         _("The new certificate of %s expires before the current one."),
		         b->earlier_host);
	else
		snprintf(l0, sizeof l0,
		         _("%zu new certificates (%s...) expire before the current ones."),
		         b->earlier, b->earlier_host);
	yes = dialog_ask(ui, _("A certificate that expires earlier"), l, 4,
	                 _("Make the new one current?"));
	box_free(b);
	cert_import_make_current(yes);
	ret = import_run(ui, paths, np, pw, b, NULL, err);
	cert_import_make_current(false);
	return ret;
}

/* The field's files (filelist.h: separated by spaces, a space inside a
 * name escaped with a backslash); a text that names one existing file
 * as it stands is that file, so a name with spaces typed plainly works
 * too. */
static char **
import_paths(const char *field, size_t *n)
{
	char **v;

	if (access(field, F_OK) == 0 && (v = calloc(2, sizeof *v))) {
		if ((v[0] = strdup(field))) {
			*n = 1;
			return v;
		}
		free(v);
		return NULL;
	}
	return fl_split(field, n);
}

static bool
any_pkcs12(char *const *paths, size_t np)
{
	for (size_t i = 0; i < np; i++)
		if (cert_file_is_pkcs12(paths[i]))
			return true;
	return false;
}

static int
import_submit(struct ui *ui, struct ui_field *f, size_t n, char *msg, size_t len, void *ud)
{
	struct import_box b = { 0 };
	struct pt_err err = { 0 };
	const char *pw = f[1].buf[0] ? f[1].buf : NULL;
	enum pt_status st;
	bool ask = false;
	size_t np = 0;
	char **paths;
	int ret = -1;

	(void)n;
	(void)ud;
	if (!(paths = import_paths(f[0].buf, &np))) {
		snprintf(msg, len, "%s", pt_status_msg(PT_NOMEM));
		return 0;
	}
	if (!np) {
		snprintf(msg, len, "%s", _("Give a file: PEM, DER, PKCS#7 or PKCS#12."));
		ret = 0;
		goto out;
	}
	if (!pw && any_pkcs12(paths, np)) {
		snprintf(msg, len, "%s", _("This is a PKCS#12 file: give its password."));
		ret = 1;
		goto out;
	}
	st = import_run(ui, paths, np, pw, &b, &ask, &err);
	if (st == PT_OK && ask)
		st = import_earlier(ui, paths, np, pw, &b, &err);
	if (st != PT_OK) {
		snprintf(msg, len, _("Nothing was imported: %s"), pt_err_text(&err));
		/* a wrong password is fixed in its own field */
		ret = err.status == PT_REFUSED && pw ? 1 : 0;
		goto out;
	}
	box_add(&b, _("%zu certificates imported, %zu CA certificates added to a bundle."),
	        b.stored, b.added);
	ui_popup(ui, _("Import certificates"), (const char *const *)b.l, b.n);
	if (np == 1)
		ui_message(ui, ROLE_BAND_OK, _("Imported %zu certificates from %s."), b.stored,
		           paths[0]);
	else
		ui_message(ui, ROLE_BAND_OK, _("Imported %zu certificates from %zu files."),
		           b.stored, np);
out:
	box_free(&b);
	fl_split_free(paths);
	return ret;
}

bool
ui_import_form(struct ui *ui)
{
	char file[1024] = "";
	char *pw = secmem_alloc(IMPORT_PW_MAX);
	bool ok;

	if (!pw) {
		ui_message(ui, ROLE_ALERT, "%s", pt_status_msg(PT_NOMEM));
		return false;
	}
	{
		struct ui_field f[2] = {
			{ _("File"), file, sizeof file, false,
			  _("PEM/DER/PKCS#7/#12; several: spaces apart, \\ for a space"),
			  UI_FILE_OPEN_MANY },
			{ _("Password"), pw, IMPORT_PW_MAX, true, _("only for a PKCS#12 file"),
			  UI_FILE_NONE },
		};

		ok = ui_form(ui, _("Import certificates"), f, 2, import_submit, NULL);
	}
	secmem_free(pw);
	return ok;
}
