#pragma once
// block::Bcm2835Emmc — the SD card in a Raspberry Pi 3's slot, through the BCM2835/BCM2837
// EMMC controller (an Arasan SD host controller, compatible with SDHCI 3.00) at ARM physical
// 0x3F300000 (bus 0x7E300000). Sources: "BCM2835 ARM Peripherals" (Broadcom, 2012) chapter 5
// "External Mass Media Controller", §5.1 for the registers ("BCM §5.1" below); the SD Host
// Controller Simplified Specification 3.00 for what §5.1 leaves out ("SDHC §…"); the SD
// Physical Layer Simplified Specification 6.00 for the card ("SD §…").
//
// init() routes GPIO 48-53 to the controller (ALT3), resets it, starts the SD clock at the
// identification rate and brings the card up: CMD0, CMD8 (a version 2 card; none answers on a
// version 1 card), ACMD41 until the card is ready (at most .init_timeout_us), CMD2, CMD3 (its
// address), CMD9 (the CSD: its capacity, CSD versions 1, 2 and 3), CMD7 (selected), CMD16 (512-
// byte blocks on a standard-capacity card; a high-capacity card addresses blocks, not bytes),
// ACMD6 (4-bit bus), then the transfer clock. Requests are programmed I/O through the DATA
// register, finished inside submit(): CMD17/CMD24 for one block, CMD18/CMD25 and CMD12 for
// more. queue_depth() is 1: nothing is ever in flight after submit() returns, poll() finds
// nothing and wait() returns at once.
//
// Every wait on the hardware is bounded, timed on the platform's 1 MHz system timer
// (K::platform::system_timer). A card that is absent or does not answer makes init() print one
// sentence on the console with the command that failed and the controller's STATUS and
// INTERRUPT registers in hex, and return Error::timeout (no answer), io_error (a CRC, end-bit or
// index error) or not_supported (a card this driver cannot use); the kernel turns that into a
// panic (exit status 70). A request that fails on the card is done with Error::io_error.
//
// Options: .base — the controller's ARM physical address (default 0x3F300000);
//          .base_clock_hz — its input clock, 0 (default): asked of the VideoCore mailbox
//                     (K::platform::mailbox, "EMMC" clock);
//          .identification_hz — SD clock until the card is selected, 100 kHz to 400 kHz
//                     (default 400 kHz, SD §4.2);
//          .transfer_hz — SD clock for data, 400 kHz to 25 MHz (default 25 MHz: default speed);
//          .four_bit_bus — switch to DAT0-3 with ACMD6 (default true);
//          .route_pins — select ALT3 on GPIO 48-53 (the slot) with pull-ups on CMD and DAT
//                     (default true; false when the firmware or the application did it);
//          .command_timeout_us, .data_timeout_us (per block), .init_timeout_us (ACMD41):
//                     the bounds of every wait (defaults 100 ms, 500 ms, 1 s: SD §4.6.2, §4.2.3).
// Cost: 128 bytes of state; a block costs 128 MMIO reads or writes of DATA plus one command
// (CMD17/CMD24) or a share of one (CMD18/CMD25 + CMD12 for up to 65535 blocks). No memory
// from the allocators. The CPU is busy for the whole transfer (the bus itself carries at most
// 12.5 MB/s at 25 MHz on four lines). detail::Bcm2835EmmcCore (every option a run-time value)
// is the whole driver and not a template; the component is the core plus an init() that routes
// the pins, asks the mailbox for the clock rate and says on the console why a card failed.

#include <cstddef>
#include <cstdint>

#include "tessera/api/block_device.hpp"
#include "tessera/block/request.hpp"
#include "tessera/drivers/bcm2835_gpio.hpp"
#include "tessera/drivers/bcm2835_mailbox.hpp"
#include "tessera/lib/format.hpp"
#include "tessera/lib/say.hpp"
#include "tessera/lib/mmio.hpp"

namespace tessera::block {

struct Bcm2835EmmcOptions {
  std::uintptr_t base = 0x3F30'0000;
  std::uint32_t base_clock_hz = 0;
  std::uint32_t identification_hz = 400'000;
  std::uint32_t transfer_hz = 25'000'000;
  bool four_bit_bus = true;
  bool route_pins = true;
  std::uint32_t command_timeout_us = 100'000;
  std::uint32_t data_timeout_us = 500'000;
  std::uint32_t init_timeout_us = 1'000'000;
};

namespace detail::emmc {

// ------------------------------------------------------------------ registers (offsets)
// BCM §5.1 BLKSIZECNT: block size 9:0, block count 31:16 (SDHC §2.2.2, §2.2.3)
inline constexpr std::uintptr_t BLKSIZECNT = 0x04;
// BCM §5.1 ARG1: the command's argument (SDHC §2.2.4)
inline constexpr std::uintptr_t ARG1 = 0x08;
// BCM §5.1 CMDTM: command and transfer mode; writing it sends the command (SDHC §2.2.5, §2.2.6)
inline constexpr std::uintptr_t CMDTM = 0x0c;
// BCM §5.1 RESP0-RESP3: the response without its CRC, RESP0 lowest (SDHC §2.2.7)
inline constexpr std::uintptr_t RESP0 = 0x10;
// BCM §5.1 DATA: the data port, 32 bits an access (SDHC §2.2.8)
inline constexpr std::uintptr_t DATA = 0x20;
// BCM §5.1 STATUS: the controller's and the lines' state (SDHC §2.2.9 Present State)
inline constexpr std::uintptr_t STATUS = 0x24;
// BCM §5.1 CONTROL0: bus width and host options (SDHC §2.2.10 Host Control 1)
inline constexpr std::uintptr_t CONTROL0 = 0x28;
// BCM §5.1 CONTROL1: clock, data timeout, resets (SDHC §2.2.14-§2.2.16)
inline constexpr std::uintptr_t CONTROL1 = 0x2c;
// BCM §5.1 INTERRUPT: event flags, write 1 to clear (SDHC §2.2.17, §2.2.18)
inline constexpr std::uintptr_t INTERRUPT = 0x30;
// BCM §5.1 IRPT_MASK: 1 = the event sets its INTERRUPT flag (SDHC §2.2.19, §2.2.20)
inline constexpr std::uintptr_t IRPT_MASK = 0x34;
// BCM §5.1 IRPT_EN: 1 = the flag raises the interrupt line (SDHC §2.2.21, §2.2.22)
inline constexpr std::uintptr_t IRPT_EN = 0x38;
// BCM §5.1 SLOTISR_VER: SDVERSION in 23:16 (SDHC §2.2.33 Host Controller Version)
inline constexpr std::uintptr_t SLOTISR_VER = 0xfc;

// ------------------------------------------------------------------ CMDTM fields
// BCM §5.1 CMDTM: count blocks in BLKSIZECNT
inline constexpr std::uint32_t TM_BLKCNT_EN = 1u << 1;
// BCM §5.1 CMDTM: 1 = card to host (a read)
inline constexpr std::uint32_t TM_DAT_DIR = 1u << 4;
// BCM §5.1 CMDTM: more than one block
inline constexpr std::uint32_t TM_MULTI_BLOCK = 1u << 5;
// BCM §5.1 CMDTM CMD_RSPNS_TYPE 01: a 136-bit response (R2)
inline constexpr std::uint32_t CMD_RSPNS_136 = 1u << 16;
// BCM §5.1 CMD_RSPNS_TYPE 10: 48 bits
inline constexpr std::uint32_t CMD_RSPNS_48 = 2u << 16;
// BCM §5.1 CMD_RSPNS_TYPE 11: 48 bits, then busy on DAT0
inline constexpr std::uint32_t CMD_RSPNS_48_BUSY = 3u << 16;
// BCM §5.1 CMDTM: the response type field
inline constexpr std::uint32_t CMD_RSPNS_TYPE = 3u << 16;
// BCM §5.1 CMDTM: check the response's CRC
inline constexpr std::uint32_t CMD_CRCCHK_EN = 1u << 19;
// BCM §5.1 CMDTM: check the response's command index
inline constexpr std::uint32_t CMD_IXCHK_EN = 1u << 20;
// BCM §5.1 CMDTM: the command transfers data
inline constexpr std::uint32_t CMD_ISDATA = 1u << 21;
// BCM §5.1 CMDTM CMD_TYPE 11: abort (CMD12; SDHC §2.2.6)
inline constexpr std::uint32_t CMD_TYPE_ABORT = 3u << 22;
// BCM §5.1 CMDTM CMD_INDEX: bits 29:24
inline constexpr unsigned CMD_INDEX_SHIFT = 24;

// ------------------------------------------------------------------ STATUS, CONTROL0, CONTROL1
// BCM §5.1 STATUS: the command line is in use
inline constexpr std::uint32_t CMD_INHIBIT = 1u << 0;
// BCM §5.1 STATUS: the data lines are in use (also while busy, SDHC §2.2.9)
inline constexpr std::uint32_t DAT_INHIBIT = 1u << 1;
// BCM §5.1 CONTROL0: 4-bit data bus
inline constexpr std::uint32_t HCTL_DWIDTH = 1u << 1;
// BCM §5.1 CONTROL1: internal clock on
inline constexpr std::uint32_t CLK_INTLEN = 1u << 0;
// BCM §5.1 CONTROL1: internal clock stable (read-only)
inline constexpr std::uint32_t CLK_STABLE = 1u << 1;
// BCM §5.1 CONTROL1: the SD clock to the card on
inline constexpr std::uint32_t CLK_EN = 1u << 2;
// BCM §5.1 CONTROL1: CLK_FREQ8 (15:8) and CLK_FREQ_MS2 (7:6), the divider
inline constexpr std::uint32_t CLK_FREQ_MASK = 0xffc0;
// BCM §5.1 CONTROL1 DATA_TOUNIT 1110: data timeout TMCLK × 2^27, the longest
inline constexpr std::uint32_t DATA_TOUNIT_MAX = 0xeu << 16;
// BCM §5.1 CONTROL1: reset the whole controller
inline constexpr std::uint32_t SRST_HC = 1u << 24;
// BCM §5.1 CONTROL1: reset the command handling
inline constexpr std::uint32_t SRST_CMD = 1u << 25;
// BCM §5.1 CONTROL1: reset the data handling
inline constexpr std::uint32_t SRST_DATA = 1u << 26;

// ------------------------------------------------------------------ INTERRUPT flags
// BCM §5.1 INTERRUPT: the command finished (response received)
inline constexpr std::uint32_t CMD_DONE = 1u << 0;
// BCM §5.1 INTERRUPT: the data transfer (or the busy after R1b) finished
inline constexpr std::uint32_t DATA_DONE = 1u << 1;
// BCM §5.1 INTERRUPT: DATA can take a block
inline constexpr std::uint32_t WRITE_RDY = 1u << 4;
// BCM §5.1 INTERRUPT: DATA holds a block
inline constexpr std::uint32_t READ_RDY = 1u << 5;
// BCM §5.1 INTERRUPT: no response to the command (timeout)
inline constexpr std::uint32_t CTO_ERR = 1u << 16;
// BCM §5.1 INTERRUPT: ERR (15, some error) and the error flags CTO_ERR … ACMD_ERR (16-24)
inline constexpr std::uint32_t ERRORS = 0x01ff'8000;
// BCM §5.1 INTERRUPT, IRPT_MASK: every flag
inline constexpr std::uint32_t ALL_FLAGS = 0xffff'ffff;

// ------------------------------------------------------------------ commands (SD §4.7.4)
// A command's CMDTM word: its index and what its response looks like (SD §4.9): R1, R6, R7 are
// 48 bits with CRC and index; R1b adds busy; R2 is 136 bits with CRC; R3 (the OCR) has neither.
inline constexpr std::uint32_t R1 = CMD_RSPNS_48 | CMD_CRCCHK_EN | CMD_IXCHK_EN;
inline constexpr std::uint32_t R1b = CMD_RSPNS_48_BUSY | CMD_CRCCHK_EN | CMD_IXCHK_EN;
inline constexpr std::uint32_t R2 = CMD_RSPNS_136 | CMD_CRCCHK_EN;
inline constexpr std::uint32_t R3 = CMD_RSPNS_48;
inline constexpr std::uint32_t R6 = R1, R7 = R1;
constexpr std::uint32_t command(unsigned index, std::uint32_t flags) { return index << CMD_INDEX_SHIFT | flags; }

// CMD0: reset the card to idle
inline constexpr std::uint32_t GO_IDLE_STATE = command(0, 0);
// CMD2: the card's identification
inline constexpr std::uint32_t ALL_SEND_CID = command(2, R2);
// CMD3: the card publishes its address (RCA)
inline constexpr std::uint32_t SEND_RELATIVE_ADDR = command(3, R6);
// ACMD6: 1 or 4 data lines
inline constexpr std::uint32_t SET_BUS_WIDTH = command(6, R1);
// CMD7: to the transfer state
inline constexpr std::uint32_t SELECT_CARD = command(7, R1b);
// CMD8: voltage check, version 2 cards
inline constexpr std::uint32_t SEND_IF_COND = command(8, R7);
// CMD9: the card-specific data (capacity)
inline constexpr std::uint32_t SEND_CSD = command(9, R2);
// CMD12: end a multiple-block transfer
inline constexpr std::uint32_t STOP_TRANSMISSION = command(12, R1b | CMD_TYPE_ABORT);
// CMD16: block length (standard capacity)
inline constexpr std::uint32_t SET_BLOCKLEN = command(16, R1);
// CMD17, CMD18: read one block, several (until CMD12)
inline constexpr std::uint32_t READ_SINGLE_BLOCK = command(17, R1 | CMD_ISDATA | TM_DAT_DIR);
inline constexpr std::uint32_t READ_MULTIPLE_BLOCK =
    command(18, R1 | CMD_ISDATA | TM_DAT_DIR | TM_MULTI_BLOCK | TM_BLKCNT_EN);
// CMD24, CMD25: write one block, several (until CMD12)
inline constexpr std::uint32_t WRITE_BLOCK = command(24, R1 | CMD_ISDATA);
inline constexpr std::uint32_t WRITE_MULTIPLE_BLOCK = command(25, R1 | CMD_ISDATA | TM_MULTI_BLOCK | TM_BLKCNT_EN);
// ACMD41: operating conditions, until ready
inline constexpr std::uint32_t SD_SEND_OP_COND = command(41, R3);
// CMD55: the next command is an ACMD
inline constexpr std::uint32_t APP_CMD = command(55, R1);

// Arguments and response bits.
// SD §4.3.13: CMD8 VHS 0001 (2.7-3.6 V), check pattern 0xAA; echoed in R7
inline constexpr std::uint32_t IF_COND_3V3 = 0x1aa;
// SD §5.1 OCR: 2.7-3.6 V (bits 23:15)
inline constexpr std::uint32_t OCR_VOLTAGES = 0x00ff'8000;
// SD §5.1 OCR / §4.2.3: ACMD41 "host supports high capacity"; in the answer CCS
inline constexpr std::uint32_t OCR_HCS = 1u << 30;
// SD §5.1 OCR: power-up finished (the card is ready)
inline constexpr std::uint32_t OCR_READY = 1u << 31;
// SD §4.10.1 card status: the card takes the next command as an ACMD
inline constexpr std::uint32_t R1_APP_CMD = 1u << 5;
// SD §4.10.1 card status: the error bits 30-26, 24-19, 16 and 3. Not OUT_OF_RANGE (31): block::check keeps
// requests inside the card, and a card may report it after a multiple-block read that ended at its last block
// (an error "detected during execution", shown in the next command's answer).
inline constexpr std::uint32_t R1_ERRORS = 0x7df9'0008;
// SD §4.7.4 ACMD6 argument: 4-bit bus
inline constexpr std::uint32_t BUS_WIDTH_4 = 2;
// bytes a block: CMD16's length; a high-capacity card's fixed unit
inline constexpr std::uint32_t kBlock = 512;
// BCM §5.1 BLKSIZECNT: 16 bits of block count
inline constexpr std::uint32_t kMaxBlocksPerCommand = 65535;

// ------------------------------------------------------------------ pure parts (unit-tested)

// Bits hi..lo (hi - lo < 32) of the CSD (SD §5.3) from RESP0-RESP3 of CMD9: the controller drops
// the CRC byte, so CSD bit n is bit n - 8 of RESP3:RESP2:RESP1:RESP0 (SDHC §2.2.7, R2).
constexpr std::uint32_t csd_bits(const std::uint32_t (&resp)[4], unsigned hi, unsigned lo) {
  std::uint32_t value = 0;
  for (unsigned bit = hi + 1; bit-- > lo;) {
    const unsigned at = bit - 8;
    value = value << 1 | (resp[at / 32] >> (at % 32) & 1);
  }
  return value;
}

// The card's capacity in 512-byte blocks from its CSD, 0 if the CSD structure is unknown.
// SD §5.3.2 (version 1.0, standard capacity): (C_SIZE + 1) × 2^(C_SIZE_MULT + 2) blocks of
// 2^READ_BL_LEN bytes; §5.3.3 (2.0, SDHC/SDXC) and §5.3.4 (3.0, SDUC): (C_SIZE + 1) × 512 KiB.
constexpr std::uint64_t csd_blocks(const std::uint32_t (&resp)[4]) {
  switch (csd_bits(resp, 127, 126)) {  // CSD_STRUCTURE
    case 0: {
      const std::uint64_t c_size = csd_bits(resp, 73, 62), mult = csd_bits(resp, 49, 47);
      const std::uint64_t bl_len = csd_bits(resp, 83, 80);
      if (bl_len < 9 || bl_len > 11) return 0;  // §5.3.2: READ_BL_LEN is 9, 10 or 11
      return (c_size + 1) << (mult + 2 + bl_len - 9);
    }
    case 1: return (std::uint64_t{csd_bits(resp, 69, 48)} + 1) << 10;
    case 2: return (std::uint64_t{csd_bits(resp, 75, 48)} + 1) << 10;
    default: return 0;
  }
}

// CONTROL1's divider bits for an SD clock of at most `hz` from the controller's `base_hz`, and
// the clock that gives. SDHC §2.2.14: host controller version 3.00 (SLOTISR_VER SDVERSION 2 and
// up) divides by 2N with a 10-bit N (N = 0: undivided); versions 1.00 and 2.00 by a power of
// two from 1 to 256, the 8-bit field holding half of it.
struct Clock {
  std::uint32_t bits;
  std::uint32_t hz;
};
constexpr Clock divider(std::uint32_t base_hz, std::uint32_t hz, unsigned sd_version) {
  if (hz == 0 || base_hz <= hz) return {0, base_hz};
  if (sd_version >= 2) {
    std::uint32_t n = (base_hz + 2 * hz - 1) / (2 * hz);
    if (n > 1023) n = 1023;
    return {(n & 0xff) << 8 | (n >> 8 & 3) << 6, base_hz / (2 * n)};
  }
  std::uint32_t d = 2;
  while (d < 256 && base_hz / d > hz) d *= 2;
  return {(d / 2) << 8, base_hz / d};
}

}  // namespace detail::emmc

namespace detail {

// What Bcm2835EmmcCore::start needs: the options as run-time values, plus where to find the
// time (the address of a free-running 1 MHz counter: the BCM2835 system timer's CLO, §12.1)
// and the controller's input clock.
struct EmmcSetup {
  std::uintptr_t base;
  std::uintptr_t microseconds;
  std::uint32_t base_clock_hz;
  std::uint32_t identification_hz;
  std::uint32_t transfer_hz;
  bool four_bit_bus;
  std::uint32_t command_timeout_us;
  std::uint32_t data_timeout_us;
  std::uint32_t init_timeout_us;
};

// The driver itself: every Bcm2835Emmc<Options>::bind<K> forwards here.
class Bcm2835EmmcCore {
 public:
  // Resets the controller and brings the card up (the sequence in the header comment). On
  // failure, describe_failure() has the sentence for the console.
  Result<void> start(const EmmcSetup& setup) {
    using namespace emmc;
    setup_ = setup;
    ready_ = false;
    failure_ = {};
    if (auto r = reset_controller(); !r) return r;
    version_ = read(SLOTISR_VER) >> 16 & 0xff;
    if (auto r = set_clock(setup_.identification_hz, "starting the identification clock"); !r) return r;
    write(IRPT_EN, 0);              // polled: no interrupt line
    write(IRPT_MASK, ALL_FLAGS);    // every event sets its flag
    write(INTERRUPT, ALL_FLAGS);
    delay_us(1000);                 // SD §6.4.1: at least 74 clocks before the first command

    if (auto r = send(GO_IDLE_STATE, 0, "CMD0 GO_IDLE_STATE"); !r) return r;
    // CMD8: a version 2.00 (or later) card echoes the argument; a version 1 card (or none) stays silent.
    bool version2 = true;
    if (auto r = send(SEND_IF_COND, IF_COND_3V3, "CMD8 SEND_IF_COND"); !r) {
      if (r.error() != Error::timeout) return r;
      version2 = false;
      cmd8_silent_ = true;
      failure_ = {};  // not (yet) a failure: a version 1 card answers the next command
    } else if ((resp_[0] & 0xfff) != IF_COND_3V3) {
      return failed("CMD8 SEND_IF_COND", "answered with an unexpected echo (the card does not take 2.7-3.6 V)",
                    Error::not_supported);
    }
    // ACMD41 until the card says it is ready (SD §4.2.3: within 1 s).
    const std::uint32_t began = now_us();
    std::uint32_t ocr = 0;
    for (;;) {
      if (auto r = app_command(0); !r) return r;
      if (auto r = send(SD_SEND_OP_COND, (version2 ? OCR_HCS : 0) | OCR_VOLTAGES, "ACMD41 SD_SEND_OP_COND"); !r)
        return r;
      ocr = resp_[0];
      if (ocr & OCR_READY) break;
      if (now_us() - began > setup_.init_timeout_us)
        return failed("ACMD41 SD_SEND_OP_COND", "kept answering 'busy' (the card did not finish powering up)",
                      Error::timeout);
      delay_us(2000);
    }
    cmd8_silent_ = false;
    high_capacity_ = version2 && (ocr & OCR_HCS);
    if (auto r = send(ALL_SEND_CID, 0, "CMD2 ALL_SEND_CID"); !r) return r;
    if (auto r = send(SEND_RELATIVE_ADDR, 0, "CMD3 SEND_RELATIVE_ADDR"); !r) return r;
    rca_ = resp_[0] >> 16;
    if (auto r = send(SEND_CSD, rca_ << 16, "CMD9 SEND_CSD"); !r) return r;
    csd_version_ = csd_bits(resp_, 127, 126) + 1;
    blocks_ = csd_blocks(resp_);
    if (blocks_ == 0)
      return failed("CMD9 SEND_CSD", "gave a CSD structure this driver does not know", Error::not_supported);
    if (auto r = send(SELECT_CARD, rca_ << 16, "CMD7 SELECT_CARD"); !r) return r;
    if (!high_capacity_) {
      if (auto r = send_checked(SET_BLOCKLEN, kBlock, "CMD16 SET_BLOCKLEN"); !r) return r;
    }
    if (setup_.four_bit_bus) {
      if (auto r = app_command(rca_ << 16); !r) return r;
      if (auto r = send_checked(SET_BUS_WIDTH, BUS_WIDTH_4, "ACMD6 SET_BUS_WIDTH"); !r) return r;
      write(CONTROL0, read(CONTROL0) | HCTL_DWIDTH);
    }
    if (auto r = set_clock(setup_.transfer_hz, "switching to the transfer clock"); !r) return r;
    ready_ = true;
    return {};
  }

  std::size_t block_size() const { return emmc::kBlock; }
  std::uint64_t block_count() const { return blocks_; }
  std::size_t queue_depth() const { return 1; }
  std::uint32_t in_flight() const { return 0; }  // requests finish inside submit()

  // Checks the request (block::check), then does it: when this returns success the request is
  // done, with io_error if the card failed it.
  Result<void> submit(api::BlockRequest& r) {
    if (!ready_) return fail(Error::not_supported);
    if (auto checked = check(r, emmc::kBlock, blocks_); !checked) return checked;
    r.done = false;
    complete(r, perform(r));
    return {};
  }
  std::size_t poll() { return 0; }
  Result<void> wait(api::BlockRequest& r) {
    return is_done(r) ? r.result() : Result<void>{fail(Error::invalid_argument)};  // never submitted
  }

  bool high_capacity() const { return high_capacity_; }
  unsigned csd_version() const { return csd_version_; }  // 1, 2 or 3 (SD §5.3)
  std::uint32_t clock_hz() const { return clock_hz_; }    // the SD clock now
  bool four_bit_bus() const { return ready_ && setup_.four_bit_bus; }
  bool no_card() const { return failure_.no_card; }  // the last start() heard nothing from a card

  // One sentence for the console about the last failure (start() or a request), without a
  // trailing newline; "" if nothing failed. `out` must hold kFailureText bytes.
  static constexpr std::size_t kFailureText = 256;
  std::size_t describe_failure(char* out) const {
    if (failure_.step == nullptr) {
      out[0] = '\0';
      return 0;
    }
    std::size_t n = 0;
    const auto put = [&](const char* text) {
      for (std::size_t i = 0; text[i] != '\0' && n + 1 < kFailureText; ++i) out[n++] = text[i];
    };
    const auto hex = [&](std::uint32_t value) {
      char digits[8];
      lib::format_hex(digits, value, 8);
      put("0x");
      for (char c : digits)
        if (n + 1 < kFailureText) out[n++] = c;
    };
    put(failure_.no_card ? "no SD card answered: " : "SD card: ");
    put(failure_.step);
    put(" ");
    put(failure_.reason);
    if (failure_.no_card) put(", nor did CMD8 SEND_IF_COND (is a card in the slot?)");
    put("; EMMC STATUS ");
    hex(failure_.status);
    put(", INTERRUPT ");
    hex(failure_.interrupt);
    out[n] = '\0';
    return n;
  }

 private:
  struct Failure {
    const char* step = nullptr;
    const char* reason = nullptr;
    std::uint32_t status = 0, interrupt = 0;
    bool no_card = false;
  };

  std::uint32_t read(std::uintptr_t reg) const { return lib::mmio::read32(setup_.base + reg); }
  // While the SD clock is slow, the controller can lose the second of two writes to one
  // register that come within two SD clock cycles (a clock-domain crossing in the BCM2835's
  // Arasan block; Linux's sdhci-iproc driver works around it the same way): wait 4 cycles.
  void write(std::uintptr_t reg, std::uint32_t value) {
    lib::mmio::write32(setup_.base + reg, value);
    if (clock_hz_ != 0 && clock_hz_ <= 400'000) delay_us((4'000'000 + clock_hz_ - 1) / clock_hz_);
  }
  std::uint32_t now_us() const { return lib::mmio::read32(setup_.microseconds); }
  void delay_us(std::uint32_t us) const {
    const std::uint32_t began = now_us();
    while (now_us() - began < us) {
    }
  }
  // Until (reg & mask) != 0 (set) or == 0 (!set), for at most timeout_us; the register's last
  // value in *seen. The register is read once more after the time is up, so a host that stalls
  // this loop past the deadline does not turn a finished wait into a timeout.
  bool wait_for(std::uintptr_t reg, std::uint32_t mask, bool set, std::uint32_t timeout_us,
                std::uint32_t* seen = nullptr) {
    const std::uint32_t began = now_us();
    for (;;) {
      const bool expired = now_us() - began > timeout_us;
      const std::uint32_t value = read(reg);
      if (seen != nullptr) *seen = value;
      if (((value & mask) != 0) == set) return true;
      if (expired) return false;
    }
  }

  Result<void> failed(const char* step, const char* reason, Error error) {
    failure_ = {step, reason, read(emmc::STATUS), read(emmc::INTERRUPT), false};
    return fail(error);
  }

  // SDHC §3.3 / BCM §5.1 CONTROL1 SRST_HC: everything back to its reset value, clocks off.
  Result<void> reset_controller() {
    using namespace emmc;
    clock_hz_ = 0;
    lib::mmio::write32(setup_.base + CONTROL1, SRST_HC);
    if (!wait_for(CONTROL1, SRST_HC, false, setup_.command_timeout_us))
      return failed("reset (CONTROL1 SRST_HC)", "did not finish", Error::timeout);
    write(CONTROL0, 0);
    return {};
  }
  // SDHC §3.7.1 / §3.8: after an error, the command (and data) circuits back to idle.
  void reset_lines(std::uint32_t which) {
    write(emmc::CONTROL1, read(emmc::CONTROL1) | which);
    (void)wait_for(emmc::CONTROL1, which, false, setup_.command_timeout_us);
    write(emmc::INTERRUPT, emmc::ALL_FLAGS);
  }
  // SDHC §3.2.1-§3.2.3: SD clock off, the new divider with the internal clock on, wait until it
  // is stable, SD clock on.
  Result<void> set_clock(std::uint32_t hz, const char* step) {
    using namespace emmc;
    const Clock clock = divider(setup_.base_clock_hz, hz, version_);
    const std::uint32_t control = read(CONTROL1) & ~(CLK_EN | CLK_FREQ_MASK);
    write(CONTROL1, control);
    write(CONTROL1, (control & ~(0xfu << 16)) | DATA_TOUNIT_MAX | clock.bits | CLK_INTLEN);
    if (!wait_for(CONTROL1, CLK_STABLE, true, setup_.command_timeout_us))
      return failed(step, "timed out: the internal clock never became stable (CONTROL1 CLK_STABLE)", Error::timeout);
    clock_hz_ = clock.hz;
    write(CONTROL1, read(CONTROL1) | CLK_EN);
    return {};
  }

  // Sends one command and waits for its response (and the end of its busy, R1b) into resp_:
  // SDHC §3.7.1. Errors: timeout (no response), io_error (the controller flagged the response).
  Result<void> send(std::uint32_t cmdtm, std::uint32_t argument, const char* step) {
    using namespace emmc;
    const bool busy = (cmdtm & CMD_RSPNS_TYPE) == CMD_RSPNS_48_BUSY;
    const bool abort = (cmdtm & CMD_TYPE_ABORT) == CMD_TYPE_ABORT;
    const std::uint32_t inhibit = CMD_INHIBIT | ((cmdtm & CMD_ISDATA) || (busy && !abort) ? DAT_INHIBIT : 0);
    if (!wait_for(STATUS, inhibit, false, setup_.command_timeout_us))
      return failed(step, "could not be sent: the controller stayed busy (STATUS CMD_INHIBIT/DAT_INHIBIT)",
                    Error::timeout);
    write(INTERRUPT, ALL_FLAGS);
    write(ARG1, argument);
    write(CMDTM, cmdtm);
    std::uint32_t flags = 0;
    if (!wait_for(INTERRUPT, CMD_DONE | ERRORS, true, setup_.command_timeout_us, &flags))
      return failed(step, "did not complete (no INTERRUPT CMD_DONE; is the SD clock running?)", Error::timeout);
    if (flags & ERRORS) {
      const bool silent = (flags & CTO_ERR) != 0;
      const char* why = silent ? "got no response (INTERRUPT CTO_ERR)" : "got a bad response (CRC, end bit or index)";
      auto result = failed(step, why, silent ? Error::timeout : Error::io_error);
      failure_.no_card = silent && cmd8_silent_;
      reset_lines(SRST_CMD);
      return result;
    }
    write(INTERRUPT, CMD_DONE);
    if (busy) {  // R1b: the card holds DAT0 low until it is done (SDHC §2.2.17: DATA_DONE then)
      std::uint32_t status = 0;
      const std::uint32_t began = now_us();
      for (;;) {
        const bool expired = now_us() - began > setup_.data_timeout_us;
        status = read(STATUS);
        if ((read(INTERRUPT) & DATA_DONE) || !(status & DAT_INHIBIT)) break;
        if (expired) return failed(step, "left the card busy (DAT0 low) too long", Error::timeout);
      }
      write(INTERRUPT, DATA_DONE);
    }
    for (unsigned i = 0; i < 4; ++i) resp_[i] = read(RESP0 + 4 * i);
    return {};
  }
  // A command with an R1 answer whose card-status error bits (SD §4.10.1) must be clear.
  Result<void> send_checked(std::uint32_t cmdtm, std::uint32_t argument, const char* step) {
    if (auto r = send(cmdtm, argument, step); !r) return r;
    if (resp_[0] & emmc::R1_ERRORS) return failed(step, "reported an error in its card status (R1)", Error::io_error);
    return {};
  }
  // CMD55: the next command is application-specific.
  Result<void> app_command(std::uint32_t rca_argument) {
    if (auto r = send(emmc::APP_CMD, rca_argument, "CMD55 APP_CMD"); !r) return r;
    if (!(resp_[0] & emmc::R1_APP_CMD))
      return failed("CMD55 APP_CMD", "was not taken (card status APP_CMD clear)", Error::io_error);
    return {};
  }

  // A checked request: flush, or its blocks in commands of at most 65535 blocks.
  Error perform(const api::BlockRequest& r) {
    // Flush: nothing to do. A write is done only once the controller signalled DATA_DONE, which
    // for a write comes after the card released DAT0 at the end of programming (SDHC §2.2.17,
    // SD §4.3.4): the data is in the card's flash. An SD card has a volatile cache only if the
    // host switches it on (SD §4.17, CMD49 "cache enable"), which this driver never does.
    if (r.op == api::BlockOp::flush) return Error{};
    std::byte* at = r.buffer;
    std::uint64_t block = r.block;
    for (std::uint32_t left = r.count; left != 0;) {
      const std::uint32_t n = left < emmc::kMaxBlocksPerCommand ? left : emmc::kMaxBlocksPerCommand;
      if (!transfer(r.op == api::BlockOp::read, block, n, at)) return Error::io_error;
      at += std::size_t{n} * emmc::kBlock;
      block += n;
      left -= n;
    }
    return Error{};
  }

  // `count` blocks from/to `block` by programmed I/O through DATA: SDHC §3.7.2.1.
  Result<void> transfer(bool reading, std::uint64_t block, std::uint32_t count, std::byte* at) {
    using namespace emmc;
    const bool multiple = count > 1;
    const std::uint32_t address = static_cast<std::uint32_t>(high_capacity_ ? block : block * kBlock);  // SD §4.3.14
    write(BLKSIZECNT, count << 16 | kBlock);
    const std::uint32_t cmdtm = reading ? (multiple ? READ_MULTIPLE_BLOCK : READ_SINGLE_BLOCK)
                                        : (multiple ? WRITE_MULTIPLE_BLOCK : WRITE_BLOCK);
    const char* step = reading ? (multiple ? "CMD18 READ_MULTIPLE_BLOCK" : "CMD17 READ_SINGLE_BLOCK")
                               : (multiple ? "CMD25 WRITE_MULTIPLE_BLOCK" : "CMD24 WRITE_BLOCK");
    if (auto r = send_checked(cmdtm, address, step); !r) {
      reset_lines(SRST_DATA);
      return r;
    }
    const std::uint32_t ready = reading ? READ_RDY : WRITE_RDY;
    std::uint32_t flags = 0;
    for (std::uint32_t b = 0; b < count; ++b) {
      if (!wait_for(INTERRUPT, ready | ERRORS, true, setup_.data_timeout_us, &flags) || (flags & ERRORS))
        return abort(step, flags & ERRORS ? "failed in its data phase (INTERRUPT error flags)"
                                          : "timed out waiting for the data buffer (INTERRUPT READ_RDY/WRITE_RDY)",
                     multiple);
      write(INTERRUPT, ready);
      for (std::uint32_t word = 0; word < kBlock / 4; ++word, at += 4) {
        std::uint32_t value;
        if (reading) {
          value = read(DATA);
          __builtin_memcpy(at, &value, 4);
        } else {
          __builtin_memcpy(&value, at, 4);
          lib::mmio::write32(setup_.base + DATA, value);  // no write delay: never at the slow clock
        }
      }
    }
    if (!wait_for(INTERRUPT, DATA_DONE | ERRORS, true, setup_.data_timeout_us, &flags) || (flags & ERRORS))
      return abort(step, flags & ERRORS ? "failed at its end (INTERRUPT error flags)"
                                        : "did not finish (no INTERRUPT DATA_DONE)",
                   multiple);
    write(INTERRUPT, DATA_DONE);
    if (multiple) return send(STOP_TRANSMISSION, 0, "CMD12 STOP_TRANSMISSION");
    return {};
  }
  // A data transfer that went wrong: recorded, both circuits reset, the card back to its
  // transfer state (CMD12 after a multiple-block command; SDHC §3.8).
  Result<void> abort(const char* step, const char* reason, bool multiple) {
    auto result = failed(step, reason, Error::io_error);
    const Failure first = failure_;
    reset_lines(emmc::SRST_CMD | emmc::SRST_DATA);
    if (multiple) (void)send(emmc::STOP_TRANSMISSION, 0, "CMD12 STOP_TRANSMISSION");
    failure_ = first;  // the report names what failed first
    return result;
  }

  EmmcSetup setup_{};
  std::uint32_t resp_[4] = {};
  std::uint64_t blocks_ = 0;
  std::uint32_t rca_ = 0;
  std::uint32_t clock_hz_ = 0;
  unsigned version_ = 0;      // SLOTISR_VER SDVERSION: 2 = host controller specification 3.00
  unsigned csd_version_ = 0;
  bool high_capacity_ = false;
  bool cmd8_silent_ = false;  // during identification: CMD8 got no answer either
  bool ready_ = false;
  Failure failure_{};
};

}  // namespace detail

template <Bcm2835EmmcOptions Options = Bcm2835EmmcOptions{}>
struct Bcm2835Emmc {
  static_assert(Options.base != 0, "block::Bcm2835Emmc: option .base (the EMMC controller's address) must be set");
  static_assert(Options.identification_hz >= 100'000 && Options.identification_hz <= 400'000,
                "block::Bcm2835Emmc: option .identification_hz must be 100 kHz to 400 kHz (SD §4.2: at most 400 kHz "
                "until the card is identified)");
  static_assert(Options.transfer_hz >= 400'000 && Options.transfer_hz <= 25'000'000,
                "block::Bcm2835Emmc: option .transfer_hz must be 400 kHz to 25 MHz (default speed; high speed is not "
                "switched on)");
  static_assert(Options.command_timeout_us >= 1000,
                "block::Bcm2835Emmc: option .command_timeout_us must be at least 1000 (1 ms)");
  static_assert(Options.data_timeout_us >= 100'000,
                "block::Bcm2835Emmc: option .data_timeout_us must be at least 100000 (SD §4.6.2: a card may take "
                "100 ms to read a block)");
  static_assert(Options.init_timeout_us >= 1'000'000,
                "block::Bcm2835Emmc: option .init_timeout_us must be at least 1000000 (SD §4.2.3: a card may take "
                "1 s to power up)");
  static constexpr Bcm2835EmmcOptions options = Options;

  // The bound component is the core (block_size … wait, high_capacity, describe_failure …)
  // plus init().
  template <class K>
  class bind : public detail::Bcm2835EmmcCore {
   public:
    static constexpr const char* name = "block::Bcm2835Emmc";
    static constexpr bool present = true;

    // What the platform must have (platform::Raspi3 has it all); one error names the first
    // thing missing, and nothing else is compiled for a platform without it.
    Result<void> init() {
      using P = typename K::platform;
      constexpr bool timer = requires { P::system_timer::CLO; };
      constexpr bool gpio = !Options.route_pins || requires { P::gpio::select(0u, drivers::GpioFunction::alt3); };
      constexpr bool mailbox =
          Options.base_clock_hz != 0 || requires { P::mailbox::clock_rate_hz(drivers::Bcm2835Clock::emmc); };
      static_assert(timer,
                    "block::Bcm2835Emmc: the platform has no BCM2835 system timer (K::platform::system_timer), "
                    "which times every wait of the driver: it is for platform::Raspi3");
      static_assert(!timer || gpio,
                    "block::Bcm2835Emmc: option .route_pins needs the platform's BCM2835 GPIO (K::platform::gpio)");
      static_assert(!timer || !gpio || mailbox,
                    "block::Bcm2835Emmc: option .base_clock_hz is 0 (ask the mailbox), but the platform has no "
                    "VideoCore mailbox (K::platform::mailbox): set .base_clock_hz");
      if constexpr (timer && gpio && mailbox) {
        return bring_up<P>();
      } else {
        return fail(Error::not_supported);
      }
    }

   private:
    template <class P>
    Result<void> bring_up() {
      if constexpr (Options.route_pins) {
        // BCM §6.2: GPIO 48-53 in ALT3 are SD1_CLK, SD1_CMD, SD1_DAT0-3, the EMMC controller's
        // lines (in ALT0 they belong to the firmware's other SD host). CMD and DAT pulled up.
        for (unsigned pin = 48; pin <= 53; ++pin) {
          (void)P::gpio::pull(pin, pin == 48 ? drivers::GpioPull::none : drivers::GpioPull::up);
          (void)P::gpio::select(pin, drivers::GpioFunction::alt3);
        }
      }
      std::uint32_t base_clock = Options.base_clock_hz;
      if constexpr (Options.base_clock_hz == 0) {
        auto rate = P::mailbox::clock_rate_hz(drivers::Bcm2835Clock::emmc);
        if (!rate || rate.value() == 0) {
          lib::say<P>("block::Bcm2835Emmc: the mailbox did not give the EMMC clock rate; set option "
                               ".base_clock_hz");
          return fail(rate ? Error::not_supported : rate.error());
        }
        base_clock = rate.value();
      }
      auto started = start({.base = Options.base,
                            .microseconds = P::system_timer::CLO,
                            .base_clock_hz = base_clock,
                            .identification_hz = Options.identification_hz,
                            .transfer_hz = Options.transfer_hz,
                            .four_bit_bus = Options.four_bit_bus,
                            .command_timeout_us = Options.command_timeout_us,
                            .data_timeout_us = Options.data_timeout_us,
                            .init_timeout_us = Options.init_timeout_us});
      if (!started) {
        char text[detail::Bcm2835EmmcCore::kFailureText];
        describe_failure(text);
        lib::say<P>("block::Bcm2835Emmc: ", text);
        if (no_card())
          lib::say<P>("block::Bcm2835Emmc: QEMU: attach an image with run-qemu --disk FILE "
                               "(-drive if=sd,format=raw,file=FILE; its size a power of two)");
      }
      return started;
    }
  };
};

}  // namespace tessera::block
static_assert(tessera::api::BlockDevice<tessera::block::Bcm2835Emmc<>::bind<void>>);
