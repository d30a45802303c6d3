/* ui-csr.c - a host's pending certificate request in the console: its
 * CSR shown (what it asks for, decoded by the core, then the PEM, in a
 * box that scrolls), written to a file for the CA (an existing file only
 * after asking) and cancelled after a confirmation.  The CSR is public;
 * the key it belongs to never leaves the store here. */
#include "config.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/i18n.h"
#include "base/lib.h"
#include "cert/lib.h"
#include "store/lib.h"
#include "ui/app.h"
#include "ui/lines.h"
#include "ui/csr.h"
#include "ui/dialog.h"
#include "ui/form.h"

#define LABEL "%-12s "
#define LABEL_W 13

void
ui_csr_show(struct ui *ui, const char *fqdn)
{
	struct x509_csr_facts f;
	struct lines l = { 0 };
	struct pt_err err = { 0 };
	char *csr = NULL, title[300];

	if (!ui->st || !fqdn)
		return;
	if (cert_request_csr(ui->st, fqdn, &csr, &err) != PT_OK ||
	    x509_csr_facts(csr, &f, &err) != PT_OK) {
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&err));
		free(csr);
		return;
	}
	lines_add(&l, LABEL "%s", _("Host:"), fqdn);
	lines_field(&l, LABEL_W - 1, _("Subject:"), f.subject_grid);
	for (size_t i = 0; i < f.nsans; i++)
		lines_add(&l, LABEL "%s", i == 0 ? _("Names:") : "", f.sans[i]);
	if (f.nsans == 0)
		lines_add(&l, LABEL "%s", _("Names:"), _("none"));
	if (f.key_known)
		lines_add(&l, LABEL "%s", _("Key type:"), x509_keytype_name(f.key_type));
	else
		lines_add(&l, LABEL "%s %u", _("Key type:"), f.key_algo, f.key_bits);
	lines_add(&l, LABEL "%s", _("Signature:"),
	          f.sig_ok ? _("verifies (the request is whole)") : _("does NOT verify"));
	lines_add(&l, "%s", "");
	lines_add(&l, "%s", _("w writes it to a file, C sends it, D on the list cancels it."));
	lines_add(&l, "%s", "");
	for (char *p = csr, *nl; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		lines_add(&l, "%.*s", nl ? (int)(nl - p) : (int)strlen(p), p);
	}
	snprintf(title, sizeof title, _("Certificate request of %s"), fqdn);
	ui_popup(ui, title, (const char *const *)l.v, l.n);
	lines_free(&l);
	x509_csr_facts_clear(&f);
	free(csr);
}

/* ---- written to a file ---- */

struct save_form {
	char host[256];
	char saved[1024];
};

static enum pt_status
save_tx(struct ui *ui, const char *fqdn, const char *path, bool overwrite, struct pt_err *err)
{
	enum pt_status ret = store_begin(ui->st, err);

	if (ret != PT_OK)
		return ret;
	ret = cert_request_save(ui->st, fqdn, path, overwrite, err);
	if (ret == PT_OK)
		return store_commit(ui->st, err);
	store_rollback(ui->st);
	return ret;
}

static int
save_submit(struct ui *ui, struct ui_field *f, size_t n, char *msg, size_t len, void *ud)
{
	struct save_form *sf = ud;
	struct pt_err err = { 0 };
	struct stat sb;
	bool overwrite = false;

	(void)n;
	for (char *p = f[0].buf; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (!f[0].buf[0]) {
		snprintf(msg, len, "%s", _("The host is required."));
		return 0;
	}
	if (!f[1].buf[0]) {
		snprintf(msg, len, "%s", _("Give the file to write the request to."));
		return 1;
	}
	if (stat(f[1].buf, &sb) == 0) {
		const char *l[2] = { f[1].buf, _("exists: its content would be lost.") };
		if (!dialog_ask(ui, _("The file exists"), l, 2, _("Write over it?"))) {
			snprintf(msg, len, "%s", _("Not written: give another file."));
			return 1;
		}
		overwrite = true;
	}
	if (save_tx(ui, f[0].buf, f[1].buf, overwrite, &err) != PT_OK) {
		snprintf(msg, len, _("Nothing was written: %s"), pt_err_text(&err));
		return err.status == PT_NOTFOUND && !strstr(pt_err_text(&err), f[1].buf) ? 0 : 1;
	}
	snprintf(sf->host, sizeof sf->host, "%s", f[0].buf);
	snprintf(sf->saved, sizeof sf->saved, "%s", f[1].buf);
	return -1;
}

bool
ui_csr_save_form(struct ui *ui, const char *fqdn)
{
	struct save_form sf = { 0 };
	char host[256] = "", file[1024] = "";
	bool ok;

	if (!ui->st)
		return false;
	if (fqdn) {
		snprintf(host, sizeof host, "%s", fqdn);
		snprintf(file, sizeof file, "%s.csr", fqdn);
	}
	struct ui_field f[2] = {
		{ _("Host"), host, sizeof host, false,
		  _("the host whose pending request is written"), UI_FILE_NONE },
		{ _("File"), file, sizeof file, false,
		  _("a new file, e.g. on removable media; the CSR is public"), UI_FILE_SAVE },
	};
	ok = ui_form(ui, _("Write a request to a file"), f, 2, save_submit, &sf);
	if (ok)
		ui_message(ui, ROLE_BAND_OK, _("Wrote the request of %s to %s."), sf.host,
		           sf.saved);
	return ok;
}

bool
ui_csr_cancel(struct ui *ui, const char *fqdn)
{
	struct pt_err err = { 0 };
	char l0[400];
	const char *l[2] = { l0, _("Its key stays in the store, unused; the cancel is audited.") };
	enum pt_status ret;

	if (!ui->st || !fqdn)
		return false;
	snprintf(l0, sizeof l0, _("The pending request of %s."), fqdn);
	if (!dialog_ask(ui, _("Cancel a request"), l, 2, _("Cancel it?"))) {
		ui_message(ui, ROLE_HINT, "%s", _("Cancelled nothing: the request stays."));
		return false;
	}
	if ((ret = store_begin(ui->st, &err)) == PT_OK) {
		if ((ret = cert_request_cancel(ui->st, fqdn, &err)) == PT_OK)
			ret = store_commit(ui->st, &err);
		else
			store_rollback(ui->st);
	}
	if (ret != PT_OK) {
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&err));
		return false;
	}
	ui_message(ui, ROLE_BAND_OK, _("Cancelled the request of %s."), fqdn);
	return true;
}
