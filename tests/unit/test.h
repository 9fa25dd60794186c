/* test.h — chokepoint's unit-test harness.
 *
 * A test is `CKP_TEST(name) { … }` at the start of a line in any tests/unit file;
 * the Makefile registers every such name.  Run all tests with
 * build-san/unit_tests, or some by name: build-san/unit_tests csv_quotes ref_
 * (a trailing '_' or '*' matches a prefix).  CHECK* record a failure and go
 * on; REQUIRE* return from the test.
 *
 * Paths: ckp_test_path("data/hs.csv") is relative to the project root;
 * ckp_test_shared("flows/…") to ../shared/data (tests may read it, the product
 * never does); ckp_test_tmpdir() is a fresh directory per run. */
#ifndef CHOKEPOINT_TEST_H
#define CHOKEPOINT_TEST_H

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct ckp_test_ctx {
    const char *name;
    int failures;
} ckp_test_ctx;

void ckp_test_fail(ckp_test_ctx *t, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
const char *ckp_test_path(const char *rel);
const char *ckp_test_shared(const char *rel);
const char *ckp_test_tmpdir(void);

#define CKP_TEST(name) void test_##name(ckp_test_ctx *t_)

#define CHECK(c)                                                                         \
    do {                                                                                 \
        if (!(c))                                                                        \
            ckp_test_fail(t_, __FILE__, __LINE__, "CHECK(%s)", #c);                      \
    } while (0)

#define REQUIRE(c)                                                                       \
    do {                                                                                 \
        if (!(c)) {                                                                      \
            ckp_test_fail(t_, __FILE__, __LINE__, "REQUIRE(%s)", #c);                    \
            return;                                                                      \
        }                                                                                \
    } while (0)

#define CHECK_INT(a, b)                                                                  \
    do {                                                                                 \
        long long a_ = (long long)(a), b_ = (long long)(b);                              \
        if (a_ != b_)                                                                    \
            ckp_test_fail(t_, __FILE__, __LINE__, "%s == %lld, expected %lld", #a, a_,   \
                          b_);                                                           \
    } while (0)

#define CHECK_STR(a, b)                                                                  \
    do {                                                                                 \
        const char *a_ = (a), *b_ = (b);                                                 \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                                           \
            ckp_test_fail(t_, __FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", #a,   \
                          a_ ? a_ : "(null)", b_ ? b_ : "(null)");                       \
    } while (0)

#define CHECK_NEAR(a, b, eps)                                                            \
    do {                                                                                 \
        double a_ = (a), b_ = (b);                                                       \
        if (!(fabs(a_ - b_) <= (eps)))                                                   \
            ckp_test_fail(t_, __FILE__, __LINE__, "%s == %.10g, expected %.10g", #a, a_, \
                          b_);                                                           \
    } while (0)

/* Check a field of ckp_field type against a C string. */
#define CHECK_FIELD(f, s)                                                                \
    do {                                                                                 \
        ckp_field f_ = (f);                                                              \
        const char *s_ = (s);                                                            \
        if (f_.len != strlen(s_) || (f_.len && memcmp(f_.ptr, s_, f_.len) != 0))         \
            ckp_test_fail(t_, __FILE__, __LINE__, "%s == \"%.*s\", expected \"%s\"", #f, \
                          (int)f_.len, f_.ptr ? f_.ptr : "", s_);                        \
    } while (0)

#endif
