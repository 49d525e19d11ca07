// SPDX-License-Identifier: MIT
#include "harness/lib/hostinfo.h"
#include "harness/lib/topology.h"
#include "harness/lib/util.h"
#include "harness/lib/counters.h"

#include <cpuid.h>
#include <ctype.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#define THP_ENABLED	"/sys/kernel/mm/transparent_hugepage/enabled"
#define HUGEPAGES_DIR	"/sys/kernel/mm/hugepages"
#define PMU_DEVICES	"/sys/bus/event_source/devices"

const char *kvm_module_name(enum kvm_module m)
{
	switch (m) {
	case KVM_MOD_NONE:	return "none";
	case KVM_MOD_INTEL:	return "kvm_intel";
	case KVM_MOD_AMD:	return "kvm_amd";
	case KVM_MOD_PVM:	return "kvm_pvm";
	case KVM_MOD_OTHER:	return "other";
	}
	return "?";
}

const char *mmu_mode_name(enum mmu_mode m)
{
	switch (m) {
	case MMU_UNKNOWN:	return "unknown";
	case MMU_EPT:		return "ept";
	case MMU_NPT:		return "npt";
	case MMU_SHADOW:	return "shadow";
	case MMU_PVM_SHADOW:	return "pvm-shadow";
	}
	return "?";
}

bool parse_thp_mode(const char *text, char *out, size_t outlen)
{
	const char *open = strchr(text, '[');
	const char *close = open ? strchr(open, ']') : NULL;
	size_t len = close ? (size_t)(close - open - 1) : 0;

	if (outlen)
		out[0] = '\0';
	if (!len || len >= outlen)
		return false;
	memcpy(out, open + 1, len);
	out[len] = '\0';
	return true;
}

/* A bool module parameter: 1, 0, or -1 when unreadable or not a bool. Older
 * kernels print int parameters (kvm_amd npt) as 1/0, newer ones bools as Y/N. */
static int param_bool(const char *s)
{
	int v;

	if (!s)
		return -1;
	switch (*s) {
	case 'Y': case 'y': case '1':
		v = 1;
		break;
	case 'N': case 'n': case '0':
		v = 0;
		break;
	default:
		return -1;
	}
	for (s++; *s; s++)
		if (!isspace((unsigned char)*s))
			return -1;
	return v;
}

/* An unreadable or odd parameter gives MMU_UNKNOWN rather than a guess: the mode
 * decides how every MMU result is read. */
enum mmu_mode mmu_mode_from(enum kvm_module m, const char *tdp_param)
{
	int on = param_bool(tdp_param);

	switch (m) {
	case KVM_MOD_INTEL:
		return on < 0 ? MMU_UNKNOWN : on ? MMU_EPT : MMU_SHADOW;
	case KVM_MOD_AMD:
		return on < 0 ? MMU_UNKNOWN : on ? MMU_NPT : MMU_SHADOW;
	case KVM_MOD_PVM:
		return MMU_PVM_SHADOW;
	default:
		return MMU_UNKNOWN;
	}
}

/* Whole words only: "invpcid" must not count as "pcid". */
static bool has_word(const char *list, const char *word)
{
	size_t len = strlen(word);
	const char *p;

	for (p = strstr(list, word); p; p = strstr(p + 1, word))
		if ((p == list || isspace((unsigned char)p[-1])) &&
		    (!p[len] || isspace((unsigned char)p[len])))
			return true;
	return false;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

#define COPY_FIELD(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

static void cpuinfo_field(struct host_info *hi, const char *key, const char *value)
{
	if (!strcmp(key, "vendor_id"))
		COPY_FIELD(hi->vendor, value);
	else if (!strcmp(key, "model name"))
		COPY_FIELD(hi->model_name, value);
	else if (!strcmp(key, "cpu family"))
		hi->family = strtoul(value, NULL, 10);
	else if (!strcmp(key, "model"))
		hi->model = strtoul(value, NULL, 10);
	else if (!strcmp(key, "stepping"))
		hi->stepping = strtoul(value, NULL, 10);
	else if (!strcmp(key, "microcode"))
		COPY_FIELD(hi->microcode, value);
	else if (!strcmp(key, "flags")) {
		hi->has_pcid = has_word(value, "pcid");
	}
}

void parse_cpuinfo(const char *text, struct host_info *hi)
{
	char *buf = xstrdup(text);
	char *rest = buf, *line, *colon;

	/* The first blank line ends the first processor's block. */
	while ((line = strsep(&rest, "\n")) && *trim(line)) {
		colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		cpuinfo_field(hi, trim(line), trim(colon + 1));
	}
	free(buf);
}

static void probe_cpu(struct host_info *hi)
{
	char *text = read_text_file("/proc/cpuinfo");
	struct utsname u;

	if (text)
		parse_cpuinfo(text, hi);
	free(text);
	if (uname(&u) == 0)
		COPY_FIELD(hi->kernel, u.release);
	hi->has_1g_pages = cpu_has_1g_pages();
}

bool cpu_has_1g_pages(void)
{
	unsigned a, b, c, d;

	return __get_cpuid(0x80000001, &a, &b, &c, &d) && (d & (1u << 26));	/* PDPE1GB */
}

static bool path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* kvm_pvm is checked first: it is the one whose presence changes the execution
 * model (emulated CPL0, shadow paging) most, so if it shows up beside a hardware
 * module it is the answer that must not be hidden. */
enum kvm_module kvm_module_detect(void)
{
	static const struct { enum kvm_module m; const char *dir; } mods[] = {
		{ KVM_MOD_PVM, "/sys/module/kvm_pvm" },
		{ KVM_MOD_INTEL, "/sys/module/kvm_intel" },
		{ KVM_MOD_AMD, "/sys/module/kvm_amd" },
	};
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(mods); i++)
		if (path_exists(mods[i].dir))
			return mods[i].m;
	return path_exists("/sys/module/kvm") ? KVM_MOD_OTHER : KVM_MOD_NONE;
}

static void probe_kvm_module(struct host_info *hi)
{
	char *param = NULL;

	hi->kvm = kvm_module_detect();
	if (hi->kvm == KVM_MOD_INTEL)
		param = read_text_file("/sys/module/kvm_intel/parameters/ept");
	else if (hi->kvm == KVM_MOD_AMD)
		param = read_text_file("/sys/module/kvm_amd/parameters/npt");
	hi->mmu = mmu_mode_from(hi->kvm, param);
	free(param);
}

/* CPUID 0x15: TSC = crystal Hz * ebx / eax. Zero ecx means the crystal frequency
 * is not enumerated; we do not fill it in from model tables. */
static uint64_t cpuid_tsc_khz(void)
{
	unsigned a, b, c, d;

	if (__get_cpuid_max(0, NULL) < 0x15)
		return 0;
	__cpuid_count(0x15, 0, a, b, c, d);
	(void)d;
	if (!a || !b || !c)
		return 0;
	return (uint64_t)c * b / a / 1000;
}

static const struct {
	const char *sig, *name;
	bool emulated;
} hypervisors[] = {
	{ "TCGTCGTCGTCG", "QEMU TCG (software emulation)", true },
	{ "KVMKVMKVM", "KVM", false },
	{ "Linux KVM Hv", "KVM (Hyper-V enlightenments)", false },
	{ "Microsoft Hv", "Hyper-V", false },
	{ "VMwareVMware", "VMware", false },
	{ "XenVMMXenVMM", "Xen", false },
	{ "bhyve bhyve ", "bhyve", false },
	{ " lrpepyh  vr", "Parallels", false },
	{ "ACRNACRNACRN", "ACRN", false },
	{ "QNXQVMBSQG", "QNX", false },
	{ "VBoxVBoxVBox", "VirtualBox", false },
};

const char *hypervisor_name(const char *sig)
{
	for (size_t i = 0; i < ARRAY_SIZE(hypervisors); i++)
		if (!strcmp(sig, hypervisors[i].sig))
			return hypervisors[i].name;
	return sig[0] ? "unknown hypervisor" : "unnamed hypervisor";
}

bool hypervisor_emulates_cpu(const char *sig)
{
	for (size_t i = 0; i < ARRAY_SIZE(hypervisors); i++)
		if (!strcmp(sig, hypervisors[i].sig))
			return hypervisors[i].emulated;
	return false;
}

/* The hypervisor bit is architectural; leaf 0x40000000 is only meaningful with it
 * set (on bare metal it aliases the highest basic leaf). */
static void probe_hypervisor(struct host_info *hi)
{
	unsigned a, b, c, d;

	__cpuid(1, a, b, c, d);
	hi->hypervisor = c & (1u << 31);
	if (!hi->hypervisor)
		return;
	__cpuid(0x40000000, a, b, c, d);
	memcpy(hi->hypervisor_sig, &b, 4);
	memcpy(hi->hypervisor_sig + 4, &c, 4);
	memcpy(hi->hypervisor_sig + 8, &d, 4);
	hi->hypervisor_sig[12] = '\0';
	for (size_t i = 0; i < 12; i++)		/* keep the JSON and the terminal clean */
		if (hi->hypervisor_sig[i] && (hi->hypervisor_sig[i] < 0x20 || hi->hypervisor_sig[i] > 0x7e))
			hi->hypervisor_sig[i] = '?';
}

static void probe_kvm(struct host_info *hi)
{
	probe_kvm_module(hi);
	hi->tsc_khz = cpuid_tsc_khz();
	hi->tsc_khz_source = hi->tsc_khz ? "cpuid-0x15" : "none";
}

/* Nodes and distances under root (NULL = /); the online CPU count, or -1 with the
 * reason in hi->numa_error. */
static int read_numa(struct host_info *hi, const char *root)
{
	struct topology t;
	unsigned i, j, n;
	int cpus;

	hi->numa_nodes = 0;
	hi->numa_sysfs_root = root;
	if (topology_read(root, &t, hi->numa_error, sizeof(hi->numa_error)))
		return -1;
	hi->numa_nodes = t.nr_nodes;
	n = t.nr_nodes < HOST_MAX_NODES ? t.nr_nodes : HOST_MAX_NODES;
	for (i = 0; i < n; i++) {
		hi->numa_node_ids[i] = t.nodes[i].id;
		for (j = 0; j < n; j++)
			hi->distance[i][j] = t.nodes[i].distance[j];
	}
	cpus = (int)t.nr_online_cpus;
	topology_free(&t);
	return cpus;
}

static void probe_numa(struct host_info *hi)
{
	int cpus = read_numa(hi, NULL);
	long online = sysconf(_SC_NPROCESSORS_ONLN);

	hi->nr_cpus = cpus >= 0 ? (unsigned)cpus : online > 0 ? (unsigned)online : 0;
}

int host_info_probe_numa(struct host_info *hi, const char *sysfs_root)
{
	return read_numa(hi, sysfs_root) < 0 ? -1 : 0;
}

/* Hybrid Intel parts name their core PMUs cpu_core and cpu_atom instead of cpu. */
static bool core_pmu_in_sysfs(void)
{
	return path_exists(PMU_DEVICES "/cpu") || path_exists(PMU_DEVICES "/cpu_core") ||
	       path_exists(PMU_DEVICES "/cpu_atom");
}

static void pmu_reason(struct host_info *hi, int err)
{
	char *paranoid;

	if (!core_pmu_in_sysfs()) {
		snprintf(hi->pmu_reason, sizeof(hi->pmu_reason),
			 "perf_event_open(cycles): %s (no hardware PMU exposed to this kernel)",
			 strerror(err));
	} else if (err == EACCES || err == EPERM) {
		paranoid = read_text_file("/proc/sys/kernel/perf_event_paranoid");
		snprintf(hi->pmu_reason, sizeof(hi->pmu_reason),
			 "perf_event_open(cycles): %s (kernel.perf_event_paranoid is %s; run as root or lower it)",
			 strerror(err), paranoid ? paranoid : "unreadable");
		free(paranoid);
	} else {
		snprintf(hi->pmu_reason, sizeof(hi->pmu_reason), "perf_event_open(cycles): %s",
			 strerror(err));
	}
}

/* The same event, on the calling thread and user mode only, that the counters code
 * opens: if this fails, no hardware counter will work. */
static void probe_pmu(struct host_info *hi)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_HARDWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_HW_CPU_CYCLES,
		.disabled = 1,
		.exclude_kernel = 1,
		.exclude_hv = 1,
	};
	int fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
	const char *model = counters_core_pmu();

	/* Which events the defaults name depends on the model libpfm4 knows. */
	snprintf(hi->pmu_model, sizeof(hi->pmu_model), "%s", model ? model : "");
	if (fd < 0) {
		pmu_reason(hi, errno);
		return;
	}
	close(fd);
	hi->pmu_available = true;
}

static uint64_t free_hugepages(const char *size)
{
	char *path = xasprintf(HUGEPAGES_DIR "/hugepages-%s/free_hugepages", size);
	char *text = read_text_file(path);
	uint64_t n = text ? strtoull(text, NULL, 10) : 0;

	free(text);
	free(path);
	return n;
}

static void probe_memory(struct host_info *hi)
{
	char *thp = read_text_file(THP_ENABLED);

	if (thp)
		parse_thp_mode(thp, hi->thp_mode, sizeof(hi->thp_mode));
	free(thp);
	hi->hugepages_2m = free_hugepages("2048kB");
	hi->hugepages_1g = free_hugepages("1048576kB");
}

void host_info_probe(struct host_info *hi)
{
	memset(hi, 0, sizeof(*hi));
	probe_cpu(hi);
	probe_hypervisor(hi);
	probe_numa(hi);
	probe_kvm(hi);
	probe_pmu(hi);
	probe_memory(hi);
}

static unsigned recorded_nodes(const struct host_info *hi)
{
	return hi->numa_nodes < HOST_MAX_NODES ? hi->numa_nodes : HOST_MAX_NODES;
}

/* null on bare metal */
static json_t *hypervisor_json(const struct host_info *hi)
{
	if (!hi->hypervisor)
		return json_null();
	return json_pack("{s:s, s:s, s:b}", "signature", hi->hypervisor_sig,
			 "name", hypervisor_name(hi->hypervisor_sig),
			 "emulated", hypervisor_emulates_cpu(hi->hypervisor_sig));
}

static json_t *cpu_json(const struct host_info *hi)
{
	return json_pack("{s:s, s:s, s:i, s:i, s:i, s:s, s:i, s:b, s:b, s:o}",
			 "vendor", hi->vendor, "model_name", hi->model_name,
			 "family", (int)hi->family, "model", (int)hi->model,
			 "stepping", (int)hi->stepping, "microcode", hi->microcode,
			 "nr_cpus", (int)hi->nr_cpus,
			 "has_1g_pages", hi->has_1g_pages, "has_pcid", hi->has_pcid,
			 "hypervisor", hypervisor_json(hi));
}

static json_t *kvm_json(const struct host_info *hi)
{
	json_t *o = json_pack("{s:s, s:s, s:b}", "module", kvm_module_name(hi->kvm),
			      "mmu", mmu_mode_name(hi->mmu), "accessible", hi->kvm_accessible);

	if (!hi->kvm_accessible)
		json_object_set_new(o, "error", json_string(hi->kvm_error));
	return o;
}

static json_t *numa_json(const struct host_info *hi)
{
	json_t *ids = json_array(), *matrix = json_array(), *row, *o;
	unsigned i, j, n = recorded_nodes(hi);

	for (i = 0; i < n; i++) {
		json_array_append_new(ids, json_integer(hi->numa_node_ids[i]));
		row = json_array();
		for (j = 0; j < n; j++)
			json_array_append_new(row, json_integer(hi->distance[i][j]));
		json_array_append_new(matrix, row);
	}
	o = json_pack("{s:i, s:o, s:o}", "nodes", (int)hi->numa_nodes, "node_ids", ids,
		      "distance", matrix);
	if (!hi->numa_nodes)
		json_object_set_new(o, "error", json_string(hi->numa_error));
	if (hi->numa_sysfs_root)
		json_object_set_new(o, "sysfs_root", json_string(hi->numa_sysfs_root));
	return o;
}

static json_t *pmu_json(const struct host_info *hi)
{
	json_t *o = json_pack("{s:b, s:s?}", "available", hi->pmu_available,
			      "model", hi->pmu_model[0] ? hi->pmu_model : NULL);

	if (!hi->pmu_available)
		json_object_set_new(o, "reason", json_string(hi->pmu_reason));
	return o;
}

json_t *host_info_to_json(const struct host_info *hi)
{
	return json_pack("{s:o, s:s, s:I, s:s?, s:o, s:o, s:o, s:s?, s:{s:I, s:I}}",
			 "cpu", cpu_json(hi), "kernel", hi->kernel,
			 "tsc_khz", (json_int_t)hi->tsc_khz, "tsc_khz_source", hi->tsc_khz_source,
			 "kvm", kvm_json(hi), "numa", numa_json(hi), "pmu", pmu_json(hi),
			 "thp", hi->thp_mode[0] ? hi->thp_mode : NULL,
			 "hugepages", "2m", (json_int_t)hi->hugepages_2m,
			 "1g", (json_int_t)hi->hugepages_1g);
}

#define LINE(f, label, fmt, ...) fprintf((f), "%-10s " fmt "\n", (label), __VA_ARGS__)

static void print_numa(const struct host_info *hi, FILE *f)
{
	unsigned i, j, n = recorded_nodes(hi);

	if (!hi->numa_nodes) {
		LINE(f, "numa", "unknown: %s", hi->numa_error);
		return;
	}
	LINE(f, "numa", "%u node(s)%s%s%s", hi->numa_nodes,
	     n < hi->numa_nodes ? " (distances of the first ones)" : "",
	     hi->numa_sysfs_root ? ", read from " : "",
	     hi->numa_sysfs_root ? hi->numa_sysfs_root : "");
	fprintf(f, "%11s%6s", "", "node");
	for (j = 0; j < n; j++)
		fprintf(f, " %4d", hi->numa_node_ids[j]);
	fputc('\n', f);
	for (i = 0; i < n; i++) {
		fprintf(f, "%11s%6d", "", hi->numa_node_ids[i]);
		for (j = 0; j < n; j++)
			fprintf(f, " %4d", hi->distance[i][j]);
		fputc('\n', f);
	}
}

void host_info_print(const struct host_info *hi, FILE *f)
{
	LINE(f, "cpu", "%s %s family %u model %u stepping %u microcode %s", hi->vendor,
	     hi->model_name, hi->family, hi->model, hi->stepping, hi->microcode);
	if (hi->hypervisor)
		LINE(f, "virtual", "this host is itself a guest: CPUID signature '%s' (%s)%s",
		     hi->hypervisor_sig, hypervisor_name(hi->hypervisor_sig),
		     hypervisor_emulates_cpu(hi->hypervisor_sig) ?
		     "; its CPU is emulated: statuses and validations hold, times are not hardware times" : "");
	else
		LINE(f, "virtual", "%s", "no: bare metal (CPUID hypervisor bit clear)");
	LINE(f, "cpus", "%u online", hi->nr_cpus);
	LINE(f, "features", "1g-pages %s, pcid %s", hi->has_1g_pages ? "yes" : "no",
	     hi->has_pcid ? "yes" : "no");
	LINE(f, "kernel", "%s", hi->kernel);
	if (hi->tsc_khz)
		LINE(f, "tsc", "%llu kHz (%s)", (unsigned long long)hi->tsc_khz,
		     hi->tsc_khz_source);
	else
		LINE(f, "tsc", "%s", "unknown (no KVM_GET_TSC_KHZ, no CPUID 0x15 crystal)");
	LINE(f, "kvm", "%s (mmu %s)%s%s", kvm_module_name(hi->kvm), mmu_mode_name(hi->mmu),
	     hi->kvm_accessible ? "" : "; not usable: ", hi->kvm_accessible ? "" : hi->kvm_error);
	print_numa(hi, f);
	if (hi->pmu_available)
		LINE(f, "pmu", "%s", "available");
	else
		LINE(f, "pmu", "unavailable: %s", hi->pmu_reason);
	LINE(f, "pmu model", "%s", hi->pmu_model[0] ? hi->pmu_model :
	     "none that libpfm4 knows: the default events are the kernel's generic ones");
	LINE(f, "thp", "%s", hi->thp_mode[0] ? hi->thp_mode : "unavailable");
	LINE(f, "hugepages", "2M: %llu free, 1G: %llu free",
	     (unsigned long long)hi->hugepages_2m, (unsigned long long)hi->hugepages_1g);
}
