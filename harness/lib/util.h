/* SPDX-License-Identifier: MIT */
/* The small vocabulary every host-side file shares: die, pr_err, checked allocation. */
#ifndef VMTAX_UTIL_H
#define VMTAX_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdarg.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define KiB(x) ((uint64_t)(x) << 10)
#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)

/* Exit codes of the vmtax command (README "Exit codes"). */
enum {
	EXIT_OK = 0,
	EXIT_BENCH_FAILED = 1,	/* a benchmark failed or was invalid; compare: regression */
	EXIT_USAGE = 2,		/* bad input or environment: one line on stderr */
};

/* "vmtax: <message>" on stderr, then exit(EXIT_USAGE). */
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* "vmtax: <message>: <strerror(errno)>" then exit(EXIT_USAGE). */
void die_errno(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void pr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Read a whole small file (sysfs, procfs) into a NUL-terminated buffer with
 * trailing whitespace stripped. NULL when it cannot be read. */
char *read_text_file(const char *path);
/* Same, relative to a root directory (tests point it at a fixture tree). */
char *read_text_file_at(const char *root, const char *path);

/* mkdir -p: create dir and its missing parents. 0, or -1 with errno set. */
int mkdir_parents(const char *dir);

/* Pin the calling thread to host CPU cpu (a negative cpu: leave it where it is).
 * 0, or -1 with errno set. */
int pin_to_cpu(int cpu);

/* Monotonic clock in nanoseconds. */
uint64_t now_ns(void);
/* The current UTC time as ISO 8601 ("2026-12-05T10:51:51Z"); caller frees. */
char *iso_now(void);

#endif
