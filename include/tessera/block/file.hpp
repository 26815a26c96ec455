#pragma once
// block::File — a disk that is a file of the host (hosted platform only): the file named by
// the environment variable TESSERA_DISK (the hosted counterpart of QEMU's -drive), opened at
// init(); its size, rounded down to whole blocks, is the capacity. Reads and writes are
// pread/pwrite, a flush is fdatasync (POSIX: the data reaches the disk before it returns).
// Every request is finished inside submit(); io_uring would add queueing the hosted platform's
// tests do not need.
//
// Options: .block_size — bytes per block, a power of two from 512 to 65536 (default 512).
// Cost: one file descriptor; one system call per request.
// A missing or unreadable file is a console message and Error::not_supported from init(),
// which the kernel turns into a panic (exit status 70).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "tessera/api/block_device.hpp"
#include "tessera/block/request.hpp"
#include "tessera/lib/bits.hpp"

#if !defined(TESSERA_PLATFORM_HOSTED)
#error "block::File reads a host file: it is for the hosted platform"
#endif

namespace tessera::block {

struct FileOptions {
  std::size_t block_size = 512;
};

namespace detail {

class FileCore {
 public:
  static constexpr const char* name = "block::File";
  static constexpr bool present = true;

  FileCore() = default;
  FileCore(const FileCore&) = delete;
  FileCore& operator=(const FileCore&) = delete;
  ~FileCore() { close(); }

  // Opens `path` (read-write) as a disk of `block_size`-byte blocks.
  Result<void> open(const char* path, std::size_t block_size) {
    close();
    fd_ = ::open(path, O_RDWR | O_CLOEXEC);
    if (fd_ < 0) return fail(Error::not_supported);
    struct stat st{};
    if (::fstat(fd_, &st) != 0) {
      close();
      return fail(Error::io_error);
    }
    block_size_ = block_size;
    blocks_ = static_cast<std::uint64_t>(st.st_size) / block_size;
    return {};
  }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  // init() through the environment (what bind<K> does): TESSERA_DISK names the file.
  Result<void> init_from_environment(std::size_t block_size) {
    const char* path = std::getenv("TESSERA_DISK");
    if (path == nullptr || *path == '\0') {
      std::fputs("tessera: block::File: no disk: set TESSERA_DISK to a file (e.g. truncate -s 8M disk.img)\n", stdout);
      return fail(Error::not_supported);
    }
    if (auto opened = open(path, block_size); !opened) {
      std::printf("tessera: block::File: cannot open the disk %s: errno %d\n", path, errno);
      return opened;
    }
    return {};
  }
  Result<void> init() { return fd_ >= 0 ? Result<void>{} : Result<void>{fail(Error::not_supported)}; }
  std::size_t block_size() const { return block_size_; }
  std::uint64_t block_count() const { return blocks_; }
  std::size_t queue_depth() const { return 64; }  // never full: requests finish in submit()
  std::uint32_t in_flight() const { return 0; }

  Result<void> submit(api::BlockRequest& r) {
    if (fd_ < 0) return fail(Error::not_supported);
    if (auto checked = check(r, block_size_, blocks_); !checked) return checked;
    r.done = false;
    complete(r, perform(r) ? Error{} : Error::io_error);
    return {};
  }
  std::size_t poll() { return 0; }
  Result<void> wait(api::BlockRequest& r) {
    return is_done(r) ? r.result() : Result<void>{fail(Error::invalid_argument)};  // never submitted
  }

 private:
  bool perform(const api::BlockRequest& r) {
    if (r.op == api::BlockOp::flush) return ::fdatasync(fd_) == 0;
    std::size_t left = std::size_t{r.count} * block_size_;
    std::byte* at = r.buffer;
    off_t offset = static_cast<off_t>(r.block * block_size_);
    while (left > 0) {  // a short transfer is not an error: go on from where it stopped
      const ssize_t n = r.op == api::BlockOp::read ? ::pread(fd_, at, left, offset) : ::pwrite(fd_, at, left, offset);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      at += n;
      offset += n;
      left -= static_cast<std::size_t>(n);
    }
    return true;
  }

  int fd_ = -1;
  std::size_t block_size_ = 0;
  std::uint64_t blocks_ = 0;
};
static_assert(api::BlockDevice<FileCore>);

}  // namespace detail

template <FileOptions Options = FileOptions{}>
struct File {
  static_assert(lib::is_power_of_two(Options.block_size) && Options.block_size >= 512 && Options.block_size <= 65536,
                "block::File: option .block_size must be a power of two from 512 to 65536");

  template <class K>
  class bind : public detail::FileCore {
   public:
    Result<void> init() { return init_from_environment(Options.block_size); }
  };
};

static_assert(api::BlockDevice<File<>::bind<void>>);

}  // namespace tessera::block
