/* privsep-proto.h - the helper's protocol (privsep.c), and the tests'
 * (tests/unit/test_privsep.c sends it malformed): one fixed-size request,
 * one fixed-size answer, over a SOCK_SEQPACKET socketpair.
 */
#ifndef PASSTORE_PRIVSEP_PROTO_H
#define PASSTORE_PRIVSEP_PROTO_H

#include <stdint.h>
#include <net/if.h>
#include <netinet/in.h>

#include "engine/guard.h"

#define PS_MAGIC 0x70737033u /* "psp3" */
#define PS_WINDOWS 1         /* windows one helper holds open at once, as the engine */
#define PS_TIMEOUT_MS_MAX 600000
#define PS_NFT_TIMEOUT_MAX (7u * 86400u)

enum ps_op {
	PS_OPEN = 1, /* seq, w, gw, wait_ms: the window, opened */
	PS_CLOSE,    /* w: a window this helper opened, closed */
	PS_RECOVER,  /* ipt, nft, nft_table, ifname: what dead windows left */
	PS_POSTURE,  /* fw (AUTO allowed), ifname ("": the backend only) */
	PS_CANCEL,   /* seq only, no answer: that OPEN stops before its rules, or
	              * is refused if it has not begun */
	PS_OP_END
};

struct ps_req {
	uint32_t magic, op;
	/* OPEN: its number, above every earlier OPEN's (the main process
	 * numbers it before it checks its stop flag); CANCEL: the number of
	 * the OPEN it stops.  0 is no number. */
	uint32_t seq;
	struct guard_window w;        /* OPEN, CLOSE */
	struct in_addr gw;            /* OPEN */
	int32_t wait_ms;              /* OPEN */
	uint32_t fw;                  /* POSTURE */
	char ifname[IFNAMSIZ];        /* POSTURE, RECOVER ("": none) */
	uint32_t ipt, nft, nft_table; /* RECOVER: 0 or 1 each */
};

struct ps_rep {
	uint32_t magic, op;
	int32_t status;
	char detail[sizeof(((struct pt_err *)0)->detail)];
	uint32_t fw;         /* POSTURE: the backend, resolved */
	int32_t n;           /* RECOVER: rules or elements removed */
	uint32_t cancelled;  /* OPEN: 1 if refused for a CANCEL before it began */
	struct guard_open o; /* OPEN, CLOSE: what the helper did and measured */
	struct guard_posture posture;
};

#endif
