/* main.c — runs the registered unit tests (all, or those named on the command
 * line) and ends with "unit: N passed, N failed". */
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

#define X(name) void test_##name(ckp_test_ctx *t_);
#include "tests_registry.h"
#undef X

typedef struct entry {
    const char *name;
    void (*fn)(ckp_test_ctx *);
} entry;

#define X(name) {#name, test_##name},
static const entry tests[] = {
#include "tests_registry.h"
    {NULL, NULL}};
#undef X

void ckp_test_fail(ckp_test_ctx *t, const char *file, int line, const char *fmt, ...)
{
    t->failures++;
    fprintf(stderr, "  %s:%d: %s: ", file, line, t->name);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static char root[PATH_MAX];

const char *ckp_test_path(const char *rel)
{
    static char buf[4][PATH_MAX + 256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", root, rel);
    return buf[k];
}

const char *ckp_test_shared(const char *rel)
{
    static char buf[4][PATH_MAX + 256];
    static int k;
    k = (k + 1) % 4;
    const char *s = getenv("CKP_SHARED");
    if (s)
        snprintf(buf[k], sizeof buf[k], "%s/%s", s, rel);
    else
        snprintf(buf[k], sizeof buf[k], "%s/../shared/data/%s", root, rel);
    return buf[k];
}

const char *ckp_test_tmpdir(void)
{
    static char dir[PATH_MAX];
    if (!dir[0]) {
        const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
        snprintf(dir, sizeof dir, "%s/ckp-unit-XXXXXX", base);
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            exit(2);
        }
    }
    return dir;
}

static int selected(const char *name, int argc, char **argv)
{
    if (argc < 2)
        return 1;
    for (int i = 1; i < argc; i++) {
        size_t n = strlen(argv[i]);
        if (n && (argv[i][n - 1] == '*' || argv[i][n - 1] == '_')) {
            size_t m = argv[i][n - 1] == '*' ? n - 1 : n;
            if (strncmp(name, argv[i], m) == 0)
                return 1;
        } else if (strcmp(name, argv[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *r = getenv("CKP_ROOT");
    if (r)
        snprintf(root, sizeof root, "%s", r);
    else if (!getcwd(root, sizeof root))
        return 2;
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (const entry *e = tests; e->name; e++)
            puts(e->name);
        return 0;
    }
    int passed = 0, failed = 0;
    for (const entry *e = tests; e->name; e++) {
        if (!selected(e->name, argc, argv))
            continue;
        ckp_test_ctx t = {e->name, 0};
        e->fn(&t);
        if (t.failures) {
            failed++;
            printf("FAIL %s\n", e->name);
        } else {
            passed++;
            printf("ok   %s\n", e->name);
        }
        fflush(stdout);
    }
    printf("unit: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
