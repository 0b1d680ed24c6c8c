/*
 * responder.c — the C baseline for tapstack's end-to-end TAP benchmark (bench/tap/run.mjs).
 *
 * Plain libc, no dependencies. Four modes: two on the TAP (the responder and a raw frame writer),
 * two on kernel UDP sockets (the baseline of the UDP socket rates):
 *
 *   responder respond --dev IFNAME --ip A.B.C.D --mac XX:XX:XX:XX:XX:XX [--ip6 IPV6]
 *       Opens (creates, or attaches to a persistent) TAP device with TUNSETIFF IFF_TAP|IFF_NO_PI,
 *       sets the kernel side up (SIOCGIFFLAGS/SIOCSIFFLAGS IFF_UP), prints one line
 *       "responder: DEV up lladdr MAC inet IP[ inet6 IPV6] pid PID" and then, until SIGINT/SIGTERM:
 *         - answers ARP requests for IP with MAC (the request is turned into the reply in place);
 *         - answers ICMP echo requests to IP (in place: swap MACs and IPs, TTL 64, type 0, IP
 *           header and ICMP checksums verified on input and recomputed on output);
 *         - with --ip6, answers Neighbour Solicitations for IPV6 (hop limit 255, code 0, checksum
 *           verified; DAD probes from :: are ignored) with a Neighbour Advertisement S|O carrying
 *           the target link-layer address option, built in place and sent to the solicitor
 *           (the SLLAO's MAC, else the frame's source), checksum computed anew;
 *         - with --ip6, answers ICMPv6 echo requests to IPV6 in place (swap MACs and addresses,
 *           hop limit 64, type 129; the checksum verified over the pseudo-header on input and
 *           updated incrementally for the type change on output, RFC 1624 — swapping the
 *           addresses leaves the pseudo-header sum as it was). Only packets whose next header is
 *           ICMPv6 itself are answered (no extension headers);
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
 *
 *   responder udp-send --dst IP --port P --count N [--payload BYTES]
 *       The kernel's own UDP as a sender: one AF_INET/SOCK_DGRAM socket, one sendto() per
 *       datagram (unconnected, as `socket.send(msg, port, address)` is), N datagrams of BYTES
 *       (default 64) whose first 4 bytes are the sequence number (big endian). A failed sendto
 *       is counted, not retried. Prints
 *       "udp-send: sent N datagrams in S s, errors E, t0 T0 t1 T1" (CLOCK_MONOTONIC, ns).
 *
 *   responder udp-sink --ip IP --port P --count N [--idle-ms MS] [--deadline-s S] [--rcvbuf BYTES]
 *       The kernel's own UDP as a receiver: binds IP:P, sets SO_RCVBUFFORCE (default 16 MiB, so
 *       the sink's own queue is never the bottleneck), prints "udp-sink: bound IP:P rcvbuf R pid
 *       PID" and reads with recvmmsg() (up to 64 per call, MSG_WAITFORONE) until N datagrams
 *       arrived, nothing arrived for MS ms (default 500) after the first, S seconds (default 60)
 *       passed, or SIGINT/SIGTERM. Prints "udp-sink: received N datagrams, bad B, first T0 last
 *       T1, max seq M" (CLOCK_MONOTONIC ns of the first and last recvmmsg return; a datagram
 *       whose length is not the first one's is bad).
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
#include <sys/time.h>
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
          "usage: responder respond --dev IFNAME --ip A.B.C.D --mac MAC [--ip6 IPV6]\n"
          "       responder tx --dev IFNAME --src-mac MAC --src-ip IP --dst-mac MAC --dst-ip IP --count N"
          " [--payload BYTES] [--port P]\n"
          "       responder udp-send --dst IP --port P --count N [--payload BYTES]\n"
          "       responder udp-sink --ip IP --port P --count N [--idle-ms MS] [--deadline-s S] [--rcvbuf BYTES]\n");
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

/* The IPv6 pseudo-header sum (RFC 8200 8.1) of the packet whose 40-byte header is at h. */
static uint32_t pseudo6(const uint8_t *h, uint32_t ulen, uint8_t proto) {
  uint32_t sum = 0;
  for (int i = 8; i < 40; i += 2) sum += (uint32_t)h[i] << 8 | h[i + 1];
  return sum + (ulen >> 16) + (ulen & 0xffff) + proto;
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

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
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
  const char *ip6s = arg(argc, argv, "--ip6", "");
  uint8_t ip6[16];
  int have6 = ip6s[0] != 0;
  if (have6 && inet_pton(AF_INET6, ip6s, ip6) != 1) usage();

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; /* no SA_RESTART: a signal interrupts the blocking read */
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  int fd = tap_open(dev);
  printf("responder: %s up lladdr %02x:%02x:%02x:%02x:%02x:%02x inet %s%s%s pid %d\n", dev, mac[0], mac[1], mac[2],
         mac[3], mac[4], mac[5], inet_ntoa(ip), have6 ? " inet6 " : "", have6 ? ip6s : "", (int)getpid());
  fflush(stdout);

  static uint8_t buf[65536];
  unsigned long rx = 0, arp_replies = 0, echo_replies = 0, ignored = 0, bad_csum = 0, tx_errors = 0;
  unsigned long na_sent = 0, echo6_replies = 0;
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
    } else if (type == 0x86dd && have6 && n >= 14 + 40 + 8) {
      uint8_t *h = buf + 14;
      size_t plen = get16(h + 4);
      uint8_t *icmp = h + 40;
      /* IPv6, ICMPv6 right after the fixed header, the whole payload in the frame. */
      if ((h[0] >> 4) == 6 && h[6] == 58 && 14 + 40 + plen <= (size_t)n && plen >= 8) {
        if (csum(icmp, plen, pseudo6(h, (uint32_t)plen, 58)) != 0) {
          bad_csum++;
        } else if (icmp[0] == 135 && icmp[1] == 0 && h[7] == 255 && plen >= 24 && memcmp(icmp + 8, ip6, 16) == 0) {
          static const uint8_t any[16];
          if (memcmp(h + 8, any, 16) != 0) { /* not a DAD probe */
            /* The solicitor's MAC: its SLLAO (type 1, length 1) if there is one, else the frame's source. */
            const uint8_t *sll = buf + 6;
            for (size_t o = 24; o + 8 <= plen && icmp[o + 1] != 0; o += (size_t)icmp[o + 1] * 8)
              if (icmp[o] == 1 && icmp[o + 1] == 1) {
                sll = icmp + o + 2;
                break;
              }
            memmove(buf, sll, 6);
            memcpy(buf + 6, mac, 6);
            put16(h + 4, 32);
            h[7] = 255;
            memcpy(h + 24, h + 8, 16); /* daddr := the solicitor */
            memcpy(h + 8, ip6, 16);    /* saddr := the target, ours */
            icmp[0] = 136;
            icmp[1] = 0;
            put16(icmp + 2, 0);
            icmp[4] = 0x60; /* S|O */
            icmp[5] = icmp[6] = icmp[7] = 0;
            memcpy(icmp + 8, ip6, 16);
            icmp[24] = 2; /* target link-layer address */
            icmp[25] = 1;
            memcpy(icmp + 26, mac, 6);
            put16(icmp + 2, csum(icmp, 32, pseudo6(h, 32, 58)));
            out = 14 + 40 + 32;
            na_sent++;
          }
        } else if (icmp[0] == 128 && icmp[1] == 0 && memcmp(h + 24, ip6, 16) == 0) {
          uint8_t tmp[16];
          memcpy(tmp, buf, 6);
          memcpy(buf, buf + 6, 6);
          memcpy(buf + 6, tmp, 6);
          memcpy(tmp, h + 8, 16);
          memcpy(h + 8, h + 24, 16);
          memcpy(h + 24, tmp, 16);
          h[7] = 64;
          /* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), m the type/code word 0x8000 → 0x8100. */
          uint32_t sum = (uint16_t)~get16(icmp + 2) + (uint16_t)~get16(icmp) + 0x8100u;
          while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
          icmp[0] = 129;
          put16(icmp + 2, (uint16_t)~sum);
          out = 14 + 40 + plen;
          echo6_replies++;
        }
      }
    }
    if (out == 0) {
      ignored++;
      continue;
    }
    if (write(fd, buf, out) != (ssize_t)out) tx_errors++;
  }
  fprintf(stderr, "responder: rx %lu arp_replies %lu echo_replies %lu na_sent %lu echo6_replies %lu ignored %lu bad_csum %lu tx_errors %lu\n",
          rx, arp_replies, echo_replies, na_sent, echo6_replies, ignored, bad_csum, tx_errors);
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

static int udp_send(int argc, char **argv) {
  struct sockaddr_in dst;
  memset(&dst, 0, sizeof dst);
  dst.sin_family = AF_INET;
  if (inet_pton(AF_INET, arg(argc, argv, "--dst", NULL), &dst.sin_addr) != 1) usage();
  long port = atol(arg(argc, argv, "--port", NULL));
  long count = atol(arg(argc, argv, "--count", NULL));
  long payload = atol(arg(argc, argv, "--payload", "64"));
  if (count <= 0 || payload < 4 || payload > 1472 || port <= 0 || port > 65535) usage();
  dst.sin_port = htons((uint16_t)port);
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) die("socket");
  uint8_t buf[1472];
  for (long i = 0; i < payload; i++) buf[i] = (uint8_t)i;
  long errors = 0;
  long long t0 = now_ns();
  for (long i = 0; i < count; i++) {
    uint32_t seq = htonl((uint32_t)i);
    memcpy(buf, &seq, 4);
    if (sendto(s, buf, (size_t)payload, 0, (struct sockaddr *)&dst, sizeof dst) != payload) errors++;
  }
  long long t1 = now_ns();
  printf("udp-send: sent %ld datagrams in %.6f s, errors %ld, t0 %lld t1 %lld\n", count - errors, (t1 - t0) / 1e9, errors, t0, t1);
  close(s);
  return 0;
}

static int udp_sink(int argc, char **argv) {
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  if (inet_pton(AF_INET, arg(argc, argv, "--ip", NULL), &sin.sin_addr) != 1) usage();
  long port = atol(arg(argc, argv, "--port", NULL));
  long count = atol(arg(argc, argv, "--count", NULL));
  long idle_ms = atol(arg(argc, argv, "--idle-ms", "500"));
  long deadline_s = atol(arg(argc, argv, "--deadline-s", "60"));
  int rcvbuf = atoi(arg(argc, argv, "--rcvbuf", "16777216"));
  if (count <= 0 || port <= 0 || port > 65535 || idle_ms <= 0 || deadline_s <= 0 || rcvbuf <= 0) usage();
  sin.sin_port = htons((uint16_t)port);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) die("socket");
  if (setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0 &&
      setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) < 0)
    die("SO_RCVBUF");
  struct timeval tv = {0, 100000}; /* wake every 100 ms to check the idle time and the deadline */
  if (setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0) die("SO_RCVTIMEO");
  if (bind(s, (struct sockaddr *)&sin, sizeof sin) < 0) die("bind");
  int got = 0;
  socklen_t gl = sizeof got;
  getsockopt(s, SOL_SOCKET, SO_RCVBUF, &got, &gl);
  printf("udp-sink: bound %s:%ld rcvbuf %d pid %d\n", inet_ntoa(sin.sin_addr), port, got, (int)getpid());
  fflush(stdout);

  enum { VLEN = 64 };
  static uint8_t bufs[VLEN][2048];
  struct mmsghdr msgs[VLEN];
  struct iovec iov[VLEN];
  long received = 0, bad = 0;
  long long first = 0, last = 0, end = now_ns() + deadline_s * 1000000000LL;
  long flen = -1;
  uint32_t maxseq = 0;
  while (!stop_flag && received < count) {
    for (int i = 0; i < VLEN; i++) {
      iov[i].iov_base = bufs[i];
      iov[i].iov_len = sizeof bufs[i];
      memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n = recvmmsg(s, msgs, VLEN, MSG_WAITFORONE, NULL);
    long long t = now_ns();
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) die("recvmmsg");
      if (received > 0 && t - last > idle_ms * 1000000LL) break;
      if (t > end) break;
      continue;
    }
    if (received == 0) first = t;
    last = t;
    for (int i = 0; i < n; i++) {
      long len = (long)msgs[i].msg_len;
      if (flen < 0) flen = len;
      if (len != flen || len < 4) {
        bad++;
        continue;
      }
      uint32_t seq;
      memcpy(&seq, bufs[i], 4);
      seq = ntohl(seq);
      if (seq > maxseq) maxseq = seq;
    }
    received += n;
    if (t > end) break;
  }
  printf("udp-sink: received %ld datagrams, bad %ld, first %lld last %lld, max seq %u\n", received, bad, first, last, maxseq);
  close(s);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) usage();
  if (strcmp(argv[1], "respond") == 0) return respond(argc, argv);
  if (strcmp(argv[1], "tx") == 0) return tx(argc, argv);
  if (strcmp(argv[1], "udp-send") == 0) return udp_send(argc, argv);
  if (strcmp(argv[1], "udp-sink") == 0) return udp_sink(argc, argv);
  usage();
  return 2;
}
