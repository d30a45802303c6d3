/* pw.h - the password actions (ui-pw.c), shared by the passwords
 * browser, the host page's passwords pane and the menu. */
#ifndef PASSTORE_UI_PW_H
#define PASSTORE_UI_PW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ui/keys.h"
#include "ui/list.h"

struct ui;

/* id 0: none selected. */
bool pw_action(struct ui *ui, enum ui_action a, int64_t id);
/* On the passwords screen: the list filtered on entry. */
void pw_show_entry(struct ui *ui, const char *entry);
/* The new-password form; host (may be NULL) prefills the entry. */
bool pw_new_form(struct ui *ui, const char *host);
/* A list source over the passwords (of one host when fqdn is set). */
struct pw_source {
	struct ui *ui;
	char fqdn[256];
};
int pw_source_each(void *ctx, ui_row_cb cb, void *ud);
/* The same, a page at a time after a row's key (see struct
 * ui_list_source); all the entries only (fqdn empty). */
int pw_source_after(void *ctx, const char *after, const char *filter, size_t limit, ui_row_cb cb,
                    void *ud);

#define PW_ACTIONS \
	(ACTBIT(ACT_NEW) | ACTBIT(ACT_REVEAL) | ACTBIT(ACT_UPDATE) | ACTBIT(ACT_GENERATE) | \
	 ACTBIT(ACT_HISTORY) | ACTBIT(ACT_DELETE) | ACTBIT(ACT_LARGE))

#endif
