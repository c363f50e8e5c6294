// `ustcp transfer`: moves N bytes from the client to the server over an impaired
// simulated link, closes, and reports whether every byte arrived intact.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "sim_hosts.hpp"
#include "trace.hpp"
#include "ustcp/link/rng.hpp"
#include "ustcp/stack/netstat.hpp"

namespace ustcp::cli {

namespace {

// FNV-1a, 64 bits: enough to tell a corrupted stream from an intact one here (the
// checksum already caught the corruption we inject; this checks reassembly).
struct Digest {
  uint64_t h = 0xcbf29ce484222325ull;
  void add(Bytes b) {
    for (std::byte x : b) h = (h ^ std::to_integer<uint64_t>(x)) * 0x100000001b3ull;
  }
};

std::string final_state(const stack::Stack& s, const tcp::FourTuple& t) {
  for (const auto& row : s.socket_table()) {
    if (row.local == t.local && row.remote == t.remote) return tcp::ss_name(row.state);
  }
  return "CLOSED";
}

}  // namespace

int run_transfer(const TransferOptions& opt) {
  link::LinkParams lp{.delay = opt.delay,
                      .bandwidth_bps = opt.bandwidth_bps,
                      .loss = opt.loss,
                      .reorder = opt.reorder,
                      .duplicate = opt.duplicate,
                      .corrupt = opt.corrupt};
  SimHosts h(opt.seed, opt.config, lp);
  if (std::string e = h.capture(opt.capture); !e.empty()) {
    fmt::print(stderr, "ustcp transfer: {}\n", e);
    return 2;
  }
  std::optional<Tracer> tracer;
  if (opt.trace) {
    tracer.emplace(std::vector<Tracer::Host>{{"client", &h.client}, {"server", &h.server}});
    h.net.on_send([&](TimePoint t, Ipv4Addr from, Bytes d) { tracer->segment(t, from, d); });
  }
  stack::Stack& c = h.client;
  stack::Stack& s = h.server;
  auto lsock = *s.socket();
  (void)s.bind(lsock, {SimHosts::kServerAddr, 5001});
  (void)s.listen(lsock, 16);
  auto csock = *c.socket();
  (void)c.connect(h.net.now(), csock, {SimHosts::kServerAddr, 5001});

  // The payload: a deterministic pseudo-random stream, generated in chunks as it is sent.
  link::Rng gen(opt.seed ^ 0x5eed);
  std::vector<std::byte> chunk(64 * 1024);
  size_t chunk_len = 0, chunk_off = 0;
  uint64_t sent = 0, received = 0;
  Digest sent_digest, recv_digest;
  bool client_shut = false, client_eof = false, server_eof = false, failed = false;
  std::string error;
  std::optional<stack::SocketId> conn;
  std::vector<std::byte> buf(64 * 1024);
  TimePoint
      eof_at{};  // the receiver read the end of the stream (scripts/kernel_transfer.py's t_eof)

  auto step = [&]() {
    TimePoint now = h.net.now();
    // Client: write while the send buffer takes data, then shut down writing.
    while (sent < opt.bytes && (c.poll(csock) & stack::events::OUT)) {
      if (chunk_off == chunk_len) {
        chunk_len = static_cast<size_t>(std::min<uint64_t>(chunk.size(), opt.bytes - sent));
        for (size_t i = 0; i < chunk_len; i += 8) {
          uint64_t r = gen.next_u64();
          for (size_t k = 0; k < 8 && i + k < chunk_len; ++k)
            chunk[i + k] = std::byte(r >> (8 * k));
        }
        chunk_off = 0;
      }
      auto n = c.send(now, csock, Bytes(chunk.data() + chunk_off, chunk_len - chunk_off));
      if (!n) {
        if (n.error() != EAGAIN) {
          failed = true;
          error = fmt::format("client send: {}", stack::errno_name(n.error()));
        }
        break;
      }
      sent_digest.add(Bytes(chunk.data() + chunk_off, *n));
      sent += *n;
      chunk_off += *n;
    }
    if (sent == opt.bytes && !client_shut && c.poll(csock) & stack::events::OUT) {
      client_shut = c.shutdown(now, csock, 1).has_value();
    }
    // Server: accept, read everything, close after EOF.
    if (!conn) {
      if (auto a = s.accept(now, lsock)) conn = *a;
    }
    if (conn && !server_eof) {
      for (;;) {
        auto n = s.recv(now, *conn, MutBytes(buf.data(), buf.size()));
        if (!n) {
          if (n.error() != EAGAIN) {
            failed = true;
            error = fmt::format("server recv: {}", stack::errno_name(n.error()));
          }
          break;
        }
        if (*n == 0) {
          server_eof = true;
          eof_at = now;
          (void)s.close(now, *conn);
          break;
        }
        recv_digest.add(Bytes(buf.data(), *n));
        received += *n;
      }
    }
    // Client: wait for the server's FIN, then close.
    if (client_shut && !client_eof) {
      auto n = c.recv(now, csock, MutBytes(buf.data(), buf.size()));
      if (n && *n == 0) {
        client_eof = true;
      } else if (!n && n.error() != EAGAIN) {
        failed = true;
        error = fmt::format("client recv: {}", stack::errno_name(n.error()));
      }
    }
    if (tracer) tracer->states();
    return failed || (client_eof && server_eof);
  };
  const TimePoint limit = at(std::chrono::hours(24));
  bool finished = h.net.run_until(step, limit);
  tcp::FourTuple tuple;
  if (auto local = c.getsockname(csock)) tuple = {*local, {SimHosts::kServerAddr, 5001}};
  const TimePoint end = h.net.now();
  if (finished && !failed) (void)c.close(end, csock);
  // Let the last ACKs cross; the states reported are those a moment after both closed.
  const TimePoint settled = end + std::chrono::seconds(1) + lp.delay * 4;
  if (tracer) {
    // The state changes between events, in order with the segments.
    h.net.run_until(
        [&] {
          tracer->states();
          return false;
        },
        settled);
    fmt::print("\n");
  } else {
    h.net.run_until(settled);
  }
  tcp::FourTuple server_tuple{tuple.remote, tuple.local};
  std::string client_state = final_state(c, tuple);
  std::string server_state = final_state(s, server_tuple);
  if (!finished && error.empty()) error = "did not finish within 24 h of virtual time";

  const bool match = sent_digest.h == recv_digest.h && received == sent;
  const bool clean = finished && !failed && client_eof && server_eof &&
                     (client_state == "TIME-WAIT" || client_state == "CLOSED") &&
                     server_state == "CLOSED";
  const uint64_t retrans = c.counters().RetransSegs + s.counters().RetransSegs;
  const double secs = to_seconds(end);

  if (opt.json) {
    nlohmann::json j = {{"bytes_sent", sent},
                        {"bytes_received", received},
                        {"digest_match", match},
                        {"virtual_seconds", secs},
                        {"eof_seconds", to_seconds(eof_at)},
                        {"retransmits", retrans},
                        {"client_state", client_state},
                        {"server_state", server_state},
                        {"ok", match && clean}};
    if (!error.empty()) j["error"] = error;
    fmt::print("{}\n", j.dump());
  } else {
    fmt::print("bytes sent       {}\n", sent);
    fmt::print("bytes received   {}\n", received);
    fmt::print("digests match    {}\n", match ? "yes" : "NO");
    fmt::print("virtual time     {:.3f} s (the receiver read the end at {:.3f} s)\n", secs,
               to_seconds(eof_at));
    fmt::print("goodput          {:.2f} Mbit/s (virtual)\n",
               secs > 0 ? received * 8 / secs / 1e6 : 0.0);
    fmt::print("retransmissions  {} (client {}, server {})\n", retrans, c.counters().RetransSegs,
               s.counters().RetransSegs);
    const auto& st = h.net.stats();
    fmt::print("link             {} sent, {} lost, {} reordered, {} duplicated, {} corrupted\n",
               st.sent, st.lost, st.reordered, st.duplicated, st.corrupted);
    fmt::print("final states     client {}, server {}\n", client_state, server_state);
    if (!error.empty()) fmt::print("error            {}\n", error);
  }
  if (opt.nstat && !opt.json) {
    fmt::print("\nclient$ nstat -a\n{}", stack::nstat_text(c));
    fmt::print("\nserver$ nstat -a\n{}", stack::nstat_text(s));
  }
  return match && clean ? 0 : 1;
}

}  // namespace ustcp::cli
