/* view.h - the view table (tig's view_ops): one entry per screen, what
 * it handles besides the global actions and how it is drawn; app.c
 * registers them in one list indexed by enum ui_view_id. */
#ifndef PASSTORE_UI_VIEW_H
#define PASSTORE_UI_VIEW_H

#include <stdbool.h>

#include "ui/keys.h"

struct ui;

enum ui_view_id {
	VIEW_UNLOCK,
	VIEW_DASH,
	VIEW_HOSTS,
	VIEW_PASSWORDS,
	VIEW_TRANSFERS,
	VIEW_AUDIT,
	VIEW_CERTS,
	VIEW_GRID,
	VIEW_SETTINGS,
	VIEW_CAS,
	VIEW_MAX
};

struct view_ops {
	const char *title;            /* N_() */
	ui_actset actions;            /* what the view handles, besides the globals */
	void (*enter)(struct ui *ui); /* shown (again) */
	void (*draw)(struct ui *ui, int top, int rows);
	/* true when handled */
	bool (*handle)(struct ui *ui, enum ui_action a, int key);
	/* a timer tick (~100 ms): true when the screen must be redrawn */
	bool (*tick)(struct ui *ui);
	/* lock: forget everything read from the store */
	void (*reset)(struct ui *ui);
	/* the host the selected row is about (for the global actions'
	 * defaults), or NULL; may be NULL itself */
	const char *(*context_host)(struct ui *ui);
};

extern const struct view_ops ui_unlock_ops, ui_dash_ops, ui_hosts_ops, ui_passwords_ops,
	ui_transfers_ops, ui_audit_ops, ui_certs_ops, ui_grid_ops, ui_settings_ops, ui_cas_ops;

#endif
