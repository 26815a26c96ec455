#pragma once
// Memory-mapped I/O: volatile 32-bit accesses at fixed physical addresses.

#include <cstdint>

namespace tessera::lib::mmio {

inline void write32(std::uintptr_t address, std::uint32_t value) {
  *reinterpret_cast<volatile std::uint32_t*>(address) = value;
}

inline std::uint32_t read32(std::uintptr_t address) {
  return *reinterpret_cast<volatile std::uint32_t*>(address);
}

}  // namespace tessera::lib::mmio
