/* kkpolc diff: compares two policies, from sources, tables or a git revision. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "diff.h"
#include "kkp_limits.h"
#include "load.h"

extern char **environ;

#define USAGE                                                                                      \
    "usage: kkpolc diff [--format text|json|markdown] OLD... -- NEW...\n"                          \
    "       kkpolc diff [--format text|json|markdown] --git REV FILE...\n"

/* Symbolic links followed inside a revision before giving up, as Linux's ELOOP limit. */
#define GIT_MAX_SYMLINKS 40

enum diff_format {
    FORMAT_TEXT,
    FORMAT_JSON,
    FORMAT_MARKDOWN,
};

/* Reads files as they are at one git revision, for the loader. */
struct git_reader {
    const char *rev;    /* as the user wrote it, for messages */
    char *commit;       /* the revision resolved once, so that every read uses one commit */
    char *toplevel;     /* the work tree's top folder */
    char *prefix;       /* the current folder relative to toplevel: "" or "sub/" */
    AST_VEC(char *, paths); /* repository paths read so far; index + 1 is the file's ino */
};

/* One side of the diff: what the user named, and what loading made of it. */
struct side_input {
    const char *label; /* "old" or "new" */
    char *const *files;
    size_t nfiles;
    struct git_reader *git; /* NULL for the file system */
    bool is_table;
    size_t max_errors;

    int status; /* EXIT_OK, or EXIT_USAGE when the side cannot be compared */
    struct kkp_table *table;
    void *table_bytes; /* a table read from git, kept for kkp_table_open_buffer */
    struct ast ast;
    struct diag_sink sink;
    struct policy pol;
    bool loaded, resolved;
    struct diff_side side;
    bool has_side;
};

/* ---- running git ---- */

/* Runs git with argv (argv[0] is "git") in the current folder and collects
 * its standard output. Standard error goes to /dev/null when quiet. Returns
 * the exit status, or -1 when git could not be started. */
static int run_git(char *const argv[], char **out, size_t *out_len, bool quiet)
{
    posix_spawn_file_actions_t actions;
    int fds[2], status = -1;
    pid_t pid;
    size_t len = 0, cap = 4096;
    char *buf;

    *out = NULL;
    *out_len = 0;
    if (pipe(fds) != 0)
        return -1;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addclose(&actions, fds[1]);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (quiet)
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    if (posix_spawnp(&pid, "git", &actions, NULL, argv, environ) != 0) {
        posix_spawn_file_actions_destroy(&actions);
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);

    buf = xmalloc(cap);
    for (;;) {
        ssize_t n;

        xgrow((void **)&buf, &cap, len + 65536, 1);
        n = read(fds[0], buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(fds[0]);
    buf[len] = '\0';
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    *out = buf;
    *out_len = len;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Runs git and returns its output without the final newline, or NULL when it fails. */
static char *git_line(char *const argv[])
{
    char *out;
    size_t len;

    if (run_git(argv, &out, &len, true) != 0) {
        free(out);
        return NULL;
    }
    while (len && (out[len - 1] == '\n' || out[len - 1] == '\r'))
        out[--len] = '\0';
    return out;
}

static bool git_reader_init(struct git_reader *g, const char *rev)
{
    char *spec = xmalloc(strlen(rev) + 10);

    memset(g, 0, sizeof(*g));
    g->rev = rev;
    sprintf(spec, "%s^{commit}", rev);
    g->toplevel = git_line((char *const[]){"git", "rev-parse", "--show-toplevel", NULL});
    g->prefix = git_line((char *const[]){"git", "rev-parse", "--show-prefix", NULL});
    if (!g->toplevel || !g->prefix) {
        cli_error("--git needs a git work tree; the current folder is not inside one");
        free(spec);
        return false;
    }
    if (rev[0] == '-' || !rev[0]) {
        cli_error("invalid git revision '%s'", rev);
        free(spec);
        return false;
    }
    g->commit = git_line((char *const[]){"git", "rev-parse", "--verify", "--quiet", spec, NULL});
    free(spec);
    if (!g->commit) {
        cli_error("git revision '%s' not found; give a commit, branch or tag such as 'HEAD~1' "
                  "or 'origin/main'", rev);
        return false;
    }
    return true;
}

static void git_reader_release(struct git_reader *g)
{
    free(g->commit);
    free(g->toplevel);
    free(g->prefix);
    for (size_t i = 0; i < g->npaths; i++)
        free(g->paths[i]);
    free(g->paths);
}

/* The repository path of a file the loader wants, or NULL when the file lies
 * outside the work tree (then it is read from the file system). */
static char *repo_path(const struct git_reader *g, const char *open_path)
{
    size_t top = strlen(g->toplevel);
    char *joined, *path;

    if (open_path[0] == '/') {
        if (strncmp(open_path, g->toplevel, top) != 0 || open_path[top] != '/')
            return NULL;
        return source_normalize_path(open_path + top + 1);
    }
    joined = xmalloc(strlen(g->prefix) + strlen(open_path) + 1);
    sprintf(joined, "%s%s", g->prefix, open_path);
    path = source_normalize_path(joined);
    free(joined);
    if (strcmp(path, "..") == 0 || strncmp(path, "../", 3) == 0) {
        free(path);
        return NULL;
    }
    return path;
}

/* Looks a repository path up in the commit: sets *mode and *object (from
 * 'git ls-tree') and returns true, or returns false when it is not there. */
static bool git_lookup(const struct git_reader *g, const char *path, char **mode, char **object,
                       unsigned long long *size)
{
    char *out, *tab;
    size_t len;
    char type[16], mode_buf[16], object_buf[80], size_buf[32];
    int rc;

    rc = run_git((char *const[]){"git", "--literal-pathspecs", "ls-tree", "-z", "-l",
                                 "--full-tree", g->commit, "--", (char *)path, NULL},
                 &out, &len, true);
    tab = rc == 0 ? memchr(out, '\t', len) : NULL;
    if (!tab || strcmp(tab + 1, path) != 0 ||
        sscanf(out, "%15s %15s %79s %31s", mode_buf, type, object_buf, size_buf) != 4) {
        free(out);
        return false;
    }
    free(out);
    *mode = strdup(mode_buf);
    *object = strdup(object_buf);
    *size = strtoull(size_buf, NULL, 10); /* "-" for trees and submodules gives 0 */
    return true;
}

/* Reads a file of the commit, following symbolic links inside the
 * repository. On success sets *data, *len and *final_path (the path after
 * the links). */
static enum source_status git_read(const struct git_reader *g, const char *path, char **data,
                                   size_t *len, char **final_path, int *err_no)
{
    char *current = strdup(path);

    for (int hops = 0; hops <= GIT_MAX_SYMLINKS; hops++) {
        char *mode, *object;
        unsigned long long size;
        int rc;

        if (!git_lookup(g, current, &mode, &object, &size)) {
            free(current);
            *err_no = ENOENT;
            return SOURCE_ERRNO;
        }
        if (strcmp(mode, "100644") != 0 && strcmp(mode, "100755") != 0 &&
            strcmp(mode, "120000") != 0) {
            free(mode);
            free(object);
            free(current);
            return SOURCE_NOT_REGULAR;
        }
        if (size > KKP_MAX_FILE_SIZE) {
            free(mode);
            free(object);
            free(current);
            return SOURCE_TOO_LARGE;
        }
        rc = run_git((char *const[]){"git", "cat-file", "blob", object, NULL}, data, len, true);
        free(object);
        if (rc != 0) {
            free(mode);
            free(*data);
            free(current);
            *err_no = EIO;
            return SOURCE_ERRNO;
        }
        if (strcmp(mode, "120000") != 0) {
            free(mode);
            *final_path = current;
            return SOURCE_OK;
        }
        free(mode);

        /* A symbolic link: its target, relative to the link's folder. */
        char *target = *data, *next;

        if (target[0] == '/') {
            free(target);
            free(current);
            *err_no = ENOENT; /* an absolute link target leaves the revision */
            return SOURCE_ERRNO;
        }
        next = source_join_path(current, target);
        free(target);
        free(current);
        current = next;
        if (strcmp(current, "..") == 0 || strncmp(current, "../", 3) == 0) {
            free(current);
            *err_no = ENOENT;
            return SOURCE_ERRNO;
        }
    }
    free(current);
    *err_no = ELOOP;
    return SOURCE_ERRNO;
}

/* The loader's reader for a git revision. Files outside the work tree come
 * from the file system, because the revision does not hold them. */
static enum source_status git_open(void *ctx, const char *open_path, const char *display_path,
                                   struct source **out, int *err_no)
{
    struct git_reader *g = ctx;
    char *path = repo_path(g, open_path), *data, *final_path;
    size_t len, index;
    enum source_status st;

    *out = NULL;
    if (!path)
        return source_open(open_path, display_path, out, err_no);
    st = git_read(g, path, &data, &len, &final_path, err_no);
    free(path);
    if (st != SOURCE_OK)
        return st;

    /* One inode number per repository path, so that a file reached twice is loaded once. */
    for (index = 0; index < g->npaths; index++) {
        if (strcmp(g->paths[index], final_path) == 0)
            break;
    }
    if (index == g->npaths)
        *VEC_PUSH(g->paths, g->npaths, g->paths_cap) = final_path;
    else
        free(final_path);

    *out = source_from_bytes(display_path, data, len);
    free(data);
    free((*out)->open_path);
    (*out)->open_path = strdup(open_path);
    (*out)->dev = (dev_t)-1;
    (*out)->ino = (ino_t)index + 1;
    return SOURCE_OK;
}

/* ---- loading the sides ---- */

static void open_table(struct side_input *in)
{
    const char *path = in->files[0];
    struct kkp_error err;
    int rc;

    if (!in->git) {
        rc = kkp_table_open(path, KKP_OPEN_VERIFY, &in->table, &err);
    } else {
        char *repo = repo_path(in->git, path), *data = NULL, *final_path;
        size_t len = 0;
        int err_no = 0;

        if (!repo || git_read(in->git, repo, &data, &len, &final_path, &err_no) != SOURCE_OK) {
            snprintf(err.message, sizeof(err.message), "cannot read '%s' at git revision '%s'",
                     path, in->git->rev);
            free(repo);
            in->status = EXIT_USAGE;
            cli_error("%s", err.message);
            return;
        }
        free(repo);
        free(final_path);
        /* Tables are used in place and need 8-byte alignment; malloc gives at least that. */
        in->table_bytes = data;
        rc = kkp_table_open_buffer(data, len, KKP_OPEN_VERIFY, &in->table, &err);
    }
    if (rc != KKP_OK) {
        cli_error("%s", err.message);
        in->status = EXIT_USAGE;
        return;
    }
    rc = diff_side_from_table(&in->side, in->table);
    in->has_side = true;
    if (rc != KKP_OK) {
        cli_error("'%s': %s", path, kkp_strerror(rc));
        in->status = EXIT_USAGE;
    }
}

/* Loads one side; runs on its own thread, so it prints nothing but table errors. */
static void *load_side(void *arg)
{
    struct side_input *in = arg;
    struct load_reader reader = {git_open, in->git};
    bool files_ok;

    if (in->is_table) {
        open_table(in);
        return NULL;
    }
    ast_init(&in->ast);
    diag_sink_init(&in->sink, in->max_errors);
    in->loaded = true;
    files_ok = load_policy_from(&in->ast, (const char *const *)in->files, in->nfiles,
                                in->git ? &reader : NULL, &in->sink);
    if (files_ok && !diag_has_errors(&in->sink) && !in->sink.stopped) {
        resolve_policy(&in->ast, &in->sink, &in->pol);
        in->resolved = true;
    }
    diag_sort(&in->sink);
    if (!files_ok || diag_has_errors(&in->sink)) {
        in->status = EXIT_USAGE;
        return NULL;
    }
    diff_side_from_policy(&in->side, &in->pol);
    in->has_side = true;
    return NULL;
}

static void release_side(struct side_input *in)
{
    if (in->has_side)
        diff_side_release(&in->side);
    if (in->resolved)
        policy_release(&in->pol);
    if (in->loaded) {
        diag_sink_release(&in->sink);
        ast_release(&in->ast);
    }
    kkp_table_close(in->table);
    free(in->table_bytes);
}

/* Decides whether a side is one table or policy sources; a table must be alone. */
static bool classify_side(struct side_input *in)
{
    size_t tables = 0;

    for (size_t i = 0; i < in->nfiles; i++)
        tables += cli_is_table(in->files[i]);
    if (tables && in->nfiles > 1) {
        cli_error("the %s side mixes a compiled table with other files; give one table or "
                  "only policy sources", in->label);
        return false;
    }
    in->is_table = tables == 1;
    return true;
}

/* ---- the command ---- */

static bool parse_format(const char *text, enum diff_format *out)
{
    if (strcmp(text, "text") == 0)
        *out = FORMAT_TEXT;
    else if (strcmp(text, "json") == 0)
        *out = FORMAT_JSON;
    else if (strcmp(text, "markdown") == 0 || strcmp(text, "md") == 0)
        *out = FORMAT_MARKDOWN;
    else {
        cli_error("invalid value '%s' for --format; expected text, json or markdown", text);
        return false;
    }
    return true;
}

/* Loads both sides, the old one on a second thread. Prints the diagnostics
 * of each side in turn and returns EXIT_OK when both can be compared. */
static int load_sides(struct side_input *old_in, struct side_input *new_in)
{
    pthread_t thread;
    bool threaded = pthread_create(&thread, NULL, load_side, old_in) == 0;
    int rc = EXIT_OK;

    load_side(new_in);
    if (threaded)
        pthread_join(thread, NULL);
    else
        load_side(old_in);

    for (int i = 0; i < 2; i++) {
        struct side_input *in = i == 0 ? old_in : new_in;

        if (in->loaded)
            diag_print_text(&in->sink, stderr, diag_want_color(STDERR_FILENO));
        if (in->status == EXIT_OK)
            continue;
        if (in->loaded && in->git)
            cli_error("the old side, at git revision '%s', has errors; nothing was compared",
                      in->git->rev);
        else if (in->loaded)
            cli_error("the %s side has errors; nothing was compared", in->label);
        rc = EXIT_USAGE;
    }
    return rc;
}

int cmd_diff(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"git", required_argument, NULL, 'g'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    enum diff_format format = FORMAT_TEXT;
    const char *rev = NULL;
    struct side_input old_in, new_in;
    struct git_reader git;
    struct diff_result res;
    int opt, rc, nargs;
    char **args;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'f':
            if (!parse_format(optarg, &format))
                return EXIT_USAGE;
            break;
        case 'g':
            rev = optarg;
            break;
        case 'h':
            fputs(USAGE, stdout);
            return EXIT_OK;
        default:
            fputs(USAGE, stderr);
            return EXIT_USAGE;
        }
    }

    memset(&old_in, 0, sizeof(old_in));
    memset(&new_in, 0, sizeof(new_in));
    old_in.label = "old";
    new_in.label = "new";
    old_in.max_errors = new_in.max_errors = KKP_DEFAULT_MAX_ERRORS;
    args = argv + optind;
    nargs = argc - optind;
    if (rev) {
        if (nargs == 0) {
            cli_error("--git needs at least one file to compare");
            return EXIT_USAGE;
        }
        old_in.files = new_in.files = args;
        old_in.nfiles = new_in.nfiles = (size_t)nargs;
    } else {
        int sep = -1;

        for (int i = 0; i < nargs; i++) {
            if (strcmp(args[i], "--") == 0) {
                sep = i;
                break;
            }
        }
        if (sep <= 0 || sep == nargs - 1) {
            cli_error("diff needs the old files, '--', then the new files");
            fputs(USAGE, stderr);
            return EXIT_USAGE;
        }
        old_in.files = args;
        old_in.nfiles = (size_t)sep;
        new_in.files = args + sep + 1;
        new_in.nfiles = (size_t)(nargs - sep - 1);
    }
    if (!classify_side(&old_in) || !classify_side(&new_in))
        return EXIT_USAGE;
    if (rev) {
        if (!git_reader_init(&git, rev)) {
            git_reader_release(&git);
            return EXIT_USAGE;
        }
        old_in.git = &git;
    }

    rc = load_sides(&old_in, &new_in);
    if (rc == EXIT_OK) {
        diff_compute(&old_in.side, &new_in.side, &res);
        if (format == FORMAT_JSON) {
            if (!diff_render_json(&res, stdout)) {
                cli_error("cannot write the JSON output: a member id is not valid UTF-8");
                rc = EXIT_USAGE;
            }
        } else if (format == FORMAT_MARKDOWN) {
            diff_render_markdown(&res, stdout);
        } else {
            diff_render_text(&res, stdout, diag_want_color(STDOUT_FILENO));
        }
        if (rc == EXIT_OK && !diff_result_empty(&res))
            rc = EXIT_POLICY;
        diff_result_release(&res);
    }
    if (fflush(stdout) != 0) {
        cli_error("cannot write the output: %s", strerror(errno));
        rc = EXIT_USAGE;
    }
    release_side(&old_in);
    release_side(&new_in);
    if (rev)
        git_reader_release(&git);
    return rc;
}
