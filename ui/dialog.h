/* dialog.h - boxes for the actions (dialog.c), drawn over a cleared
 * screen: the caller's view is redrawn afterwards (ui->dirty is set). */
#ifndef PASSTORE_UI_DIALOG_H
#define PASSTORE_UI_DIALOG_H

#include <stdbool.h>
#include <stddef.h>

struct ui;

/* A box of h x w in the middle; its top-left corner in *y, *x. */
void dialog_box(struct ui *ui, int h, int w, int *y, int *x, const char *title);
/* Lines in a box with a question under them; true on y. */
bool dialog_ask(struct ui *ui, const char *title, const char *const *lines, size_t n,
                const char *question);
/* Lines in a box with a status line under them, drawn at once (no key
 * is read: for progress while something runs). */
void dialog_show(struct ui *ui, const char *title, const char *const *lines, size_t n,
                 const char *status);

#endif
