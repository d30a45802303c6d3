/* status.c - status messages, exit codes and error filling. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "base/i18n.h"
#include "base/status.h"

static const struct {
	int exitcode;
	const char *msg;
} status_info[] = {
#define PT_STATUS_ROW(name, exitcode, msg) { exitcode, msg },
	PT_STATUS_INFO(PT_STATUS_ROW)
#undef PT_STATUS_ROW
};

const char *
pt_status_msg(enum pt_status st)
{
	if ((unsigned)st >= PT_STATUS_MAX)
		return N_("unknown status");
	return status_info[st].msg;
}

int
pt_status_exit(enum pt_status st)
{
	if ((unsigned)st >= PT_STATUS_MAX)
		return 1;
	return status_info[st].exitcode;
}

enum pt_status
pt_vfail(struct pt_err *err, enum pt_status st, const char *fmt, va_list ap)
{
	if (!err)
		return st;
	err->status = st;
	if (fmt)
		vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	else
		snprintf(err->detail, sizeof(err->detail), "%s", _(pt_status_msg(st)));
	return st;
}

enum pt_status
pt_fail(struct pt_err *err, enum pt_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pt_vfail(err, st, fmt, ap);
	va_end(ap);
	return st;
}

void
pt_err_clear(struct pt_err *err)
{
	if (err) {
		err->status = PT_OK;
		err->detail[0] = '\0';
	}
}

const char *
pt_err_text(const struct pt_err *err)
{
	return err->detail[0] ? err->detail : _(pt_status_msg(err->status));
}
