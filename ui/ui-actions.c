/* ui-actions.c - the global actions (skeleton: filled by its owner). */
#include "config.h"

#include "view.h"

bool
ui_run_action(struct ui *ui, enum ui_action a, const char *host)
{
	(void)ui;
	(void)a;
	(void)host;
	return false;
}
