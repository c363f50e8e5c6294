/* ustcp from C (<ustcp/ustcp.h>): two hosts whose datagrams this program carries by hand, in
 * virtual time; an echo server found ready with ustcp_take_ready, and a client. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <ustcp/ustcp.h>

static void carry(ustcp_stack* from, ustcp_stack* to, int64_t now) {
  unsigned char d[2048];
  long n;
  while ((n = ustcp_poll_transmit(from, now, d, sizeof d)) > 0)
    ustcp_receive(to, now, d, (size_t)n);
}

int main(void) {
  char err[256];
  ustcp_config sc = {
      .addr = USTCP_IPV4(10, 0, 0, 2), .sysctls = "net.ipv4.tcp_syncookies = 2\n", .seed = 1};
  ustcp_config cc = {.addr = USTCP_IPV4(10, 0, 0, 1), .sysctls = NULL, .seed = 2};
  ustcp_stack* server = ustcp_stack_create(&sc, err, sizeof err);
  ustcp_stack* client = ustcp_stack_create(&cc, err, sizeof err);
  if (!server || !client) return fprintf(stderr, "echo_c: %s\n", err), 1;

  int64_t now = 0;
  int l = ustcp_socket(server);
  if (ustcp_bind(server, l, sc.addr, 7) < 0 || ustcp_listen(server, l, 8) < 0) return 1;
  ustcp_watch(server, l, USTCP_IN, 0);
  int c = ustcp_socket(client);
  if (ustcp_connect(client, now, c, sc.addr, 7) == 0 || errno != EINPROGRESS) return 1;
  const char* hello = "hello from C";
  char reply[64] = {0};
  size_t got = 0;
  int sent = 0;
  for (int round = 0; round < 100 && got < strlen(hello); ++round, now += 1000000) {
    carry(client, server, now);
    carry(server, client, now);
    ustcp_event ev[8];
    for (int i = 0, n = ustcp_take_ready(server, ev, 8); i < n; ++i) {
      if (ev[i].fd == l) {
        int a;
        while ((a = ustcp_accept(server, now, l, NULL, NULL)) >= 0)
          ustcp_watch(server, a, USTCP_IN | USTCP_ET, 1);
        continue;
      }
      char buf[256];
      long r;
      while ((r = ustcp_recv(server, now, ev[i].fd, buf, sizeof buf)) > 0)
        ustcp_send(server, now, ev[i].fd, buf, (size_t)r);
    }
    if (!sent && (ustcp_poll(client, c) & USTCP_OUT))
      sent = ustcp_send(client, now, c, hello, strlen(hello)) > 0;
    long r = ustcp_recv(client, now, c, reply + got, sizeof reply - 1 - got);
    if (r > 0) got += (size_t)r;
  }
  printf("echo_c: sent \"%s\", got back \"%s\" (SYN cookies on the server)\n", hello, reply);
  ustcp_stack_destroy(client);
  ustcp_stack_destroy(server);
  return strcmp(reply, hello) == 0 ? 0 : 1;
}
