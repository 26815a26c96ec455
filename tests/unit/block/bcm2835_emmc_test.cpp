// block::Bcm2835Emmc's pure parts (include/tessera/block/bcm2835_emmc.hpp): the card's capacity
// from its CSD as the controller hands it over (RESP0-RESP3 of CMD9), the SD clock divider, and
// the CMDTM words of the data commands. The driver itself talks to MMIO registers: it is tested
// in QEMU raspi3b (tests/integration/block/sd_card_test.py).

#include <doctest/doctest.h>

#include <cstdint>

#include <tessera/block/bcm2835_emmc.hpp>

namespace {

namespace emmc = tessera::block::detail::emmc;

// A 128-bit CSD, byte 0 holding bits 127:120 (SD §5.3), as RESP3..RESP0 hold an R2 response:
// the CRC byte (bits 7:0) dropped, RESP0 = bits 39:8 (SDHC §2.2.7).
struct Csd {
  std::uint8_t bytes[16] = {};
  void set(unsigned hi, unsigned lo, std::uint64_t value) {
    for (unsigned bit = lo; bit <= hi; ++bit, value >>= 1) {
      const unsigned byte = 15 - bit / 8, mask = 1u << (bit % 8);
      bytes[byte] = static_cast<std::uint8_t>((value & 1) ? (bytes[byte] | mask) : (bytes[byte] & ~mask));
    }
  }
  void resp(std::uint32_t (&out)[4]) const {
    const auto word = [&](int first) {
      return std::uint32_t{bytes[first]} << 24 | std::uint32_t{bytes[first + 1]} << 16 |
             std::uint32_t{bytes[first + 2]} << 8 | bytes[first + 3];
    };
    out[0] = word(11);
    out[1] = word(7);
    out[2] = word(3);
    out[3] = std::uint32_t{bytes[0]} << 16 | std::uint32_t{bytes[1]} << 8 | bytes[2];
  }
};

std::uint64_t blocks_of(const Csd& csd) {
  std::uint32_t resp[4];
  csd.resp(resp);
  return emmc::csd_blocks(resp);
}

TEST_CASE("CSD version 1.0 (standard capacity): (C_SIZE + 1) x 2^(C_SIZE_MULT + 2) x 2^READ_BL_LEN bytes") {
  Csd csd;  // CSD_STRUCTURE 0
  csd.set(83, 80, 9);     // READ_BL_LEN: 512
  csd.set(73, 62, 4095);  // C_SIZE
  csd.set(49, 47, 7);     // C_SIZE_MULT: x 512
  CHECK(blocks_of(csd) == 2'097'152);  // 1 GiB
  csd.set(83, 80, 10);    // 1024-byte blocks (a 2 GB card): still counted in 512-byte blocks
  CHECK(blocks_of(csd) == 4'194'304);
  csd.set(83, 80, 9);
  csd.set(73, 62, 3);     // what QEMU reports for a 1 MiB image (C_SIZE_MULT 7)
  CHECK(blocks_of(csd) == 2048);
  csd.set(83, 80, 8);     // READ_BL_LEN 8 is not a value §5.3.2 allows
  CHECK(blocks_of(csd) == 0);
}

TEST_CASE("CSD version 2.0 (high capacity): (C_SIZE + 1) x 512 KiB, from a real card's register") {
  // 40 0e 00 32 5b 59 00 00 3b 37 7f 80 0a 40 40 af: CSD_STRUCTURE 1, C_SIZE 0x3b37.
  const std::uint8_t raw[16] = {0x40, 0x0e, 0x00, 0x32, 0x5b, 0x59, 0x00, 0x00,
                                0x3b, 0x37, 0x7f, 0x80, 0x0a, 0x40, 0x40, 0xaf};
  Csd csd;
  for (int i = 0; i < 16; ++i) csd.bytes[i] = raw[i];
  CHECK(blocks_of(csd) == (0x3b37ull + 1) * 1024);
  Csd big;
  big.set(127, 126, 1);
  big.set(69, 48, (1u << 22) - 1);  // the largest C_SIZE: 2 TiB
  CHECK(blocks_of(big) == (1ull << 22) * 1024);
}

TEST_CASE("CSD version 3.0 (SDUC): a 28-bit C_SIZE; an unknown structure is 0") {
  Csd csd;
  csd.set(127, 126, 2);
  csd.set(75, 48, 0x0400'0000);
  CHECK(blocks_of(csd) == (0x0400'0000ull + 1) * 1024);
  csd.set(127, 126, 3);
  CHECK(blocks_of(csd) == 0);
}

TEST_CASE("the SD clock divider: host controller 3.00 divides by 2N, older ones by a power of two") {
  auto clock = emmc::divider(50'000'000, 400'000, 2);  // QEMU's EMMC clock, identification
  CHECK(clock.bits == 63u << 8);
  CHECK(clock.hz == 396'825);
  clock = emmc::divider(50'000'000, 25'000'000, 2);
  CHECK(clock.bits == 1u << 8);
  CHECK(clock.hz == 25'000'000);
  clock = emmc::divider(250'000'000, 400'000, 2);  // N = 313 = 0x139: 0x39 in 15:8, 1 in 7:6
  CHECK(clock.bits == (0x39u << 8 | 1u << 6));
  CHECK(clock.hz == 399'361);
  CHECK(clock.hz <= 400'000);
  clock = emmc::divider(50'000'000, 400'000, 1);  // version 2.00: base / 128 in the 8-bit field as 64
  CHECK(clock.bits == 64u << 8);
  CHECK(clock.hz == 390'625);
  clock = emmc::divider(20'000'000, 25'000'000, 2);  // the base clock is slower already: undivided
  CHECK(clock.bits == 0);
  CHECK(clock.hz == 20'000'000);
  clock = emmc::divider(1'000'000'000, 100'000, 2);  // N capped at 1023
  CHECK(clock.bits == (0xffu << 8 | 3u << 6));
}

TEST_CASE("CMDTM words: index in 29:24, response type, checks, data, direction, multiple blocks (BCM §5.1)") {
  CHECK(emmc::READ_SINGLE_BLOCK == 0x113a'0010);
  CHECK(emmc::READ_MULTIPLE_BLOCK == 0x123a'0032);
  CHECK(emmc::WRITE_BLOCK == 0x183a'0000);
  CHECK(emmc::WRITE_MULTIPLE_BLOCK == 0x193a'0022);
  CHECK(emmc::STOP_TRANSMISSION == 0x0cdb'0000);  // R1b, abort
  CHECK(emmc::ALL_SEND_CID == 0x0209'0000);       // R2: 136 bits, CRC only
  CHECK(emmc::SD_SEND_OP_COND == 0x2902'0000);    // R3: no checks
  CHECK(emmc::GO_IDLE_STATE == 0);
}

}  // namespace
