#pragma once
// The platform types of the builds this one is not for. A build compiles exactly one platform
// (target.hpp); naming another one's type (platform::QemuVirtAarch64 in a hosted build, or
// platform::Hosted in an aarch64 build) would be an unknown name followed by a page of errors.
// Instead each other platform's name is declared here as a placeholder that Kernel<…> rejects
// with one sentence: which platform the build is for, and that platform::Target follows the
// build. TESSERA_BUILD_PLATFORM is the name of this build's platform, for that sentence.

namespace tessera::platform {

// A placeholder: `foreign_platform` names the build the real type belongs to.
template <const char* const* ForName>
struct Foreign {
  static constexpr const char* foreign_platform = *ForName;
  static constexpr const char* name = "(a platform of another build)";
};

namespace detail {
inline constexpr const char* hosted_build = "hosted";
inline constexpr const char* qemu_virt_aarch64_build = "qemu-virt-aarch64";
inline constexpr const char* raspi3_build = "raspi3";
}  // namespace detail

#if defined(TESSERA_PLATFORM_HOSTED)
#define TESSERA_BUILD_PLATFORM "hosted"
using QemuVirtAarch64 = Foreign<&detail::qemu_virt_aarch64_build>;
using Raspi3 = Foreign<&detail::raspi3_build>;
#elif defined(TESSERA_PLATFORM_QEMU_VIRT_AARCH64)
#define TESSERA_BUILD_PLATFORM "qemu-virt-aarch64"
using Hosted = Foreign<&detail::hosted_build>;
using Raspi3 = Foreign<&detail::raspi3_build>;
#elif defined(TESSERA_PLATFORM_RASPI3)
#define TESSERA_BUILD_PLATFORM "raspi3"
using Hosted = Foreign<&detail::hosted_build>;
using QemuVirtAarch64 = Foreign<&detail::qemu_virt_aarch64_build>;
#else
#define TESSERA_BUILD_PLATFORM "(no platform: see tessera/platform/target.hpp)"
#endif

}  // namespace tessera::platform

namespace tessera::detail {
template <class P>
inline constexpr bool is_foreign_platform = requires { P::foreign_platform; };
}  // namespace tessera::detail
