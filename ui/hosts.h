/* hosts.h - the hosts browser's form (ui-hosts.c), also a global action. */
#ifndef PASSTORE_UI_HOSTS_H
#define PASSTORE_UI_HOSTS_H

#include <stdbool.h>

struct ui;

/* The new-host form. */
bool host_new_form(struct ui *ui);

#endif
