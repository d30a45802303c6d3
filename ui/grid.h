/* grid.h - the Grid screen's network actions (ui-grid.c), also run from
 * the menu; the screen itself is ui_grid_ops in view.h. */
#ifndef PASSTORE_UI_GRID_H
#define PASSTORE_UI_GRID_H

struct ui;

/* Push a host's grid-mapfile and vomsdir files, fetch a VO's member
 * list (plan first, confirmation, the window's phases, outcome; a
 * fetched list is shown as a diff and imported only on yes). */
void ui_grid_push(struct ui *ui, const char *fqdn);
void ui_grid_fetch_vo(struct ui *ui, const char *vo);
/* The Grid screen on host fqdn: its pane selected, its files previewed
 * (each current or behind, built now). */
void ui_grid_show_host(struct ui *ui, const char *fqdn);
/* Grid set-up (ui-grid-setup.c): a task chosen, then its form; vo and
 * host (may be NULL) are the screen's selection, offered first. */
void ui_grid_setup(struct ui *ui, const char *vo, const char *host);

#endif
