/* grid-screen.h - what the Grid screen's files share, and nobody else:
 *   ui-grid.c        the screen: VOs above, hosts with rules below, snapshots
 *   ui-grid-page.c   its page: a host's grid-mapfile preview, or a page of text
 *   ui-grid-flows.c  push and fetch-vo: the engine's plan, the window, the outcome
 */
#ifndef PASSTORE_UI_GRID_SCREEN_H
#define PASSTORE_UI_GRID_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "ui/browse.h"
#include "ui/theme.h"

/* ui-grid.c: a time as the screen shows it ("(never)" for 0). */
void grid_stamp(time_t t, char *buf, size_t len);
/* ui-grid.c: read the VOs and the hosts again (after a push or an import). */
void grid_reload(struct ui *ui);

/* ui-grid-page.c */
bool grid_page_on(void);
/* The host of the page ("" for a page about none). */
const char *grid_page_host(void);
/* The preview of host's grid-mapfile, built now. */
void grid_preview_open(struct ui *ui, const char *host);
/* A preview is built again; a page of text stays. */
void grid_page_refresh(struct ui *ui);
/* A new page of text: title, a subtitle, then lines with grid_page_add
 * and grid_page_shown once they are all there. */
void grid_page_open(const char *host, const char *title, const char *sub);
void grid_page_add(enum theme_role role, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void grid_page_shown(void);
void grid_page_close(void);
void grid_page_draw(struct ui *ui, int top, int rows);
bool grid_page_handle(struct ui *ui, enum ui_action a, int key);

#endif
