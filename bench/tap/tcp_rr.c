// Kernel-side client and anchor server of the TCP request/response benchmarks (reference/tcp.md
// §6b T5, T6, T8), in the manner of netperf's TCP_RR / TCP_CRR: one blocking socket, one
// write() and one read() per transaction, CLOCK_MONOTONIC around each. Sockets pin CUBIC.
//   rr HOST PORT SECS      1-byte request/response on one connection: transactions/s, p50/p99
//   crr HOST PORT SECS     connect, 1-byte request, 1-byte reply, close: connections/s, p50/p99
//   echo ADDR PORT         anchor server: accept, echo until EOF, next (one at a time)
//   hold HOST PORT N       open N connections, print, wait for a line on stdin, close them all
// Prints one JSON line per result.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char *what) {
  fprintf(stderr, "tcp_rr: %s: %s\n", what, strerror(errno));
  exit(1);
}

static void tune(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "cubic", 5);
}

static struct sockaddr_in addr(const char *host, int port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (inet_pton(AF_INET, host, &a.sin_addr) != 1) { fprintf(stderr, "tcp_rr: bad address %s\n", host); exit(2); }
  return a;
}

static int dial(struct sockaddr_in *a) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  tune(fd);
  if (connect(fd, (struct sockaddr *)a, sizeof *a) < 0) die("connect");
  return fd;
}

/** One transaction: 1 byte out, 1 byte back. */
static void xact(int fd) {
  char c = 'x';
  if (write(fd, &c, 1) != 1) die("write");
  ssize_t n = read(fd, &c, 1);
  if (n != 1) { if (n == 0) errno = ECONNRESET; die("read"); }
}

static int cmp(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return x < y ? -1 : x > y;
}

/** Per-transaction latencies in microseconds, grown as needed. */
static float *lat;
static size_t nlat, cap;
static void record(double us) {
  if (nlat == cap) {
    cap = cap ? cap * 2 : 1 << 20;
    lat = realloc(lat, cap * sizeof *lat);
    if (!lat) die("realloc");
  }
  lat[nlat++] = (float)us;
}

static void report(const char *what, double secs) {
  qsort(lat, nlat, sizeof *lat, cmp);
  double sum = 0;
  for (size_t i = 0; i < nlat; i++) sum += lat[i];
  // Nearest rank.
  size_t r50 = nlat ? (size_t)(0.50 * nlat + 0.999999) - 1 : 0, r99 = nlat ? (size_t)(0.99 * nlat + 0.999999) - 1 : 0;
  printf("{\"mode\":\"%s\",\"n\":%zu,\"secs\":%.6f,\"rate\":%.1f,\"mean_us\":%.2f,\"p50_us\":%.2f,\"p99_us\":%.2f,\"max_us\":%.2f}\n",
         what, nlat, secs, nlat / secs, nlat ? sum / nlat : 0, nlat ? lat[r50] : 0, nlat ? lat[r99] : 0, nlat ? lat[nlat - 1] : 0);
  fflush(stdout);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: tcp_rr rr|crr HOST PORT SECS | echo ADDR PORT | hold HOST PORT N\n");
    return 2;
  }
  const char *mode = argv[1];
  struct sockaddr_in a = addr(argv[2], atoi(argv[3]));
  if (!strcmp(mode, "rr") || !strcmp(mode, "crr")) {
    if (argc < 5) return 2;
    double secs = atof(argv[4]);
    int crr = !strcmp(mode, "crr");
    int fd = crr ? -1 : dial(&a);
    double t0 = now(), end = t0 + secs, t = t0;
    while (t < end) {
      if (crr) {
        fd = dial(&a);
        xact(fd);
        close(fd);
      } else {
        xact(fd);
      }
      double t1 = now();
      record((t1 - t) * 1e6);
      t = t1;
    }
    if (!crr) close(fd);
    report(mode, t - t0);
    return 0;
  }
  if (!strcmp(mode, "echo")) {
    int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    tune(l);
    if (bind(l, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
    if (listen(l, 4096) < 0) die("listen");
    printf("ready\n");
    fflush(stdout);
    for (;;) {
      int c = accept(l, NULL, NULL);
      if (c < 0) continue;
      tune(c);
      char buf[4096];
      ssize_t n;
      while ((n = read(c, buf, sizeof buf)) > 0)
        if (write(c, buf, n) != n) break;
      close(c);
    }
  }
  if (!strcmp(mode, "hold")) {
    if (argc < 5) return 2;
    int n = atoi(argv[4]);
    struct rlimit rl = {n + 64, n + 64};
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0) die("setrlimit");
    int *fds = calloc(n, sizeof *fds);
    double t0 = now();
    for (int i = 0; i < n; i++) {
      fds[i] = dial(&a);
      xact(fds[i]);  // ESTABLISHED on both sides and accepted by the server
    }
    printf("{\"open\":%d,\"secs\":%.3f}\n", n, now() - t0);
    fflush(stdout);
    char line[64];
    if (!fgets(line, sizeof line, stdin)) {}
    t0 = now();
    for (int i = 0; i < n; i++) close(fds[i]);
    printf("{\"closed\":%d,\"secs\":%.3f}\n", n, now() - t0);
    fflush(stdout);
    if (!fgets(line, sizeof line, stdin)) {}
    return 0;
  }
  fprintf(stderr, "tcp_rr: unknown mode %s\n", mode);
  return 2;
}
