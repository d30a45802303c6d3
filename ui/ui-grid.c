/* ui-grid.c - the Grid screen (skeleton: filled by its owner). */
#include "config.h"

#include <curses.h>

#include "i18n.h"
#include "view.h"

static void
grid_draw(struct ui *ui, int top, int rows)
{
	(void)ui;
	(void)top;
	(void)rows;
}

static bool
grid_handle(struct ui *ui, enum ui_action a, int key)
{
	(void)ui;
	(void)a;
	(void)key;
	return false;
}

const struct view_ops ui_grid_ops = {
	.title = N_("Grid"),
	.draw = grid_draw,
	.handle = grid_handle,
};
