/* demo.h - a throwaway store filled with a realistic example site, for
 * `passtore --demo` and the console tests.  Built only through core calls. */
#ifndef PASSTORE_DEMO_H
#define PASSTORE_DEMO_H

#include "base/lib.h"
#include "store/lib.h"

#define DEMO_PASSPHRASE "demo"

/* Make a private directory (mkdtemp) with a demo store in it, under a
 * cheap KDF.  *dir and *path are malloc'd; the caller removes the
 * directory when done. */
enum pt_status demo_create(char **dir, char **path, struct pt_err *err);
/* Fill an open, empty store with the example site, in one transaction. */
enum pt_status demo_fill(struct store *st, struct pt_err *err);

#endif
