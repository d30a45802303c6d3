/* lines.c - the lines of a popup box: formatted strings appended to a
 * growing array (bounded where the caller asks), and a label/value
 * field wrapped to the popup's width. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "ui/browse.h"
#include "ui/lines.h"

bool
lines_vadd(struct lines *l, const char *fmt, va_list ap)
{
	char *s = NULL, **n;

	if (l->max && l->n >= l->max)
		return false;
	n = realloc(l->v, (l->n + 1) * sizeof *n);
	if (!n)
		return false;
	l->v = n;
	if (vasprintf(&s, fmt, ap) < 0)
		return false;
	l->v[l->n++] = s;
	return true;
}

void
lines_add(struct lines *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lines_vadd(l, fmt, ap);
	va_end(ap);
}

void
lines_field(struct lines *l, int label_w, const char *label, const char *value)
{
	/* ui_popup boxes COLS - 8 columns, less its border and margins */
	int w = COLS - 12 - (label_w + 1);
	size_t n = strlen(value);
	/* the label padded by characters (an accent is one column), and
	 * never cut: a longer translation widens its own line */
	int lw = ui_chars(label) > label_w ? ui_chars(label) : label_w;
	char cell[256];

	if (w < 20)
		w = 20;
	do {
		int k = n > (size_t)w ? w : (int)n;
		/* break before an attribute ("/CN=") or after a comma */
		for (int j = k; n > (size_t)w && j > w / 2; j--)
			if (value[j] == '/' || value[j - 1] == ',') {
				k = j;
				break;
			}
		lines_add(l, "%s %.*s", ui_cell(cell, sizeof cell, label, lw), k, value);
		label = "";
		value += k;
		n -= (size_t)k;
	} while (n > 0);
}

void
lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
