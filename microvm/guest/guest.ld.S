/* The guest image: linked where the host loads it, header first. The Makefile runs
 * this through the C preprocessor, so the load address and the size limit are the
 * host's own (microvm/guest/protocol.h). */
#include "microvm/guest/protocol.h"

ENTRY(_start)
SECTIONS
{
	. = GUEST_IMAGE_GPA;
	.head : { KEEP(*(.head)) }
	.text : { *(.text.entry) *(.text .text.*) }
	.rodata : { *(.rodata .rodata.*) }
	.guest_benches : ALIGN(8) {
		__guest_benches_start = .;
		KEEP(*(.guest_benches))
		__guest_benches_end = .;
	}
	.data : { *(.data .data.*) }
	.bss : ALIGN(64) { *(.bss .bss.*) *(COMMON) }
	. = ALIGN(4096);
	__guest_image_end = .;
	/* The guest stacks start right after: an image that grows past its room would
	 * overlap them. */
	ASSERT(__guest_image_end <= GUEST_IMAGE_GPA + GUEST_IMAGE_MAX,
	       "the guest image (with .bss) is larger than GUEST_IMAGE_MAX")
	/DISCARD/ : { *(.comment) *(.note .note.*) *(.eh_frame*) }
}
