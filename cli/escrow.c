/* escrow.c - k-of-n recovery shares of the data key: escrow split (the
 * shares printed once, for paper), escrow list, and --recover (the store
 * opened with k shares, then a new passphrase). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "private.h"
#include "base/i18n.h"
#include "base/lib.h"
#include "store/lib.h"

#define SHARE_INPUT_MAX 256

struct split_args {
	long n, k;
	const char *holders[ESCROW_MAX_N];
	size_t nholders;
};

static int
parse_split(struct cli *c, int argc, char **argv, struct split_args *a)
{
	static const struct option opts[] = {
		{ "shares", required_argument, NULL, 's' },
		{ "threshold", required_argument, NULL, 'k' },
		{ "holder", required_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int o;

	memset(a, 0, sizeof(*a));
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			if (cli_parse_int(optarg, 2, ESCROW_MAX_N, &a->n) != 0)
				return cli_usage_error(c, _("--shares takes a number from 2 to %d"),
				                       ESCROW_MAX_N);
			break;
		case 'k':
			if (cli_parse_int(optarg, 2, ESCROW_MAX_N, &a->k) != 0)
				return cli_usage_error(c,
				                       _("--threshold takes a number from 2 to %d"),
				                       ESCROW_MAX_N);
			break;
		case 'h':
			if (!escrow_holder_ok(optarg))
				return cli_usage_error(
					c,
					_("--holder takes a name of 1 to %d printable characters, "
				          "without \";\" or \"=\""),
					ESCROW_HOLDER_MAX);
			if (a->nholders == ESCROW_MAX_N)
				return cli_usage_error(c, _("at most %d holders"), ESCROW_MAX_N);
			a->holders[a->nholders++] = optarg;
			break;
		default: return cli_bad_usage(c);
		}
	}
	if (optind != argc || !a->n || !a->k)
		return cli_bad_usage(c);
	if (a->k > a->n)
		return cli_usage_error(c, _("the threshold (%ld) cannot exceed the shares (%ld)"),
		                       a->k, a->n);
	if ((long)a->nholders != a->n)
		return cli_usage_error(c, _("%ld shares need %ld --holder names, %zu given"), a->n,
		                       a->n, a->nholders);
	return 0;
}

/* All of buf to fd, through no buffer of stdio's: a share is written from
 * secure memory straight to the descriptor. */
static enum pt_status
write_all(int fd, const char *buf, size_t len, struct pt_err *err)
{
	while (len) {
		ssize_t w = write(fd, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return pt_fail(err, PT_IO, _("cannot write the shares: %s"),
			               strerror(errno));
		buf += w;
		len -= (size_t)w;
	}
	return PT_OK;
}

static int
cmd_split(struct cli *c, int argc, char **argv)
{
	struct escrow_piece *p = NULL;
	struct split_args a;
	char fpr[STORE_FPR_LEN], date[16];
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	if ((rc = parse_split(c, argc, argv, &a)) != 0)
		return rc;
	/* audited before anything is printed: no share exists unrecorded */
	if (escrow_split_audited(c->st, (unsigned)a.k, (unsigned)a.n, a.holders, &p, &c->err) !=
	    PT_OK)
		return cli_report(c);
	store_fingerprint(c->st, fpr);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	fflush(stdout); /* whatever stdio holds goes first */
	for (long i = 0; i < a.n && c->err.status == PT_OK; i++) {
		char *page = escrow_page(&p[i], c->path, fpr, date, a.holders[i]);

		if (!page) {
			pt_fail(&c->err, PT_NOMEM, NULL);
			break;
		}
		if (i == 0 || write_all(1, "\f\n", 2, &c->err) == PT_OK) /* one share a page */
			write_all(1, page, strlen(page), &c->err);
		secmem_free(page); /* wiped */
	}
	secmem_free(p);
	return cli_report(c);
}

/* escrow compromise: a suspected compromise, recorded under one fixed
 * audit action, so the posture can say which shares predate it. */
static int
cmd_compromise(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "note", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *note = NULL;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o != 'n')
			return cli_bad_usage(c);
		note = optarg;
	}
	if (optind != argc || !note)
		return cli_bad_usage(c);
	if (escrow_compromise(c->st, note, &c->err) == PT_OK)
		printf(_("Suspected compromise recorded: recovery shares made before it should be "
		         "replaced (passtore escrow rotate, then escrow split).\n"));
	return cli_report(c);
}

/* ---- escrow list ---------------------------------------------------- */

struct split_row {
	time_t ts;
	unsigned gen, k, n;
	char holders[ESCROW_MAX_N * (ESCROW_HOLDER_MAX + 1) + 1];
};

static bool
parse_split_detail(const char *d, struct split_row *s)
{
	int off = 0;

	if (sscanf(d, "gen=%u k=%u n=%u holders=%n", &s->gen, &s->k, &s->n, &off) != 3 || !off)
		return false;
	snprintf(s->holders, sizeof(s->holders), "%s", d + off);
	return true;
}

struct list_ud {
	struct cli *c;
	bool json;
	json_t *arr;
	unsigned gen;
	int rows;
	time_t rotated; /* the last rotation or suspected compromise */
};

static int
list_row(const struct audit_row *r, void *ud)
{
	struct list_ud *u = ud;
	struct split_row s;
	const char *state;

	if (strcmp(r->action, "escrow.split") != 0 || !parse_split_detail(r->detail, &s))
		return 0;
	state = s.gen == u->gen ? N_("current") : N_("void (data key rotated since)");
	u->rows++;
	if (u->json) {
		const char *bad = NULL;
		json_t *o = json_object();
		json_t *h = json_array();
		char *copy = strdup(s.holders), *save = NULL;

		for (char *t = copy ? strtok_r(copy, ";", &save) : NULL; t;
		     t = strtok_r(NULL, ";", &save))
			cli_json_append(h, cli_json_opt(t), "holder", &bad);
		free(copy);
		cli_json_set(o, "made", json_string(cli_time(r->ts)), &bad);
		cli_json_set(o, "fingerprint", cli_json_opt(r->object), &bad);
		cli_json_set(o, "key_generation", json_integer(s.gen), &bad);
		cli_json_set(o, "threshold", json_integer(s.k), &bad);
		cli_json_set(o, "shares", json_integer(s.n), &bad);
		cli_json_set(o, "holders", h, &bad);
		cli_json_set(o, "state", json_string(state), &bad);
		return cli_json_row(u->c, u->arr, o, bad, r->object);
	}
	printf(_("%s  %s  key %u  %u of %u  %-30s  holders: %s\n"), cli_time(r->ts), r->object,
	       s.gen, s.k, s.n, _(state), s.holders);
	return 0;
}

static int
cmd_list(struct cli *c, int argc, char **argv)
{
	struct list_ud u = { .c = c, .gen = store_key_generation(c->st) };

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			u.json = true;
		else
			return cli_bad_usage(c);
	}
	if (u.json)
		u.arr = json_array();
	if (audit_foreach(c->st, list_row, &u, &c->err) == PT_OK && c->err.status == PT_OK) {
		if (u.json)
			return cli_json_print(u.arr);
		if (!u.rows)
			printf(_("No shares were ever made of this store's data key.\n"));
		return 0;
	}
	json_decref(u.arr);
	return cli_report(c);
}

static int
cmd_rotate(struct cli *c, int argc, char **argv)
{
	char fpr[STORE_FPR_LEN];

	(void)argv;
	if (argc != 1)
		return cli_bad_usage(c);
	if (store_rotate(c->st, &c->err) == PT_OK) {
		store_fingerprint(c->st, fpr);
		printf(_("New data key %u for %s (%s): the database was re-encrypted; recovery "
		         "shares made before no longer open it.\n"),
		       store_key_generation(c->st), c->path, fpr);
	}
	return cli_report(c);
}

/* ---- --recover ------------------------------------------------------ */

/* One line of fd into buf (secure memory): 1, 0 at the end, -1 on error. */
static int
read_line(int fd, char *buf, size_t max, struct pt_err *err)
{
	size_t n = 0;
	ssize_t r = 0;
	char ch;

	for (;;) {
		r = read(fd, &ch, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			pt_fail(err, PT_IO, _("cannot read descriptor %d: %s"), fd,
			        strerror(errno));
			return -1;
		}
		if (r == 0 || ch == '\n')
			break;
		if (n + 1 >= max) {
			pt_fail(err, PT_INVALID, _("a share line is at most %d characters"),
			        SHARE_INPUT_MAX - 1);
			return -1;
		}
		buf[n++] = ch;
	}
	buf[n] = '\0';
	return r == 0 && n == 0 ? 0 : 1;
}

static bool
blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r')
			return false;
	return true;
}

struct recover_in {
	int fd;
	bool tty; /* a person typing: a bad line is asked again */
	unsigned fdline;
};

/* One share, line by line, each line checked as it comes. 1 read, 0 at
 * the end of the input, -1 on error. */
static int
read_share(struct recover_in *in, unsigned num, struct escrow_piece *p, char *buf,
           struct pt_err *err)
{
	struct escrow_reader *r = secmem_alloc(sizeof(*r));
	int ret = -1;

	if (!r) {
		pt_fail(err, PT_NOMEM, NULL);
		return -1;
	}
	while (r->lines < ESCROW_LINES) {
		struct pt_err lerr = { 0 };
		int got;

		if (in->tty)
			fprintf(stderr, _("Share %u, line %u: "), num, r->lines + 1);
		got = read_line(in->fd, buf, SHARE_INPUT_MAX, err);
		if (got < 0)
			goto out;
		in->fdline++;
		if (got == 0) {
			if (r->lines)
				pt_fail(err, PT_INVALID, _("share %u ends after line %u"), num,
				        r->lines);
			ret = r->lines ? -1 : 0;
			goto out;
		}
		if (blank(buf))
			continue;
		if (escrow_read_line(r, buf, &lerr) == PT_OK)
			continue;
		if (in->tty) {
			fprintf(stderr, "passtore: %s\n", lerr.detail);
			continue;
		}
		pt_fail(err, PT_INVALID, _("share %u (input line %u): %s"), num, in->fdline,
		        lerr.detail);
		goto out;
	}
	if (escrow_read_done(r, p, err) == PT_OK)
		ret = 1;
	else if (in->tty)
		fprintf(stderr, "passtore: %s\n", err->detail);
out:
	secmem_free(r);
	return ret;
}

static enum pt_status
read_shares(struct recover_in *in, struct escrow_piece *p, size_t *count, struct pt_err *err)
{
	char *buf = secmem_alloc(SHARE_INPUT_MAX);
	enum pt_status ret = PT_OK;

	*count = 0;
	if (!buf)
		return pt_fail(err, PT_NOMEM, NULL);
	while (*count < ESCROW_MAX_N) {
		int got = read_share(in, (unsigned)*count + 1, &p[*count], buf, err);
		if (got < 0 && in->tty && err->status == PT_INVALID) {
			err->status = PT_OK; /* the whole check failed: type it again */
			continue;
		}
		if (got < 0) {
			ret = err->status;
			break;
		}
		if (got == 0)
			break;
		(*count)++;
		/* from a terminal, stop once there are as many as the split needs */
		if (in->tty && *count >= p[0].k)
			break;
	}
	secmem_free(buf);
	return ret;
}

static int
cmd_recover(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "shares-fd", required_argument, NULL, 's' },
		{ "new-passphrase-fd", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct recover_in in = { .fd = 0, .tty = isatty(0) };
	struct escrow_piece *p = secmem_alloc(ESCROW_MAX_N * sizeof(*p));
	char names[ESCROW_NAMES_LEN] = "";
	int o, new_fd = -1;
	char *pass = NULL;
	size_t n = 0, count = 0;
	long v;

	if (!p) {
		pt_fail(&c->err, PT_NOMEM, NULL);
		return cli_report(c);
	}
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if ((o != 's' && o != 'n') || cli_parse_int(optarg, 0, INT_MAX, &v) != 0) {
			secmem_free(p);
			return cli_bad_usage(c);
		}
		if (o == 's')
			in = (struct recover_in){ .fd = (int)v, .tty = false };
		else
			new_fd = (int)v;
	}
	if (optind != argc) {
		secmem_free(p);
		return cli_bad_usage(c);
	}
	if (in.tty)
		fprintf(stderr, _("Type the shares' lines (4 a share); each line is checked as it "
		                  "is entered.\n"));
	if (read_shares(&in, p, &count, &c->err) != PT_OK)
		goto out;
	if (store_open_shares(c->path, p, count, &c->st, &c->err) != PT_OK)
		goto out;
	/* nothing else opens before the store has a new passphrase */
	if (cli_get_secret(new_fd, _("New passphrase: "), _("Repeat the new passphrase: "), &pass,
	                   &n, &c->err) != PT_OK)
		goto out;
	if (escrow_recovered(c->st, p, count, pass, n, names, sizeof(names), &c->err) == PT_OK)
		printf(_("Recovered %s with %zu shares (%s); it now opens with the new "
		         "passphrase.\n"),
		       c->path, count, names);
out:
	secmem_free(pass);
	secmem_free(p);
	return cli_report(c);
}

const struct cmd cli_escrow_commands[] = {
	{ "escrow", "split", cmd_split, CMD_STORE,
	  N_("--shares N --threshold K --holder NAME... (N of them)"),
	  N_("split the data key into N recovery shares for paper, any K of which open the "
	     "store; printed once, never stored") },
	{ "escrow", "list", cmd_list, CMD_STORE, N_("[--json]"),
	  N_("list the splits made: when, K of N, holders, and whether they still open the "
	     "store") },
	{ "escrow", "compromise", cmd_compromise, CMD_STORE | CMD_WRITE, N_("--note TEXT"),
	  N_("record a suspected compromise in the audit: the posture then warns that the "
	     "recovery shares predate it") },
	{ "escrow", "rotate", cmd_rotate, CMD_STORE, "",
	  N_("re-encrypt the store under a new data key: every earlier recovery share stops "
	     "opening it") },
	{ "--recover", NULL, cmd_recover, CMD_PATH, N_("[--shares-fd N] [--new-passphrase-fd N]"),
	  N_("open the store with K recovery shares and give it a new passphrase") },
};
const size_t cli_escrow_ncommands = sizeof(cli_escrow_commands) / sizeof(cli_escrow_commands[0]);
