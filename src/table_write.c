/* Atomic output: temporary file beside the target, fsync, rename, fsync of
 * the folder. A failure or a signal removes the temporary file. */
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

static void catch_signals(bool on)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on ? on_signal : SIG_DFL;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigaction(sigs[i], &sa, NULL);
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

int table_write_file(const char *path, const void *data, size_t len, char *errbuf, size_t errlen)
{
    int fd, saved;
    const char *step;

    if (strlen(path) + 16 > sizeof(pending_path)) {
        snprintf(errbuf, errlen, "cannot write '%s': path too long", path);
        return -1;
    }
    snprintf(pending_path, sizeof(pending_path), "%s.tmp.XXXXXX", path);
    catch_signals(true);
    step = "create a temporary file for";
    fd = mkstemp(pending_path);
    if (fd < 0)
        goto fail_nofile;
    pending = 1;
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
    if (rename(pending_path, path) != 0)
        goto fail;
    pending = 0;
    catch_signals(false);
    sync_folder(path);
    return 0;

fail:
    saved = errno;
    if (fd >= 0)
        close(fd);
    unlink(pending_path);
    pending = 0;
    errno = saved;
fail_nofile:
    saved = errno;
    catch_signals(false);
    snprintf(errbuf, errlen, "cannot %s '%s': %s", step, path, strerror(saved));
    return -1;
}
