/* form.h - a boxed form on libform (form.c): labelled fields, choice
 * fields cycled with Left/Right, nothing stored until the submit
 * callback accepts the input. */
#ifndef PASSTORE_UI_FORM_H
#define PASSTORE_UI_FORM_H

#include <stdbool.h>
#include <stddef.h>

struct ui;

/* What a path field names: the form offers Tab completion and the file
 * chooser on it (ui/form.c). */
enum ui_file_kind {
	UI_FILE_NONE = 0,  /* not a path */
	UI_FILE_OPEN,      /* an existing file to read */
	UI_FILE_OPEN_MANY, /* one or more existing files, separated by spaces */
	UI_FILE_SAVE,      /* a file to write (may exist: the caller asks) */
	UI_FILE_DIR,       /* an existing directory */
};

struct ui_field {
	const char *label; /* translated */
	char *buf;         /* the caller's (secure memory when masked) */
	size_t len;
	bool masked;
	const char *hint; /* translated, may be NULL */
	enum ui_file_kind file;
};
/* validate: returns -1 when accepted (and done), else the field to fix
 * with a message in err. */
typedef int (*ui_form_submit)(struct ui *ui, struct ui_field *f, size_t n, char *err, size_t errlen,
                              void *ud);
bool ui_form(struct ui *ui, const char *title, struct ui_field *f, size_t n, ui_form_submit submit,
             void *ud);
/* A choice field: its buf holds one of choices (Left/Right/Space cycle;
 * nothing is typed there). */
struct ui_choice {
	size_t field;
	const char *const *choices;
	size_t n;
	/* told after the choice changed, with the form's ud; may be NULL */
	void (*changed)(struct ui_field *f, size_t n, size_t which, void *ud);
};
/* ui_form with choice fields. */
bool ui_form_choices(struct ui *ui, const char *title, struct ui_field *f, size_t n,
                     const struct ui_choice *ch, size_t nch, ui_form_submit submit, void *ud);
/* Told after every key typed into a text field (which: that field), with
 * the fields' buffers up to date and the form's ud: it may rewrite the
 * text the fields' hints point to (a live preview of what the field will
 * make), which the form shows at once. */
typedef void (*ui_form_typed)(struct ui_field *f, size_t n, size_t which, void *ud);
/* ui_form_choices, with typed (may be NULL) told of each key. */
bool ui_form_live(struct ui *ui, const char *title, struct ui_field *f, size_t n,
                  const struct ui_choice *ch, size_t nch, ui_form_typed typed,
                  ui_form_submit submit, void *ud);

#endif
