/* filelist.h - what the console's path fields know of the file system
 * (filelist.c): a directory read with a bound, Tab completion, the
 * removable media offered first, and the escaping of a field that holds
 * several paths.  No curses here: tests/unit/test_filelist.c drives it.
 *
 * A field of several paths (UI_FILE_OPEN_MANY) separates them with
 * spaces; a space or a backslash inside a path is written with a
 * backslash before it ("my\ cert.pem", "a\\b").  A field of one path
 * holds the path as it is.  A name with a control character (a newline)
 * cannot be typed into a field: completion stops before it and the
 * chooser refuses to pick it. */
#ifndef PASSTORE_UI_FILELIST_H
#define PASSTORE_UI_FILELIST_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* At most this many entries of one directory are kept (the rest is
 * said, not read), and at most FL_SCAN_MAX names are looked at while a
 * filter is applied: a directory of 100,000 entries does not stall. */
#define FL_KEEP_MAX 2000
#define FL_SCAN_MAX 200000
#define FL_PLACES_MAX 32

struct fl_entry {
	char *name;
	bool dir;       /* a directory, or a link to one */
	bool link;      /* a symbolic link */
	bool broken;    /* stat failed (a dangling link, a loop) */
	long long size; /* -1: not known */
	time_t mtime;
};

struct fl_list {
	struct fl_entry *e;
	size_t n;
	bool truncated; /* more entries than were kept or looked at */
	int err;        /* errno of opendir, 0 when read */
};

/* The entries of dir whose name starts with prefix (NULL: all; dot
 * names only when the prefix starts with '.', never "." and ".."), or
 * when contains is true whose name contains it (case-insensitive);
 * dirs_only keeps directories.  Directories first, then by name.
 * At most keep entries (0: FL_KEEP_MAX).  False only when out of memory;
 * an unreadable directory gives an empty list with err set. */
bool fl_read(const char *dir, const char *prefix, bool contains, bool dirs_only, size_t keep,
             struct fl_list *out);
void fl_free(struct fl_list *l);

/* Tab on a typed path: out gets the path extended by what all the
 * candidates share (a '/' after the one directory that fits); the
 * candidates in *cands when cands is not NULL (fl_free them).  Returns
 * their number (FL_KEEP_MAX at most: cands->truncated says more). */
size_t fl_complete(const char *typed, bool dirs_only, char *out, size_t outlen,
                   struct fl_list *cands);

/* A path into a field of several: the escaped text in out; false when it
 * does not fit or holds a control character. */
bool fl_escape(const char *path, char *out, size_t outlen);
/* The paths of a field of several, unescaped, in a NULL-terminated array
 * (fl_split_free); *n their number.  NULL when out of memory. */
char **fl_split(const char *field, size_t *n);
void fl_split_free(char **v);
/* Where the last path of a field of several begins (the text after the
 * last unescaped space). */
size_t fl_last_word(const char *field);
/* Whether a name can go into a field (no control character). */
bool fl_typable(const char *name);

/* The places offered first: directories mounted under the media roots
 * (PASSTORE_MEDIA_ROOTS, colon-separated, for tests; else /media, /mnt
 * and /run/media: a root's directory that holds only directories, such
 * as /media/USER, offers those), then the current value's directory and
 * the working directory.  Paths in places[], malloc'd; returns their
 * number. */
size_t fl_places(const char *current, char **places, size_t max);

/* A size for a list column: "123", "4.5K", "12M". */
void fl_size_text(long long size, char *out, size_t outlen);

#endif
