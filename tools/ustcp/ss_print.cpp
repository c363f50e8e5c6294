#include "ss_print.hpp"

#include <arpa/inet.h>
#include <fmt/core.h>
#include <fmt/printf.h>
#include <netdb.h>
#include <sys/socket.h>

#include "ss_table.hpp"
#include "ustcp/tcp/state.hpp"

namespace ustcp::cli {
namespace {

using stack::SockDiag;

bool selected(const SockDiag& s, const SsOptions& o) {
  const StateMask states = o.states ? o.states : conn_states();
  return o.tcp && o.ipv4 && (states & state_bit(s.state)) && o.filter.matches(s);
}

// format_host(): the address, or with -r the name its reverse lookup gives.
std::string host(Ipv4Addr a, const SsOptions& o) {
  if (o.resolve) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(a.raw());
    char name[NI_MAXHOST];
    if (::getnameinfo(reinterpret_cast<sockaddr*>(&sin), sizeof sin, name, sizeof name, nullptr, 0,
                      NI_NAMEREQD) == 0) {
      return name;
    }
  }
  return a.to_string();
}

// resolve_service(): "*" for port 0; a service name unless -n or the port is ephemeral
// (ss does not look those up: /etc/services is full of names nobody uses there).
std::string service(uint16_t port, const SsData& d, const SsOptions& o) {
  if (port == 0) return "*";
  if (!o.numeric && !(port >= d.ephemeral.first && port <= d.ephemeral.second)) {
    if (const servent* se = ::getservbyport(htons(port), "tcp")) return se->s_name;
  }
  return std::to_string(port);
}

// sprint_bw(): bits per second, in k/M/G/T with 3 digits unless -n.
std::string bw(double b, const SsOptions& o) {
  if (o.numeric) return fmt::sprintf("%.0f", b);
  if (b >= 1e12) return fmt::sprintf("%.3gT", b / 1e12);
  if (b >= 1e9) return fmt::sprintf("%.3gG", b / 1e9);
  if (b >= 1e6) return fmt::sprintf("%.3gM", b / 1e6);
  if (b >= 1e3) return fmt::sprintf("%.3gk", b / 1e3);
  return fmt::sprintf("%g", b);
}

// tcp_show_info() with the attributes the kernel sends for the flags given: skmem for -m,
// congestion control and tcp_info for -i.
void tcp_show_info(SsTable& t, const SockDiag& s, const SsOptions& o) {
  if (o.memory) {
    const stack::SockMem& m = s.mem;
    t.out(fmt::format(" skmem:(r{},rb{},t{},tb{},f{},w{},o{},bl{},d{})", m.rmem_alloc, m.rcvbuf,
                      m.wmem_alloc, m.sndbuf, m.fwd_alloc, m.wmem_queued, m.optmem, m.backlog,
                      m.drops));
  }
  if (!o.info) return;
  const tcp::TcpInfo& i = s.info;
  const bool listen = s.state == tcp::State::Listen;
  // tcp_stats_print(), in its order; zero fields are left out.
  if (o.options) {
    if (i.options & tcp::tcpi_opt::TIMESTAMPS) t.out(" ts");
    if (i.options & tcp::tcpi_opt::SACK) t.out(" sack");
    if (i.options & tcp::tcpi_opt::ECN) t.out(" ecn");
  }
  if (i.ca_name && *i.ca_name) t.out(fmt::format(" {}", i.ca_name));
  if (i.options & tcp::tcpi_opt::WSCALE) {
    t.out(fmt::format(" wscale:{},{}", i.snd_wscale, i.rcv_wscale));
  }
  if (i.rto && i.rto != 3000000) t.out(fmt::sprintf(" rto:%g", i.rto / 1000.0));
  if (i.backoff) t.out(fmt::format(" backoff:{}", i.backoff));
  if (i.rtt) t.out(fmt::sprintf(" rtt:%g/%g", i.rtt / 1000.0, i.rttvar / 1000.0));
  if (i.ato) t.out(fmt::sprintf(" ato:%g", i.ato / 1000.0));
  if (i.snd_mss) t.out(fmt::format(" mss:{}", i.snd_mss));
  if (i.pmtu) t.out(fmt::format(" pmtu:{}", i.pmtu));
  if (i.rcv_mss) t.out(fmt::format(" rcvmss:{}", i.rcv_mss));
  if (i.advmss) t.out(fmt::format(" advmss:{}", i.advmss));
  if (i.snd_cwnd) t.out(fmt::format(" cwnd:{}", i.snd_cwnd));
  if (i.snd_ssthresh && i.snd_ssthresh < 0xFFFF) t.out(fmt::format(" ssthresh:{}", i.snd_ssthresh));
  if (i.bytes_sent) t.out(fmt::format(" bytes_sent:{}", i.bytes_sent));
  if (i.bytes_retrans) t.out(fmt::format(" bytes_retrans:{}", i.bytes_retrans));
  if (i.bytes_acked) t.out(fmt::format(" bytes_acked:{}", i.bytes_acked));
  if (i.bytes_received) t.out(fmt::format(" bytes_received:{}", i.bytes_received));
  if (i.segs_out) t.out(fmt::format(" segs_out:{}", i.segs_out));
  if (i.segs_in) t.out(fmt::format(" segs_in:{}", i.segs_in));
  if (i.data_segs_out) t.out(fmt::format(" data_segs_out:{}", i.data_segs_out));
  if (i.data_segs_in) t.out(fmt::format(" data_segs_in:{}", i.data_segs_in));
  if (i.rtt && i.snd_mss && i.snd_cwnd) {
    t.out(" send " + bw(double(i.snd_cwnd) * double(i.snd_mss) * 8000000. / i.rtt, o) + "bps");
  }
  if (i.last_data_sent) t.out(fmt::format(" lastsnd:{}", i.last_data_sent));
  if (i.last_data_recv) t.out(fmt::format(" lastrcv:{}", i.last_data_recv));
  if (i.last_ack_recv) t.out(fmt::format(" lastack:{}", i.last_ack_recv));
  if (i.pacing_rate && i.pacing_rate != ~0ull) {
    t.out(" pacing_rate " + bw(i.pacing_rate * 8., o) + "bps");
    if (i.max_pacing_rate && i.max_pacing_rate != ~0ull) {
      t.out("/" + bw(i.max_pacing_rate * 8., o) + "bps");
    }
  }
  if (i.delivery_rate) t.out(" delivery_rate " + bw(i.delivery_rate * 8., o) + "bps");
  if (i.delivered) t.out(fmt::format(" delivered:{}", i.delivered));
  if (i.delivered_ce) t.out(fmt::format(" delivered_ce:{}", i.delivered_ce));
  if (i.delivery_rate_app_limited) t.out(" app_limited");
  if (i.busy_time) {
    t.out(fmt::format(" busy:{}ms", i.busy_time / 1000));
    if (i.rwnd_limited) {
      t.out(fmt::sprintf(" rwnd_limited:%llums(%.1f%%)",
                         static_cast<unsigned long long>(i.rwnd_limited / 1000),
                         100.0 * i.rwnd_limited / i.busy_time));
    }
    if (i.sndbuf_limited) {
      t.out(fmt::sprintf(" sndbuf_limited:%llums(%.1f%%)",
                         static_cast<unsigned long long>(i.sndbuf_limited / 1000),
                         100.0 * i.sndbuf_limited / i.busy_time));
    }
  }
  if (i.unacked) t.out(fmt::format(" unacked:{}", i.unacked));
  if (i.retrans || i.total_retrans)
    t.out(fmt::format(" retrans:{}/{}", i.retrans, i.total_retrans));
  if (i.lost) t.out(fmt::format(" lost:{}", i.lost));
  if (i.sacked && !listen) t.out(fmt::format(" sacked:{}", i.sacked));
  if (i.dsack_dups) t.out(fmt::format(" dsack_dups:{}", i.dsack_dups));
  if (i.fackets) t.out(fmt::format(" fackets:{}", i.fackets));
  if (i.reordering != 3) t.out(fmt::format(" reordering:{}", i.reordering));
  if (i.reord_seen) t.out(fmt::format(" reord_seen:{}", i.reord_seen));
  if (i.rcv_rtt) t.out(fmt::sprintf(" rcv_rtt:%g", i.rcv_rtt / 1000.0));
  if (i.rcv_space) t.out(fmt::format(" rcv_space:{}", i.rcv_space));
  if (i.rcv_ssthresh) t.out(fmt::format(" rcv_ssthresh:{}", i.rcv_ssthresh));
  if (i.notsent_bytes) t.out(fmt::format(" notsent:{}", i.notsent_bytes));
  if (i.min_rtt && i.min_rtt != ~0u) t.out(fmt::sprintf(" minrtt:%g", i.min_rtt / 1000.0));
  if (i.rcv_ooopack) t.out(fmt::format(" rcv_ooopack:{}", i.rcv_ooopack));
  if (i.snd_wnd) t.out(fmt::format(" snd_wnd:{}", i.snd_wnd));
}

}  // namespace

std::string ss_ms_timer(uint32_t timeout) {
  int secs = static_cast<int>(timeout / 1000);
  const int minutes = secs / 60;
  secs %= 60;
  int msecs = static_cast<int>(timeout % 1000);
  std::string s;
  if (minutes) {
    msecs = 0;
    s = fmt::format("{}min", minutes);
    if (minutes > 9) secs = 0;
  }
  if (secs) {
    if (secs > 9) msecs = 0;
    s += fmt::format("{}{}", secs, msecs ? "." : "sec");
  }
  if (msecs) s += fmt::format("{:03}ms", msecs);
  return s;
}

std::string ss_table_text(const SsData& d, const SsOptions& o) {
  SsTable t(o.screen_width);
  if (!o.netid) t.disable(SsTable::Netid);
  const StateMask states = o.states ? o.states : conn_states();
  if (!(states & (states - 1))) t.disable(SsTable::State);
  if (o.header) t.header();
  for (const SockDiag& s : d.sockets) {
    if (!selected(s, o)) continue;
    // sock_state_print()
    t.set(SsTable::Netid);
    t.out("tcp");
    t.set(SsTable::State);
    t.out(tcp::ss_name(s.state));
    t.set(SsTable::RecvQ);
    t.out(fmt::format("{:<6}", s.recv_q));
    t.set(SsTable::SendQ);
    t.out(fmt::format("{:<6}", s.send_q));
    t.set(SsTable::Addr);
    // inet_addr_print(): "ADDR:" right-aligned, then the port.
    for (const Endpoint& e : {s.local, s.remote}) {
      t.out(host(e.addr, o) + ":");
      t.next();
      t.out(service(e.port, d, o));
      t.next();
    }
    if (o.processes && s.fd >= 0) {
      t.out(fmt::format(" users:((\"{}\",pid={},fd={}))", d.comm, d.pid, s.fd));
    }
    if (o.options && s.timer != stack::DiagTimer::Off) {
      t.out(fmt::format(" timer:({},{},{})", ss_timer_name(s.timer), ss_ms_timer(s.expires_ms),
                        s.retrans));
    }
    if (o.details) {
      t.out(fmt::format(" ino:{} sk:{:x}", s.ino, s.cookie));
      // INET_DIAG_SHUTDOWN, full sockets only: '<' can still receive, '>' can still send.
      if (s.full) {
        t.out(fmt::format(" {}-{}", s.shutdown & 1 ? '-' : '<', s.shutdown & 2 ? '-' : '>'));
      }
    }
    if (o.memory || o.info) {
      if (!o.oneline) t.out("\n\t");
      if (s.full) tcp_show_info(t, s, o);
    }
  }
  return t.finish();
}

std::string ss_summary_text(const stack::SockSummary& s) {
  // print_summary() over /proc/net/sockstat: "closed" are sockets not in a hash table.
  std::string out = fmt::format("Total: {}\n", s.sockets_used);
  out += fmt::format(
      "TCP:   {} (estab {}, closed {}, orphaned {}, timewait {})\n", s.tcp_alloc + s.tcp_tw,
      s.curr_estab,
      static_cast<int>(s.tcp_alloc) - (static_cast<int>(s.tcp_inuse) - static_cast<int>(s.tcp_tw)),
      s.tcp_orphan, s.tcp_tw);
  out += "\nTransport Total     IP        IPv6\n";
  auto row = [&](const char* name, uint32_t v4) {
    out += fmt::sprintf("%s\t  %-9d %-9d %-9d\n", name, v4, v4, 0);
  };
  row("RAW", 0);
  row("UDP", 0);
  row("TCP", s.tcp_inuse);
  row("INET", s.tcp_inuse);
  row("FRAG", 0);
  return out + "\n";
}

std::string ss_json_text(const SsData& d, const SsOptions& o, bool summary) {
  nlohmann::json j;
  nlohmann::json socks = nlohmann::json::array();
  for (const SockDiag& s : d.sockets) {
    if (selected(s, o)) socks.push_back(socket_json(s));
  }
  if (summary) j["summary"] = summary_json(d.summary);
  j["sockets"] = socks;
  return j.dump(2) + "\n";
}

}  // namespace ustcp::cli
