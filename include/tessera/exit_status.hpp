#pragma once

namespace tessera {

// The exit status of an image that faulted, panicked or misused an allocator (EX_SOFTWARE in
// sysexits.h). The QEMU runners pass it on as their own.
inline constexpr int exit_status_fault = 70;

}  // namespace tessera
