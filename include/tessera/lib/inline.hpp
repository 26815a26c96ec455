#pragma once
// TESSERA_HOT marks a small helper on an allocator's fast path. When the build optimises for
// speed (-O2, -O3, and -O0, where nothing else would inline it), the helper is forced inline:
// one call less per operation. At -Os the compiler decides, so a helper used in several places
// is not copied into each. tessera's images are built with -Os, and forced copies of
// alloc::Tlsf's list helpers alone once took hello's .text from 12 KiB to 16 KiB.

#if defined(__OPTIMIZE_SIZE__)
#define TESSERA_HOT
#else
#define TESSERA_HOT [[gnu::always_inline]]
#endif
