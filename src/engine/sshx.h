/* sshx.h - one SSH session to one peer: pinned host key, authentication,
 * SFTP put of one file or several as one change (posix-rename, kept .old,
 * read-back check), get and list, commands.
 *
 * A library module on libssh: it never prints and never exits.  Every
 * call returns an enum pt_status and fills a struct pt_err.
 *
 * Host keys: with opts.pin set, the server's SHA256 fingerprint must equal
 * it or the session ends before any authentication (PT_HOSTKEY).  Without
 * a pin the caller must pass the fingerprint the administrator accepted
 * (opts.accept); it must equal the server's, and sshx_hostkey_fp() then
 * gives it to be stored.  With neither, the call fails with PT_REFUSED
 * and the server's fingerprint in the detail.  No known_hosts file is
 * read or written.
 *
 * Deadline: opts.deadline_ms (and sshx_set_deadline) is a CLOCK_MONOTONIC
 * time in ms for the whole session.  A watchdog thread shuts the socket
 * down when it passes, so a peer that stops answering gives PT_TIMEOUT
 * instead of blocking in libssh forever.  (libssh sends with MSG_NOSIGNAL:
 * the shut-down socket raises no SIGPIPE.)  The watchdog is a pthread that
 * only shuts the socket down; the session itself is for one thread.
 */
#ifndef PASSTORE_SSHX_H
#define PASSTORE_SSHX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/lib.h"

struct sshx;

struct sshx_opts {
	const char *host; /* IPv4 address, dotted quad */
	unsigned port;    /* 0: 22 */
	const char *user;
	const char *pin;             /* pinned "SHA256:..." fingerprint, or NULL */
	const char *pin_type;        /* its key type ("ssh-ed25519", "ecdsa-sha2-nistp256",
	                         "ssh-rsa"), or NULL: key exchange offers only it */
	const char *accept;          /* no pin: fingerprint the administrator accepted */
	const char *password;        /* secmem, NUL-terminated; or NULL */
	const char *privkey;         /* secmem, PEM / OpenSSH private key text; or NULL */
	unsigned connect_timeout_ms; /* TCP connect + key exchange; 0: 10000 */
	bool puts;                   /* the session will put files: the channel of the renames
	              opens beside the SFTP one */
	int64_t deadline_ms;         /* whole session, sshx_now_ms() clock; 0: none */
};

/* One entry of sshx_list: a regular file. */
struct sshx_entry {
	char *name; /* malloc'ed; no '/' */
	uint64_t size;
	int64_t mtime; /* seconds since the epoch */
};

/* Timings of the session, in ms, for the caller to report. */
struct sshx_timing {
	long connect_ms; /* TCP connect + key exchange + host key check */
	long auth_ms;
	long sftp_ms; /* SFTP channel + init */
};

/* CLOCK_MONOTONIC now, in ms: the clock of deadline_ms. */
int64_t sshx_now_ms(void);

/* Connect, check the host key, authenticate (password or key) and start
 * SFTP.  *out is NULL on failure.  PT_INVALID (bad options), PT_NET,
 * PT_TIMEOUT, PT_HOSTKEY (pin differs), PT_REFUSED (unpinned and not
 * accepted, or wrong credentials). */
enum pt_status sshx_connect(const struct sshx_opts *o, struct sshx **out, struct pt_err *err);
/* sshx_connect in two steps.  sshx_prepare does all that needs no peer
 * (the options checked, the libssh session and its options, the private
 * key parsed), so the engine does it before the window opens and none
 * of it counts in the exposure; sshx_open then connects the prepared
 * session (on failure it frees *sp).  o's deadline is read by sshx_open. */
enum pt_status sshx_prepare(const struct sshx_opts *o, struct sshx **out, struct pt_err *err);
enum pt_status sshx_open(struct sshx **sp, const struct sshx_opts *o, struct pt_err *err);

/* Move the whole-session deadline (sshx_now_ms() clock; 0: none). */
void sshx_set_deadline(struct sshx *s, int64_t deadline_ms);

/* Server host key: "SHA256:..." and its type ("ssh-ed25519"). */
const char *sshx_hostkey_fp(const struct sshx *s);
const char *sshx_hostkey_type(const struct sshx *s);
const struct sshx_timing *sshx_timing(const struct sshx *s);

/* Write data to remote_path: sshx_put_files with that one file (a
 * temporary name in the same directory, fsync, chown to owner "UID:GID",
 * numeric, or NULL, chmod mode, read back; an existing file kept as
 * remote_path.old, an older .old replaced; posix-rename into place, read
 * back again).  On failure the temporary file is removed and the previous
 * file stays (or is put back).  sha256_out (32 bytes, may be NULL) gets
 * the hash of what was sent. */
enum pt_status sshx_put(struct sshx *s, const void *data, size_t len, const char *remote_path,
                        mode_t mode, const char *owner, unsigned char *sha256_out,
                        struct pt_err *err);

/* One file of sshx_put_files. */
struct sshx_file {
	const void *data;
	size_t len;
	const char *path; /* on the peer */
	mode_t mode;
	const char *owner;        /* "UID:GID", numeric, or NULL: as created */
	unsigned char sha256[32]; /* out: the hash of what was sent */
};

/* Put n files (at most SSHX_PUT_MAX) as one change.  Every file is first
 * written under a temporary name in its own directory (created 0600,
 * named to the temp hook before it is created), given its owner and mode,
 * synced and read back (SHA-256, size, mode, owner) on the one handle
 * that created it; then each current file is
 * kept as PATH.old (a hard link, or a copy where the server cannot link),
 * and all are renamed into place with posix-rename@openssh.com, which
 * replaces the target atomically: at every instant each path holds its
 * old file or its new one.  A failure before the renames changes nothing
 * but the .old copies; a failure among them (or in the final check that
 * each placed file is the one read back: size, mode, owner, mtime)
 * puts back what was renamed from the .old copies.  Temporary files are
 * removed on every failure the session survives; those it does not are
 * named in the caller's journal.  PT_REFUSED when the server offers no
 * posix-rename@openssh.com. */
#define SSHX_PUT_MAX 16
enum pt_status sshx_put_files(struct sshx *s, struct sshx_file *files, size_t n,
                              struct pt_err *err);

/* Told of the temporary names: NAMED with all the names of a put at
 * once, before the first file is created (one journal transaction, not
 * one per file: the window is open meanwhile; a failure stops the put
 * before anything is written), GONE with one name once it was renamed
 * into place or removed. */
enum sshx_temp_event { SSHX_TEMP_NAMED, SSHX_TEMP_GONE };
typedef enum pt_status (*sshx_temp_fn)(void *ud, const char *const *paths, size_t n,
                                       enum sshx_temp_event ev, struct pt_err *err);
void sshx_set_temp_hook(struct sshx *s, sshx_temp_fn fn, void *ud);

/* The temporary name of a file put to path, ".BASE.passtore-HEX" beside
 * it (malloc'd into *out). */
enum pt_status sshx_temp_name(const char *path, char **out, struct pt_err *err);

/* Names made and journaled before the session (the engine does it before
 * the window opens, so that no journal commit falls inside it): fn
 * returns the name for path, or NULL to let the put make one.  NAMED is
 * still told every name; the hook knows which ones it journaled. */
typedef const char *(*sshx_namer_fn)(void *ud, const char *path);
void sshx_set_temp_namer(struct sshx *s, sshx_namer_fn fn, void *ud);

/* Remove a file: PT_OK, or PT_NOTFOUND when it was not there. */
enum pt_status sshx_remove(struct sshx *s, const char *path, struct pt_err *err);

/* Run command on the peer with its input closed and its stderr merged
 * into its output, within the session's deadline; *exit_status is its
 * status (-1 if unknown) and tail (tailsz bytes, may be 0) its last lines.
 * PT_OK whenever the command ran, whatever its status. */
enum pt_status sshx_run(struct sshx *s, const char *command, int *exit_status, char *tail,
                        size_t tailsz, struct pt_err *err);

/* Read a regular file of at most max_len bytes.  *data is secmem (free
 * with secmem_free), NUL-terminated after *len bytes.  PT_NOTFOUND when
 * it does not exist, PT_INVALID when it is not a regular file (a symlink
 * is refused too) or larger than max_len. */
enum pt_status sshx_get(struct sshx *s, const char *remote_path, void **data, size_t *len,
                        size_t max_len, struct pt_err *err);

/* Regular files in dir (not "." and "..", no symlinks), in server order,
 * at most 4096.  *entries is malloc'ed; free with sshx_list_free. */
enum pt_status sshx_list(struct sshx *s, const char *dir, struct sshx_entry **entries, size_t *n,
                         struct pt_err *err);
void sshx_list_free(struct sshx_entry **entries, size_t n);

/* Run a command on the peer (an exec channel), within the session's
 * deadline; PT_ERR with the start of its output when it exits non-zero. */
enum pt_status sshx_exec(struct sshx *s, const char *command, int *exit_status, struct pt_err *err);

/* The goodbye, while the window's rules are still in: close SFTP, send
 * SSH_MSG_DISCONNECT and our FIN, then wait at most wait_ms for the
 * peer's FIN, so that its sshd ends the session now instead of keeping a
 * root session until TCP keepalive gives up on us.  True when the peer
 * closed in time.  Only sshx_free may follow. */
bool sshx_goodbye(struct sshx *s, int wait_ms);

/* Close SFTP and the session (if sshx_goodbye did not), free, and clear
 * the caller's pointer. */
void sshx_free(struct sshx **s);

#endif
