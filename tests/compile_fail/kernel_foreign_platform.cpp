// The platform type of another build (QemuVirtAarch64 in a hosted build, Hosted in an aarch64
// one): one sentence that says which platform the build is for and suggests platform::Target.
// expect: the 5th argument (Platform) is a platform of another build; this build is for
// expect: Pass tessera::platform::Target
// expect: kernel_foreign_platform.cpp:16:

#include <tessera/tessera.hpp>

#if defined(TESSERA_PLATFORM_HOSTED)
using OtherPlatform = tessera::platform::QemuVirtAarch64;
#else
using OtherPlatform = tessera::platform::Hosted;
#endif

using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::None, tessera::net::None,
                            tessera::block::None, OtherPlatform>;

int app_main() { return 0; }

TESSERA_MAIN(App, app_main)
