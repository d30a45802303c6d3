/* flows.c - what moves through a window: a CSR to the operator, a
 * key/cert pair to the one host that owns it, issued certificates from
 * the operator.  Each flow has one setup that both its plan and its run
 * use (refusals become reasons of the plan); plan.c lists them. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/lib.h"
#include "cert/lib.h"
#include "site/lib.h"
#include "base/i18n.h"
#include "base/lib.h"
#include "engine/private.h"
#include "engine/transfer.h"

/* ---------------------------------------------------------------------
 * send-csr
 * ------------------------------------------------------------------- */

struct csr_job {
	char *pem;
	char *op;        /* the operator's host entry */
	char path[1100]; /* where the CSR goes on it */
};

static void
csr_job_free(struct csr_job *j)
{
	free(j->pem);
	free(j->op);
	memset(j, 0, sizeof(*j));
}

static enum pt_status
put_csr(struct sshx *s, void *ud, struct pt_err *err)
{
	struct csr_job *j = ud;

	return sshx_put(s, j->pem, strlen(j->pem), j->path, FLOW_MODE_PUBLIC, NULL, NULL, err);
}

static enum pt_status
pending_csr(struct store *st, const char *fqdn, char **pem, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*pem = NULL;
	rc = sqlite3_prepare_v2(
		store_db(st),
		"SELECT r.csr_pem FROM requests r JOIN hosts h ON h.id = r.host_id"
		" WHERE h.fqdn = ? AND r.state = 'pending' ORDER BY r.id DESC LIMIT 1",
		-1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, fqdn, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			*pem = strdup((const char *)sqlite3_column_text(s, 0));
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return pt_fail(err, PT_NOTFOUND,
		               _("no pending request for %s (passtore cert request %s)"), fqdn,
		               fqdn);
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, err, _("read the request"));
	return *pem ? PT_OK : pt_fail(err, PT_NOMEM, NULL);
}

/* What send-csr needs before any window: the operator, the pending CSR
 * and where it goes; its refusals are reasons in p. */
static enum pt_status
csr_setup(struct store *st, const char *fqdn, struct csr_job *j, struct transfer_plan *p,
          struct pt_err *err)
{
	char *inbox = NULL;
	struct pt_err e = { 0 };
	struct transfer_file *f;
	enum pt_status ret;

	if ((ret = plan_operator(st, p, &j->op, err)) != PT_OK ||
	    (ret = plan_setting(st, p, "operator.inbox", &inbox, err)) != PT_OK)
		goto out;
	ret = pending_csr(st, fqdn, &j->pem, &e);
	if ((ret = plan_take(p, ret, &e)) != PT_OK) {
		*err = e;
		goto out;
	}
	if (inbox)
		snprintf(j->path, sizeof(j->path), "%s/%s.csr.pem", inbox, fqdn);
	if (j->op && (ret = plan_peer(st, j->op, p, err)) != PT_OK)
		goto out;
	if ((f = plan_file(p)) != NULL) {
		snprintf(f->from, sizeof(f->from), _("the pending request of %s (CSR, public)"),
		         fqdn);
		snprintf(f->to, sizeof(f->to), "%s", j->path);
		f->mode = FLOW_MODE_PUBLIC;
		f->to_peer = true;
		f->size = j->pem ? strlen(j->pem) : 0;
	}
out:
	free(inbox);
	return ret;
}

enum pt_status
flow_send_csr_plan(struct store *st, const char *fqdn, struct transfer_plan *p, struct pt_err *err)
{
	struct csr_job j = { 0 };
	enum pt_status ret = csr_setup(st, fqdn, &j, p, err);

	csr_job_free(&j);
	return ret;
}

enum pt_status
flow_send_csr_run(struct store *st, const char *fqdn, const struct transfer_opts *o,
                  struct transfer_result *res, struct pt_err *err)
{
	struct transfer_plan *p = calloc(1, sizeof(*p));
	struct csr_job j = { 0 };
	enum pt_status ret;

	if (!p)
		return pt_fail(err, PT_NOMEM, NULL);
	ret = csr_setup(st, fqdn, &j, p, err);
	if (ret == PT_OK)
		ret = plan_verdict(p, err);
	free(p);
	if (ret != PT_OK)
		goto out;
	{
		struct transfer_req req = { .purpose = "send-csr",
			                    .host = j.op,
			                    .accept_hostkey = o->accept_hostkey,
			                    .fn = put_csr,
			                    .ud = &j,
			                    .progress = o->progress,
			                    .progress_ud = o->progress_ud };
		const char *path = j.path;

		req.put_paths = &path;
		req.nput = 1;
		ret = transfer_run(st, &req, res, err);
	}
	if (ret == PT_OK && (ret = store_begin(st, err)) == PT_OK) {
		ret = audit_appendf(st, "csr.send", fqdn, err, "to=%s:%s window=%lld", j.op, j.path,
		                    (long long)res->window_id);
		if (ret == PT_OK)
			ret = store_commit(st, err);
		else
			store_rollback(st);
	}
out:
	csr_job_free(&j);
	return ret;
}

enum pt_status
transfer_send_csr(struct store *st, const char *fqdn, const char *accept_hostkey,
                  struct transfer_result *res, struct pt_err *err)
{
	struct transfer_opts o = { .accept_hostkey = accept_hostkey };

	return transfer_flow(st, "send-csr", fqdn, &o, res, err);
}

/* ---------------------------------------------------------------------
 * install
 * ------------------------------------------------------------------- */

struct install_job {
	struct store *st;
	const struct transfer_result *res; /* its window_id, for the journal */
	struct install_profile prof;
	char *key_pem; /* secure memory */
	size_t key_len;
	char *cert_pem;
	char *chain_pem;     /* the CA's bundle, or NULL */
	char *fullchain_pem; /* certificate then chain, or NULL */
	bool has_ca;
	int64_t cert_id, host_id;
	char cert_sha256[65], key_id[97];
	char fqdn[256];
	/* what happened after the files were in place */
	struct pt_err reload_err; /* the reload failed: the files are in place all the same */
	enum { CHECK_NONE, CHECK_OK, CHECK_MISMATCH, CHECK_UNVERIFIED } check;
	char check_detail[512];
};

static void
install_job_free(struct install_job *j)
{
	secmem_free(j->key_pem);
	free(j->cert_pem);
	free(j->chain_pem);
	free(j->fullchain_pem);
	memset(j, 0, sizeof(*j));
}

static const char *
content_of(const struct install_job *j, enum profile_content c, size_t *len)
{
	const char *d = c == PROFILE_KEY     ? j->key_pem
	                : c == PROFILE_CERT  ? j->cert_pem
	                : c == PROFILE_CHAIN ? j->chain_pem
	                                     : j->fullchain_pem;

	*len = c == PROFILE_KEY ? j->key_len : d ? strlen(d) : 0;
	return d;
}

/* The reload, in the same session; its status and last lines go into the
 * journal whatever they are. */
static enum pt_status
run_reload(struct sshx *s, struct install_job *j, struct pt_err *err)
{
	char tail[SSHX_TAIL_TEXT];
	int status = -1;
	enum pt_status ret;

	ret = sshx_run(s, j->prof.reload, &status, tail, sizeof(tail), err);
	if (ret != PT_OK)
		return ret;
	ret = transfer_journal_step(j->st, j->res->window_id, "reload", status, tail, err);
	if (ret == PT_OK && status != 0)
		pt_fail(&j->reload_err, PT_ERR, _("\"%s\" on %s exited with status %d: %s"),
		        j->prof.reload, j->fqdn, status, tail);
	return ret;
}

/* Ask the host what it serves on 127.0.0.1:PORT (openssl s_client there,
 * input closed, bounded by timeout(1) where it exists and by the session's
 * deadline), and compare the leaf's SHA-256 with the installed one. */
static enum pt_status
run_check(struct sshx *s, struct install_job *j, struct pt_err *err)
{
	char cmd[1024], out[SSHX_RUN_TAIL], served[65] = "";
	struct x509_cert_list *list = NULL;
	struct pt_err perr = { 0 };
	bool name_ok = strspn(j->fqdn, "abcdefghijklmnopqrstuvwxyz0123456789.-") == strlen(j->fqdn);
	int status = -1, code;
	enum pt_status ret;

	snprintf(cmd, sizeof(cmd),
	         "if ! openssl version >/dev/null 2>&1; then echo passtore-no-openssl; exit 0; fi;"
	         " T=; if command -v timeout >/dev/null 2>&1; then T='timeout 10'; fi;"
	         " $T openssl s_client -connect 127.0.0.1:%d%s%s 2>&1 </dev/null |"
	         " sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p'",
	         j->prof.check_port, name_ok ? " -servername " : "", name_ok ? j->fqdn : "");
	if ((ret = sshx_run(s, cmd, &status, out, sizeof(out), err)) != PT_OK)
		return ret;
	if (strstr(out, "passtore-no-openssl")) {
		j->check = CHECK_UNVERIFIED;
		snprintf(j->check_detail, sizeof(j->check_detail),
		         _("not verified: %s has no openssl to ask port %d"), j->fqdn,
		         j->prof.check_port);
	} else if (x509_certs_parse((const unsigned char *)out, strlen(out), &list, &perr) !=
	           PT_OK) {
		j->check = CHECK_MISMATCH;
		snprintf(j->check_detail, sizeof(j->check_detail),
		         _("nothing on 127.0.0.1:%d of %s served a certificate"),
		         j->prof.check_port, j->fqdn);
	} else {
		for (int i = 0; i < 32; i++)
			snprintf(served + 2 * i, 3, "%02x", list->certs[0].sha256[i]);
		j->check = strcmp(served, j->cert_sha256) == 0 ? CHECK_OK : CHECK_MISMATCH;
		if (j->check == CHECK_OK)
			snprintf(j->check_detail, sizeof(j->check_detail),
			         _("127.0.0.1:%d serves the installed certificate (SHA-256 %s)"),
			         j->prof.check_port, served);
		else
			snprintf(
				j->check_detail, sizeof(j->check_detail),
				_("127.0.0.1:%d serves another certificate (SHA-256 %s, installed %s)"),
				j->prof.check_port, served, j->cert_sha256);
	}
	x509_cert_list_free(&list);
	code = j->check == CHECK_OK ? 0 : j->check == CHECK_MISMATCH ? 1 : 2;
	return transfer_journal_step(j->st, j->res->window_id, "check", code, j->check_detail, err);
}

/* Every file of the profile as one change (the key first: a host never
 * holds a certificate whose key it lacks), then the reload and the check
 * in the same session. */
static enum pt_status
put_profile(struct sshx *s, void *ud, struct pt_err *err)
{
	struct install_job *j = ud;
	struct sshx_file files[SSHX_PUT_MAX];
	size_t n = 0;
	enum pt_status ret;

	memset(files, 0, sizeof(files));
	for (size_t i = 0; i < j->prof.n && n < SSHX_PUT_MAX; i++, n++) {
		const struct profile_file *f = &j->prof.files[i];
		files[n].data = content_of(j, f->content, &files[n].len);
		files[n].path = f->path;
		files[n].mode = (mode_t)f->mode;
		files[n].owner = f->owner;
	}
	ret = sshx_put_files(s, files, n, err);
	if (ret == PT_OK && j->prof.reload[0])
		ret = run_reload(s, j, err);
	if (ret == PT_OK && j->prof.check_port)
		ret = run_check(s, j, err);
	return ret;
}

/* The host's current pair (and its CA's bundle, for a chain); with
 * material false only what describes it (a plan reads no key). */
static enum pt_status
load_pair(struct store *st, const char *fqdn, struct install_job *j, bool material,
          struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	gnutls_datum_t der, pem = { NULL, 0 };
	int rc;

	rc = sqlite3_prepare_v2(store_db(st),
	                        "SELECT c.id, c.host_id, d.der, c.sha256, k.key_id, k.key_pem,"
	                        " a.bundle_pem FROM certificates c JOIN hosts h ON h.id = c.host_id"
	                        " JOIN certificate_der d ON d.cert_id = c.id"
	                        " JOIN keys k ON k.id = c.key_ref AND k.host_id = c.host_id"
	                        " LEFT JOIN cas a ON a.id = c.ca_id"
	                        " WHERE h.fqdn = ? AND c.state = 'current'"
	                        " ORDER BY c.not_after DESC LIMIT 1",
	                        -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, fqdn, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
	}
	if (rc == SQLITE_ROW) {
		const void *kb = sqlite3_column_blob(s, 5);
		const char *bundle = (const char *)sqlite3_column_text(s, 6);
		j->cert_id = sqlite3_column_int64(s, 0);
		j->host_id = sqlite3_column_int64(s, 1);
		der.data = (unsigned char *)sqlite3_column_blob(s, 2);
		der.size = (unsigned)sqlite3_column_bytes(s, 2);
		snprintf(j->cert_sha256, sizeof(j->cert_sha256), "%s", sqlite3_column_text(s, 3));
		snprintf(j->key_id, sizeof(j->key_id), "%s", sqlite3_column_text(s, 4));
		j->has_ca = bundle != NULL;
		if (!material) {
			sqlite3_finalize(s);
			return PT_OK;
		}
		j->key_len = (size_t)sqlite3_column_bytes(s, 5);
		j->key_pem = secmem_alloc(j->key_len + 1);
		if (j->key_pem && kb)
			memcpy(j->key_pem, kb, j->key_len);
		if (gnutls_pem_base64_encode2("CERTIFICATE", &der, &pem) == 0) {
			j->cert_pem = strndup((const char *)pem.data, pem.size);
			gnutls_free(pem.data);
		}
		if (bundle && j->cert_pem) {
			j->chain_pem = strdup(bundle);
			if (asprintf(&j->fullchain_pem, "%s%s", j->cert_pem, bundle) < 0)
				j->fullchain_pem = NULL;
		}
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return pt_fail(err, PT_NOTFOUND,
		               _("%s has no current certificate with its key in the store"), fqdn);
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, err, _("read the key and certificate"));
	if (!j->key_pem || !j->cert_pem || (j->has_ca && (!j->chain_pem || !j->fullchain_pem)))
		return pt_fail(err, PT_NOMEM, NULL);
	return PT_OK;
}

/* Right before anything is sent: the key and the certificate read from the
 * store still belong together (promise 3, checked again). */
static enum pt_status
pair_matches(const struct install_job *j, const char *fqdn, struct pt_err *err)
{
	struct x509_cert_list *list = NULL;
	enum pt_status ret;

	ret = x509_certs_parse((const unsigned char *)j->cert_pem, strlen(j->cert_pem), &list, err);
	if (ret == PT_OK)
		ret = x509_key_matches_cert(j->key_pem, &list->certs[0], err);
	x509_cert_list_free(&list);
	if (ret != PT_OK)
		return pt_fail(
			err, ret == PT_MISMATCH ? PT_MISMATCH : ret,
			_("the stored key and certificate of %s do not match: nothing was sent "
		          "(%s)"),
			fqdn, err->detail);
	return PT_OK;
}

static enum pt_status
record_install(struct store *st, const char *fqdn, const struct install_job *j,
               const struct transfer_result *res, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	time_t now = time(NULL);
	enum pt_status ret;
	int rc;

	if ((ret = store_begin(st, err)) != PT_OK)
		return ret;
	rc = sqlite3_prepare_v2(store_db(st),
	                        "UPDATE certificates SET installed_at = ? WHERE id = ?", -1, &s,
	                        NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
		sqlite3_bind_int64(s, 2, j->cert_id);
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		rc = sqlite3_prepare_v2(
			store_db(st),
			"INSERT INTO installs (host_id, cert_id, window_id, cert_sha256, key_id,"
			" cert_path, key_path, installed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			-1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, j->host_id);
		sqlite3_bind_int64(s, 2, j->cert_id);
		sqlite3_bind_int64(s, 3, res->window_id);
		sqlite3_bind_text(s, 4, j->cert_sha256, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, j->key_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, j->prof.files[1].path, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 7, j->prof.files[0].path, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 8, (sqlite3_int64)now);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
	}
	if (rc != SQLITE_DONE) {
		ret = store_fail(st, rc, err, _("record the install"));
		store_rollback(st);
		return ret;
	}
	ret = audit_appendf(st, "cert.install", fqdn, err,
	                    "cert_sha256=%s key_id=%s window=%lld files=%zu check=%s",
	                    j->cert_sha256, j->key_id, (long long)res->window_id, j->prof.n,
	                    j->check == CHECK_OK           ? "ok"
	                    : j->check == CHECK_MISMATCH   ? "mismatch"
	                    : j->check == CHECK_UNVERIFIED ? "unverified"
	                                                   : "none");
	if (ret == PT_OK) {
		/* the private key left the store: a read of a secret, with who */
		char who[320];
		audit_who(who, sizeof who);
		ret = audit_appendf(st, AUDIT_READ_SECRET, fqdn, err,
		                    "install sent the private key key_id=%s, window=%lld, %s",
		                    j->key_id, (long long)res->window_id, who);
	}
	if (ret == PT_OK)
		return store_commit(st, err);
	store_rollback(st);
	return ret;
}

static void
install_files(const char *fqdn, const struct install_job *j, struct transfer_plan *p)
{
	for (size_t i = 0; i < j->prof.n; i++) {
		const struct profile_file *pf = &j->prof.files[i];
		struct transfer_file *f = plan_file(p);

		if (!f)
			break;
		if (pf->content == PROFILE_KEY)
			snprintf(f->from, sizeof(f->from),
			         _("the private key of %s (from the store)"), fqdn);
		else if (pf->content == PROFILE_CERT)
			snprintf(f->from, sizeof(f->from),
			         _("the current certificate of %s (from the store)"), fqdn);
		else if (pf->content == PROFILE_CHAIN)
			snprintf(f->from, sizeof(f->from),
			         _("the CA chain of %s (its CA's bundle)"), fqdn);
		else
			snprintf(f->from, sizeof(f->from),
			         _("the full chain of %s (certificate and its CA's bundle)"), fqdn);
		if (pf->copy && strlen(f->from) + 16 < sizeof(f->from))
			strcat(f->from, _(", a copy"));
		snprintf(f->to, sizeof(f->to), "%s", pf->path);
		snprintf(f->owner, sizeof(f->owner), "%s", pf->owner);
		f->mode = (int)pf->mode;
		f->to_peer = true;
	}
	snprintf(p->after, sizeof(p->after), "%.*s", (int)sizeof(p->after) - 1, j->prof.reload);
	if (j->prof.check_port)
		snprintf(p->note, sizeof(p->note),
		         _("Afterwards the certificate served on 127.0.0.1:%d of the host is "
		           "compared with the installed one."),
		         j->prof.check_port);
}

/* What install needs before any window: the pair, the profile and where
 * it goes (the peer is the key's own host: nothing else is ever a
 * target). */
static enum pt_status
install_setup(struct store *st, const char *fqdn, struct install_job *j, bool material,
              struct transfer_plan *p, struct pt_err *err)
{
	struct pt_err e = { 0 };
	enum pt_status ret;

	j->st = st;
	snprintf(j->fqdn, sizeof(j->fqdn), "%s", fqdn);
	ret = load_pair(st, fqdn, j, material, &e);
	if ((ret = plan_take(p, ret, &e)) != PT_OK) {
		*err = e;
		return ret;
	}
	ret = profile_get(st, fqdn, &j->prof, &e);
	if ((ret = plan_take(p, ret, &e)) != PT_OK) {
		*err = e;
		return ret;
	}
	/* a private key readable by every account is never what a site meant */
	for (size_t i = 0; i < j->prof.n; i++)
		if (j->prof.files[i].content == PROFILE_KEY && (j->prof.files[i].mode & 0007))
			plan_why(p, PT_REFUSED,
			         _("the private key of %s would be open to every account at %s "
			           "(mode %04o): give it no rights for others"),
			         fqdn, j->prof.files[i].path, j->prof.files[i].mode);
	if (j->prof.needs_chain && j->cert_id && !j->has_ca)
		plan_why(p, PT_NOTFOUND,
		         _("the profile of %s has a chain file, but no stored CA issued its "
		           "certificate"),
		         fqdn);
	if ((ret = plan_peer(st, fqdn, p, err)) != PT_OK)
		return ret;
	install_files(fqdn, j, p);
	return PT_OK;
}

enum pt_status
flow_install_plan(struct store *st, const char *fqdn, struct transfer_plan *p, struct pt_err *err)
{
	struct install_job *j = calloc(1, sizeof(*j));
	enum pt_status ret;

	if (!j)
		return pt_fail(err, PT_NOMEM, NULL);
	ret = install_setup(st, fqdn, j, false, p, err);
	install_job_free(j);
	free(j);
	return ret;
}

/* After the window: the record, then what the reload and the check said. */
static enum pt_status
install_verdict(struct store *st, const char *fqdn, struct install_job *j,
                const struct transfer_result *res, struct pt_err *err)
{
	enum pt_status ret = record_install(st, fqdn, j, res, err);

	if (ret == PT_OK && j->reload_err.status != PT_OK)
		ret = pt_fail(
			err, j->reload_err.status,
			_("the key and certificate are installed on %s, but the reload command failed: %s"),
			fqdn, j->reload_err.detail);
	if (ret == PT_OK && j->check == CHECK_MISMATCH)
		ret = pt_fail(err, PT_MISMATCH,
		              _("the files are installed on %s, but the served certificate is not "
		                "the installed one: %s"),
		              fqdn, j->check_detail);
	return ret;
}

enum pt_status
flow_install_run(struct store *st, const char *fqdn, const struct transfer_opts *o,
                 struct transfer_result *res, struct pt_err *err)
{
	struct transfer_plan *p = calloc(1, sizeof(*p));
	struct install_job *j = calloc(1, sizeof(*j));
	enum pt_status ret;

	if (!p || !j) {
		free(p);
		free(j);
		return pt_fail(err, PT_NOMEM, NULL);
	}
	ret = install_setup(st, fqdn, j, true, p, err);
	if (ret == PT_OK)
		ret = plan_verdict(p, err);
	free(p);
	if (ret == PT_OK)
		ret = pair_matches(j, fqdn, err);
	if (ret != PT_OK)
		goto out;
	j->res = res;
	{
		/* the peer is the key's own host: nothing else is ever a target */
		struct transfer_req req = { .purpose = "install",
			                    .host = fqdn,
			                    .accept_hostkey = o->accept_hostkey,
			                    .fn = put_profile,
			                    .ud = j,
			                    .progress = o->progress,
			                    .progress_ud = o->progress_ud };
		const char *paths[SSHX_PUT_MAX];

		for (size_t i = 0; i < j->prof.n && i < SSHX_PUT_MAX; i++)
			paths[req.nput++] = j->prof.files[i].path;
		req.put_paths = paths;
		ret = transfer_run(st, &req, res, err);
	}
	if (ret == PT_OK)
		ret = install_verdict(st, fqdn, j, res, err);
	if (o->install_check)
		snprintf(o->install_check, 512, "%s", j->check_detail);
out:
	install_job_free(j);
	free(j);
	return ret;
}

enum pt_status
transfer_install(struct store *st, const char *fqdn, const char *accept_hostkey,
                 struct transfer_result *res, struct pt_err *err)
{
	struct transfer_opts o = { .accept_hostkey = accept_hostkey };

	return transfer_flow(st, "install", fqdn, &o, res, err);
}

/* ---------------------------------------------------------------------
 * Fetching from the operator's outbox (fetch-certs, fetch-crl): in the
 * window, list the outbox and take the files of the kind's names not
 * seen before (by SHA-256, in the table fetched); with the window
 * closed, each file is imported on its own by the kind.
 * ------------------------------------------------------------------- */

struct outbox_job {
	struct store *st;
	const struct outbox_kind *kind;
	char *outbox;
	struct fetched_file *files;
	size_t n;
};

static enum pt_status
already_fetched(struct store *st, const char *sha256, bool *seen, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(store_db(st), "SELECT 1 FROM fetched WHERE sha256 = ?", -1, &s,
	                            NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, sha256, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	*seen = rc == SQLITE_ROW;
	return rc == SQLITE_ROW || rc == SQLITE_DONE
	               ? PT_OK
	               : store_fail(st, rc, err, _("read the fetch record"));
}

static void
hex_sha256(const void *data, size_t len, char out[65])
{
	unsigned char dig[32];

	gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, dig);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", dig[i]);
}

/* Inside the window: list, then take what is new; nothing is imported
 * while the rules are in. */
static enum pt_status
get_new_files(struct sshx *s, void *ud, struct pt_err *err)
{
	struct outbox_job *j = ud;
	const struct outbox_kind *k = j->kind;
	struct sshx_entry *ents = NULL;
	enum pt_status ret;
	size_t n = 0;

	ret = sshx_list(s, j->outbox, &ents, &n, err);
	if (ret != PT_OK)
		return ret;
	j->files = calloc(n ? n : 1, sizeof(*j->files));
	if (!j->files) {
		sshx_list_free(&ents, n);
		return pt_fail(err, PT_NOMEM, NULL);
	}
	for (size_t i = 0; i < n && j->n < k->max_files && ret == PT_OK; i++) {
		struct fetched_file *f = &j->files[j->n];
		char path[2048];
		bool seen = false;

		if (!k->wanted(ents[i].name) || ents[i].size > k->max_bytes)
			continue;
		snprintf(path, sizeof(path), "%s/%s", j->outbox, ents[i].name);
		ret = sshx_get(s, path, &f->data, &f->len, k->max_bytes, err);
		if (ret != PT_OK)
			break;
		hex_sha256(f->data, f->len, f->sha256);
		ret = already_fetched(j->st, f->sha256, &seen, err);
		if (ret != PT_OK || seen) {
			secmem_freep(&f->data);
			continue;
		}
		f->name = strdup(ents[i].name);
		j->n++;
	}
	sshx_list_free(&ents, n);
	return ret;
}

enum pt_status
outbox_record(struct store *st, const struct fetched_file *f, int64_t window, int stored,
              bool refused, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(
		store_db(st),
		"INSERT INTO fetched (name, sha256, window_id, fetched_at, stored, refused)"
		" VALUES (?, ?, ?, ?, ?, ?)",
		-1, &s, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, f->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, f->sha256, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, window);
		sqlite3_bind_int64(s, 4, (sqlite3_int64)time(NULL));
		sqlite3_bind_int(s, 5, stored);
		sqlite3_bind_int(s, 6, refused);
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("record the fetched file"));
}

/* What a fetch needs before any window: the operator and its outbox. */
static enum pt_status
outbox_setup(struct store *st, char **op, struct outbox_job *j, struct transfer_plan *p,
             struct pt_err *err)
{
	struct transfer_file *f;
	enum pt_status ret;

	if ((ret = plan_operator(st, p, op, err)) != PT_OK ||
	    (ret = plan_setting(st, p, "operator.outbox", &j->outbox, err)) != PT_OK)
		return ret;
	if (*op && (ret = plan_peer(st, *op, p, err)) != PT_OK)
		return ret;
	if ((f = plan_file(p)) != NULL) {
		snprintf(f->from, sizeof(f->from), "%s/%s", j->outbox ? j->outbox : "",
		         j->kind->names);
		snprintf(f->to, sizeof(f->to), "%s", _(j->kind->to));
		f->to_peer = false;
	}
	return PT_OK;
}

enum pt_status
outbox_fetch_plan(struct store *st, const struct outbox_kind *k, struct transfer_plan *p,
                  struct pt_err *err)
{
	struct outbox_job j = { .st = st, .kind = k };
	char *op = NULL;
	enum pt_status ret;

	ret = outbox_setup(st, &op, &j, p, err);
	free(j.outbox);
	free(op);
	return ret;
}

enum pt_status
outbox_fetch_run(struct store *st, const struct outbox_kind *k, const struct transfer_opts *o,
                 struct transfer_result *res, struct pt_err *err)
{
	struct transfer_plan *p = calloc(1, sizeof(*p));
	struct outbox_job j = { .st = st, .kind = k };
	char *op = NULL, why[512];
	enum pt_status ret;

	if (!p)
		return pt_fail(err, PT_NOMEM, NULL);
	ret = outbox_setup(st, &op, &j, p, err);
	if (ret == PT_OK)
		ret = plan_verdict(p, err);
	free(p);
	if (ret != PT_OK)
		goto out;
	{
		struct transfer_req req = { .purpose = k->purpose,
			                    .host = op,
			                    .accept_hostkey = o->accept_hostkey,
			                    .fn = get_new_files,
			                    .ud = &j,
			                    .progress = o->progress,
			                    .progress_ud = o->progress_ud };
		ret = transfer_run(st, &req, res, err);
	}
	/* the window is closed: now the files are only data */
	for (size_t i = 0; ret == PT_OK && i < j.n; i++) {
		struct fetch_report r = { .name = j.files[i].name, .why = why };
		ret = k->import(st, &j.files[i], res->window_id, o, &r, why, sizeof(why), err);
		if (ret == PT_OK && o->fetched)
			o->fetched(&r, o->fetched_ud);
	}
out:
	for (size_t i = 0; i < j.n; i++) {
		free(j.files[i].name);
		secmem_free(j.files[i].data);
	}
	free(j.files);
	free(j.outbox);
	free(op);
	return ret;
}

/* ---------------------------------------------------------------------
 * fetch-certs
 * ------------------------------------------------------------------- */

static bool
cert_file_name(const char *name)
{
	/* the names pick what to fetch; what a file holds is read from it */
	static const char *const ext[] = { ".pem", ".crt", ".cer", ".der",
		                           ".p7b", ".p7c", ".p12", ".pfx" };
	size_t n = strlen(name);

	if (name[0] == '.')
		return false; /* our own temp files, and hidden ones */
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (n > 4 && strcmp(name + n - 4, ext[i]) == 0)
			return true;
	return false;
}

/* What a file's certificates became; the first refusal is the reason. */
struct fetch_count {
	struct fetch_report *r;
	struct pt_err *e;
};

static void
fetch_item(const struct cert_batch_item *it, void *ud)
{
	struct fetch_count *fc = ud;

	if (it->chain) {
		fc->r->ca_added += it->chain_outcome == CERT_CHAIN_ADDED;
		fc->r->ca_unknown += it->chain_outcome == CERT_CHAIN_NO_CA;
		return;
	}
	fc->r->stored += it->outcome == CERT_STORED;
	fc->r->older += it->outcome == CERT_STORED_OLDER || it->outcome == CERT_STORED_EARLIER;
	fc->r->duplicates += it->outcome == CERT_DUPLICATE;
	if (it->outcome == CERT_NO_KEY && fc->e->status == PT_OK)
		pt_fail(fc->e, PT_MISMATCH, "%s", it->why);
}

/* The certificates of one fetched file.  A PKCS#12 file is tried with
 * no password first; one that needs a password is asked for through
 * o->p12_password, after the window (the CLI reads --password-fd, the
 * console asks), else refused.  PT_REFUSED in e: a wrong password. */
static enum pt_status
fetched_parse(const struct fetched_file *f, const struct transfer_opts *o,
              struct x509_cert_list **list, struct pt_err *e)
{
	bool p12 = x509_is_pkcs12(f->data, f->len);
	char *pw = NULL;
	enum pt_status st;

	st = x509_delivery_parse(f->data, f->len, p12 ? "" : NULL, NULL, list, NULL, NULL, e);
	if (st != PT_REFUSED || !p12 || !o || !o->p12_password)
		return st;
	if (!o->p12_password(f->name, &pw, o->p12_ud) || !pw)
		return st; /* none given: the refusal stands */
	memset(e, 0, sizeof(*e));
	st = x509_delivery_parse(f->data, f->len, pw, NULL, list, NULL, NULL, e);
	secmem_free(pw);
	return st;
}

/* One file's certificates in the open transaction, with the chain rule of
 * cert import. */
static enum pt_status
import_certs(struct store *st, const struct fetched_file *f, const struct transfer_opts *o,
             struct fetch_report *r, struct pt_err *e, struct pt_err *err)
{
	struct x509_cert_list *list = NULL;
	struct cert_batch *b = NULL;
	struct fetch_count fc = { r, e };
	enum pt_status ret = PT_OK;

	if (fetched_parse(f, o, &list, e) != PT_OK) {
		r->retry = e->status == PT_REFUSED && x509_is_pkcs12(f->data, f->len);
		return PT_OK;
	}
	if ((ret = cert_batch_new(st, &b, err)) == PT_OK &&
	    (ret = cert_batch_import(b, list, fetch_item, &fc, NULL, e)) != PT_OK)
		*err = *e;
	cert_batch_free(&b);
	x509_cert_list_free(&list);
	return ret;
}

/* One file, one transaction: all its certificates, or none of them. */
static enum pt_status
import_cert_file(struct store *st, const struct fetched_file *f, int64_t window,
                 const struct transfer_opts *o, struct fetch_report *r, char *why, size_t whylen,
                 struct pt_err *err)
{
	struct pt_err e = { 0 };
	enum pt_status ret;

	*why = '\0';
	if ((ret = store_begin(st, err)) != PT_OK)
		return ret;
	if ((ret = import_certs(st, f, o, r, &e, err)) != PT_OK) {
		store_rollback(st);
		return ret;
	}
	if (e.status != PT_OK) {
		/* the file's certificates go back; that it was seen stays */
		store_rollback(st);
		r->refused = true;
		r->stored = r->older = r->duplicates = r->ca_added = r->ca_unknown = 0;
		snprintf(why, whylen, "%s", e.detail);
		if ((ret = store_begin(st, err)) != PT_OK)
			return ret;
	}
	/* a file that wants its password is not seen yet: the next fetch,
	 * given the password, takes it again */
	ret = r->retry ? PT_OK
	               : outbox_record(st, f, window, r->stored + r->older, r->refused, err);
	if (ret == PT_OK)
		ret = audit_appendf(st, "cert.fetch", f->name, err,
		                    "sha256=%s stored=%d refused=%d%s window=%lld", f->sha256,
		                    r->stored + r->older, r->refused,
		                    r->retry ? " retry=password" : "", (long long)window);
	if (ret == PT_OK)
		return store_commit(st, err);
	store_rollback(st);
	return ret;
}

static const struct outbox_kind fetch_certs_kind = {
	.purpose = "fetch-certs",
	.wanted = cert_file_name,
	.max_files = 200,
	.max_bytes = 256 * 1024,
	.names = "*.pem *.crt *.cer *.der *.p7b *.p7c *.p12 *.pfx",
	.to = N_("the store, after the window: only certificates whose key is stored"),
	.import = import_cert_file,
};

enum pt_status
flow_fetch_certs_plan(struct store *st, const char *target, struct transfer_plan *p,
                      struct pt_err *err)
{
	(void)target;
	return outbox_fetch_plan(st, &fetch_certs_kind, p, err);
}

enum pt_status
flow_fetch_certs_run(struct store *st, const char *target, const struct transfer_opts *o,
                     struct transfer_result *res, struct pt_err *err)
{
	(void)target;
	return outbox_fetch_run(st, &fetch_certs_kind, o, res, err);
}

enum pt_status
transfer_fetch_certs(struct store *st, const char *accept_hostkey,
                     void (*cb)(const struct fetch_report *r, void *ud),
                     bool (*p12)(const char *file, char **pw, void *ud), void *ud,
                     struct transfer_result *res, struct pt_err *err)
{
	struct transfer_opts o = { .accept_hostkey = accept_hostkey,
		                   .fetched = cb,
		                   .fetched_ud = ud,
		                   .p12_password = p12,
		                   .p12_ud = ud };

	return transfer_flow(st, "fetch-certs", NULL, &o, res, err);
}
