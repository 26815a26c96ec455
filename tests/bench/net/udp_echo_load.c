/* The host side of `./tessera bench net`'s UDP echo rounds (run by tests/bench/net.py): keeps
 * WINDOW datagrams in flight to 127.0.0.1:PORT for SECONDS and counts the echoes that come
 * back intact. Native code, not Python: at tens of thousands of datagrams per second a Python
 * loop is what gets measured, not the guest. Batched with sendmmsg/recvmmsg (one system call
 * per burst). A window lost on the way (a drop in QEMU's user network) is refilled after
 * 200 ms of silence.
 *
 *   udp-echo-load PORT SECONDS WINDOW PAYLOAD_BYTES
 *
 * Prints one line: "<echoes per second> <echoes whose bytes differed>"; exit 2 on bad
 * arguments or a socket error. */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { max_window = 1024, max_payload = 1400 };

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static unsigned char payload[max_payload];
static unsigned char replies[max_window][max_payload + 1];
static struct mmsghdr out[max_window], in[max_window];
static struct iovec out_iov[max_window], in_iov[max_window];

/* Sends `n` datagrams (the same payload); returns how many went out. */
static int send_burst(int fd, int n) {
  int sent = 0;
  while (sent < n) {
    const int r = sendmmsg(fd, out + sent, (unsigned)(n - sent), 0);
    if (r < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNREFUSED) return sent;
      perror("udp-echo-load: sendmmsg");
      exit(2);
    }
    sent += r;
  }
  return sent;
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: udp-echo-load PORT SECONDS WINDOW PAYLOAD_BYTES\n");
    return 2;
  }
  const int port = atoi(argv[1]), window = atoi(argv[3]), bytes = atoi(argv[4]);
  const double seconds = atof(argv[2]);
  if (port <= 0 || port > 65535 || seconds <= 0 || window <= 0 || window > max_window || bytes <= 0 ||
      bytes > max_payload) {
    fprintf(stderr, "udp-echo-load: PORT 1-65535, SECONDS > 0, WINDOW 1-%d, PAYLOAD_BYTES 1-%d\n", max_window,
            max_payload);
    return 2;
  }
  for (int i = 0; i < bytes; ++i) payload[i] = (unsigned char)i;
  for (int i = 0; i < window; ++i) {
    out_iov[i] = (struct iovec){.iov_base = payload, .iov_len = (size_t)bytes};
    out[i].msg_hdr = (struct msghdr){.msg_iov = &out_iov[i], .msg_iovlen = 1};
    in_iov[i] = (struct iovec){.iov_base = replies[i], .iov_len = max_payload + 1};
    in[i].msg_hdr = (struct msghdr){.msg_iov = &in_iov[i], .msg_iovlen = 1};
  }

  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  if (fd < 0 || connect(fd, (struct sockaddr*)&to, sizeof to) != 0) {
    perror("udp-echo-load: socket");
    return 2;
  }

  long echoes = 0, bad = 0;
  send_burst(fd, window);
  const double start = now_s(), end = start + seconds;
  double now;
  while ((now = now_s()) < end) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    const int ready = poll(&p, 1, 200);
    if (ready == 0) {  // the window was lost: refill it
      send_burst(fd, window);
      continue;
    }
    const int got = recvmmsg(fd, in, (unsigned)window, MSG_DONTWAIT, NULL);
    if (got <= 0) continue;
    for (int i = 0; i < got; ++i) {
      if (in[i].msg_len == (unsigned)bytes && memcmp(replies[i], payload, (size_t)bytes) == 0)
        ++echoes;
      else
        ++bad;
    }
    send_burst(fd, got);  // one out for each that came back
  }
  const double elapsed = now_s() - start;
  close(fd);
  printf("%.1f %ld\n", (double)echoes / elapsed, bad);
  return 0;
}
