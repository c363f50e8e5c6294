#include "ss_data.hpp"

#include <fmt/core.h>

#include "ustcp/tcp/state.hpp"

namespace ustcp::cli {
namespace {

using nlohmann::json;

// struct tcp_info's fields, by their Linux names (tcpi_ left off).
#define USTCP_TCPI_FIELDS(X)                                                                       \
  X(state)                                                                                         \
  X(ca_state)                                                                                      \
  X(retransmits)                                                                                   \
  X(probes)                                                                                        \
  X(backoff)                                                                                       \
  X(options)                                                                                       \
  X(snd_wscale)                                                                                    \
  X(rcv_wscale)                                                                                    \
  X(delivery_rate_app_limited)                                                                     \
  X(rto)                                                                                           \
  X(ato)                                                                                           \
  X(snd_mss) X(rcv_mss) X(unacked) X(sacked) X(lost) X(retrans) X(fackets) X(last_data_sent)       \
      X(last_ack_sent) X(last_data_recv) X(last_ack_recv) X(pmtu) X(rcv_ssthresh) X(rtt) X(rttvar) \
          X(snd_ssthresh) X(snd_cwnd) X(advmss) X(reordering) X(rcv_rtt) X(rcv_space)              \
              X(total_retrans) X(pacing_rate) X(max_pacing_rate) X(bytes_acked) X(bytes_received)  \
                  X(segs_out) X(segs_in) X(notsent_bytes) X(min_rtt) X(data_segs_in)               \
                      X(data_segs_out) X(delivery_rate) X(busy_time) X(rwnd_limited)               \
                          X(sndbuf_limited) X(delivered) X(delivered_ce) X(bytes_sent)             \
                              X(bytes_retrans) X(dsack_dups) X(reord_seen) X(rcv_ooopack)          \
                                  X(snd_wnd) X(rcv_wnd) X(rehash) X(total_rto)                     \
                                      X(total_rto_recoveries) X(total_rto_time)

// skmem's fields, as ss labels them.
#define USTCP_SKMEM_FIELDS(X) \
  X(r, rmem_alloc)            \
  X(rb, rcvbuf)               \
  X(t, wmem_alloc)            \
  X(tb, sndbuf) X(f, fwd_alloc) X(w, wmem_queued) X(o, optmem) X(bl, backlog) X(d, drops)

#define USTCP_SUMMARY_FIELDS(X) \
  X(sockets_used) X(tcp_inuse) X(tcp_orphan) X(tcp_tw) X(tcp_alloc) X(curr_estab)

json endpoint_json(const Endpoint& e) {
  return json{{"addr", e.addr.to_string()}, {"port", e.port}};
}

Expected<Endpoint, std::string> endpoint_from(const json& j, const char* what) {
  auto a = Ipv4Addr::parse(j.at("addr").get<std::string>());
  if (!a) return unexpected(fmt::format("{}: bad address '{}'", what, j.at("addr").dump()));
  return Endpoint{*a, j.at("port").get<uint16_t>()};
}

Expected<tcp::State, std::string> state_from(const std::string& name) {
  for (int i = 0; i <= static_cast<int>(tcp::State::Closing); ++i) {
    if (name == tcp::ss_name(static_cast<tcp::State>(i))) return static_cast<tcp::State>(i);
  }
  return unexpected(fmt::format("unknown state '{}'", name));
}

}  // namespace

const char* ss_timer_name(stack::DiagTimer t) {
  static const char* kNames[] = {"off", "on", "keepalive", "timewait", "persist"};
  return kNames[static_cast<int>(t)];
}

SsData ss_data(const stack::Stack& s, TimePoint now, int pid) {
  SsData d;
  d.sockets = stack::sock_diag(s, now);
  d.summary = stack::sock_summary(s);
  d.ephemeral = {s.config().ip_local_port_range[0], s.config().ip_local_port_range[1]};
  d.pid = pid;
  return d;
}

json socket_json(const stack::SockDiag& d) {
  json j{{"state", tcp::ss_name(d.state)},
         {"recv_q", d.recv_q},
         {"send_q", d.send_q},
         {"local", endpoint_json(d.local)},
         {"peer", endpoint_json(d.remote)},
         {"orphan", d.orphan},
         {"autobound", d.autobound},
         {"ino", d.ino},
         {"sk", d.cookie}};
  if (d.fd >= 0) j["fd"] = d.fd;
  if (d.timer != stack::DiagTimer::Off) {
    j["timer"] = {
        {"name", ss_timer_name(d.timer)}, {"expires_ms", d.expires_ms}, {"retrans", d.retrans}};
  }
  if (!d.full) return j;
  j["shutdown"] = d.shutdown;
  json mem;
#define USTCP_SKMEM_OUT(label, field) mem[#label] = d.mem.field;
  USTCP_SKMEM_FIELDS(USTCP_SKMEM_OUT)
#undef USTCP_SKMEM_OUT
  j["skmem"] = mem;
  json info;
#define USTCP_TCPI_OUT(field) info[#field] = d.info.field;
  USTCP_TCPI_FIELDS(USTCP_TCPI_OUT)
#undef USTCP_TCPI_OUT
  info["ca_name"] = d.info.ca_name ? d.info.ca_name : "";
  j["tcp_info"] = info;
  return j;
}

json summary_json(const stack::SockSummary& s) {
  json j;
#define USTCP_SUMMARY_OUT(field) j[#field] = s.field;
  USTCP_SUMMARY_FIELDS(USTCP_SUMMARY_OUT)
#undef USTCP_SUMMARY_OUT
  return j;
}

json ss_data_json(const SsData& d) {
  json socks = json::array();
  for (const auto& s : d.sockets) socks.push_back(socket_json(s));
  return json{{"sockets", socks},
              {"summary", summary_json(d.summary)},
              {"ip_local_port_range", {d.ephemeral.first, d.ephemeral.second}},
              {"pid", d.pid},
              {"comm", d.comm}};
}

Expected<SsData, std::string> ss_data_from_json(const json& j) {
  SsData d;
  try {
    for (const json& s : j.at("sockets")) {
      stack::SockDiag x;
      auto st = state_from(s.at("state").get<std::string>());
      if (!st) return unexpected(st.error());
      x.state = *st;
      x.recv_q = s.at("recv_q").get<uint32_t>();
      x.send_q = s.at("send_q").get<uint32_t>();
      auto local = endpoint_from(s.at("local"), "local");
      auto peer = endpoint_from(s.at("peer"), "peer");
      if (!local) return unexpected(local.error());
      if (!peer) return unexpected(peer.error());
      x.local = *local;
      x.remote = *peer;
      x.orphan = s.at("orphan").get<bool>();
      x.autobound = s.at("autobound").get<bool>();
      x.ino = s.at("ino").get<uint32_t>();
      x.cookie = s.at("sk").get<uint64_t>();
      x.fd = s.value("fd", -1);
      if (s.contains("timer")) {
        const json& t = s["timer"];
        const std::string name = t.at("name").get<std::string>();
        for (int k = 1; k <= 4; ++k) {
          if (name == ss_timer_name(static_cast<stack::DiagTimer>(k))) {
            x.timer = static_cast<stack::DiagTimer>(k);
          }
        }
        if (x.timer == stack::DiagTimer::Off) {
          return unexpected(fmt::format("unknown timer '{}'", name));
        }
        x.expires_ms = t.at("expires_ms").get<uint32_t>();
        x.retrans = t.at("retrans").get<uint32_t>();
      }
      x.full = s.contains("tcp_info");
      if (x.full) {
        x.shutdown = s.at("shutdown").get<uint8_t>();
        const json& mem = s.at("skmem");
#define USTCP_SKMEM_IN(label, field) x.mem.field = mem.at(#label).get<uint32_t>();
        USTCP_SKMEM_FIELDS(USTCP_SKMEM_IN)
#undef USTCP_SKMEM_IN
        const json& info = s.at("tcp_info");
#define USTCP_TCPI_IN(field) x.info.field = info.at(#field).get<decltype(x.info.field)>();
        USTCP_TCPI_FIELDS(USTCP_TCPI_IN)
#undef USTCP_TCPI_IN
        d.ca_names.push_back(info.at("ca_name").get<std::string>());
      } else {
        d.ca_names.emplace_back();
      }
      d.sockets.push_back(x);
    }
    const json& sum = j.at("summary");
#define USTCP_SUMMARY_IN(field) d.summary.field = sum.at(#field).get<uint32_t>();
    USTCP_SUMMARY_FIELDS(USTCP_SUMMARY_IN)
#undef USTCP_SUMMARY_IN
    d.ephemeral = {j.at("ip_local_port_range").at(0).get<int>(),
                   j.at("ip_local_port_range").at(1).get<int>()};
    d.pid = j.at("pid").get<int>();
    d.comm = j.at("comm").get<std::string>();
  } catch (const json::exception& e) {
    return unexpected(fmt::format("malformed socket data: {}", e.what()));
  }
  for (size_t i = 0; i < d.sockets.size(); ++i) d.sockets[i].info.ca_name = d.ca_names[i].c_str();
  return d;
}

}  // namespace ustcp::cli
