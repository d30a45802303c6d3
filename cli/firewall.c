/* firewall.c - the station's firewall at boot: `firewall boot-config`. */
#include "config.h"

#include <stdio.h>

#include "private.h"
#include "engine/lib.h"
#include "base/i18n.h"

/* The nftables file that closes the station from boot: needs no store and
 * no privilege, so that an installer can write it where nftables.service
 * loads it (e.g. passtore firewall boot-config > /etc/nftables.conf). */
static int
cmd_boot_config(struct cli *c, int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return cli_bad_usage(c);
	if (fputs(guard_nft_boot_config(), stdout) == EOF || fflush(stdout) != 0) {
		pt_fail(&c->err, PT_IO, _("cannot write the boot configuration"));
		return cli_report(c);
	}
	return 0;
}

const struct cmd cli_firewall_commands[] = {
	{ "firewall", "boot-config", cmd_boot_config, 0, "",
	  N_("print the nftables file that creates passtore's closed table at boot (nft -f)") },
};
const size_t cli_firewall_ncommands =
	sizeof(cli_firewall_commands) / sizeof(cli_firewall_commands[0]);
