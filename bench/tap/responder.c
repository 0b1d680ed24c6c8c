/*
 * responder.c — the C baseline for tapstack's end-to-end TAP benchmark (bench/tap/run.mjs).
 *
 * Plain libc, no dependencies. Two modes:
 *
 *   responder respond --dev IFNAME --ip A.B.C.D --mac XX:XX:XX:XX:XX:XX
 *       Opens (creates, or attaches to a persistent) TAP device with TUNSETIFF IFF_TAP|IFF_NO_PI,
 *       sets the kernel side up (SIOCGIFFLAGS/SIOCSIFFLAGS IFF_UP), prints one line
 *       "responder: DEV up lladdr MAC inet IP pid PID" and then, until SIGINT/SIGTERM:
 *         - answers ARP requests for IP with MAC (the request is turned into the reply in place);
 *         - answers ICMP echo requests to IP (in place: swap MACs and IPs, TTL 64, type 0, IP
 *           header and ICMP checksums verified on input and recomputed on output);
 *         - ignores everything else.
 *       It is the simplest honest responder: a blocking fd, one read() per received frame and
 *       one write() per reply; no batching, no poll, no threads. On exit it prints its counters
 *       to stderr.
 *
 *   responder tx --dev IFNAME --src-mac MAC --src-ip IP --dst-mac MAC --dst-ip IP
 *                --count N [--payload BYTES] [--port P]
 *       Attaches to IFNAME the same way and writes N Ethernet/IPv4/UDP frames (payload BYTES,
 *       default 64, to UDP port P, default 9 = discard) as fast as it can, one write() per frame.
 *       Each frame is a distinct packet, as a stack would send it: the IP id increments and the
 *       IP header and UDP checksums are computed per frame. Prints
 *       "tx: sent N frames in S s (R frames/s), errors E" — writes to a TAP are synchronous in
 *       the kernel (tun_get_user runs the kernel's receive path in the writer's context), so the
 *       rate is bounded by what the kernel accepts; a failed write is counted, not retried.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig) {
  (void)sig;
  stop_flag = 1;
}

static void die(const char *what) {
  fprintf(stderr, "responder: %s: %s\n", what, strerror(errno));
  exit(1);
}

static void usage(void) {
  fprintf(stderr,
          "usage: responder respond --dev IFNAME --ip A.B.C.D --mac MAC\n"
          "       responder tx --dev IFNAME --src-mac MAC --src-ip IP --dst-mac MAC --dst-ip IP --count N"
          " [--payload BYTES] [--port P]\n");
  exit(2);
}

static int parse_mac(const char *s, uint8_t mac[6]) {
  unsigned v[6];
  char extra;
  if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &extra) != 6) return -1;
  for (int i = 0; i < 6; i++) {
    if (v[i] > 255) return -1;
    mac[i] = (uint8_t)v[i];
  }
  return 0;
}

/* Opens /dev/net/tun and attaches to (or creates) IFNAME as a TAP without packet info. */
static int tap_open(const char *name) {
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) die("open /dev/net/tun");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) die("TUNSETIFF");
  /* Kernel side up, as `ip link set IFNAME up` would. */
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) die("socket");
  if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) die("SIOCGIFFLAGS");
  ifr.ifr_flags |= IFF_UP;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) die("SIOCSIFFLAGS");
  close(s);
  return fd;
}

/* RFC 1071 one's-complement sum, folded and complemented. */
static uint16_t csum(const uint8_t *p, size_t len, uint32_t sum) {
  while (len > 1) {
    sum += (uint32_t)p[0] << 8 | p[1];
    p += 2;
    len -= 2;
  }
  if (len) sum += (uint32_t)p[0] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *arg(int argc, char **argv, const char *flag, const char *def) {
  for (int i = 2; i + 1 < argc; i++)
    if (strcmp(argv[i], flag) == 0) return argv[i + 1];
  if (!def) {
    fprintf(stderr, "responder: missing %s\n", flag);
    usage();
  }
  return def;
}

static int respond(int argc, char **argv) {
  const char *dev = arg(argc, argv, "--dev", NULL);
  struct in_addr ip;
  uint8_t mac[6];
  if (inet_pton(AF_INET, arg(argc, argv, "--ip", NULL), &ip) != 1) usage();
  if (parse_mac(arg(argc, argv, "--mac", NULL), mac) < 0) usage();

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; /* no SA_RESTART: a signal interrupts the blocking read */
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  int fd = tap_open(dev);
  printf("responder: %s up lladdr %02x:%02x:%02x:%02x:%02x:%02x inet %s pid %d\n", dev, mac[0], mac[1], mac[2],
         mac[3], mac[4], mac[5], inet_ntoa(ip), (int)getpid());
  fflush(stdout);

  static uint8_t buf[65536];
  unsigned long rx = 0, arp_replies = 0, echo_replies = 0, ignored = 0, bad_csum = 0, tx_errors = 0;
  while (!stop_flag) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("read");
    }
    rx++;
    if (n < 14) {
      ignored++;
      continue;
    }
    uint16_t type = get16(buf + 12);
    size_t out = 0;
    if (type == 0x0806 && n >= 42) {
      uint8_t *a = buf + 14;
      /* Ethernet/IPv4 request for our address. */
      if (get16(a) == 1 && get16(a + 2) == 0x0800 && a[4] == 6 && a[5] == 4 && get16(a + 6) == 1 &&
          memcmp(a + 24, &ip, 4) == 0) {
        put16(a + 6, 2);
        memcpy(a + 18, a + 8, 10);  /* target := sender (MAC and IP) */
        memcpy(a + 8, mac, 6);      /* sender := us */
        memcpy(a + 14, &ip, 4);
        memcpy(buf, a + 18, 6);     /* Ethernet: back to the requester, from us */
        memcpy(buf + 6, mac, 6);
        out = 42;
        arp_replies++;
      }
    } else if (type == 0x0800 && n >= 34) {
      uint8_t *h = buf + 14;
      size_t ihl = (size_t)(h[0] & 15) * 4;
      size_t tot = get16(h + 2);
      if ((h[0] >> 4) == 4 && ihl >= 20 && tot >= ihl + 8 && 14 + tot <= (size_t)n && h[9] == 1 &&
          (get16(h + 6) & 0x3fff) == 0 && memcmp(h + 16, &ip, 4) == 0) {
        uint8_t *icmp = h + ihl;
        size_t ilen = tot - ihl;
        if (csum(h, ihl, 0) != 0 || csum(icmp, ilen, 0) != 0) {
          bad_csum++;
        } else if (icmp[0] == 8 && icmp[1] == 0) {
          uint8_t tmp[6];
          memcpy(tmp, buf, 6);
          memcpy(buf, buf + 6, 6);
          memcpy(buf + 6, tmp, 6);
          memcpy(h + 16, h + 12, 4);  /* daddr := saddr */
          memcpy(h + 12, &ip, 4);     /* saddr := us */
          h[8] = 64;
          put16(h + 10, 0);
          put16(h + 10, csum(h, ihl, 0));
          icmp[0] = 0;
          put16(icmp + 2, 0);
          put16(icmp + 2, csum(icmp, ilen, 0));
          out = 14 + tot;
          echo_replies++;
        }
      }
    }
    if (out == 0) {
      ignored++;
      continue;
    }
    if (write(fd, buf, out) != (ssize_t)out) tx_errors++;
  }
  fprintf(stderr, "responder: rx %lu arp_replies %lu echo_replies %lu ignored %lu bad_csum %lu tx_errors %lu\n", rx,
          arp_replies, echo_replies, ignored, bad_csum, tx_errors);
  close(fd);
  return 0;
}

static int tx(int argc, char **argv) {
  const char *dev = arg(argc, argv, "--dev", NULL);
  uint8_t smac[6], dmac[6];
  struct in_addr sip, dip;
  if (parse_mac(arg(argc, argv, "--src-mac", NULL), smac) < 0 || parse_mac(arg(argc, argv, "--dst-mac", NULL), dmac) < 0)
    usage();
  if (inet_pton(AF_INET, arg(argc, argv, "--src-ip", NULL), &sip) != 1 ||
      inet_pton(AF_INET, arg(argc, argv, "--dst-ip", NULL), &dip) != 1)
    usage();
  long count = atol(arg(argc, argv, "--count", NULL));
  long payload = atol(arg(argc, argv, "--payload", "64"));
  long port = atol(arg(argc, argv, "--port", "9"));
  if (count <= 0 || payload < 0 || payload > 1472 || port <= 0 || port > 65535) usage();

  int fd = tap_open(dev);
  uint8_t f[1514];
  size_t ulen = 8 + (size_t)payload, tot = 20 + ulen, flen = 14 + tot;
  memset(f, 0, sizeof f);
  memcpy(f, dmac, 6);
  memcpy(f + 6, smac, 6);
  put16(f + 12, 0x0800);
  uint8_t *h = f + 14, *u = h + 20;
  h[0] = 0x45;
  put16(h + 2, (uint16_t)tot);
  put16(h + 6, 0x4000); /* DF, as the stack sends */
  h[8] = 64;
  h[9] = 17;
  memcpy(h + 12, &sip, 4);
  memcpy(h + 16, &dip, 4);
  put16(u, 40000);
  put16(u + 2, (uint16_t)port);
  put16(u + 4, (uint16_t)ulen);
  for (long i = 0; i < payload; i++) u[8 + i] = (uint8_t)i;
  /* UDP pseudo-header sum: saddr, daddr, protocol, UDP length. */
  uint32_t pseudo = get16(h + 12) + get16(h + 14) + get16(h + 16) + get16(h + 18) + 17 + (uint32_t)ulen;

  long errors = 0;
  double t0 = now_s();
  for (long i = 0; i < count; i++) {
    put16(h + 4, (uint16_t)i); /* IP id */
    put16(h + 10, 0);
    put16(h + 10, csum(h, 20, 0));
    put16(u + 6, 0);
    uint16_t uc = csum(u, ulen, pseudo);
    put16(u + 6, uc ? uc : 0xffff);
    if (write(fd, f, flen) != (ssize_t)flen) errors++;
  }
  double dt = now_s() - t0;
  printf("tx: sent %ld frames in %.6f s (%.0f frames/s), errors %ld\n", count - errors, dt, (count - errors) / dt, errors);
  close(fd);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) usage();
  if (strcmp(argv[1], "respond") == 0) return respond(argc, argv);
  if (strcmp(argv[1], "tx") == 0) return tx(argc, argv);
  usage();
  return 2;
}
