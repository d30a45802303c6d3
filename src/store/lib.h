/* store/lib.h - the encrypted store and what lives beside every table.
 *
 *   store.c     SQLCipher open/unlock/rekey, schema + migrations, backups
 *   audit.c     the hash-chained audit trail and its verification
 *   settings.c  the station's configuration keys, their validation
 *
 * Stands on base/ only. */
#ifndef PASSTORE_STORE_LIB_H
#define PASSTORE_STORE_LIB_H

#include "store/store.h"
#include "store/audit.h"
#include "store/settings.h"

#endif
