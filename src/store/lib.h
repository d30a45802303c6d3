/* store/lib.h - the encrypted store and what lives beside every table.
 *
 *   store.c        paths, prepared statements, transactions, meta keys
 *   store-open.c   SQLCipher create/open/unlock, KDF header, migrations
 *   store-rekey.c  re-encryption into a new file, backups, file SHA-256
 *   store-mem.c    SQLite's memory in the secure heap (base/secheap)
 *   store-key.c    the data key, its key record, passphrase rewrap, conversion
 *   escrow.c       k-of-n recovery shares of the data key (libgfshare)
 *   private.h      struct store and the steps these files share, not API
 *   audit.c        the hash-chained audit trail and its verification
 *   rowmac.c       each password row's MAC, bound to its last audit record
 *   settings.c     the station's configuration keys, their validation
 *
 * Stands on base/ only. */
#ifndef PASSTORE_STORE_LIB_H
#define PASSTORE_STORE_LIB_H

#include "store/store.h"
#include "store/audit.h"
#include "store/rowmac.h"
#include "store/settings.h"
#include "store/escrow.h"

#endif
