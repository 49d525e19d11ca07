/* The guest binary, embedded at build time (kvmtool-style): no file to find at run time. */
	.section .rodata
	.balign 4096
	.global guest_image, guest_image_end
guest_image:
	.incbin GUEST_BIN
guest_image_end:
	.section .note.GNU-stack,"",@progbits
