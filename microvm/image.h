/* SPDX-License-Identifier: MIT */
/*
 * The guest image embedded in the binary (microvm/guest_image.S), read without KVM:
 * its header (at its start) and its table of bodies (GUEST_BENCH in *.guest.c). The
 * image is linked at GUEST_IMAGE_GPA and identity mapped, so a GVA in it is that
 * offset from GUEST_IMAGE_GPA.
 */
#ifndef VMTAX_MICROVM_IMAGE_H
#define VMTAX_MICROVM_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "microvm/guest/protocol.h"

extern const uint8_t guest_image[], guest_image_end[];

/* NULL when the header is whole and consistent (magic, size within GUEST_IMAGE_MAX,
 * body table inside the image), else what is wrong. */
const char *guest_image_check(void);

/* The body GUEST_BENCH(name, ...) declared, NULL when the image has none. */
const struct guest_bench_desc *guest_image_body(const char *name);

/*
 * The host names a guest body in one way, GUEST_BODY("mmu/chase"): the name, which
 * is also recorded with its file and line in the section vmtax_guest_bodies, so a test
 * without KVM (tests/unit/test_guest_contract.c) finds every body the host names in
 * the image. Inside functions (a statement expression).
 */
struct guest_body_ref {
	const char *name;
	const char *file;
	uint64_t line;
};

#define GUEST_BODY(name_)                                                              \
	({                                                                             \
		static const struct guest_body_ref guest_body_ref_                     \
			__attribute__((section("vmtax_guest_bodies"), used, aligned(8))) = \
			{ (name_), __FILE__, __LINE__ };                               \
		guest_body_ref_.name;                                                  \
	})

#endif
