/* rowmac.c - service passwords' rows bound to the audit trail (see
 * rowmac.h): their MACs computed, stored, audited and cross-checked, and
 * the file's length checked against its page count. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <errno.h>
#include <limits.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/i18n.h"
#include "store/audit.h"
#include "store/private.h"
#include "store/rowmac.h"

#define MAC_INFO "passtore credential row mac v1"
#define KEY_MAC_INFO "passtore key row mac v1"

struct row {
	int64_t id, version;
	const char *user, *hostspec, *service, *mac;
	const void *secret;
	size_t secretlen;
};

/* The two row-MAC keys, HMAC(store key, info) each, derived on first use
 * and kept in secure memory with the store key they came from: a check of
 * 30,000 rows derives them once, not once a row (a secure block is a
 * mapping, locked and unlocked).  Derived again if the key ever differs. */
#define MAC_KEYS_CRED 0
#define MAC_KEYS_KEY 32
#define MAC_KEYS_FROM 64
#define NOMEM_RC INT_MIN /* no gnutls error is it */

static const uint8_t *
mac_key(struct store *st, const char *info, int *rc)
{
	uint8_t *k = st->mac_keys;

	if (!k || memcmp(k + MAC_KEYS_FROM, st->key, KDF_KEY_LEN) != 0) {
		if (!k && !(k = st->mac_keys = secmem_alloc(MAC_KEYS_FROM + KDF_KEY_LEN))) {
			*rc = NOMEM_RC;
			return NULL;
		}
		memset(k + MAC_KEYS_FROM, 0, KDF_KEY_LEN); /* not valid until both are made */
		*rc = gnutls_hmac_fast(GNUTLS_MAC_SHA256, st->key, KDF_KEY_LEN, MAC_INFO,
		                       strlen(MAC_INFO), k + MAC_KEYS_CRED);
		if (*rc == 0)
			*rc = gnutls_hmac_fast(GNUTLS_MAC_SHA256, st->key, KDF_KEY_LEN,
			                       KEY_MAC_INFO, strlen(KEY_MAC_INFO),
			                       k + MAC_KEYS_KEY);
		if (*rc != 0) {
			secmem_wipe(k, MAC_KEYS_FROM);
			return NULL;
		}
		memcpy(k + MAC_KEYS_FROM, st->key, KDF_KEY_LEN);
	}
	*rc = 0;
	return k + (strcmp(info, MAC_INFO) == 0 ? MAC_KEYS_CRED : MAC_KEYS_KEY);
}

/* HMAC-SHA256 under HMAC(store key, info) over head then body, as hex. */
static enum pt_status
mac_hex(struct store *st, const char *info, const char *head, int headlen, const void *body,
        size_t bodylen, char hex[ROWMAC_HEX], struct pt_err *err)
{
	const uint8_t *key = NULL;
	uint8_t dig[32];
	gnutls_hmac_hd_t h = NULL;
	int rc = NOMEM_RC;

	if (headlen >= 0)
		key = mac_key(st, info, &rc);
	if (key)
		rc = gnutls_hmac_init(&h, GNUTLS_MAC_SHA256, key, 32);
	if (rc == 0)
		rc = gnutls_hmac(h, head, (size_t)headlen);
	if (rc == 0 && bodylen)
		rc = gnutls_hmac(h, body, bodylen);
	if (h)
		gnutls_hmac_deinit(h, dig);
	if (rc != 0)
		return pt_fail(err, PT_ERR, _("cannot compute a row MAC: %s"),
		               rc == NOMEM_RC ? _(pt_status_msg(PT_NOMEM)) : gnutls_strerror(rc));
	for (size_t i = 0; i < sizeof(dig); i++) {
		hex[2 * i] = "0123456789abcdef"[dig[i] >> 4];
		hex[2 * i + 1] = "0123456789abcdef"[dig[i] & 15];
	}
	hex[2 * sizeof(dig)] = '\0';
	return PT_OK;
}

/* A credential's MAC: its fields, each length-prefixed so that no two
 * rows feed the same bytes, then its secret. */
static enum pt_status
row_mac(struct store *st, const struct row *r, char hex[ROWMAC_HEX], struct pt_err *err)
{
	char *head = NULL;
	int n = asprintf(&head, "%lld\n%zu:%s%zu:%s%zu:%s%lld\n", (long long)r->id, strlen(r->user),
	                 r->user, strlen(r->hostspec), r->hostspec, strlen(r->service), r->service,
	                 (long long)r->version);
	enum pt_status ret = mac_hex(st, MAC_INFO, head, n, r->secret, r->secretlen, hex, err);

	if (n >= 0)
		free(head);
	return ret;
}

#define ROW_SELECT "SELECT id, user, hostspec, service, version, secret, mac FROM credentials "

static void
row_read(sqlite3_stmt *s, struct row *r)
{
	r->id = sqlite3_column_int64(s, 0);
	r->user = store_text(s, 1);
	r->hostspec = store_text(s, 2);
	r->service = store_text(s, 3);
	r->version = sqlite3_column_int64(s, 4);
	r->secret = sqlite3_column_blob(s, 5);
	r->secretlen = (size_t)sqlite3_column_bytes(s, 5);
	r->mac = store_text(s, 6);
}

/* Seal one row; *obj (malloc'd, may be NULL) the entry's name. */
static enum pt_status
seal(struct store *st, int64_t id, int64_t *version, char mac[ROWMAC_HEX], char **obj,
     struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	struct row r;
	enum pt_status ret;
	int rc;

	if ((ret = store_prepare(st, ROW_SELECT "WHERE id = ?", &s, err)) != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, id);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return rc == SQLITE_DONE ? pt_fail(err, PT_NOTFOUND, _("no such entry"))
		                         : store_fail(st, rc, err, _("read an entry"));
	}
	row_read(s, &r);
	*version = r.version;
	ret = row_mac(st, &r, mac, err);
	if (ret == PT_OK && obj && asprintf(obj, "%s@%s:%s", r.user, r.hostspec, r.service) < 0) {
		*obj = NULL;
		ret = pt_fail(err, PT_NOMEM, NULL);
	}
	sqlite3_finalize(s);
	if (ret != PT_OK)
		return ret;
	if ((ret = store_prepare(st, "UPDATE credentials SET mac = ?2 WHERE id = ?1", &s, err)) !=
	    PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, mac, -1, SQLITE_STATIC);
	return store_run(st, s, err, _("seal an entry"));
}

enum pt_status
rowmac_seal(struct store *st, int64_t id, int64_t *version, char mac[ROWMAC_HEX],
            struct pt_err *err)
{
	enum pt_status ret = store_need_tx(st, err);

	return ret == PT_OK ? seal(st, id, version, mac, NULL, err) : ret;
}

/* The ids of a table's rows, in order; *ids malloc'd. */
static enum pt_status
row_ids(struct store *st, const char *sql, int64_t **ids, size_t *n, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	size_t cap = 0;
	enum pt_status ret;
	int rc;

	*ids = NULL;
	*n = 0;
	if ((ret = store_prepare(st, sql, &s, err)) != PT_OK)
		return ret;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			int64_t *v = realloc(*ids, (cap = cap ? 2 * cap : 64) * sizeof(*v));

			if (!v) {
				rc = SQLITE_NOMEM;
				break;
			}
			*ids = v;
		}
		(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("read the entries"));
}

/* ---- host keys ------------------------------------------------------ */

struct key_row {
	int64_t id, host_id, created_at;
	const char *type, *key_id, *origin, *mac, *fqdn;
	const void *pem;
	size_t pemlen;
};

#define KEY_SELECT \
	"SELECT k.id, k.host_id, k.type, k.key_id, k.origin, k.created_at, k.key_pem, k.mac," \
	" h.fqdn FROM keys k LEFT JOIN hosts h ON h.id = k.host_id "

static void
key_read(sqlite3_stmt *s, struct key_row *k)
{
	k->id = sqlite3_column_int64(s, 0);
	k->host_id = sqlite3_column_int64(s, 1);
	k->type = store_text(s, 2);
	k->key_id = store_text(s, 3);
	k->origin = store_text(s, 4);
	k->created_at = sqlite3_column_int64(s, 5);
	k->pem = sqlite3_column_blob(s, 6);
	k->pemlen = (size_t)sqlite3_column_bytes(s, 6);
	k->mac = store_text(s, 7);
	k->fqdn = store_text(s, 8);
}

/* A key row's MAC: every column (a key never changes once stored), the
 * private key last. */
static enum pt_status
key_mac(struct store *st, const struct key_row *k, char hex[ROWMAC_HEX], struct pt_err *err)
{
	char *head = NULL;
	int n = asprintf(&head, "%lld\n%lld\n%zu:%s%zu:%s%zu:%s%lld\n", (long long)k->id,
	                 (long long)k->host_id, strlen(k->type), k->type, strlen(k->key_id),
	                 k->key_id, strlen(k->origin), k->origin, (long long)k->created_at);
	enum pt_status ret = mac_hex(st, KEY_MAC_INFO, head, n, k->pem, k->pemlen, hex, err);

	if (n >= 0)
		free(head);
	return ret;
}

/* Seal one key row; *fqdn and *key_id (malloc'd, may be NULL) name it. */
static enum pt_status
seal_key(struct store *st, int64_t id, char mac[ROWMAC_HEX], char **fqdn, char **key_id,
         struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	struct key_row k;
	enum pt_status ret;
	int rc;

	if ((ret = store_prepare(st, KEY_SELECT "WHERE k.id = ?", &s, err)) != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, id);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return rc == SQLITE_DONE ? pt_fail(err, PT_NOTFOUND, _("no such key"))
		                         : store_fail(st, rc, err, _("read a key"));
	}
	key_read(s, &k);
	ret = key_mac(st, &k, mac, err);
	if (ret == PT_OK && fqdn && key_id &&
	    (!(*fqdn = strdup(k.fqdn)) || !(*key_id = strdup(k.key_id))))
		ret = pt_fail(err, PT_NOMEM, NULL);
	sqlite3_finalize(s);
	if (ret != PT_OK)
		return ret;
	if ((ret = store_prepare(st, "UPDATE keys SET mac = ?2 WHERE id = ?1", &s, err)) != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, mac, -1, SQLITE_STATIC);
	return store_run(st, s, err, _("seal a key"));
}

enum pt_status
rowmac_seal_key(struct store *st, int64_t id, char mac[ROWMAC_HEX], struct pt_err *err)
{
	enum pt_status ret = store_need_tx(st, err);

	return ret == PT_OK ? seal_key(st, id, mac, NULL, NULL, err) : ret;
}

enum pt_status
rowmac_seal_all(struct store *st, unsigned what, struct pt_err *err)
{
	int64_t *ids = NULL;
	size_t n = 0;
	enum pt_status ret = store_need_tx(st, err);

	if (ret == PT_OK && (what & ROWMAC_CREDENTIALS))
		ret = row_ids(st, "SELECT id FROM credentials ORDER BY id", &ids, &n, err);
	for (size_t i = 0; i < n && ret == PT_OK; i++) {
		char mac[ROWMAC_HEX], *obj = NULL;
		int64_t version;

		ret = seal(st, ids[i], &version, mac, &obj, err);
		if (ret == PT_OK)
			ret = audit_appendf(st, "pw.seal", obj, err, "version=%lld mac=%s",
			                    (long long)version, mac);
		free(obj);
	}
	free(ids);
	ids = NULL;
	n = 0;
	if (ret == PT_OK && (what & ROWMAC_KEYS))
		ret = row_ids(st, "SELECT id FROM keys ORDER BY id", &ids, &n, err);
	for (size_t i = 0; i < n && ret == PT_OK; i++) {
		char mac[ROWMAC_HEX], *fqdn = NULL, *key_id = NULL;

		ret = seal_key(st, ids[i], mac, &fqdn, &key_id, err);
		if (ret == PT_OK)
			ret = audit_appendf(st, "key.seal", fqdn, err, "key_id=%s key_mac=%s",
			                    key_id, mac);
		free(fqdn);
		free(key_id);
	}
	free(ids);
	return ret;
}

/* ---- verification -------------------------------------------------- */

/* What the last audit record of an entry says about its row. */
struct binding {
	char *object;              /* an entry's name, or "key " and a key id */
	int64_t audit_id, version; /* version -1: removed */
	char mac[ROWMAC_HEX];
	bool seen; /* a row answers it */
};

static int
cmp_binding(const void *a, const void *b)
{
	const struct binding *x = a, *y = b;
	int c = strcmp(x->object, y->object);

	return c ? c : (x->audit_id > y->audit_id) - (x->audit_id < y->audit_id);
}

struct bindings {
	struct binding *v;
	size_t n, cap;
	bool oom;
};

static int
binding_row(const struct audit_row *r, void *ud)
{
	struct bindings *b = ud;
	const char *ver, *mac, *object = r->object;
	char keyid[128], keyobj[4 + sizeof(keyid)];
	struct binding x = { 0 };

	if (!r->action || !r->object || !r->detail)
		return 0;
	if (!strcmp(r->action, "pw.rm")) {
		x.version = -1;
	} else if (!strcmp(r->action, "key.seal")) {
		/* written by passtore alone: "key_id=HEX key_mac=HEX" */
		if (sscanf(r->detail, "key_id=%127[^ ] key_mac=%64[0-9a-f]", keyid, x.mac) != 2)
			return 0;
		object = keyobj;
		snprintf(keyobj, sizeof(keyobj), "key %s", keyid);
	} else if (!strcmp(r->action, "pw.add") || !strcmp(r->action, "pw.update") ||
	           !strcmp(r->action, "pw.seal")) {
		/* records written before schema 11 bind nothing */
		if (!(ver = strstr(r->detail, "version=")) || !(mac = strstr(r->detail, "mac=")))
			return 0;
		x.version = strtoll(ver + 8, NULL, 10);
		snprintf(x.mac, sizeof(x.mac), "%.64s", mac + 4);
	} else {
		return 0;
	}
	x.audit_id = r->id;
	if (b->n == b->cap) {
		struct binding *v = realloc(b->v, (b->cap = b->cap ? 2 * b->cap : 64) * sizeof(*v));

		if (!v) {
			b->oom = true;
			return 1;
		}
		b->v = v;
	}
	if ((x.object = strdup(object)) == NULL) {
		b->oom = true;
		return 1;
	}
	b->v[b->n++] = x;
	return 0;
}

/* The last record of object, NULL if none. */
static struct binding *
binding_of(const struct bindings *b, const char *object)
{
	size_t lo = 0, hi = b->n;

	/* the first binding past object's: its predecessor is the last of object */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(b->v[mid].object, object) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && !strcmp(b->v[lo - 1].object, object) ? &b->v[lo - 1] : NULL;
}

static enum pt_status
check_row(struct store *st, const struct row *r, const struct bindings *b, int64_t *audit_id,
          struct pt_err *err)
{
	struct binding *x;
	char mac[ROWMAC_HEX], *obj = NULL;
	enum pt_status ret;

	if ((ret = row_mac(st, r, mac, err)) != PT_OK)
		return ret;
	if (asprintf(&obj, "%s@%s:%s", r->user, r->hostspec, r->service) < 0)
		return pt_fail(err, PT_NOMEM, NULL);
	x = binding_of(b, obj);
	if (x)
		x->seen = true;
	if (strcmp(mac, r->mac) != 0)
		ret = pt_fail(err, PT_BROKEN_CHAIN,
		              _("entry %s: its row does not match its MAC (altered)"), obj);
	else if (!x || x->version < 0)
		ret = pt_fail(err, PT_BROKEN_CHAIN,
		              _("entry %s: no audit record binds its row (version %lld)"), obj,
		              (long long)r->version);
	else if (x->version != r->version || strcmp(x->mac, r->mac) != 0)
		ret = pt_fail(err, PT_BROKEN_CHAIN,
		              _("entry %s: its row holds version %lld, audit record %lld wrote "
		                "version %lld: the row was rolled back or altered"),
		              obj, (long long)r->version, (long long)x->audit_id,
		              (long long)x->version);
	if (ret != PT_OK && x)
		*audit_id = x->audit_id;
	free(obj);
	return ret;
}

static enum pt_status
check_key(struct store *st, const struct key_row *k, const struct bindings *b, int64_t *audit_id,
          struct pt_err *err)
{
	struct binding *x;
	char mac[ROWMAC_HEX], obj[4 + 128];
	enum pt_status ret;

	if ((ret = key_mac(st, k, mac, err)) != PT_OK)
		return ret;
	snprintf(obj, sizeof(obj), "key %.127s", k->key_id);
	x = binding_of(b, obj);
	if (x)
		x->seen = true;
	if (strcmp(mac, k->mac) != 0)
		ret = pt_fail(err, PT_BROKEN_CHAIN,
		              _("the key of %s (key id %.16s): its row does not match its MAC "
		                "(altered)"),
		              k->fqdn, k->key_id);
	else if (!x)
		ret = pt_fail(err, PT_BROKEN_CHAIN,
		              _("the key of %s (key id %.16s): no audit record binds its row"),
		              k->fqdn, k->key_id);
	else if (strcmp(x->mac, k->mac) != 0)
		ret = pt_fail(err, PT_BROKEN_CHAIN,
		              _("the key of %s (key id %.16s): its row is not the one audit record "
		                "%lld sealed: the row was rolled back or altered"),
		              k->fqdn, k->key_id, (long long)x->audit_id);
	if (ret != PT_OK && x)
		*audit_id = x->audit_id;
	return ret;
}

/* Every entry and key the trail says exists has a row: a page copied
 * back from before a row was written takes the row away. */
static enum pt_status
check_gone(const struct bindings *b, int64_t *audit_id, struct pt_err *err)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct binding *x = &b->v[i];

		/* only the last record of each object counts */
		if (i + 1 < b->n && !strcmp(b->v[i + 1].object, x->object))
			continue;
		if (x->version < 0 || x->seen)
			continue;
		*audit_id = x->audit_id;
		if (!strncmp(x->object, "key ", 4))
			return pt_fail(
				err, PT_BROKEN_CHAIN,
				_("key id %.16s: audit record %lld sealed it, but its row is "
			          "gone: the store was rolled back"),
				x->object + 4, (long long)x->audit_id);
		return pt_fail(err, PT_BROKEN_CHAIN,
		               _("entry %s: audit record %lld wrote version %lld, but its row is "
		                 "gone: the store was rolled back"),
		               x->object, (long long)x->audit_id, (long long)x->version);
	}
	return PT_OK;
}

static enum pt_status
check_file(struct store *st, struct pt_err *err)
{
	struct stat sb;
	enum pt_status ret;
	int pages;

	if ((ret = store_query_int(st, "PRAGMA page_count", &pages, err)) != PT_OK)
		return ret;
	if (stat(st->path, &sb) != 0)
		return pt_fail(err, PT_IO, _("cannot read %s: %s"), st->path, strerror(errno));
	if ((uint64_t)sb.st_size > (uint64_t)pages * STORE_PAGE_SIZE)
		return pt_fail(err, PT_BROKEN_CHAIN,
		               _("the store %s has %lld bytes past its last page (appended)"),
		               st->path,
		               (long long)sb.st_size - (long long)pages * STORE_PAGE_SIZE);
	if ((uint64_t)sb.st_size < (uint64_t)pages * STORE_PAGE_SIZE)
		return pt_fail(err, PT_BROKEN_CHAIN,
		               _("the store %s is shorter than its %d pages (truncated)"), st->path,
		               pages);
	return PT_OK;
}

enum pt_status
rowmac_verify(struct store *st, int64_t *audit_id, struct pt_err *err)
{
	struct bindings b = { 0 };
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc = SQLITE_DONE;

	*audit_id = 0;
	if ((ret = check_file(st, err)) != PT_OK)
		return ret;
	if ((ret = audit_foreach(st, binding_row, &b, err)) != PT_OK)
		goto out;
	if (b.oom) {
		ret = pt_fail(err, PT_NOMEM, NULL);
		goto out;
	}
	if (b.n > 1)
		qsort(b.v, b.n, sizeof(*b.v), cmp_binding);
	if ((ret = store_prepare(st, ROW_SELECT "ORDER BY id", &s, err)) != PT_OK)
		goto out;
	while (ret == PT_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct row r;

		row_read(s, &r);
		ret = check_row(st, &r, &b, audit_id, err);
	}
	sqlite3_finalize(s);
	s = NULL;
	if (ret == PT_OK && rc != SQLITE_DONE)
		ret = store_fail(st, rc, err, _("read the entries"));
	if (ret == PT_OK)
		ret = store_prepare(st, KEY_SELECT "ORDER BY k.id", &s, err);
	while (ret == PT_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct key_row k;

		key_read(s, &k);
		ret = check_key(st, &k, &b, audit_id, err);
	}
	sqlite3_finalize(s);
	if (ret == PT_OK && rc != SQLITE_DONE)
		ret = store_fail(st, rc, err, _("read the keys"));
	if (ret == PT_OK)
		ret = check_gone(&b, audit_id, err);
out:
	for (size_t i = 0; i < b.n; i++)
		free(b.v[i].object);
	free(b.v);
	return ret;
}
