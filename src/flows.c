/* flows.c - what moves through a window: a CSR to the operator, a
 * key/cert pair to the one host that owns it. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "i18n.h"
#include "secmem.h"
#include "settings.h"
#include "transfer.h"

/* ---------------------------------------------------------------------
 * send-csr
 * ------------------------------------------------------------------- */

struct csr_job {
	char *pem;
	char path[1100];
};

static enum pt_status
put_csr(struct sshx *s, void *ud, struct pt_err *err)
{
	struct csr_job *j = ud;

	return sshx_put(s, j->pem, strlen(j->pem), j->path, 0644, NULL, NULL, err);
}

static enum pt_status
pending_csr(struct store *st, const char *fqdn, char **pem, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*pem = NULL;
	rc = sqlite3_prepare_v2(store_db(st),
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
		               _("no pending request for %s (passtore cert request %s)"), fqdn, fqdn);
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, err, _("read the request"));
	return *pem ? PT_OK : pt_fail(err, PT_NOMEM, NULL);
}

enum pt_status
transfer_send_csr(struct store *st, const char *fqdn, const char *accept_hostkey,
                  struct transfer_result *res, struct pt_err *err)
{
	struct csr_job j = { 0 };
	char *op = NULL, *inbox = NULL;
	enum pt_status ret;

	if ((ret = settings_get(st, "operator.host", &op, err)) != PT_OK ||
	    (ret = settings_get(st, "operator.inbox", &inbox, err)) != PT_OK)
		goto out;
	if (!op) {
		ret = pt_fail(err, PT_REFUSED,
		              _("no operator host is configured (passtore config set operator.host FQDN)"));
		goto out;
	}
	if ((ret = pending_csr(st, fqdn, &j.pem, err)) != PT_OK)
		goto out;
	snprintf(j.path, sizeof(j.path), "%s/%s.csr.pem", inbox, fqdn);
	{
		struct transfer_req req = { "send-csr", op, accept_hostkey, put_csr, &j };
		ret = transfer_run(st, &req, res, err);
	}
	if (ret == PT_OK && (ret = store_begin(st, err)) == PT_OK) {
		ret = audit_appendf(st, "csr.send", fqdn, err, "to=%s:%s window=%lld", op, j.path,
		                    (long long)res->window_id);
		if (ret == PT_OK)
			ret = store_commit(st, err);
		else
			store_rollback(st);
	}
out:
	free(j.pem);
	free(op);
	free(inbox);
	return ret;
}

/* ---------------------------------------------------------------------
 * install
 * ------------------------------------------------------------------- */

struct install_job {
	char *key_pem;    /* secure memory */
	size_t key_len;
	char *cert_pem;
	int64_t cert_id, host_id;
	char cert_sha256[65], key_id[97];
	char *cert_path, *key_path, *owner;
};

static void
install_job_free(struct install_job *j)
{
	secmem_free(j->key_pem);
	free(j->cert_pem);
	free(j->cert_path);
	free(j->key_path);
	free(j->owner);
	memset(j, 0, sizeof(*j));
}

/* The key first: a host never holds a certificate whose key it lacks. */
static enum pt_status
put_pair(struct sshx *s, void *ud, struct pt_err *err)
{
	struct install_job *j = ud;
	enum pt_status ret;

	ret = sshx_put(s, j->key_pem, j->key_len, j->key_path, 0400, j->owner, NULL, err);
	if (ret == PT_OK)
		ret = sshx_put(s, j->cert_pem, strlen(j->cert_pem), j->cert_path, 0644, j->owner, NULL, err);
	return ret;
}

static enum pt_status
load_pair(struct store *st, const char *fqdn, struct install_job *j, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	gnutls_datum_t der, pem = { NULL, 0 };
	int rc;

	rc = sqlite3_prepare_v2(store_db(st),
	                        "SELECT c.id, c.host_id, d.der, c.sha256, k.key_id, k.key_pem"
	                        " FROM certificates c JOIN hosts h ON h.id = c.host_id"
	                        " JOIN certificate_der d ON d.cert_id = c.id"
	                        " JOIN keys k ON k.id = c.key_ref AND k.host_id = c.host_id"
	                        " WHERE h.fqdn = ? AND c.state = 'current'"
	                        " ORDER BY c.not_after DESC LIMIT 1",
	                        -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, fqdn, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
	}
	if (rc == SQLITE_ROW) {
		const void *kb = sqlite3_column_blob(s, 5);
		j->cert_id = sqlite3_column_int64(s, 0);
		j->host_id = sqlite3_column_int64(s, 1);
		der.data = (unsigned char *)sqlite3_column_blob(s, 2);
		der.size = (unsigned)sqlite3_column_bytes(s, 2);
		snprintf(j->cert_sha256, sizeof(j->cert_sha256), "%s", sqlite3_column_text(s, 3));
		snprintf(j->key_id, sizeof(j->key_id), "%s", sqlite3_column_text(s, 4));
		j->key_len = (size_t)sqlite3_column_bytes(s, 5);
		j->key_pem = secmem_alloc(j->key_len + 1);
		if (j->key_pem && kb)
			memcpy(j->key_pem, kb, j->key_len);
		if (gnutls_pem_base64_encode2("CERTIFICATE", &der, &pem) == 0) {
			j->cert_pem = strndup((const char *)pem.data, pem.size);
			gnutls_free(pem.data);
		}
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return pt_fail(err, PT_NOTFOUND,
		               _("%s has no current certificate with its key in the store"), fqdn);
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, err, _("read the key and certificate"));
	if (!j->key_pem || !j->cert_pem)
		return pt_fail(err, PT_NOMEM, NULL);
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
	rc = sqlite3_prepare_v2(store_db(st), "UPDATE certificates SET installed_at = ? WHERE id = ?", -1,
	                        &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
		sqlite3_bind_int64(s, 2, j->cert_id);
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		rc = sqlite3_prepare_v2(store_db(st),
		                        "INSERT INTO installs (host_id, cert_id, window_id, cert_sha256, key_id,"
		                        " cert_path, key_path, installed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		                        -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, j->host_id);
		sqlite3_bind_int64(s, 2, j->cert_id);
		sqlite3_bind_int64(s, 3, res->window_id);
		sqlite3_bind_text(s, 4, j->cert_sha256, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, j->key_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, j->cert_path, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 7, j->key_path, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 8, (sqlite3_int64)now);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
	}
	if (rc != SQLITE_DONE) {
		ret = store_fail(st, rc, err, _("record the install"));
		store_rollback(st);
		return ret;
	}
	ret = audit_appendf(st, "cert.install", fqdn, err, "cert_sha256=%s key_id=%s window=%lld",
	                    j->cert_sha256, j->key_id, (long long)res->window_id);
	if (ret == PT_OK)
		return store_commit(st, err);
	store_rollback(st);
	return ret;
}

static enum pt_status
host_path(struct store *st, const char *fqdn, const char *what, char **v, struct pt_err *err)
{
	char key[320];

	snprintf(key, sizeof(key), "host.%s.%s", fqdn, what);
	return settings_get(st, key, v, err);
}

enum pt_status
transfer_install(struct store *st, const char *fqdn, const char *accept_hostkey,
                 struct transfer_result *res, struct pt_err *err)
{
	struct install_job j = { 0 };
	enum pt_status ret;

	if ((ret = load_pair(st, fqdn, &j, err)) != PT_OK ||
	    (ret = host_path(st, fqdn, "cert-path", &j.cert_path, err)) != PT_OK ||
	    (ret = host_path(st, fqdn, "key-path", &j.key_path, err)) != PT_OK ||
	    (ret = host_path(st, fqdn, "owner", &j.owner, err)) != PT_OK)
		goto out;
	{
		/* the peer is the key's own host: nothing else is ever a target */
		struct transfer_req req = { "install", fqdn, accept_hostkey, put_pair, &j };
		ret = transfer_run(st, &req, res, err);
	}
	if (ret == PT_OK)
		ret = record_install(st, fqdn, &j, res, err);
out:
	install_job_free(&j);
	return ret;
}
