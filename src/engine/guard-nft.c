/* guard-nft.c - the window's firewall through libnftables' JSON API.
 *
 * passtore owns one table, inet passtore: input, output and forward base
 * chains with policy drop at priority -300 (before conntrack's and every
 * filter table's), loopback accepted, and a set "windows" of (IPv4
 * address . TCP port) elements with timeouts.  Output accepts what goes to
 * an element, input only the established/related replies from it; IPv6
 * matches nothing and is dropped.  A window is one element whose timeout is
 * the transfer's plus a grace: if passtore dies, the kernel removes it.
 *
 * Every command is built as JSON with jansson: peer addresses, ports and
 * window ids are JSON values, never pasted into nft syntax.  The layout of
 * the table is written once, as the rules' JSON (what libnftables lists)
 * and as the boot-config text; the posture compares the running table
 * with the former, and the net tests load the latter and check they agree.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <jansson.h>
#include <nftables/libnftables.h>

#include "engine/guard.h"
#include "engine/private.h"

#include "base/i18n.h"

#define NFT_PRIO (-300)
#define NFT_FAMILY "inet"

/* clang-format off */
static const char nft_boot_text[] =
	"#!/usr/sbin/nft -f\n"
	"# passtore: the station closed from boot (passtore firewall boot-config).\n"
	"# Load it before any network comes up (e.g. from nftables.service).\n"
	"# Nothing gets in or out but loopback; a passtore window adds one element\n"
	"# (peer . port, with a timeout) to the set for the time of one transfer.\n"
	"table inet passtore\n"
	"delete table inet passtore\n"
	"table inet passtore {\n"
	"\tset windows {\n"
	"\t\ttype ipv4_addr . inet_service\n"
	"\t\tflags timeout\n"
	"\t}\n"
	"\n"
	"\tchain input {\n"
	"\t\ttype filter hook input priority -300; policy drop;\n"
	"\t\tiif \"lo\" accept\n"
	"\t\tct state established,related ip saddr . tcp sport @windows accept\n"
	"\t}\n"
	"\n"
	"\tchain output {\n"
	"\t\ttype filter hook output priority -300; policy drop;\n"
	"\t\toif \"lo\" accept\n"
	"\t\tip daddr . tcp dport @windows accept\n"
	"\t}\n"
	"\n"
	"\tchain forward {\n"
	"\t\ttype filter hook forward priority -300; policy drop;\n"
	"\t}\n"
	"}\n";

/* The same rules, chain by chain, as libnftables 1.0.6 lists them. */
static const char nft_rules_json[] =
	"{\"input\":["
	"[{\"match\":{\"op\":\"==\",\"left\":{\"meta\":{\"key\":\"iif\"}},\"right\":\"lo\"}},"
	"{\"accept\":null}],"
	"[{\"match\":{\"op\":\"in\",\"left\":{\"ct\":{\"key\":\"state\"}},"
	"\"right\":[\"established\",\"related\"]}},"
	"{\"match\":{\"op\":\"==\",\"left\":{\"concat\":["
	"{\"payload\":{\"protocol\":\"ip\",\"field\":\"saddr\"}},"
	"{\"payload\":{\"protocol\":\"tcp\",\"field\":\"sport\"}}]},\"right\":\"@windows\"}},"
	"{\"accept\":null}]],"
	"\"output\":["
	"[{\"match\":{\"op\":\"==\",\"left\":{\"meta\":{\"key\":\"oif\"}},\"right\":\"lo\"}},"
	"{\"accept\":null}],"
	"[{\"match\":{\"op\":\"==\",\"left\":{\"concat\":["
	"{\"payload\":{\"protocol\":\"ip\",\"field\":\"daddr\"}},"
	"{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}}]},\"right\":\"@windows\"}},"
	"{\"accept\":null}]],"
	"\"forward\":[]}";
/* clang-format on */

static const char *const nft_chains[] = { "input", "output", "forward" };
#define NFT_NCHAINS 3

const char *
guard_nft_boot_config(void)
{
	return nft_boot_text;
}

/* ------------------------------------------------------------------ */
/* running commands                                                    */

/* The first line of libnftables' error text, without "Error: ". */
static void
nft_err_line(const char *text, char *buf, size_t len)
{
	const char *s = text ? text : "";
	size_t n;

	if (strncmp(s, "Error: ", 7) == 0)
		s += 7;
	n = strcspn(s, "\n");
	snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), s);
}

/* One context for the process, made at the first call (which also reads
 * libnftables' own files, ~4 ms) and kept: the window's add and delete
 * then take ~0.1 ms each.  Used from the main flow only, as libiptc is. */
static struct nft_ctx *
nft_context(void)
{
	static struct nft_ctx *ctx;

	if (!ctx) {
		ctx = nft_ctx_new(NFT_CTX_DEFAULT);
		if (!ctx)
			return NULL;
		nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_JSON);
		nft_ctx_buffer_output(ctx);
		nft_ctx_buffer_error(ctx);
	}
	return ctx;
}

/* Run {"nftables": cmds} (cmds is taken).  *out (may be NULL) gets the
 * output text, malloc'ed.  A failure whose text names EEXIST or ENOENT
 * gives PT_EXISTS or PT_NOTFOUND, anything else PT_NET; the detail names
 * step.  t0/t1 (may be NULL) get the times around the kernel's commit. */
static enum pt_status
nft_run(json_t *cmds, char **out, const char *step, uint64_t *t0, uint64_t *t1, struct pt_err *err)
{
	json_t *root = json_pack("{s:o}", "nftables", cmds);
	char *text = root ? json_dumps(root, JSON_COMPACT) : NULL;
	struct nft_ctx *ctx = text ? nft_context() : NULL;
	enum pt_status st = PT_OK;
	uint64_t before, after;
	int rc;

	json_decref(root);
	if (out)
		*out = NULL;
	if (!ctx) {
		free(text);
		return pt_fail(err, PT_NOMEM, NULL);
	}
	before = guard_now_us();
	rc = nft_run_cmd_from_buffer(ctx, text);
	after = guard_now_us();
	if (rc != 0) {
		const char *e = nft_ctx_get_error_buffer(ctx);
		char line[256];

		nft_err_line(e, line, sizeof(line));
		st = e && strstr(e, strerror(EEXIST))   ? PT_EXISTS
		     : e && strstr(e, strerror(ENOENT)) ? PT_NOTFOUND
		                                        : PT_NET;
		/* TRANSLATORS: "%s" first is a step such as "opening the window",
		 * the second what nftables said. */
		pt_fail(err, st, _("%s: nftables: %s"), step, line[0] ? line : "?");
	} else {
		if (t0)
			*t0 = before;
		if (t1)
			*t1 = after;
		if (out) {
			*out = strdup(nft_ctx_get_output_buffer(ctx));
			if (!*out)
				st = pt_fail(err, PT_NOMEM, NULL);
		}
	}
	/* reading a buffer rewinds it: nothing carries over to the next call */
	(void)nft_ctx_get_output_buffer(ctx);
	(void)nft_ctx_get_error_buffer(ctx);
	free(text);
	return st;
}

/* One command {verb: {what: obj}} appended to cmds (obj taken). */
static void
nft_cmd(json_t *cmds, const char *verb, const char *what, json_t *obj)
{
	json_array_append_new(cmds, json_pack("{s:{s:o}}", verb, what, obj));
}

static json_t *
nft_table_obj(void)
{
	return json_pack("{s:s,s:s}", "family", NFT_FAMILY, "name", GUARD_NFT_TABLE);
}

/* List table inet passtore: its JSON array "nftables" (new reference), or
 * NULL with *present false when the table is absent, or NULL with err set
 * when nftables failed. */
static json_t *
nft_list_table(bool *present, struct pt_err *err)
{
	json_t *cmds = json_array(), *root, *items;
	struct pt_err lerr = { 0 };
	enum pt_status st;
	char *out = NULL;

	*present = false;
	nft_cmd(cmds, "list", "table", nft_table_obj());
	st = nft_run(cmds, &out, _("reading the posture"), NULL, NULL, &lerr);
	if (st == PT_NOTFOUND)
		return NULL;
	if (st != PT_OK) {
		pt_fail(err, lerr.status, "%s", lerr.detail);
		return NULL;
	}
	root = json_loads(out, 0, NULL);
	free(out);
	items = json_incref(json_object_get(root, "nftables"));
	json_decref(root);
	if (!json_is_array(items)) {
		json_decref(items);
		pt_fail(err, PT_NET, _("%s: nftables: %s"), _("reading the posture"),
		        _("unreadable listing"));
		return NULL;
	}
	*present = true;
	return items;
}

bool
guard_nft_works(void)
{
	json_t *cmds = json_array();

	nft_cmd(cmds, "list", "tables", json_null());
	return nft_run(cmds, NULL, "probe", NULL, NULL, NULL) == PT_OK;
}

/* ------------------------------------------------------------------ */
/* the table                                                           */

static json_t *
nft_chain_obj(const char *name)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:s}", "family", NFT_FAMILY, "table",
	                 GUARD_NFT_TABLE, "name", name, "type", "filter", "hook", name, "prio",
	                 NFT_PRIO, "policy", "drop");
}

/* The commands that create the closed table, as the boot-config does. */
static json_t *
nft_create_cmds(void)
{
	json_t *rules = json_loads(nft_rules_json, 0, NULL);
	json_t *cmds = json_array();

	nft_cmd(cmds, "add", "table", nft_table_obj());
	nft_cmd(cmds, "add", "set",
	        json_pack("{s:s,s:s,s:s,s:[s,s],s:[s]}", "family", NFT_FAMILY, "table",
	                  GUARD_NFT_TABLE, "name", GUARD_NFT_SET, "type", "ipv4_addr",
	                  "inet_service", "flags", "timeout"));
	for (size_t c = 0; c < NFT_NCHAINS; c++) {
		json_t *list = json_object_get(rules, nft_chains[c]), *expr;
		size_t i;

		nft_cmd(cmds, "add", "chain", nft_chain_obj(nft_chains[c]));
		json_array_foreach(list, i, expr)
			nft_cmd(cmds, "add", "rule",
		                json_pack("{s:s,s:s,s:s,s:O}", "family", NFT_FAMILY, "table",
		                          GUARD_NFT_TABLE, "chain", nft_chains[c], "expr", expr));
	}
	json_decref(rules);
	return cmds;
}

enum pt_status
guard_fw_prepare(enum guard_backend fw, bool *created, struct pt_err *err)
{
	struct pt_err lerr = { 0 };
	bool present = false;
	json_t *items;

	if (created)
		*created = false;
	if (fw != GUARD_FW_NFTABLES)
		return PT_OK;
	items = nft_list_table(&present, &lerr);
	json_decref(items);
	if (present)
		return PT_OK;
	if (lerr.status != PT_OK)
		return pt_fail(err, lerr.status, "%s", lerr.detail);
	/* no boot table: create the closed one before the link comes up */
	if (nft_run(nft_create_cmds(), NULL, _("opening the window"), NULL, NULL, err) != PT_OK)
		return err ? err->status : PT_NET;
	if (created)
		*created = true;
	return PT_OK;
}

enum pt_status
guard_nft_table_drop(struct pt_err *err)
{
	json_t *cmds;
	enum pt_status st;

	cmds = json_array();
	nft_cmd(cmds, "delete", "table", nft_table_obj());
	st = nft_run(cmds, NULL, _("closing the window"), NULL, NULL, err);
	if (st == PT_NOTFOUND) {
		pt_err_clear(err);
		return PT_OK;
	}
	return st;
}

/* ------------------------------------------------------------------ */
/* windows                                                             */

/* The element of w: {"concat": ["10.1.2.3", 22]}. */
static json_t *
nft_elem_key(const struct guard_window *w)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &w->peer, a, sizeof(a));
	return json_pack("{s:[s,i]}", "concat", a, (json_int_t)w->port);
}

static json_t *
nft_elem_cmd(json_t *elem)
{
	return json_pack("{s:s,s:s,s:s,s:[o]}", "family", NFT_FAMILY, "table", GUARD_NFT_TABLE,
	                 "name", GUARD_NFT_SET, "elem", elem);
}

static enum pt_status
guard_nft_add(const struct guard_window *w, struct guard_exposure *x, struct pt_err *err)
{
	json_t *cmds = json_array(), *elem;
	char tag[GUARD_ID_MAX + sizeof(GUARD_TAG)];
	enum pt_status st;
	uint64_t t0 = 0;

	if (!guard_window_valid(w, err))
		return PT_INVALID;
	snprintf(tag, sizeof(tag), GUARD_TAG "%s", w->id);
	elem = json_pack("{s:o,s:s}", "val", nft_elem_key(w), "comment", tag);
	if (w->timeout_s)
		json_object_set_new(elem, "timeout", json_integer(w->timeout_s));
	/* "create" fails on an element that is there: a window never doubles */
	nft_cmd(cmds, "create", "element", nft_elem_cmd(json_pack("{s:o}", "elem", elem)));
	st = nft_run(cmds, NULL, _("opening the window"), &t0, NULL, err);
	if (st == PT_EXISTS)
		return pt_fail(err, PT_EXISTS, _("window %s is already open"), w->id);
	if (st == PT_NOTFOUND)
		return pt_fail(err, PT_NET, _("window %s: table inet %s or its set is missing"),
		               w->id, GUARD_NFT_TABLE);
	if (st == PT_OK && x) {
		x->opened_us = t0;
		x->closed_us = 0;
	}
	return st;
}

static enum pt_status
guard_nft_remove(const struct guard_window *w, struct guard_exposure *x, struct pt_err *err)
{
	json_t *cmds = json_array();
	enum pt_status st;
	uint64_t t1 = 0;

	if (!guard_window_valid(w, err))
		return PT_INVALID;
	nft_cmd(cmds, "delete", "element", nft_elem_cmd(nft_elem_key(w)));
	st = nft_run(cmds, NULL, _("closing the window"), NULL, &t1, err);
	if (st == PT_OK && x)
		x->closed_us = t1;
	if (st == PT_NOTFOUND)
		return pt_fail(err, PT_NOTFOUND,
		               _("window %s: its element is not in the set (expired, or removed)"),
		               w->id);
	return st;
}

/* The set's elements in items, or NULL. */
static json_t *
nft_set_elems(json_t *items)
{
	size_t i;
	json_t *it;

	json_array_foreach(items, i, it)
	{
		json_t *set = json_object_get(it, "set");

		if (set && json_is_string(json_object_get(set, "name")) &&
		    strcmp(json_string_value(json_object_get(set, "name")), GUARD_NFT_SET) == 0)
			return json_object_get(set, "elem");
	}
	return NULL;
}

static enum pt_status
guard_nft_sweep(struct pt_err *err, int *removed)
{
	bool present = false;
	json_t *items = nft_list_table(&present, err), *cmds;
	size_t n = json_array_size(nft_set_elems(items));
	enum pt_status st;

	json_decref(items);
	if (removed)
		*removed = 0;
	if (!present)
		return err && err->status != PT_OK ? err->status : PT_OK;
	if (n == 0)
		return PT_OK;
	cmds = json_array();
	nft_cmd(cmds, "flush", "set",
	        json_pack("{s:s,s:s,s:s}", "family", NFT_FAMILY, "table", GUARD_NFT_TABLE, "name",
	                  GUARD_NFT_SET));
	st = nft_run(cmds, NULL, _("sweeping passtore rules"), NULL, NULL, err);
	if (st == PT_OK && removed)
		*removed = (int)n;
	return st;
}

/* ------------------------------------------------------------------ */
/* posture                                                             */

static void
nft_rule_text(struct guard_rule_text *list, int *n, int *total, const char *chain, const char *text,
              bool loopback)
{
	(*total)++;
	if (*n >= GUARD_POSTURE_RULES)
		return;
	snprintf(list[*n].chain, sizeof(list[*n].chain), "%s", chain);
	snprintf(list[*n].text, sizeof(list[*n].text), "%s", text);
	list[*n].loopback = loopback;
	(*n)++;
}

/* The first difference from the boot-config, kept; later ones are not. */
static void nft_differs(struct guard_posture *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
nft_differs(struct guard_posture *p, const char *fmt, ...)
{
	va_list ap;

	if (!p->boot_match)
		return;
	p->boot_match = false;
	va_start(ap, fmt);
	vsnprintf(p->boot_diff, sizeof(p->boot_diff), fmt, ap);
	va_end(ap);
}

/* An element as text: "10.1.2.3 . 22 passtore:w..." */
static void
nft_elem_text(json_t *e, char *buf, size_t len)
{
	json_t *in = json_object_get(e, "elem"), *val = in ? json_object_get(in, "val") : e;
	json_t *cat = json_object_get(val, "concat");
	const char *comment = in ? json_string_value(json_object_get(in, "comment")) : NULL;
	json_t *expires = in ? json_object_get(in, "expires") : NULL;

	if (json_array_size(cat) == 2 && json_is_string(json_array_get(cat, 0)))
		snprintf(buf, len, "%s . %lld%s%s expires %llds",
		         json_string_value(json_array_get(cat, 0)),
		         (long long)json_integer_value(json_array_get(cat, 1)), comment ? " " : "",
		         comment ? comment : "", (long long)json_integer_value(expires));
	else
		snprintf(buf, len, "?");
}

static void
nft_posture_set(struct guard_posture *p, json_t *set)
{
	const char *name = json_string_value(json_object_get(set, "name"));
	json_t *want_type = json_pack("[s,s]", "ipv4_addr", "inet_service");
	json_t *want_flags = json_pack("[s]", "timeout");
	json_t *e;
	size_t i;

	if (!name || strcmp(name, GUARD_NFT_SET) != 0) {
		nft_differs(p, _("a set %s that the boot-config does not create"),
		            name ? name : "?");
	} else {
		if (!json_equal(json_object_get(set, "type"), want_type) ||
		    !json_equal(json_object_get(set, "flags"), want_flags))
			nft_differs(p, _("the set %s differs"), name);
		json_array_foreach(json_object_get(set, "elem"), i, e)
		{
			char text[GUARD_RULE_TEXT];

			nft_elem_text(e, text, sizeof(text));
			nft_rule_text(p->tagged, &p->n_tagged, &p->tagged_total, GUARD_NFT_SET,
			              text, false);
		}
	}
	json_decref(want_type);
	json_decref(want_flags);
}

static void
nft_posture_chain(struct guard_posture *p, json_t *ch, bool seen[NFT_NCHAINS])
{
	const char *name = json_string_value(json_object_get(ch, "name"));
	const char *hook = json_string_value(json_object_get(ch, "hook"));
	const char *pol = json_string_value(json_object_get(ch, "policy"));
	const char *type = json_string_value(json_object_get(ch, "type"));
	enum guard_policy *slot[NFT_NCHAINS] = { &p->input, &p->output, &p->forward };
	size_t c;

	for (c = 0; c < NFT_NCHAINS; c++)
		if (name && strcmp(name, nft_chains[c]) == 0)
			break;
	if (c == NFT_NCHAINS) {
		nft_differs(p, _("a chain %s that the boot-config does not create"),
		            name ? name : "?");
		return;
	}
	seen[c] = true;
	if (!hook || strcmp(hook, name) != 0) {
		nft_differs(p, _("chain %s is not on its hook"), name);
		return; /* a regular chain drops nothing by its policy */
	}
	*slot[c] = !pol                         ? GUARD_POLICY_UNKNOWN
	           : strcmp(pol, "drop") == 0   ? GUARD_POLICY_DROP
	           : strcmp(pol, "accept") == 0 ? GUARD_POLICY_ACCEPT
	                                        : GUARD_POLICY_OTHER;
	if (*slot[c] != GUARD_POLICY_DROP)
		nft_differs(p, _("the policy of chain %s is not drop"), name);
	if (!type || strcmp(type, "filter") != 0 ||
	    json_integer_value(json_object_get(ch, "prio")) != NFT_PRIO)
		nft_differs(p, _("chain %s has another type or priority"), name);
}

/* A rule that can only drop: its last statement is drop or reject. */
static bool
nft_rule_drops(json_t *expr)
{
	json_t *last = json_array_get(expr, json_array_size(expr) - 1);

	return json_object_get(last, "drop") || json_object_get(last, "reject");
}

static void
nft_posture_rule(struct guard_posture *p, json_t *rule, json_t *want, size_t idx[NFT_NCHAINS])
{
	const char *chain = json_string_value(json_object_get(rule, "chain"));
	json_t *expr = json_object_get(rule, "expr");
	json_t *list = chain ? json_object_get(want, chain) : NULL;
	size_t c;
	char *text;

	for (c = 0; c < NFT_NCHAINS; c++)
		if (chain && strcmp(chain, nft_chains[c]) == 0)
			break;
	if (c < NFT_NCHAINS && json_equal(expr, json_array_get(list, idx[c]))) {
		idx[c]++;
		return;
	}
	nft_differs(p, _("chain %s holds a rule that the boot-config does not"),
	            chain ? chain : "?");
	if (nft_rule_drops(expr))
		return;
	text = json_dumps(expr, JSON_COMPACT);
	nft_rule_text(p->foreign, &p->n_foreign, &p->foreign_total, chain ? chain : "?",
	              text ? text : "?",
	              json_equal(expr, json_array_get(json_object_get(want, "input"), 0)) ||
	                      json_equal(expr, json_array_get(json_object_get(want, "output"), 0)));
	free(text);
}

static bool
guard_nft_posture(struct guard_posture *p, struct pt_err *err)
{
	bool present = false, seen[NFT_NCHAINS] = { false };
	size_t idx[NFT_NCHAINS] = { 0 }, i, c;
	json_t *items = nft_list_table(&present, err), *want, *it;

	p->nft_table = present;
	p->boot_match = present;
	p->boot_diff[0] = '\0';
	if (!present) {
		if (err && err->status != PT_OK)
			return false;
		snprintf(p->boot_diff, sizeof(p->boot_diff), "%s",
		         _("table inet passtore is not loaded"));
		return true;
	}
	want = json_loads(nft_rules_json, 0, NULL);
	json_array_foreach(items, i, it)
	{
		if (json_object_get(it, "set"))
			nft_posture_set(p, json_object_get(it, "set"));
		else if (json_object_get(it, "chain"))
			nft_posture_chain(p, json_object_get(it, "chain"), seen);
		else if (json_object_get(it, "rule"))
			nft_posture_rule(p, json_object_get(it, "rule"), want, idx);
		else if (!json_object_get(it, "table") && !json_object_get(it, "metainfo"))
			nft_differs(p, "%s", _("an object that the boot-config does not create"));
	}
	for (c = 0; c < NFT_NCHAINS; c++) {
		if (!seen[c])
			nft_differs(p, _("chain %s is missing"), nft_chains[c]);
		else if (idx[c] != json_array_size(json_object_get(want, nft_chains[c])))
			nft_differs(p, _("chain %s lacks a rule of the boot-config"),
			            nft_chains[c]);
	}
	json_decref(want);
	json_decref(items);
	return true;
}

bool
guard_nft_posture_ok(const struct guard_posture *p, char *reason, size_t len)
{
	char tmp[GUARD_RULE_TEXT + 128] = "";
	const struct {
		const char *chain;
		enum guard_policy pol;
	} pols[] = { { "input", p->input }, { "output", p->output }, { "forward", p->forward } };

	if (!p->iptables_ok) {
		snprintf(tmp, sizeof(tmp), _("the nftables firewall could not be read: %.200s"),
		         p->error);
		goto refuse;
	}
	/* No table: the window creates the closed one before the link comes
	 * up (the posture shows that the boot-config is not loaded). */
	for (size_t i = 0; p->nft_table && i < sizeof(pols) / sizeof(pols[0]); i++)
		if (pols[i].pol != GUARD_POLICY_DROP) {
			/* TRANSLATORS: "the policy of passtore's chain input is
			 * accept, not drop"; chain and policy names are nft words. */
			snprintf(tmp, sizeof(tmp),
			         _("the policy of passtore's chain %s is %s, not drop"),
			         pols[i].chain, guard_policy_name(pols[i].pol));
			goto refuse;
		}
	if (!guard_posture_rules_ok(p, tmp, sizeof(tmp)))
		goto refuse;
	if (p->legacy_drops) {
		snprintf(tmp, sizeof(tmp), "%s",
		         _("the legacy iptables policies drop what an nftables window lets through "
		           "(use net.firewall iptables, or set them to ACCEPT)"));
		goto refuse;
	}
	/* IPv6: the inet table drops it on every hook, enabled or not */
	if (reason && len)
		reason[0] = '\0';
	return true;
refuse:
	if (reason && len)
		snprintf(reason, len, "%s", tmp);
	return false;
}

const struct guard_fw_ops guard_fw_nftables_ops = {
	.name = "nftables",
	.add = guard_nft_add,
	.remove = guard_nft_remove,
	.sweep = guard_nft_sweep,
	.posture = guard_nft_posture,
};
