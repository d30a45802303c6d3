/* store.c - the commands on the store as a whole: init, passwd, backup,
 * and the unlock every other command starts with. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "private.h"
#include "base/i18n.h"
#include "base/lib.h"
#include "engine/lib.h"
#include "site/lib.h"
#include "store/lib.h"

#define PASSPHRASE_MIN 8
#define KDF_TARGET_MS 600 /* the derivation; unlock adds the page check */

static enum pt_status
check_new_passphrase(const char *p, size_t n, struct pt_err *err)
{
	if (n < PASSPHRASE_MIN)
		return pt_fail(err, PT_INVALID,
		               _("the passphrase must have at least %d characters"),
		               PASSPHRASE_MIN);
	return PT_OK;
}

/* Whether access(2) grants mode on the folder of path (errno: why not). */
static bool
dir_access(const char *path, int mode)
{
	char *copy = strdup(path);
	bool yes = copy && access(dirname(copy), mode) == 0;
	int e = errno;

	free(copy);
	errno = e;
	return yes;
}

enum pt_status
cli_unlock(struct cli *c)
{
	char *pass = NULL;
	size_t n = 0;
	enum pt_status ret;

	if (access(c->path, F_OK) != 0) {
		/* there, but not for the account the main process became */
		if (errno != ENOENT) {
			int e = errno;
			const struct passwd *pw = getpwuid(getuid());
			return pt_fail(&c->err, PT_IO,
			               _("cannot reach the store %s as the account %s: %s (the "
			                 "store and its directory must belong to that account)"),
			               c->path, pw ? pw->pw_name : "?", strerror(e));
		}
		return pt_fail(&c->err, PT_NOTFOUND,
		               _("no store at %s (create one with \"passtore init\")"), c->path);
	}
	/* a write makes its journal beside the store: a folder the account
	 * cannot write in is said before the passphrase, not as SQLite's
	 * "unable to open database file" after it */
	if ((c->cmd->flags & CMD_WRITE) && !dir_access(c->path, W_OK | X_OK)) {
		int e = errno;
		const struct passwd *pw = getpwuid(getuid());
		return pt_fail(&c->err, PT_IO,
		               _("cannot write in the folder of the store %s as the account %s: %s "
		                 "(the store and its directory must belong to that account)"),
		               c->path, pw ? pw->pw_name : "?", strerror(e));
	}
	ret = cli_get_secret(c->passphrase_fd, _("Passphrase: "), NULL, &pass, &n, &c->err);
	if (ret != PT_OK)
		return ret;
	ret = store_open(c->path, pass, n, &c->st, &c->err);
	secmem_free(pass);
	if (ret == PT_OK) {
		/* a page rolled back from an older copy opens fine: say so at
		 * once, and let the administrator look (audit verify fails) */
		struct pt_err werr = { 0 };
		int64_t rec;

		if (rowmac_verify(c->st, &rec, &werr) != PT_OK)
			fprintf(stderr,
			        _("passtore: warning: %s (see \"passtore audit verify\")\n"),
			        werr.detail);
	}
	return ret;
}

static const struct option kdf_options[] = {
	{ "kdf-memory", required_argument, NULL, 'm' },
	{ "kdf-time", required_argument, NULL, 't' },
	{ "kdf-lanes", required_argument, NULL, 'l' },
	{ "new-passphrase-fd", required_argument, NULL, 'n' },
	{ NULL, 0, NULL, 0 },
};

struct kdf_choice {
	struct kdf_params kp;
	bool m_set, t_set, l_set;
	int new_fd;
};

static int
parse_kdf_options(struct cli *c, int argc, char **argv, bool allow_new_fd, struct kdf_choice *k)
{
	long v;
	int o;

	memset(k, 0, sizeof(*k));
	k->new_fd = -1;
	while ((o = getopt_long(argc, argv, "", kdf_options, NULL)) != -1) {
		switch (o) {
		case 'm':
			if (kdf_parse_size(optarg, &k->kp.m_kib, &c->err) != PT_OK)
				return cli_report(c);
			k->m_set = true;
			break;
		case 't':
			if (cli_parse_int(optarg, 1, KDF_MAX_T, &v) != 0)
				return cli_usage_error(
					c, _("--kdf-time takes a number of passes from 1 to %u"),
					KDF_MAX_T);
			k->kp.t_cost = (uint32_t)v;
			k->t_set = true;
			break;
		case 'l':
			if (cli_parse_int(optarg, 1, KDF_MAX_LANES, &v) != 0)
				return cli_usage_error(c,
				                       _("--kdf-lanes takes a number from 1 to %u"),
				                       KDF_MAX_LANES);
			k->kp.lanes = (uint32_t)v;
			k->l_set = true;
			break;
		case 'n':
			if (!allow_new_fd)
				return cli_usage_error(c, _("unknown option --new-passphrase-fd"));
			if (cli_parse_int(optarg, 0, INT_MAX, &v) != 0)
				return cli_usage_error(
					c, _("--new-passphrase-fd takes a file descriptor number"));
			k->new_fd = (int)v;
			break;
		default: return cli_usage_error(c, _("unknown option (see \"passtore help\")"));
		}
	}
	if (optind != argc)
		return cli_usage_error(c, _("unexpected argument \"%s\""), argv[optind]);
	return 0;
}

/* Fill in what the user did not choose: calibrate the passes to about
 * KDF_TARGET_MS here, and never go below `floor` (the current cost). */
static enum pt_status
settle_kdf(struct kdf_choice *k, const struct kdf_params *floor, struct pt_err *err)
{
	if (!k->m_set)
		k->kp.m_kib = floor ? floor->m_kib : 0;
	if (!k->l_set)
		k->kp.lanes = floor ? floor->lanes : 0;
	if (!k->t_set) {
		enum pt_status ret = kdf_calibrate(&k->kp, KDF_TARGET_MS, err);
		if (ret != PT_OK)
			return ret;
		if (floor && k->kp.t_cost < floor->t_cost && k->kp.m_kib <= floor->m_kib)
			k->kp.t_cost = floor->t_cost;
	}
	if (!k->kp.lanes)
		k->kp.lanes = 2;
	return kdf_params_check(&k->kp, err);
}

static void
warn_weak_kdf(const struct kdf_params *kp)
{
	if (kp->m_kib < KDF_SAFE_M_KIB)
		fprintf(stderr,
		        _("passtore: warning: the key derivation uses %u MiB, less than the %u MiB a station "
		          "should use (raise it with \"passtore passwd --kdf-memory 256M\")\n"),
		        kp->m_kib / 1024, KDF_SAFE_M_KIB / 1024);
}

/* As root where the unprivileged account exists: the new store is its
 * (and the folder, when init made it), so that the commands that split
 * and become it reach the store. */
static const char *account;

static enum pt_status
give_to_account(struct cli *c, bool dir_new)
{
	const struct passwd *pw;

	account = NULL;
	if (geteuid() != 0 || !(pw = getpwnam(privsep_account())) || pw->pw_uid == 0)
		return PT_OK;
	if (store_give(c->st, pw->pw_uid, pw->pw_gid, dir_new, &c->err) != PT_OK)
		return c->err.status;
	account = privsep_account();
	return PT_OK;
}

static int
cmd_init(struct cli *c, int argc, char **argv)
{
	struct kdf_choice k;
	char *pass = NULL;
	size_t n = 0;
	bool dir_new;
	int rc;

	if ((rc = parse_kdf_options(c, argc, argv, false, &k)) != 0)
		return rc;
	if (access(c->path, F_OK) == 0) {
		pt_fail(&c->err, PT_EXISTS, _("%s already exists: not overwriting it"), c->path);
		return cli_report(c);
	}
	dir_new = !dir_access(c->path, F_OK);
	if (cli_get_secret(c->passphrase_fd, _("New passphrase: "), _("Repeat the passphrase: "),
	                   &pass, &n, &c->err) != PT_OK ||
	    check_new_passphrase(pass, n, &c->err) != PT_OK ||
	    settle_kdf(&k, NULL, &c->err) != PT_OK ||
	    store_create(c->path, pass, n, &k.kp, &c->st, &c->err) != PT_OK)
		goto out;
	if (store_begin(c->st, &c->err) == PT_OK) {
		if (audit_appendf(c->st, "store.init", c->path, &c->err,
		                  "kdf=argon2id m=%uMiB t=%u p=%u", k.kp.m_kib / 1024, k.kp.t_cost,
		                  k.kp.lanes) == PT_OK)
			store_commit(c->st, &c->err);
		else
			store_rollback(c->st);
	}
	if (c->err.status != PT_OK) {
		store_close(&c->st);
		unlink(c->path);
		goto out;
	}
	if (give_to_account(c, dir_new) != PT_OK) {
		store_close(&c->st);
		unlink(c->path);
		goto out;
	}
	printf(_("Created %s (Argon2id, memory %u MiB, time cost %u, parallelism %u).\n"), c->path,
	       k.kp.m_kib / 1024, k.kp.t_cost, k.kp.lanes);
	if (account)
		printf(_("It belongs to the account %s, which passtore becomes when started as "
		         "root.\n"),
		       account);
	warn_weak_kdf(&k.kp);
out:
	secmem_free(pass);
	return cli_report(c);
}

struct passwd_audit {
	const struct kdf_params *kp;
	const char *path;
};

static enum pt_status
audit_passwd(struct store *nst, void *ud)
{
	const struct passwd_audit *a = ud;

	return audit_appendf(nst, "store.passwd", a->path, NULL, "kdf=argon2id m=%uMiB t=%u p=%u",
	                     a->kp->m_kib / 1024, a->kp->t_cost, a->kp->lanes);
}

static int
cmd_passwd(struct cli *c, int argc, char **argv)
{
	struct kdf_choice k;
	char *pass = NULL;
	size_t n = 0;
	int rc;

	if ((rc = parse_kdf_options(c, argc, argv, true, &k)) != 0)
		return rc;
	if (c->passphrase_fd >= 0 && k.new_fd < 0)
		return cli_usage_error(
			c, _("with --passphrase-fd, give the new one with --new-passphrase-fd"));
	if (cli_get_secret(k.new_fd, _("New passphrase: "), _("Repeat the new passphrase: "), &pass,
	                   &n, &c->err) == PT_OK &&
	    check_new_passphrase(pass, n, &c->err) == PT_OK &&
	    settle_kdf(&k, store_kdf_params(c->st), &c->err) == PT_OK &&
	    store_rekey(c->st, pass, n, &k.kp, audit_passwd,
	                &(struct passwd_audit){ &k.kp, c->path }, &c->err) == PT_OK) {
		printf(_("Passphrase changed for %s (Argon2id, memory %u MiB, time cost %u, parallelism %u).\n"),
		       c->path, k.kp.m_kib / 1024, k.kp.t_cost, k.kp.lanes);
		warn_weak_kdf(&k.kp);
	}
	secmem_free(pass);
	return cli_report(c);
}

/* Which secrets open a backup: the store's current data key (today's
 * shares), an earlier one (the shares and passphrase of its time), or a
 * format-2 copy (its passphrase only). */
static const struct {
	const char *word, *text;
} key_states[] = {
	{ "unknown", N_("unknown") },
	{ "format2", N_("format 2: its passphrase") },
	{ "other-store", N_("another store") },
	{ "current", N_("current key: today's shares") },
	{ "older", N_("older key: shares and passphrase of its time") },
};

static unsigned
backup_key_state(struct store *st, const char *path, uint32_t *gen)
{
	char fpr[STORE_FPR_LEN], mine[STORE_FPR_LEN];

	if (store_peek_key(path, gen, fpr, NULL) != PT_OK)
		return 0;
	if (*gen == 0)
		return 1;
	store_fingerprint(st, mine);
	if (strcmp(fpr, mine) != 0)
		return 2;
	return *gen == store_key_generation(st) ? 3 : 4;
}

static int
backup_row(const struct backup_info *b, void *ud)
{
	struct cred_print *p = ud;
	char hex[65];
	const char *state;
	unsigned key;
	double age = difftime(time(NULL), b->created_at) / 86400.0;
	uint32_t gen = 0;

	/* say whether the copy is still there and still the same bytes */
	if (store_file_sha256(b->path, hex, NULL, NULL) != PT_OK)
		state = N_("missing");
	else if (strcmp(hex, b->sha256) != 0)
		state = N_("changed");
	else
		state = N_("ok");
	key = backup_key_state(p->c->st, b->path, &gen);
	if (p->json) {
		const char *bad = NULL;
		json_t *o = json_object();

		cli_json_set(o, "path", json_string(b->path), &bad);
		cli_json_set(o, "created", json_string(cli_time(b->created_at)), &bad);
		cli_json_set(o, "age_days", json_real(age), &bad);
		cli_json_set(o, "bytes", json_integer((json_int_t)b->bytes), &bad);
		cli_json_set(o, "sha256", json_string(b->sha256), &bad);
		cli_json_set(o, "state", json_string(state), &bad);
		cli_json_set(o, "key_generation", json_integer(gen), &bad);
		cli_json_set(o, "key", json_string(key_states[key].word), &bad);
		return cli_json_row(p->c, p->arr, o, bad, b->path);
	}
	printf("%s  %6.1f %s  %-8s %s %u (%s)  %s\n", cli_time(b->created_at), age, _("days"),
	       _(state), _("key"), gen, _(key_states[key].text), b->path);
	return 0;
}

static int
cmd_backup(struct cli *c, int argc, char **argv)
{
	struct cred_print p = { .c = c };
	bool list = false, ok;
	const char *dest = NULL;
	char *written = NULL, hex[65];
	uint64_t bytes = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--list") == 0)
			list = true;
		else if (strcmp(argv[i], "--json") == 0)
			p.json = true;
		else if (argv[i][0] != '-' && !dest)
			dest = argv[i];
		else
			return cli_bad_usage(c);
	}
	if (list == !!dest || (p.json && !list))
		return cli_bad_usage(c);
	if (list) {
		if (p.json)
			p.arr = json_array();
		if (model_backup_foreach(c->st, backup_row, &p, &c->err) == PT_OK &&
		    c->err.status == PT_OK && p.json)
			return cli_json_print(p.arr);
		json_decref(p.arr);
		return cli_report(c);
	}
	ok = store_backup(c->st, dest, &written, &bytes, hex, &c->err) == PT_OK;
	if (store_backup_left_over(c->st))
		fprintf(stderr, _("passtore: removed %s, left by an interrupted backup\n"),
		        STORE_BACKUP_TEMP);
	if (!ok)
		return cli_report(c);
	if (store_begin(c->st, &c->err) == PT_OK) {
		if (model_backup_record(c->st, written, bytes, hex, &c->err) == PT_OK)
			store_commit(c->st, &c->err);
		else
			store_rollback(c->st);
	}
	if (c->err.status != PT_OK)
		unlink(written); /* a copy the store does not know of is not a backup */
	else
		printf(_("Backup written and verified: %s (%llu bytes, sha256 %s).\n"), written,
		       (unsigned long long)bytes, hex);
	free(written);
	return cli_report(c);
}

const struct cmd cli_store_commands[] = {
	{ "init", NULL, cmd_init, CMD_PATH | CMD_ROOT,
	  N_("[--kdf-memory SIZE] [--kdf-time N] [--kdf-lanes N]"),
	  N_("create a new encrypted store (asks for the passphrase twice)") },
	{ "passwd", NULL, cmd_passwd, CMD_STORE,
	  N_("[--new-passphrase-fd N] [--kdf-memory SIZE] [--kdf-time N] [--kdf-lanes N]"),
	  N_("change the passphrase, and raise the key derivation cost") },
	{ "backup", NULL, cmd_backup, CMD_STORE, N_("DEST | --list [--json]"),
	  N_("write a verified encrypted copy, or list the copies and their age") },
};
const size_t cli_store_ncommands = sizeof(cli_store_commands) / sizeof(cli_store_commands[0]);
