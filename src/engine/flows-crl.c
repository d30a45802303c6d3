/* flows-crl.c - the fetch-crl flow: the CRLs the operator puts in its
 * outbox (NAME.crl, or HASH.r0 as the IGTF's fetch-crl names them) are
 * brought in through one window, then, with the window closed, each is
 * imported on its own (crl_import: verified against its issuer among the
 * stored CAs and trust anchors).  A file seen before (by SHA-256, in the
 * table fetch-certs keeps) is not taken again. */
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

#include "base/i18n.h"
#include "base/lib.h"
#include "cert/lib.h"
#include "engine/private.h"
#include "engine/transfer.h"
#include "store/lib.h"

#define CRL_FETCH_MAX_FILES 200
#define CRL_FETCH_MAX_BYTES (16 * 1024 * 1024)

struct crl_file {
	char *name;
	void *data; /* secure memory (sshx_get) */
	size_t len;
	char sha256[65];
};

struct crl_job {
	struct store *st;
	char *outbox;
	struct crl_file *files;
	size_t n;
};

/* NAME.crl, NAME.crl.pem, HASH.r0 .. HASH.r9; never a hidden file. */
static bool
crl_file_name(const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '.')
		return false;
	if ((n > 4 && strcmp(name + n - 4, ".crl") == 0) ||
	    (n > 8 && strcmp(name + n - 8, ".crl.pem") == 0))
		return true;
	return n > 3 && name[n - 3] == '.' && name[n - 2] == 'r' && name[n - 1] >= '0' &&
	       name[n - 1] <= '9';
}

static void
hex_sha256(const void *data, size_t len, char out[65])
{
	unsigned char dig[32];

	gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, dig);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", dig[i]);
}

static enum pt_status
seen_before(struct store *st, const char *sha256, bool *seen, struct pt_err *err)
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

/* Inside the window: list, then take what is new; nothing is imported
 * while the rules are in. */
static enum pt_status
get_new_crls(struct sshx *s, void *ud, struct pt_err *err)
{
	struct crl_job *j = ud;
	struct sshx_entry *ents = NULL;
	enum pt_status ret;
	size_t n = 0;

	if ((ret = sshx_list(s, j->outbox, &ents, &n, err)) != PT_OK)
		return ret;
	if (!(j->files = calloc(n ? n : 1, sizeof(*j->files)))) {
		sshx_list_free(&ents, n);
		return pt_fail(err, PT_NOMEM, NULL);
	}
	for (size_t i = 0; i < n && j->n < CRL_FETCH_MAX_FILES && ret == PT_OK; i++) {
		struct crl_file *f = &j->files[j->n];
		char path[2048];
		bool seen = false;

		if (!crl_file_name(ents[i].name) || ents[i].size > CRL_FETCH_MAX_BYTES)
			continue;
		snprintf(path, sizeof(path), "%s/%s", j->outbox, ents[i].name);
		if ((ret = sshx_get(s, path, &f->data, &f->len, CRL_FETCH_MAX_BYTES, err)) != PT_OK)
			break;
		hex_sha256(f->data, f->len, f->sha256);
		ret = seen_before(j->st, f->sha256, &seen, err);
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

static enum pt_status
record(struct store *st, const struct crl_file *f, int64_t window, int stored, bool refused,
       struct pt_err *err)
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

static int
count_crl(const struct crl_info *c, void *ud)
{
	(void)c;
	(*(int *)ud)++;
	return 0;
}

/* One file, one transaction: all its CRLs, or none of them. */
static enum pt_status
import_crl_file(struct store *st, const struct crl_file *f, int64_t window, struct fetch_report *r,
                char *why, size_t whylen, struct pt_err *err)
{
	struct pt_err e = { 0 };
	enum pt_status ret;

	*why = '\0';
	if ((ret = store_begin(st, err)) != PT_OK)
		return ret;
	if (crl_import(st, f->name, f->data, f->len, time(NULL), count_crl, &r->stored, &e) !=
	    PT_OK) {
		/* the file's CRLs go back; that it was seen stays */
		store_rollback(st);
		r->refused = true;
		r->stored = 0;
		snprintf(why, whylen, "%s", e.detail);
		if ((ret = store_begin(st, err)) != PT_OK)
			return ret;
	}
	ret = record(st, f, window, r->stored, r->refused, err);
	if (ret == PT_OK)
		ret = audit_appendf(st, "crl.fetch", f->name, err,
		                    "sha256=%s stored=%d refused=%d window=%lld", f->sha256,
		                    r->stored, r->refused, (long long)window);
	if (ret == PT_OK)
		return store_commit(st, err);
	store_rollback(st);
	return ret;
}

/* What fetch-crl needs before any window: the operator and its outbox. */
static enum pt_status
crl_setup(struct store *st, char **op, struct crl_job *j, struct transfer_plan *p,
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
		snprintf(f->from, sizeof(f->from), "%s/*.crl *.r0", j->outbox ? j->outbox : "");
		snprintf(f->to, sizeof(f->to), "%s",
		         _("the store, after the window: only CRLs signed by their stored issuer"));
		f->to_peer = false;
	}
	return PT_OK;
}

enum pt_status
flow_fetch_crl_plan(struct store *st, const char *target, struct transfer_plan *p,
                    struct pt_err *err)
{
	struct crl_job j = { .st = st };
	char *op = NULL;
	enum pt_status ret;

	(void)target;
	ret = crl_setup(st, &op, &j, p, err);
	free(j.outbox);
	free(op);
	return ret;
}

enum pt_status
flow_fetch_crl_run(struct store *st, const char *target, const struct transfer_opts *o,
                   struct transfer_result *res, struct pt_err *err)
{
	struct transfer_plan *p = calloc(1, sizeof(*p));
	struct crl_job j = { .st = st };
	char *op = NULL, why[512];
	enum pt_status ret;

	(void)target;
	if (!p)
		return pt_fail(err, PT_NOMEM, NULL);
	ret = crl_setup(st, &op, &j, p, err);
	if (ret == PT_OK)
		ret = plan_verdict(p, err);
	free(p);
	if (ret != PT_OK)
		goto out;
	{
		struct transfer_req req = { "fetch-crl",   op, o->accept_hostkey,
			                    get_new_crls,  &j, o->progress,
			                    o->progress_ud };
		ret = transfer_run(st, &req, res, err);
	}
	/* the window is closed: now the files are only data */
	for (size_t i = 0; ret == PT_OK && i < j.n; i++) {
		struct fetch_report r = { .name = j.files[i].name, .why = why };

		ret = import_crl_file(st, &j.files[i], res->window_id, &r, why, sizeof(why), err);
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

enum pt_status
transfer_fetch_crl(struct store *st, const char *accept_hostkey,
                   void (*cb)(const struct fetch_report *r, void *ud), void *ud,
                   struct transfer_result *res, struct pt_err *err)
{
	struct transfer_opts o = { .accept_hostkey = accept_hostkey,
		                   .fetched = cb,
		                   .fetched_ud = ud };

	return transfer_flow(st, "fetch-crl", NULL, &o, res, err);
}
