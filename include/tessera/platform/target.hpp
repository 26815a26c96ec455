#pragma once
// tessera::platform::Target — the platform this build is for, chosen by the build
// (platforms/<name>/ sets TESSERA_PLATFORM_<NAME>). Portable applications (examples/hello)
// use it; a platform-specific application names its platform type directly. The other
// platforms' names are placeholders that Kernel<…> rejects with one sentence (foreign.hpp).

#if defined(TESSERA_PLATFORM_QEMU_VIRT_AARCH64)
#include "tessera/platform/qemu_virt_aarch64.hpp"
namespace tessera::platform {
using Target = QemuVirtAarch64;
}
#elif defined(TESSERA_PLATFORM_RASPI3)
#include "tessera/platform/raspi3.hpp"
namespace tessera::platform {
using Target = Raspi3;
}
#elif defined(TESSERA_PLATFORM_HOSTED)
#include "tessera/platform/hosted.hpp"
namespace tessera::platform {
using Target = Hosted;
}
#endif
#include "tessera/platform/foreign.hpp"
#if !defined(TESSERA_PLATFORM_QEMU_VIRT_AARCH64) && !defined(TESSERA_PLATFORM_RASPI3) && !defined(TESSERA_PLATFORM_HOSTED)
#error "tessera: no platform selected; build through Meson with a platform's cross file (platforms/<name>/cross.ini), or define TESSERA_PLATFORM_HOSTED for a Linux process"
#endif
