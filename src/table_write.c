/* Atomic output: temporary file beside the target, fsync, rename, fsync of
 * the folder. A failure or a signal (SIGINT, SIGTERM, SIGHUP, SIGPIPE)
 * removes the temporary file; SIGKILL or a crash can leave it behind. */
#include "table_write.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"

/* The temporary file being written, removed by the signal handler. A plain
 * array so the handler only reads memory that stays valid. */
static char pending_path[4096];
static volatile sig_atomic_t pending;

static void on_signal(int sig)
{
    if (pending)
        unlink(pending_path);
    signal(sig, SIG_DFL);
    raise(sig);
}

static const int caught_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
#define NCAUGHT (sizeof(caught_signals) / sizeof(caught_signals[0]))
static struct sigaction previous_actions[NCAUGHT];

/* Installs the handler that removes the temporary file, or restores the
 * actions that were in place before. */
static void catch_signals(bool on)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < NCAUGHT; i++) {
        if (on)
            sigaction(caught_signals[i], &sa, &previous_actions[i]);
        else
            sigaction(caught_signals[i], &previous_actions[i], NULL);
    }
}

/* Blocks the caught signals, or restores the mask saved when blocking. The
 * temporary file is created and pending set, and later the file is renamed
 * and pending cleared, with the signals blocked. So a signal never leaves
 * the file behind and never unlinks a path that is no longer ours. */
static void block_signals(bool on, sigset_t *saved)
{
    sigset_t set;

    if (!on) {
        sigprocmask(SIG_SETMASK, saved, NULL);
        return;
    }
    sigemptyset(&set);
    for (size_t i = 0; i < NCAUGHT; i++)
        sigaddset(&set, caught_signals[i]);
    sigprocmask(SIG_BLOCK, &set, saved);
}

static int write_all(int fd, const unsigned char *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len > ((size_t)1 << 30) ? (size_t)1 << 30 : len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void sync_folder(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    int fd;

    if (!dir)
        return;
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd); /* best effort: some file systems do not sync folders */
        close(fd);
    }
    free(dir);
}

/* Writes to a path that is not a regular file (a FIFO, a terminal,
 * /dev/stdout) in place: renaming over it would replace the device node or
 * FIFO itself, and there is no old table there to keep. */
static int write_in_place(const char *path, const void *data, size_t len, char *errbuf,
                          size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);

    if (fd < 0 || write_all(fd, data, len) != 0) {
        int saved = errno;

        if (fd >= 0)
            close(fd);
        snprintf(errbuf, errlen, "cannot write '%s': %s", path, strerror(saved));
        return -1;
    }
    if (close(fd) != 0) {
        snprintf(errbuf, errlen, "cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int table_write_file(const char *path, const void *data, size_t len, char *errbuf, size_t errlen)
{
    int fd, saved;
    const char *step;
    struct stat st;
    sigset_t mask;

    if (strlen(path) + 16 > sizeof(pending_path)) {
        snprintf(errbuf, errlen, "cannot write '%s': path too long", path);
        return -1;
    }
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(errbuf, errlen, "cannot write '%s': it is a directory; name a file in it", path);
        return -1;
    }
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return write_in_place(path, data, len, errbuf, errlen);

    snprintf(pending_path, sizeof(pending_path), "%s.tmp.XXXXXX", path);
    catch_signals(true);
    step = "create a temporary file for";
    block_signals(true, &mask);
    fd = mkstemp(pending_path);
    pending = fd >= 0;
    saved = errno;
    block_signals(false, &mask);
    errno = saved;
    if (fd < 0)
        goto fail_nofile;
    step = "write";
    if (write_all(fd, data, len) != 0)
        goto fail;
    step = "flush";
    if (fsync(fd) != 0 && errno != EINVAL)
        goto fail;
    if (fchmod(fd, 0644) != 0)
        goto fail;
    step = "close";
    if (close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    step = "rename the temporary file to";
    block_signals(true, &mask);
    if (rename(pending_path, path) != 0) {
        saved = errno;
        block_signals(false, &mask);
        errno = saved;
        goto fail;
    }
    pending = 0;
    block_signals(false, &mask);
    catch_signals(false);
    sync_folder(path);
    return 0;

fail:
    saved = errno;
    if (fd >= 0)
        close(fd);
    block_signals(true, &mask);
    unlink(pending_path);
    pending = 0;
    block_signals(false, &mask);
    errno = saved;
fail_nofile:
    saved = errno;
    catch_signals(false);
    snprintf(errbuf, errlen, "cannot %s '%s': %s", step, path, strerror(saved));
    return -1;
}
