/* timefmt.h - the one UTC time stamp that the program shows: the CLI,
 * the console and the core's messages all write "2026-01-31 12:00:00Z". */
#ifndef PASSTORE_TIMEFMT_H
#define PASSTORE_TIMEFMT_H

#include <stddef.h>
#include <time.h>

#define PT_UTC_LEN 32 /* room for a stamp, with a margin */

/* t as "%Y-%m-%d %H:%M:%SZ" in buf (n bytes), returned for use in an
 * argument list.  zero: the text for t == 0 ("-" where 0 means never),
 * or NULL to show 0 as the epoch.  "-" when t cannot be written. */
char *pt_utc_time(time_t t, const char *zero, char *buf, size_t n);

#endif
