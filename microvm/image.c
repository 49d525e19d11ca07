// SPDX-License-Identifier: MIT
/* The embedded guest image's header and body table, read in place. */
#include "microvm/image.h"

#include <string.h>

static size_t image_size(void)
{
	return (size_t)(guest_image_end - guest_image);
}

static const struct guest_image_header *header(void)
{
	return (const struct guest_image_header *)guest_image;
}

/* A GVA of the image as a pointer into the embedded copy, NULL outside it. */
static const void *image_at(uint64_t gva, size_t len)
{
	uint64_t off = gva - GUEST_IMAGE_GPA;

	return gva >= GUEST_IMAGE_GPA && off <= image_size() && len <= image_size() - off
	       ? guest_image + off : NULL;
}

const char *guest_image_check(void)
{
	const struct guest_image_header *h = header();

	if (image_size() < sizeof(*h) || h->magic != GUEST_IMAGE_MAGIC)
		return "no guest image header";
	if (h->image_end < GUEST_IMAGE_GPA + image_size() ||
	    h->image_end - GUEST_IMAGE_GPA > GUEST_IMAGE_MAX)
		return "image end outside [image, GUEST_IMAGE_MAX]";
	if (h->benches > h->benches_end ||
	    (h->benches_end - h->benches) % sizeof(struct guest_bench_desc) ||
	    !image_at(h->benches, h->benches_end - h->benches))
		return "body table outside the image";
	return NULL;
}

const struct guest_bench_desc *guest_image_body(const char *name)
{
	const struct guest_image_header *h = header();
	const struct guest_bench_desc *d, *end;

	if (guest_image_check())
		return NULL;
	d = image_at(h->benches, 0);
	end = d + (h->benches_end - h->benches) / sizeof(*d);
	for (; d < end; d++) {
		const char *s = image_at(d->name, 1);
		size_t room = s ? image_size() - (size_t)(d->name - GUEST_IMAGE_GPA) : 0;

		if (s && strnlen(s, room) < room && !strcmp(s, name))
			return d;
	}
	return NULL;
}
