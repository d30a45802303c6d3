/* engine/lib.h - the guarded transfer engine: the only code that opens the network.
 *
 *   guard.c       the pin-hole: timing, the window (private.h for its parts)
 *   guard-fw.c    the window's firewall rules (libiptc)
 *   guard-nft.c   the same through libnftables JSON: table inet passtore, timed set elements
 *   guard-nl.c    link, host route and neighbour (rtnetlink)
 *   guard-posture.c  the posture check: firewall, IPv6, listening sockets
 *   guard-station.c  the station rows: the seed's rules (RAID1, swap, clock, backup...)
 *   guard-window.c   a window's life in four requests: open, close, recover (and posture)
 *   sshx.c        one SSH/SFTP session to one pinned peer: connect, auth, exec
 *   sshx-put.c    the verified SFTP put
 *   sshx-get.c    the SFTP get and list
 *   sshx-ext.c    posix-rename and hardlink (OpenSSH SFTP extensions), commands
 *   transfer.c    windows: journal, signals, recovery, the log
 *   plan.c        the one table of flows; plans (every refusal before a window)
 *   flows.c       the certificate flows (send-csr, fetch-certs, install)
 *   flows-grid.c  the Grid flows (gridmap push, fetch-vo)
 *   flows-crl.c   fetch-crl: CRLs from the operator's outbox
 *   privsep.c     privilege separation: the helper that alone keeps CAP_NET_ADMIN, its
 *                 four requests (open, close, recover, posture), the client the guard
 *                 forwards them to, capability drops
 *   privsep-proto.h  the helper's fixed-size messages (privsep.c and its tests)
 *   sandbox.c     the seccomp allow-lists of the helper and of the main process
 *
 *   private.h     shared by the files above only (planning helpers, flow rows)
 *
 * The top of the core: may use every folder below it. */
#ifndef PASSTORE_ENGINE_LIB_H
#define PASSTORE_ENGINE_LIB_H

#include "engine/guard.h"
#include "engine/sshx.h"
#include "engine/transfer.h"
#include "engine/flows-grid.h"
#include "engine/privsep.h"

#endif
