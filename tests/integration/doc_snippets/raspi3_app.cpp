// A whole application for the raspi3 platform (it names platform::Raspi3). Doc snippets are
// compiled in the full builds only, so this one is compiled in qemu-virt-aarch64's as if the
// build were raspi3's: the same compiler, CPU and flags, only the platform define differs.
// platforms: qemu-virt-aarch64
// flags: -UTESSERA_PLATFORM_QEMU_VIRT_AARCH64 -DTESSERA_PLATFORM_RASPI3
@SNIPPET@
