// The physical-limit proxy of reference/tcp.md Appendix A, written for tapstack's benchmark: two
// TAPs, each created inside its own namespace, every frame read from one written unchanged to
// the other. kernel ↔ TAP ↔ relay ↔ TAP ↔ kernel. Plain frames, or with --vnet the virtio-net
// header and TUNSETOFFLOAD(CSUM|TSO4|TSO6) on both TAPs: super-frames and their headers pass through
// unchanged (reference/tcp.md §2.2, "IFF_VNET_HDR + TUN_F_CSUM|TSO4|TSO6").
// usage: relay [--vnet] NS_A NS_B IF_A IF_B
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int vnet;

static int opentap(const char *ns, const char *name) {
  char p[256];
  snprintf(p, sizeof p, "/run/netns/%s", ns);
  int nsfd = open(p, O_RDONLY);
  if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0) { perror("setns"); exit(1); }
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
  if (fd < 0) { perror("tun"); exit(1); }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0);
  strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) { perror("TUNSETIFF"); exit(1); }
  if (vnet) {
    int sz = 10;
    if (ioctl(fd, TUNSETVNETHDRSZ, &sz) < 0) { perror("TUNSETVNETHDRSZ"); exit(1); }
    if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)) < 0) { perror("TUNSETOFFLOAD"); exit(1); }
  }
  // Bring it up from inside its namespace.
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  ifr.ifr_flags = IFF_UP | IFF_RUNNING;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) { perror("SIOCSIFFLAGS"); exit(1); }
  close(s);
  close(nsfd);
  return fd;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--vnet") == 0) { vnet = 1; argv++; argc--; }
  if (argc < 5) { fprintf(stderr, "usage: relay [--vnet] NS_A NS_B IF_A IF_B\n"); return 2; }
  int fa = opentap(argv[1], argv[3]);
  int fb = opentap(argv[2], argv[4]);
  static char buf[70000];
  struct pollfd p[2] = {{fa, POLLIN, 0}, {fb, POLLIN, 0}};
  printf("ready\n");
  fflush(stdout);
  for (;;) {
    if (poll(p, 2, -1) < 0) continue;
    for (int i = 0; i < 2; i++) {
      if (!(p[i].revents & POLLIN)) continue;
      int from = i ? fb : fa, to = i ? fa : fb;
      for (int k = 0; k < 64; k++) {
        ssize_t n = read(from, buf, sizeof buf);
        if (n <= 0) break;
        // A full TAP queue drops the frame, as a wire would.
        if (write(to, buf, n) < 0) {}
      }
    }
  }
}
