/* lines.h - the lines of a popup box (lines.c): a growing array of
 * formatted strings that the detail boxes of the console fill and hand
 * to ui_popup / dialog_show. */
#ifndef PASSTORE_UI_LINES_H
#define PASSTORE_UI_LINES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct lines {
	char **v;
	size_t n;
	size_t max; /* lines kept at the most; 0: no bound */
};

/* One formatted line at the end; nothing when memory fails or the
 * bound is reached.  lines_vadd says whether a line went in. */
bool lines_vadd(struct lines *l, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void lines_add(struct lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A label in label_w columns and a value cut into lines of the popup's
 * width, before a "/" of a DN or after a comma when it can. */
void lines_field(struct lines *l, int label_w, const char *label, const char *value);
/* Frees every line; the bound stays, so l can be filled again. */
void lines_free(struct lines *l);

#endif
