// SPDX-License-Identifier: MIT
/* --mmu-compare: reload kvm_intel/kvm_amd with ept/npt toggled, and restore it. */
#include "harness/mmu_compare.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/lib/util.h"

/* Where modules are seen and what loads them; a test points both at a fake. */
static const char *sys_module = "/sys/module";
static const char *modprobe_path = "modprobe";


/* The modules with a two-dimensional paging switch. */
static const struct tdp_module {
	enum kvm_module kvm;
	const char *name, *param;
} tdp_modules[] = {
	{ KVM_MOD_INTEL, "kvm_intel", "ept" },
	{ KVM_MOD_AMD, "kvm_amd", "npt" },
};

static const struct tdp_module *tdp_module(enum kvm_module m)
{
	for (size_t i = 0; i < ARRAY_SIZE(tdp_modules); i++)
		if (tdp_modules[i].kvm == m)
			return &tdp_modules[i];
	return NULL;
}

const char *mmu_module_name(enum kvm_module m)
{
	return tdp_module(m) ? tdp_module(m)->name : NULL;
}

const char *mmu_param_name(enum kvm_module m)
{
	return tdp_module(m) ? tdp_module(m)->param : NULL;
}

static char *module_file(const struct tdp_module *t, const char *rel)
{
	char *path = xasprintf("%s/%s/%s", sys_module, t->name, rel);
	char *text = read_text_file(path);

	free(path);
	return text;
}

static char *param_text(const struct tdp_module *t)
{
	char *path = xasprintf("%s/%s/parameters/%s", sys_module, t->name, t->param);
	char *text = read_text_file(path);

	free(path);
	return text;
}

static void read_holders(const struct tdp_module *t, char *out, size_t outlen)
{
	char *path = xasprintf("%s/%s/holders", sys_module, t->name);
	DIR *d = opendir(path);
	struct dirent *e;
	size_t used = 0;

	out[0] = '\0';
	free(path);
	if (!d)
		return;
	while ((e = readdir(d)) && used + 1 < outlen) {
		if (e->d_name[0] == '.')
			continue;
		used += (size_t)snprintf(out + used, outlen - used, "%s%s", used ? "," : "", e->d_name);
	}
	closedir(d);
}

/* Does process pid hold a KVM VM? Its VM file is an anonymous inode named kvm-vm. */
static bool holds_vm(const char *pid)
{
	char *dir = xasprintf("/proc/%s/fd", pid);
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	if (d) {
		while (!found && (e = readdir(d))) {
			char target[64];
			ssize_t n = readlinkat(dirfd(d), e->d_name, target, sizeof(target) - 1);

			if (n > 0) {
				target[n] = '\0';
				found = !strcmp(target, "anon_inode:kvm-vm");
			}
		}
		closedir(d);
	}
	free(dir);
	return found;
}

static void find_other_vm(struct mmu_host_state *s)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t self = getpid();

	if (!d)
		return;
	while (!s->vm_pid && (e = readdir(d))) {
		pid_t pid = (pid_t)strtol(e->d_name, NULL, 10);
		char *path, *comm;

		if (pid <= 0 || pid == self || !holds_vm(e->d_name))
			continue;
		s->vm_pid = pid;
		path = xasprintf("/proc/%d/comm", pid);
		comm = read_text_file(path);
		snprintf(s->vm_comm, sizeof(s->vm_comm), "%s", comm ? comm : "?");
		free(comm);
		free(path);
	}
	closedir(d);
}

void mmu_host_state_probe(struct mmu_host_state *s, enum kvm_module kvm)
{
	const struct tdp_module *t = tdp_module(kvm);
	char *param, *refcnt;

	memset(s, 0, sizeof(*s));
	s->root = geteuid() == 0;
	s->kvm = kvm;
	s->refcnt = -1;
	if (!t)
		return;
	param = param_text(t);
	snprintf(s->value, sizeof(s->value), "%s", param ? param : "");
	refcnt = module_file(t, "refcnt");
	s->refcnt = refcnt ? strtol(refcnt, NULL, 10) : -1;
	read_holders(t, s->holders, sizeof(s->holders));
	find_other_vm(s);
	free(param);
	free(refcnt);
}

int mmu_compare_refusal(const struct mmu_host_state *s, char *why, size_t len)
{
	const char *mod = mmu_module_name(s->kvm), *param = mmu_param_name(s->kvm);

	switch (s->kvm) {
	case KVM_MOD_NONE:
		snprintf(why, len, "no KVM module is loaded (needs kvm_intel or kvm_amd)");
		return -1;
	case KVM_MOD_PVM:
		snprintf(why, len, "this host's KVM is kvm_pvm (PVM): its guests always use shadow "
			 "paging and it has no ept/npt switch; run it on a bare-metal kvm_intel or "
			 "kvm_amd host");
		return -1;
	case KVM_MOD_OTHER:
		snprintf(why, len, "this host's KVM module is neither kvm_intel nor kvm_amd");
		return -1;
	default:
		break;
	}
	if (mmu_mode_from(s->kvm, s->value) == MMU_UNKNOWN) {
		snprintf(why, len, "cannot read %s's '%s' parameter (%s/%s/parameters/%s)",
			 mod, param, sys_module, mod, param);
		return -1;
	}
	if (!s->root) {
		snprintf(why, len, "needs root: it reloads %s with %s toggled", mod, param);
		return -1;
	}
	if (s->vm_pid) {
		snprintf(why, len, "another VM is running (pid %d, %s): reloading %s would take KVM "
			 "away from it", (int)s->vm_pid, s->vm_comm, mod);
		return -1;
	}
	if (s->holders[0]) {
		snprintf(why, len, "%s is in use by module %s", mod, s->holders);
		return -1;
	}
	if (s->refcnt > 0) {
		snprintf(why, len, "%s is in use (refcnt %ld: /dev/kvm is open in another process)",
			 mod, s->refcnt);
		return -1;
	}
	return 0;
}

/* Run modprobe with argv; 0, or -1 with its first line of stderr in err. The child
 * ignores Ctrl-C: a reload cut in half would leave the host without KVM. */
static int modprobe(char *const argv[], char *err, size_t errlen)
{
	int pipefd[2], status;
	char line[200] = "";
	ssize_t n;
	pid_t pid;

	if (pipe(pipefd))
		return snprintf(err, errlen, "pipe: %s", strerror(errno)), -1;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		dup2(null, STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		close(pipefd[0]);
		execvp(modprobe_path, argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	n = pid > 0 ? read(pipefd[0], line, sizeof(line) - 1) : 0;
	close(pipefd[0]);
	if (pid < 0)
		return snprintf(err, errlen, "fork: %s", strerror(errno)), -1;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	line[n > 0 ? n : 0] = '\0';
	line[strcspn(line, "\n")] = '\0';
	snprintf(err, errlen, "%s %s %s: %s", argv[0], argv[1], argv[2] ? argv[2] : "",
		 line[0] ? line : "failed");
	return -1;
}

/* The setting found before the first switch, to put back on the way out. */
static struct {
	const struct tdp_module *module;	/* NULL until the first switch */
	bool tdp;
} original;

/* 1 on, 0 off, -1 when the module is not loaded. */
static int current_tdp(const struct tdp_module *t)
{
	char *text = param_text(t);
	enum mmu_mode m = mmu_mode_from(t->kvm, text);

	free(text);
	return m == MMU_UNKNOWN ? -1 : m != MMU_SHADOW;
}

/* Unload (retrying while our own just-closed VMs are torn down), load with the
 * parameter, check it took. */
static int reload(const struct tdp_module *t, bool tdp, char *err, size_t errlen)
{
	char mod[32], arg[16];
	char *unload[] = { "modprobe", "-r", mod, NULL };
	char *load[] = { "modprobe", mod, arg, NULL };
	int tries = 0;

	snprintf(mod, sizeof(mod), "%s", t->name);
	snprintf(arg, sizeof(arg), "%s=%d", t->param, tdp);
	/* A module that is not loaded (a reload that failed half-way) needs no unload. */
	while (current_tdp(t) >= 0 && modprobe(unload, err, errlen)) {
		if (++tries == 50)
			return -1;
		usleep(100 * 1000);
	}
	if (modprobe(load, err, errlen))
		return -1;
	if (current_tdp(t) != (int)tdp) {
		snprintf(err, errlen, "%s loaded, but %s is not %s", t->name, t->param,
			 tdp ? "on" : "off");
		return -1;
	}
	return 0;
}

int mmu_compare_switch(const struct mmu_host_state *s, bool tdp, char *err, size_t errlen)
{
	const struct tdp_module *t = tdp_module(s->kvm);

	if (!t) {
		snprintf(err, errlen, "this host's KVM module has no ept/npt switch");
		return -1;
	}
	if (!original.module) {
		original.module = t;
		original.tdp = mmu_mode_from(s->kvm, s->value) != MMU_SHADOW;
		atexit(mmu_compare_restore);
	}
	if (current_tdp(t) == (int)tdp)
		return 0;
	return reload(t, tdp, err, errlen);
}

void mmu_compare_use(const char *sys_module_dir, const char *modprobe_cmd)
{
	sys_module = sys_module_dir;
	modprobe_path = modprobe_cmd;
	original.module = NULL;
}

void mmu_compare_restore(void)
{
	const struct tdp_module *t = original.module;
	char err[256];

	if (!t || current_tdp(t) == (int)original.tdp)
		return;
	if (reload(t, original.tdp, err, sizeof(err)))
		pr_err("could not restore %s %s=%d (%s); restore it by hand: modprobe -r %s && modprobe %s %s=%d",
		       t->name, t->param, original.tdp, err, t->name, t->name, t->param, original.tdp);
	else
		fprintf(stderr, "vmtax: %s restored with %s=%d\n", t->name, t->param, original.tdp);
}
