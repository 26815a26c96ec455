// lib::fdt::find_memory (include/tessera/lib/fdt.hpp): blobs built here with a small
// flattened-device-tree writer (Devicetree Specification v0.4, chapter 5), valid and
// malformed. Every blob is copied into a heap block of exactly its size, so a read past its
// end is an AddressSanitizer failure, not a lucky pass.

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <tessera/lib/fdt.hpp>

#include "printers.hpp"

namespace {

using tessera::Error;
using tessera::lib::fdt::find_memory;

constexpr std::uint32_t kBeginNode = 1, kEndNode = 2, kProp = 3, kNop = 4, kEnd = 9;
constexpr std::size_t kHeaderBytes = 40;

// Header fields by index (fdt_header, §5.2).
enum Field : std::size_t {
  magic,
  totalsize,
  off_dt_struct,
  off_dt_strings,
  off_mem_rsvmap,
  version,
  last_comp_version,
  boot_cpuid_phys,
  size_dt_strings,
  size_dt_struct
};

void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

// A blob in a heap block of exactly its size.
class Blob {
 public:
  explicit Blob(const std::vector<std::uint8_t>& bytes) : size_(bytes.size()), bytes_(new std::uint8_t[size_]) {
    std::memcpy(bytes_.get(), bytes.data(), size_);
  }
  const void* data() const { return bytes_.get(); }
  std::size_t size() const { return size_; }
  std::uint32_t get(Field f) const {
    const std::uint8_t* p = bytes_.get() + 4 * f;
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
  }
  void set(Field f, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes_[4 * f + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
  }

 private:
  std::size_t size_;
  std::unique_ptr<std::uint8_t[]> bytes_;
};

// Writes the structure and strings blocks token by token; blob() adds the header and an empty
// memory reservation map. Nothing is checked: malformed trees are the point.
class FdtWriter {
 public:
  FdtWriter& begin_node(std::string_view name) {
    put32(struct_, kBeginNode);
    name_bytes(name);
    struct_.push_back(0);
    align();
    return *this;
  }
  FdtWriter& end_node() { return token(kEndNode); }
  FdtWriter& end() { return token(kEnd); }
  FdtWriter& nop() { return token(kNop); }
  FdtWriter& token(std::uint32_t t) {
    put32(struct_, t);
    return *this;
  }
  // A property of big-endian 32-bit cells.
  FdtWriter& prop(std::string_view name, std::initializer_list<std::uint32_t> cells) {
    return prop_raw(string_offset(name), static_cast<std::uint32_t>(4 * cells.size()), cells);
  }
  FdtWriter& prop_string(std::string_view name, std::string_view value) {
    put32(struct_, kProp);
    put32(struct_, static_cast<std::uint32_t>(value.size() + 1));
    put32(struct_, string_offset(name));
    name_bytes(value);
    struct_.push_back(0);
    align();
    return *this;
  }
  // A property header with any length and name offset, followed by `cells`.
  FdtWriter& prop_raw(std::uint32_t name_offset, std::uint32_t length, std::initializer_list<std::uint32_t> cells) {
    put32(struct_, kProp);
    put32(struct_, length);
    put32(struct_, name_offset);
    for (std::uint32_t c : cells) put32(struct_, c);
    return *this;
  }
  // Bytes of a node name without its terminating NUL (for an unterminated name).
  FdtWriter& name_bytes(std::string_view text) {
    struct_.insert(struct_.end(), text.begin(), text.end());
    return *this;
  }

  std::size_t struct_size() const { return struct_.size(); }
  std::uint32_t strings_size() const { return static_cast<std::uint32_t>(strings_.size()); }
  std::uint32_t string_offset(std::string_view name) {
    const auto at = std::string_view(strings_.data(), strings_.size()).find(std::string(name) + '\0');
    if (at != std::string_view::npos) return static_cast<std::uint32_t>(at);
    strings_.insert(strings_.end(), name.begin(), name.end());
    strings_.push_back('\0');
    return static_cast<std::uint32_t>(strings_.size() - name.size() - 1);
  }

  // Layout: header, reservation map, then structure and strings in either order; the last
  // block ends the blob exactly, so walking past it leaves the heap block.
  Blob blob(bool strings_last = true) const {
    std::vector<std::uint8_t> rsvmap(16, 0);  // one all-zero entry ends the map
    const std::size_t rsv = kHeaderBytes;
    const std::size_t first = rsv + rsvmap.size();
    const std::size_t struct_off = strings_last ? first : first + strings_.size();
    const std::size_t strings_off = strings_last ? first + struct_.size() : first;
    const std::size_t total = first + struct_.size() + strings_.size();

    std::vector<std::uint8_t> out;
    for (std::uint32_t v : {0xd00dfeedu, static_cast<std::uint32_t>(total), static_cast<std::uint32_t>(struct_off),
                            static_cast<std::uint32_t>(strings_off), static_cast<std::uint32_t>(rsv), 17u, 16u, 0u,
                            static_cast<std::uint32_t>(strings_.size()), static_cast<std::uint32_t>(struct_.size())})
      put32(out, v);
    out.insert(out.end(), rsvmap.begin(), rsvmap.end());
    if (strings_last) {
      out.insert(out.end(), struct_.begin(), struct_.end());
      out.insert(out.end(), strings_.begin(), strings_.end());
    } else {
      out.insert(out.end(), strings_.begin(), strings_.end());
      out.insert(out.end(), struct_.begin(), struct_.end());
    }
    return Blob(out);
  }

 private:
  void align() {
    while (struct_.size() % 4 != 0) struct_.push_back(0);
  }

  std::vector<std::uint8_t> struct_;
  std::vector<char> strings_;
};

// The start of a tree like QEMU's virt machine: 2-cell addresses and sizes at the root, a
// /cpus node whose own #address-cells/#size-cells must not leak into the root's.
FdtWriter virt_prefix() {
  FdtWriter w;
  w.begin_node("")
      .prop("#address-cells", {2})
      .prop("#size-cells", {2})
      .prop_string("compatible", "linux,dummy-virt")
      .begin_node("chosen")
      .prop_string("bootargs", "")
      .end_node()
      .begin_node("cpus")
      .prop("#address-cells", {1})
      .prop("#size-cells", {0})
      .begin_node("cpu@0")
      .prop_string("device_type", "cpu")
      .prop("reg", {0})
      .end_node()
      .end_node();
  return w;
}

// A complete virt-like tree with 128 MiB at 0x40000000.
FdtWriter virt_tree() {
  FdtWriter w = virt_prefix();
  w.begin_node("memory@40000000")
      .prop_string("device_type", "memory")
      .prop("reg", {0x0, 0x40000000, 0x0, 0x08000000})
      .end_node()
      .begin_node("pl011@9000000")
      .prop("reg", {0x0, 0x09000000, 0x0, 0x1000})
      .end_node()
      .end_node()
      .end();
  return w;
}

void check_range(const Blob& blob, std::uint64_t base, std::uint64_t size) {
  const auto memory = find_memory(blob.data());
  REQUIRE(memory.ok());
  CHECK(memory.value().base == base);
  CHECK(memory.value().size == size);
}

void check_corrupt(const Blob& blob) {
  const auto memory = find_memory(blob.data());
  REQUIRE_FALSE(memory.ok());
  CHECK(memory.error() == Error::corrupt);
}

}  // namespace

TEST_CASE("a virt-like tree gives the memory node's base and size") {
  check_range(virt_tree().blob(), 0x40000000, 0x08000000);
  check_range(virt_tree().blob(/*strings_last=*/false), 0x40000000, 0x08000000);
}

TEST_CASE("valid variations") {
  SUBCASE("64-bit base and size") {
    FdtWriter w = virt_prefix();
    w.begin_node("memory@100000000").prop("reg", {0x1, 0x0, 0x2, 0x0}).end_node().end_node().end();
    check_range(w.blob(), 0x1'0000'0000, 0x2'0000'0000);
  }
  SUBCASE("1-cell addresses and sizes (Raspberry Pi 3)") {
    FdtWriter w;
    w.begin_node("")
        .prop("#address-cells", {1})
        .prop("#size-cells", {1})
        .begin_node("memory@0")
        .prop_string("device_type", "memory")
        .prop("reg", {0x0, 0x3b400000})
        .end_node()
        .end_node()
        .end();
    check_range(w.blob(), 0, 0x3b400000);
  }
  SUBCASE("no #cells properties: the spec's defaults, 2 address cells and 1 size cell") {
    FdtWriter w;
    w.begin_node("").begin_node("memory@40000000").prop("reg", {0x0, 0x40000000, 0x04000000}).end_node().end_node().end();
    check_range(w.blob(), 0x40000000, 0x04000000);
  }
  SUBCASE("a node named plainly \"memory\", NOPs anywhere, several reg entries (the first counts)") {
    FdtWriter w;
    w.nop()
        .begin_node("")
        .nop()
        .prop("#address-cells", {2})
        .prop("#size-cells", {2})
        .begin_node("memory")
        .nop()
        .prop("reg", {0x0, 0x80000000, 0x0, 0x1000, 0x1, 0x0, 0x0, 0x2000})
        .end_node()
        .end_node()
        .end();
    check_range(w.blob(), 0x80000000, 0x1000);
  }
  SUBCASE("memory nodes without reg, not at the top level, or only named alike are skipped") {
    FdtWriter w = virt_prefix();
    w.begin_node("memoryx").prop("reg", {0x0, 0x1, 0x0, 0x1}).end_node()
        .begin_node("soc").begin_node("memory@10").prop("reg", {0x0, 0x10, 0x0, 0x10}).end_node().end_node()
        .begin_node("memory@20000000").prop_string("device_type", "memory").end_node()
        .begin_node("memory@40000000").prop("reg", {0x0, 0x40000000, 0x0, 0x100000}).end_node()
        .end_node()
        .end();
    check_range(w.blob(), 0x40000000, 0x100000);
  }
}

TEST_CASE("a bad magic number is corrupt") {
  Blob blob = virt_tree().blob();
  blob.set(magic, 0xfeedd00d);
  check_corrupt(blob);
}

TEST_CASE("header sizes and offsets that do not fit are corrupt") {
  const Blob good = virt_tree().blob();
  struct Patch {
    Field field;
    std::uint32_t value;
  };
  const std::uint32_t total = good.get(totalsize);
  for (const Patch& patch : {
           Patch{totalsize, 0x7fffffff},       // far larger than any firmware's tree
           Patch{totalsize, 0xffffffff},
           Patch{totalsize, total - 1},        // the strings block no longer fits
           Patch{totalsize, kHeaderBytes},
           Patch{totalsize, 0},
           Patch{off_dt_struct, total + 4},
           Patch{off_dt_struct, 0xfffffffc},
           Patch{size_dt_struct, total},
           Patch{size_dt_struct, 0xffffffff},
           Patch{off_dt_strings, total + 1},
           Patch{size_dt_strings, total},
           Patch{size_dt_strings, 0xffffffff},
       }) {
    CAPTURE(patch.field);
    CAPTURE(patch.value);
    Blob blob = virt_tree().blob();
    blob.set(patch.field, patch.value);
    check_corrupt(blob);
  }
}

TEST_CASE("a blob cut short is corrupt") {
  const Blob good = virt_tree().blob();
  const auto* bytes = static_cast<const std::uint8_t*>(good.data());
  // Every length from a bare magic number and totalsize up to one byte short, with
  // totalsize saying how much there is.
  for (std::size_t length = 8; length < good.size(); ++length) {
    CAPTURE(length);
    Blob cut({bytes, bytes + length});
    cut.set(totalsize, static_cast<std::uint32_t>(length));
    check_corrupt(cut);
  }
}

TEST_CASE("a structure block that ends early is corrupt until the memory node's reg is complete") {
  // The structure block is last in the blob, so reading past its end leaves the heap block.
  FdtWriter w = virt_prefix();
  w.begin_node("memory@40000000");
  const std::size_t before_reg = w.struct_size();
  w.prop("reg", {0x0, 0x40000000, 0x0, 0x08000000});
  const std::size_t reg_end = w.struct_size();
  w.end_node().end_node().end();
  const Blob whole = w.blob(/*strings_last=*/false);

  const auto* bytes = static_cast<const std::uint8_t*>(whole.data());
  const std::size_t struct_off = whole.get(off_dt_struct);
  for (std::size_t keep = 0; keep <= whole.get(size_dt_struct); ++keep) {
    CAPTURE(keep);
    Blob cut({bytes, bytes + struct_off + keep});
    cut.set(totalsize, static_cast<std::uint32_t>(struct_off + keep));
    cut.set(size_dt_struct, static_cast<std::uint32_t>(keep));
    if (keep >= reg_end)
      check_range(cut, 0x40000000, 0x08000000);
    else
      check_corrupt(cut);
  }
  CHECK(before_reg < reg_end);
}

TEST_CASE("malformed structure blocks are corrupt") {
  SUBCASE("a property length past the end of the structure block") {
    FdtWriter w = virt_prefix();
    w.begin_node("memory@40000000");
    const std::uint32_t reg = w.string_offset("reg");
    w.prop_raw(reg, 0xfffffff0, {0x0, 0x40000000, 0x0, 0x08000000});
    check_corrupt(w.blob(/*strings_last=*/false));
  }
  SUBCASE("a property length one past the end of the structure block") {
    FdtWriter w = virt_prefix();
    w.begin_node("memory@40000000");
    const std::uint32_t reg = w.string_offset("reg");
    w.prop_raw(reg, 17, {0x0, 0x40000000, 0x0, 0x08000000});
    check_corrupt(w.blob(/*strings_last=*/false));
  }
  SUBCASE("a property name offset at or past the end of the strings block") {
    for (std::uint32_t past : {0u, 1u, 1000u, 0xffffffffu - 100}) {
      CAPTURE(past);
      FdtWriter w = virt_prefix();
      w.begin_node("memory@40000000");
      w.prop_raw(w.strings_size() + past, 16, {0x0, 0x40000000, 0x0, 0x08000000}).end_node().end_node().end();
      check_corrupt(w.blob());
    }
  }
  SUBCASE("a property name that runs off the end of the strings block") {
    // "reg" is the last string; dropping its NUL leaves an unterminated name at the very end
    // of the blob. It must not match "reg" (or be read past the end).
    FdtWriter w;
    w.begin_node("").prop("#address-cells", {2}).prop("#size-cells", {2});
    w.begin_node("memory@40000000").prop("reg", {0x0, 0x40000000, 0x0, 0x08000000}).end_node().end_node().end();
    const Blob whole = w.blob();
    const auto* bytes = static_cast<const std::uint8_t*>(whole.data());
    Blob cut({bytes, bytes + whole.size() - 1});
    cut.set(totalsize, static_cast<std::uint32_t>(whole.size() - 1));
    cut.set(size_dt_strings, whole.get(size_dt_strings) - 1);
    check_corrupt(cut);
  }
  SUBCASE("an unterminated node name at the end of the structure block") {
    FdtWriter w = virt_prefix();
    w.token(kBeginNode).name_bytes("memory@4000");  // 12 bytes, no NUL
    check_corrupt(w.blob(/*strings_last=*/false));
  }
  SUBCASE("no memory node") {
    FdtWriter w = virt_prefix();
    w.end_node().end();
    check_corrupt(w.blob());
  }
  SUBCASE("an empty structure block") {
    FdtWriter w;
    check_corrupt(w.blob());
  }
  SUBCASE("no FDT_END") {
    FdtWriter w = virt_prefix();
    w.end_node();
    check_corrupt(w.blob(/*strings_last=*/false));
  }
  SUBCASE("an unknown token") {
    for (std::uint32_t token : {0u, 5u, 8u, 10u, 0xd00dfeedu}) {
      CAPTURE(token);
      FdtWriter w = virt_prefix();
      w.token(token).begin_node("memory@40000000").prop("reg", {0x0, 0x40000000, 0x0, 0x08000000}).end_node().end_node().end();
      check_corrupt(w.blob());
    }
  }
  SUBCASE("more FDT_END_NODE than FDT_BEGIN_NODE") {
    FdtWriter w = virt_prefix();
    w.end_node().end_node().begin_node("memory@0").prop("reg", {0x0, 0x0, 0x0, 0x1000}).end_node().end();
    check_corrupt(w.blob());
  }
  SUBCASE("a reg too short for 1-cell addresses and sizes") {
    FdtWriter w;
    w.begin_node("").prop("#address-cells", {1}).prop("#size-cells", {1});
    w.begin_node("memory@0").prop("reg", {0x0}).end_node().end_node().end();
    check_corrupt(w.blob());
  }
  SUBCASE("a reg too short for 2-cell addresses and sizes") {
    FdtWriter w = virt_prefix();
    w.begin_node("memory@40000000").prop("reg", {0x0, 0x40000000, 0x0}).end_node().end_node().end();
    check_corrupt(w.blob());
  }
  SUBCASE("more than 2 cells per address or size") {
    struct Cells {
      std::uint32_t address, size;
    };
    for (const Cells& cells : {Cells{3, 2}, Cells{2, 3}, Cells{0xffffffff, 1}}) {
      CAPTURE(cells.address);
      CAPTURE(cells.size);
      FdtWriter w;
      w.begin_node("").prop("#address-cells", {cells.address}).prop("#size-cells", {cells.size});
      w.begin_node("memory@0").prop("reg", {0, 0, 0, 0, 0, 0, 0, 0}).end_node().end_node().end();
      check_corrupt(w.blob());
    }
  }
}
