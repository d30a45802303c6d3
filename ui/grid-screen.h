/* grid-screen.h - what the Grid screen's files share, and nobody else:
 *   ui-grid.c        the screen: VOs above, hosts with rules below, snapshots
 *   ui-grid-page.c   its page: a host's grid-mapfile preview, or a page of text
 *   ui-grid-flows.c  push and fetch-vo: the engine's plan, the window, the outcome
 *   ui-grid-setup.c  set-up forms: VOs, lists, rules, bans, local entries,
 *                    VOMS servers, FQAN mappings
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
/* The page's subtitle, once its lines are counted. */
void grid_page_sub(const char *sub);

/* ui-grid-flows.c: a member list's diff against the VO's current
 * snapshot added to the open page, imported on yes. */
void grid_offer_import(struct ui *ui, const char *vo, const char *data, size_t len,
                       const char *source, const char *name);

/* ui-grid-flows.c: each file of b against the last push to host (current,
 * behind, new...; with detail each line added and removed), and the
 * chains of b that fail their check, added to the open page; the number
 * of files that differ. */
struct gs_build;
size_t grid_diff_lines(struct ui *ui, const char *host, const struct gs_build *b, bool detail);

/* ui-grid-setup.c: pages of the FQAN mappings and of the VOMS servers
 * with their chains' checks; the map and unmap forms. */
void grid_maps_page(struct ui *ui, const char *vo);
void grid_voms_page(struct ui *ui);
/* ui-grid-setup.c: the page of the bans, as `gridmap bans` lists them. */
void grid_bans_page(struct ui *ui);
void grid_map_form(struct ui *ui, const char *vo);
void grid_unmap_form(struct ui *ui, const char *vo);
void grid_page_close(void);
void grid_page_draw(struct ui *ui, int top, int rows);
bool grid_page_handle(struct ui *ui, enum ui_action a, int key);

#endif
