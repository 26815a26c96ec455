#pragma once
// A minimal flattened-device-tree reader: finds the first /memory node's first (base, size)
// pair. Only what varies between boots (RAM size) is read from the tree; everything a
// platform knows at compile time lives in its type. One pass, no allocation; a malformed
// blob yields Error::corrupt instead of a fault.
// Format: Devicetree Specification v0.4, chapter 5 (flattened devicetree format).

#include <cstddef>
#include <cstdint>

#include "tessera/memory_region.hpp"
#include "tessera/result.hpp"

namespace tessera::lib::fdt {

struct Range {
  std::uint64_t base = 0;
  std::uint64_t size = 0;
};

namespace detail {

inline constexpr std::uint32_t kMagic = 0xd00dfeed;  // DT spec §5.2 fdt_header.magic
inline constexpr std::uint32_t kBeginNode = 1, kEndNode = 2, kProp = 3, kNop = 4, kEnd = 9;  // §5.4.1
inline constexpr std::uint32_t kMaxSize = 2u << 20;  // larger than any tree a firmware hands over
inline constexpr std::uint32_t kHeaderSize = 40;     // fdt_header, version 17

inline std::uint32_t be32(const std::byte* p) {
  std::uint32_t v;
  __builtin_memcpy(&v, p, 4);
  return __builtin_bswap32(v);
}

// Whether the string at `a`, which must end within `room` bytes, equals `b`.
inline bool equals(const char* a, std::size_t room, const char* b) {
  for (std::size_t i = 0; i < room && a[i] == b[i]; ++i)
    if (b[i] == '\0') return true;
  return false;
}

// "memory" or "memory@…"
inline bool is_memory_node(const char* name) {
  const char* want = "memory";
  while (*want != '\0' && *name == *want) ++name, ++want;
  return *want == '\0' && (*name == '\0' || *name == '@');
}

inline std::uint64_t read_cells(const std::byte* p, std::uint32_t cells) {
  std::uint64_t v = 0;
  for (std::uint32_t i = 0; i < cells; ++i) v = v << 32 | be32(p + 4 * i);
  return v;
}

}  // namespace detail

// Reads nothing past the blob's header.totalsize; only its first 8 bytes (magic, totalsize)
// are read before that is checked.
inline Result<Range> find_memory(const void* blob) {
  using namespace detail;
  const auto* base = static_cast<const std::byte*>(blob);
  if (base == nullptr || be32(base) != kMagic) return fail(Error::corrupt);
  const std::uint32_t total = be32(base + 4);
  if (total < kHeaderSize) return fail(Error::corrupt);  // the rest of the header is not there
  const std::uint32_t struct_off = be32(base + 8), strings_off = be32(base + 12);
  const std::uint32_t strings_size = be32(base + 32), struct_size = be32(base + 36);
  if (total > kMaxSize || struct_off > total || struct_size > total - struct_off || strings_off > total ||
      strings_size > total - strings_off)
    return fail(Error::corrupt);

  const std::byte* p = base + struct_off;
  const std::byte* const end = p + struct_size;
  const char* const strings = reinterpret_cast<const char*>(base + strings_off);
  std::uint32_t address_cells = 2, size_cells = 1;  // DT spec §2.3.5 defaults
  int depth = 0;
  bool in_memory = false;
  while (end - p >= 4) {
    const std::uint32_t token = be32(p);
    p += 4;
    if (token == kBeginNode) {
      const char* name = reinterpret_cast<const char*>(p);
      std::size_t n = 0;
      while (p + n < end && name[n] != '\0') ++n;
      if (p + n >= end) return fail(Error::corrupt);
      ++depth;
      in_memory = depth == 2 && is_memory_node(name);
      p += (n + 4) & ~std::size_t{3};
    } else if (token == kEndNode) {
      if (--depth < 0) return fail(Error::corrupt);
      in_memory = false;
    } else if (token == kProp) {
      if (end - p < 8) return fail(Error::corrupt);
      const std::uint32_t length = be32(p), name_off = be32(p + 4);
      p += 8;
      if (length > static_cast<std::size_t>(end - p) || name_off >= strings_size) return fail(Error::corrupt);
      const char* prop = strings + name_off;
      const std::size_t room = strings_size - name_off;  // the name may be unterminated
      if (depth == 1 && length == 4 && equals(prop, room, "#address-cells")) address_cells = be32(p);
      if (depth == 1 && length == 4 && equals(prop, room, "#size-cells")) size_cells = be32(p);
      if (in_memory && equals(prop, room, "reg")) {
        if (address_cells > 2 || size_cells > 2 || length < 4 * (address_cells + size_cells))
          return fail(Error::corrupt);
        return Range{read_cells(p, address_cells), read_cells(p + 4 * address_cells, size_cells)};
      }
      p += (length + 3) & ~std::uint32_t{3};
    } else if (token == kEnd) {
      break;
    } else if (token != kNop) {
      return fail(Error::corrupt);
    }
  }
  return fail(Error::corrupt);  // no memory node
}

}  // namespace tessera::lib::fdt
