/* timefmt.c - the UTC time stamp shown everywhere (see timefmt.h). */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "base/timefmt.h"

char *
pt_utc_time(time_t t, const char *zero, char *buf, size_t n)
{
	struct tm tm;

	if (!t && zero)
		snprintf(buf, n, "%s", zero);
	else if (!gmtime_r(&t, &tm) || !strftime(buf, n, "%Y-%m-%d %H:%M:%SZ", &tm))
		snprintf(buf, n, "%s", "-");
	return buf;
}
