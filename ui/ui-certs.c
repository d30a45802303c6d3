/* ui-certs.c - certificates and requests (skeleton: filled by its owner). */
#include "config.h"

#include <curses.h>

#include "i18n.h"
#include "view.h"

static void
certs_draw(struct ui *ui, int top, int rows)
{
	(void)ui;
	(void)top;
	(void)rows;
}

static bool
certs_handle(struct ui *ui, enum ui_action a, int key)
{
	(void)ui;
	(void)a;
	(void)key;
	return false;
}

const struct view_ops ui_certs_ops = {
	.title = N_("Certificates"),
	.draw = certs_draw,
	.handle = certs_handle,
};
