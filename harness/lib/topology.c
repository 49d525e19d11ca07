// SPDX-License-Identifier: MIT
#include "harness/lib/topology.h"
#include "harness/lib/util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SYS_CPU_ONLINE	"/sys/devices/system/cpu/online"
#define SYS_NODE_DIR	"/sys/devices/system/node"
#define LOCAL_DISTANCE	10	/* the SLIT value of a node to itself */

#define BITS_PER_WORD	64
#define BITMAP_WORDS	((CPULIST_MAX_ID + BITS_PER_WORD) / BITS_PER_WORD)

static const char *skip_space(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/* One decimal id; NULL when there is none or it is out of range. */
static const char *parse_id(const char *s, int *id)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return NULL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || v > CPULIST_MAX_ID)
		return NULL;
	*id = (int)v;
	return end;
}

/* One "N" or "N-M" entry into the bitmap; NULL on a syntax error. */
static const char *parse_range(const char *s, uint64_t *bits)
{
	int lo, hi;

	s = parse_id(s, &lo);
	if (!s)
		return NULL;
	hi = lo;
	if (*s == '-') {
		s = parse_id(s + 1, &hi);
		if (!s || hi < lo)
			return NULL;
	}
	for (; lo <= hi; lo++)
		bits[lo / BITS_PER_WORD] |= 1ull << (lo % BITS_PER_WORD);
	return s;
}

static void bitmap_to_array(const uint64_t *bits, int **ids, unsigned *nr)
{
	unsigned n = 0;
	int id;

	for (id = 0; id <= CPULIST_MAX_ID; id++)
		n += !!(bits[id / BITS_PER_WORD] & (1ull << (id % BITS_PER_WORD)));
	*nr = n;
	if (!n)
		return;
	*ids = xmalloc(n * sizeof(**ids));
	n = 0;
	for (id = 0; id <= CPULIST_MAX_ID; id++)
		if (bits[id / BITS_PER_WORD] & (1ull << (id % BITS_PER_WORD)))
			(*ids)[n++] = id;
}

/* Through a bitmap so that overlapping or unordered entries, which the kernel's
 * own list parser accepts, still give a sorted list without duplicates. */
int parse_cpulist(const char *text, int **ids, unsigned *nr)
{
	const char *s = skip_space(text);
	uint64_t *bits;
	bool ok;

	*ids = NULL;
	*nr = 0;
	if (!*s)
		return 0;
	bits = xcalloc(BITMAP_WORDS, sizeof(*bits));
	for (;;) {
		s = parse_range(s, bits);
		if (!s || *s != ',')
			break;
		s++;
	}
	ok = s && !*skip_space(s);
	if (ok)
		bitmap_to_array(bits, ids, nr);
	free(bits);
	return ok ? 0 : -1;
}

static char *full_path(const char *root, const char *path)
{
	return xasprintf("%s%s", root ? root : "", path);
}

/* read_text_file_at, with "<path>: <why>" in err when it fails. */
static char *read_file(const char *root, const char *path, char *err, size_t errlen)
{
	char *text = read_text_file_at(root, path);
	char *full;

	if (!text) {
		full = full_path(root, path);
		snprintf(err, errlen, "%s: %s", full, strerror(errno));
		free(full);
	}
	return text;
}

static int bad_file(const char *root, const char *path, const char *what,
		    char *err, size_t errlen)
{
	char *full = full_path(root, path);

	snprintf(err, errlen, "%s: %s", full, what);
	free(full);
	return -1;
}

static int read_list(const char *root, const char *path, int **ids, unsigned *nr,
		     char *err, size_t errlen)
{
	char *text = read_file(root, path, err, errlen);
	int ret;

	if (!text)
		return -1;
	ret = parse_cpulist(text, ids, nr);
	free(text);
	if (ret)
		return bad_file(root, path, "malformed list", err, errlen);
	return 0;
}

/* "MemTotal:  N kB", as in /proc/meminfo and (after "Node N ") nodeN/meminfo. */
static int parse_memtotal(const char *text, uint64_t *bytes)
{
	const char *s = strstr(text, "MemTotal:");
	unsigned long long kb;
	char *end;

	if (!s)
		return -1;
	s = skip_space(s + strlen("MemTotal:"));
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	kb = strtoull(s, &end, 10);
	if (errno || strncmp(skip_space(end), "kB", 2))
		return -1;
	*bytes = (uint64_t)kb * 1024;
	return 0;
}

static int read_memtotal(const char *root, const char *path, uint64_t *bytes,
			 char *err, size_t errlen)
{
	char *text = read_file(root, path, err, errlen);
	int ret;

	if (!text)
		return -1;
	ret = parse_memtotal(text, bytes);
	free(text);
	if (ret)
		return bad_file(root, path, "no MemTotal line", err, errlen);
	return 0;
}

/* Exactly n non-negative integers separated by blanks. */
static int parse_distance_row(const char *text, int *row, unsigned n)
{
	const char *s = skip_space(text);
	unsigned i;
	char *end;
	long v;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		errno = 0;
		v = strtol(s, &end, 10);
		if (errno || v > INT_MAX)
			return -1;
		row[i] = (int)v;
		s = skip_space(end);
	}
	return *s ? -1 : 0;
}

static bool sorted_contains(const int *a, unsigned n, int v)
{
	unsigned lo = 0, hi = n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (a[mid] == v)
			return true;
		if (a[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The node's cpulist and cpu/online are read at different moments; a CPU unplugged
 * in between must not be offered for pinning, so keep only the online ones. */
static void keep_online_cpus(const struct topology *t, struct topo_node *node)
{
	unsigned i, n = 0;

	for (i = 0; i < node->nr_cpus; i++)
		if (sorted_contains(t->online_cpus, t->nr_online_cpus, node->cpus[i]))
			node->cpus[n++] = node->cpus[i];
	node->nr_cpus = n;
}

/* The kernel writes nodeN/distance over the online nodes in ascending id order,
 * which is the order of t->nodes, so row entries line up with node indexes. */
static int read_distance(const char *root, const char *dir, const struct topology *t,
			 struct topo_node *node, char *err, size_t errlen)
{
	char *path = xasprintf("%s/distance", dir);
	char *text = read_file(root, path, err, errlen);
	int ret = 0;

	node->distance = xcalloc(t->nr_nodes, sizeof(*node->distance));
	if (!text)
		ret = -1;
	else if (parse_distance_row(text, node->distance, t->nr_nodes))
		ret = bad_file(root, path, "expected one distance per online node",
			       err, errlen);
	free(text);
	free(path);
	return ret;
}

static int read_node(const char *root, struct topology *t, struct topo_node *node,
		     char *err, size_t errlen)
{
	char *dir = xasprintf(SYS_NODE_DIR "/node%d", node->id);
	char *cpulist = xasprintf("%s/cpulist", dir);
	char *meminfo = xasprintf("%s/meminfo", dir);
	int ret;

	ret = read_list(root, cpulist, &node->cpus, &node->nr_cpus, err, errlen);
	if (!ret) {
		keep_online_cpus(t, node);
		ret = read_memtotal(root, meminfo, &node->mem_bytes, err, errlen);
	}
	if (!ret)
		ret = read_distance(root, dir, t, node, err, errlen);
	free(meminfo);
	free(cpulist);
	free(dir);
	return ret;
}

static int read_numa_nodes(const char *root, struct topology *t, char *err, size_t errlen)
{
	int *ids;
	unsigned i, n;

	if (read_list(root, SYS_NODE_DIR "/online", &ids, &n, err, errlen))
		return -1;
	if (!n)
		return bad_file(root, SYS_NODE_DIR "/online", "no online node", err, errlen);
	t->nodes = xcalloc(n, sizeof(*t->nodes));
	t->nr_nodes = n;
	for (i = 0; i < n; i++)
		t->nodes[i].id = ids[i];
	free(ids);
	for (i = 0; i < n; i++)
		if (read_node(root, t, &t->nodes[i], err, errlen))
			return -1;
	return 0;
}

/* A kernel without CONFIG_NUMA: all of it is one local node 0. */
static int read_flat(const char *root, struct topology *t, char *err, size_t errlen)
{
	struct topo_node *node;

	t->nodes = xcalloc(1, sizeof(*t->nodes));
	t->nr_nodes = 1;
	node = &t->nodes[0];
	node->id = 0;
	node->nr_cpus = t->nr_online_cpus;
	node->cpus = xmalloc(t->nr_online_cpus * sizeof(*node->cpus));
	memcpy(node->cpus, t->online_cpus, t->nr_online_cpus * sizeof(*node->cpus));
	node->distance = xmalloc(sizeof(*node->distance));
	node->distance[0] = LOCAL_DISTANCE;
	return read_memtotal(root, "/proc/meminfo", &node->mem_bytes, err, errlen);
}

static bool has_numa_sysfs(const char *root)
{
	char *path = full_path(root, SYS_NODE_DIR);
	struct stat st;
	bool ret;

	/* Anything but "absent" (EACCES, say) goes on to the real read and its error. */
	ret = stat(path, &st) == 0 || errno != ENOENT;
	free(path);
	return ret;
}

int topology_read(const char *root, struct topology *t, char *err, size_t errlen)
{
	int ret;

	memset(t, 0, sizeof(*t));
	ret = read_list(root, SYS_CPU_ONLINE, &t->online_cpus, &t->nr_online_cpus,
			err, errlen);
	if (!ret && !t->nr_online_cpus)
		ret = bad_file(root, SYS_CPU_ONLINE, "no online CPU", err, errlen);
	if (!ret) {
		t->numa_sysfs = has_numa_sysfs(root);
		ret = t->numa_sysfs ? read_numa_nodes(root, t, err, errlen)
				    : read_flat(root, t, err, errlen);
	}
	if (ret)
		topology_free(t);
	return ret;
}

void topology_free(struct topology *t)
{
	unsigned i;

	for (i = 0; i < t->nr_nodes; i++) {
		free(t->nodes[i].cpus);
		free(t->nodes[i].distance);
	}
	free(t->nodes);
	free(t->online_cpus);
	memset(t, 0, sizeof(*t));
}

int topology_node_index(const struct topology *t, int id)
{
	unsigned i;

	for (i = 0; i < t->nr_nodes; i++)
		if (t->nodes[i].id == id)
			return (int)i;
	return -1;
}

int topology_cpu_node(const struct topology *t, int cpu)
{
	unsigned i;

	for (i = 0; i < t->nr_nodes; i++)
		if (sorted_contains(t->nodes[i].cpus, t->nodes[i].nr_cpus, cpu))
			return t->nodes[i].id;
	return -1;
}
