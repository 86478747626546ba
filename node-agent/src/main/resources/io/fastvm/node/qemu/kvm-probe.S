/* KVM probe ROM: real mode -> protected mode -> long mode, then out 0xf4 (isa-debug-exit). */
        .code16
        .org 0
start:
        cli
        cs lgdtl gdtr - start
        movl %cr0, %eax
        orl $1, %eax
        movl %eax, %cr0
        ljmpl $0x08, $(0xF0000 + pm32 - start)
        .code32
pm32:
        movw $0x10, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        movl $0x1000, %edi
        xorl %eax, %eax
        movl $0xC00, %ecx
        rep stosl
        movl $0x2003, 0x1000
        movl $0x3003, 0x2000
        movl $0x83, 0x3000
        movl %cr4, %eax
        orl $0x20, %eax
        movl %eax, %cr4
        movl $0x1000, %eax
        movl %eax, %cr3
        movl $0xC0000080, %ecx
        rdmsr
        orl $0x100, %eax
        wrmsr
        movl %cr0, %eax
        orl $0x80000000, %eax
        movl %eax, %cr0
        ljmp $0x18, $(0xF0000 + lm64 - start)
        .code64
lm64:
        movq $0x123456789, %rax
        movq %rax, %rbx
        movb $1, %al
        outb %al, $0xf4
1:      hlt
        jmp 1b
        .align 8
gdt:
        .quad 0
        .quad 0x00CF9A000000FFFF
        .quad 0x00CF92000000FFFF
        .quad 0x00AF9A000000FFFF
gdtr:
        .word gdtr - gdt - 1
        .long 0xF0000 + gdt - start
        .code16
        .org 0xFFF0
        ljmp $0xF000, $0
        .org 0x10000
