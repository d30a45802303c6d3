/* flows-crl.c - the fetch-crl flow: the CRLs the operator puts in its
 * outbox (NAME.crl, or HASH.r0 as the IGTF's fetch-crl names them) are
 * brought in through one window, then, with the window closed, each is
 * imported on its own (crl_import: verified against its issuer among the
 * stored CAs and trust anchors).  The window, the files seen before and
 * their record are the outbox fetch's of flows.c, as for fetch-certs. */
#include "config.h"

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

static int
count_crl(const struct crl_info *c, void *ud)
{
	(void)c;
	(*(int *)ud)++;
	return 0;
}

/* One file, one transaction: all its CRLs, or none of them. */
static enum pt_status
import_crl_file(struct store *st, const struct fetched_file *f, int64_t window,
                const struct transfer_opts *o, struct fetch_report *r, char *why, size_t whylen,
                struct pt_err *err)
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
	ret = outbox_record(st, f, window, r->stored, r->refused, err);
	if (ret == PT_OK)
		ret = audit_appendf(st, "crl.fetch", f->name, err,
		                    "sha256=%s stored=%d refused=%d window=%lld", f->sha256,
		                    r->stored, r->refused, (long long)window);
	if (ret == PT_OK)
		return store_commit(st, err);
	store_rollback(st);
	return ret;
}

static const struct outbox_kind fetch_crl_kind = {
	.purpose = "fetch-crl",
	.wanted = crl_file_name,
	.max_files = 200,
	.max_bytes = 16 * 1024 * 1024,
	.names = "*.crl *.r0",
	.to = N_("the store, after the window: only CRLs signed by their stored issuer"),
	.import = import_crl_file,
};

enum pt_status
flow_fetch_crl_plan(struct store *st, const char *target, struct transfer_plan *p,
                    struct pt_err *err)
{
	(void)target;
	return outbox_fetch_plan(st, &fetch_crl_kind, p, err);
}

enum pt_status
flow_fetch_crl_run(struct store *st, const char *target, const struct transfer_opts *o,
                   struct transfer_result *res, struct pt_err *err)
{
	(void)target;
	return outbox_fetch_run(st, &fetch_crl_kind, o, res, err);
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
