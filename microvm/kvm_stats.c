// SPDX-License-Identifier: MIT
#include "microvm/kvm_stats.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "harness/lib/util.h"

/* Enough for every stat of current kernels; the file is re-read whole on each open. */
#define STATS_HEADER_MAX (1u << 20)

int kvm_stats_parse(struct kvm_stats *s, const void *buf, size_t len, char *err, size_t errlen)
{
	const struct kvm_stats_header *h = buf;
	size_t desc_size;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (len < sizeof(*h)) {
		snprintf(err, errlen, "KVM stats: header truncated (%zu bytes)", len);
		return -1;
	}
	desc_size = sizeof(struct kvm_stats_desc) + h->name_size;
	if (h->name_size == 0 || h->name_size > 4096 || h->desc_offset > len ||
	    (size_t)h->num_desc * desc_size > len - h->desc_offset) {
		snprintf(err, errlen, "KVM stats: descriptors out of bounds");
		return -1;
	}
	s->n = h->num_desc;
	s->names = xcalloc(s->n, sizeof(char *));
	s->flags = xcalloc(s->n, sizeof(uint32_t));
	s->offsets = xcalloc(s->n, sizeof(uint32_t));
	s->data_offset = h->data_offset;
	for (unsigned i = 0; i < s->n; i++) {
		const struct kvm_stats_desc *d = (const void *)((const char *)buf +
								h->desc_offset + i * desc_size);
		const char *name = (const char *)(d + 1);

		s->names[i] = xasprintf("%.*s", (int)h->name_size, name);
		s->flags[i] = d->flags;
		s->offsets[i] = d->offset;
		if (d->offset + 8ull * d->size > s->data_size)
			s->data_size = d->offset + 8ull * d->size;
	}
	return 0;
}

int kvm_stats_open(struct kvm_stats *s, int kvm_obj_fd, char *err, size_t errlen)
{
	char *buf;
	ssize_t n;
	int fd;

	fd = ioctl(kvm_obj_fd, KVM_GET_STATS_FD, NULL);
	if (fd < 0) {
		snprintf(err, errlen, "KVM_GET_STATS_FD: %s", strerror(errno));
		return -1;
	}
	buf = xmalloc(STATS_HEADER_MAX);
	n = pread(fd, buf, STATS_HEADER_MAX, 0);
	if (n < 0) {
		snprintf(err, errlen, "reading KVM stats: %s", strerror(errno));
		free(buf);
		close(fd);
		return -1;
	}
	if (kvm_stats_parse(s, buf, (size_t)n, err, errlen)) {
		free(buf);
		close(fd);
		return -1;
	}
	free(buf);
	s->fd = fd;
	return 0;
}

void kvm_stats_close(struct kvm_stats *s)
{
	for (unsigned i = 0; i < s->n; i++)
		free(s->names[i]);
	free(s->names);
	free(s->flags);
	free(s->offsets);
	if (s->fd >= 0)
		close(s->fd);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

int kvm_stats_index(const struct kvm_stats *s, const char *name)
{
	for (unsigned i = 0; i < s->n; i++)
		if (!strcmp(s->names[i], name))
			return (int)i;
	return -1;
}

int kvm_stats_snapshot(const struct kvm_stats *s, struct kvm_stats_snapshot *snap)
{
	uint8_t *data = xmalloc(s->data_size);
	ssize_t n = pread(s->fd, data, s->data_size, (off_t)s->data_offset);

	snap->n = s->n;
	snap->v = xcalloc(s->n, sizeof(uint64_t));
	if (n != (ssize_t)s->data_size) {
		free(data);
		return -1;
	}
	for (unsigned i = 0; i < s->n; i++)
		memcpy(&snap->v[i], data + s->offsets[i], sizeof(uint64_t));
	free(data);
	return 0;
}

void kvm_stats_snapshot_free(struct kvm_stats_snapshot *snap)
{
	free(snap->v);
	snap->v = NULL;
	snap->n = 0;
}

int kvm_stats_delta(const struct kvm_stats *s, const struct kvm_stats_snapshot *before,
		    const struct kvm_stats_snapshot *after, const char *name, uint64_t *delta)
{
	int i = kvm_stats_index(s, name);

	if (i < 0 || !before->v || !after->v)
		return -1;
	*delta = after->v[i] - before->v[i];
	return 0;
}

bool kvm_stats_is_count(const struct kvm_stats *s, unsigned idx)
{
	return (s->flags[idx] & KVM_STATS_TYPE_MASK) == KVM_STATS_TYPE_CUMULATIVE &&
	       (s->flags[idx] & KVM_STATS_UNIT_MASK) == KVM_STATS_UNIT_NONE;
}
