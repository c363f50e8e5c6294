#include "lab_world.hpp"

#include <fmt/core.h>
#include <fnmatch.h>

#include <sstream>

#include "query.hpp"
#include "ss_print.hpp"
#include "ustcp/tcp/state.hpp"
#include "ustcp/wire/ipv4.hpp"
#include "ustcp/wire/tcp.hpp"

namespace ustcp::cli {

// Sends nothing; wakes at the application's tick so that the app loop runs at that rate
// even when the network is quiet.
class LabWorld::Ticker final : public link::Node {
 public:
  void receive(TimePoint, Bytes) override {}
  std::optional<Bytes> poll_transmit(TimePoint) override { return std::nullopt; }
  std::optional<TimePoint> next_deadline() const override { return next_; }
  void on_timer(TimePoint now) override { next_ = now + tick; }
  Duration tick = std::chrono::milliseconds(1);
  std::optional<TimePoint> next_;
};

// A host's Stack on the network. It also tells the world when the Stack discarded a
// datagram it was given, by the counter the Stack counted it in (the diagrams mark such a
// segment: it arrived, and was dropped there).
class LabWorld::Receiver final : public link::Node {
 public:
  Receiver(LabWorld& w, stack::Stack& s) : w_(w), s_(s) {}
  void receive(TimePoint now, Bytes d) override {
    const tcp::Counters before = s_.counters();
    s_.receive(now, d);
    if (const char* counter = discard_counter(before, s_.counters())) w_.on_discard(d, counter);
  }
  std::optional<Bytes> poll_transmit(TimePoint now) override { return s_.poll_transmit(now); }
  std::optional<TimePoint> next_deadline() const override { return s_.next_deadline(); }
  void on_timer(TimePoint now) override { s_.on_timer(now); }

 private:
  // The counters Linux increments when it drops an incoming segment, the most specific first
  // (ListenDrops also counts every ListenOverflows and TCPReqQFullDrop).
  static const char* discard_counter(const tcp::Counters& a, const tcp::Counters& b) {
#define USTCP_DISCARD(name) \
  if (b.name != a.name) return #name;
    USTCP_DISCARD(ListenOverflows)
    USTCP_DISCARD(TCPReqQFullDrop)
    USTCP_DISCARD(TCPDeferAcceptDrop)
    USTCP_DISCARD(PAWSEstab)
    USTCP_DISCARD(TCPMinTTLDrop)
    USTCP_DISCARD(InErrs)
    USTCP_DISCARD(ListenDrops)
#undef USTCP_DISCARD
    return nullptr;
  }

  LabWorld& w_;
  stack::Stack& s_;
};

namespace {
constexpr Ipv4Addr kTickerAddr{10, 255, 255, 254};
}

LabWorld::LabWorld(uint64_t seed) : net_(seed), ticker_(std::make_unique<Ticker>()) {
  net_.attach(*ticker_, kTickerAddr);
  net_.on_send([this](TimePoint t, Ipv4Addr from, Bytes d) { on_send(t, from, d); });
  net_.on_drop([this](TimePoint, Bytes, link::DropReason) {
    // Drops are decided as the datagram is sent: it is the one just recorded.
    if (!segments_.empty()) segments_.back().dropped = true;
  });
}

LabWorld::~LabWorld() = default;

stack::Stack& LabWorld::add_host(const std::string& name, Ipv4Addr addr, const tcp::Config& cfg,
                                 link::LinkParams link) {
  auto h = std::make_unique<Host>();
  h->name = name;
  h->lane = static_cast<int>(lane_names_.size());
  h->stack = std::make_unique<stack::Stack>(addr, cfg, 100 + hosts_.size());
  h->stack->enable_state_log(true);
  h->node = std::make_unique<Receiver>(*this, *h->stack);
  net_.attach(*h->node, addr, link);
  lane_names_.push_back(name);
  lane_addrs_.push_back(addr);
  hosts_.push_back(std::move(h));
  return *hosts_.back()->stack;
}

void LabWorld::add_node(const std::string& name, Ipv4Addr addr, link::Node& node,
                        link::LinkParams link) {
  net_.attach(node, addr, link);
  lane_names_.push_back(name);
  lane_addrs_.push_back(addr);
}

std::string LabWorld::capture(const std::string& path) {
  pcap_ = std::make_unique<link::PcapWriter>(path);
  if (!pcap_->ok()) return pcap_->error();
  net_.capture(*pcap_);
  return "";
}

int LabWorld::lane_of(Ipv4Addr a) const {
  for (size_t i = 0; i < lane_addrs_.size(); ++i) {
    if (lane_addrs_[i] == a) return static_cast<int>(i);
  }
  return -1;
}

void LabWorld::on_send(TimePoint t, Ipv4Addr from, Bytes d) {
  auto ip = wire::Ipv4View::parse(d);
  if (!ip || ip->protocol() != wire::kProtoTcp) return;
  auto tcp = wire::TcpView::parse(ip->payload(), ip->src(), ip->dst(), /*verify=*/false);
  if (!tcp) return;
  LabSegment s;
  s.t = t;
  s.from = lane_of(from);
  s.to = lane_of(ip->dst());
  s.src = {ip->src(), tcp->src_port()};
  s.dst = {ip->dst(), tcp->dst_port()};
  s.flags = tcp->flags();
  s.seq = tcp->seq().raw();
  s.ack = tcp->ack().raw();
  s.len = static_cast<uint32_t>(tcp->payload().size());
  s.sack_count = tcp->options().sack_count;
  s.sack = tcp->options().sack;
  segments_.push_back(s);
}

void LabWorld::on_discard(Bytes d, const char* counter) {
  auto ip = wire::Ipv4View::parse(d);
  if (!ip || ip->protocol() != wire::kProtoTcp) return;
  auto tcp = wire::TcpView::parse(ip->payload(), ip->src(), ip->dst(), /*verify=*/false);
  if (!tcp) return;
  // The segment as recorded when sent: the latest one like it not yet marked (a datagram
  // arrives within the link's delay, so the search stays near the end).
  const Endpoint src{ip->src(), tcp->src_port()}, dst{ip->dst(), tcp->dst_port()};
  for (auto it = segments_.rbegin(); it != segments_.rend(); ++it) {
    if (it->src == src && it->dst == dst && it->seq == tcp->seq().raw() &&
        it->ack == tcp->ack().raw() && it->flags == tcp->flags() && !it->dropped &&
        !it->discarded) {
      it->discarded = counter;
      return;
    }
  }
}

void LabWorld::drain_logs() {
  for (auto& h : hosts_) {
    std::vector<tcp::StateChange> log = h->stack->take_state_log();
    if (log.empty()) continue;
    for (const tcp::StateChange& c : log) {
      changes_.push_back({c.at, h->lane, c.tuple, c.from, c.to});
      // Counted by what this socket was last seen in (the log's `from` is not needed).
      auto it = h->state.find(c.tuple);
      if (it != h->state.end()) {
        --h->n[static_cast<int>(it->second)];
        if (c.to == tcp::State::Close) {
          h->state.erase(it);
        } else {
          it->second = c.to;
        }
      } else if (c.to != tcp::State::Close) {
        h->state.emplace(c.tuple, c.to);
      }
      if (c.to != tcp::State::Close) ++h->n[static_cast<int>(c.to)];
    }
    // Counts and peaks as they stand after the event: a socket that passes through a state
    // within one event (TIME_WAIT refused by tcp_max_tw_buckets) is not counted in it.
    for (int k = 0; k < kStates; ++k) h->peak[k] = std::max(h->peak[k], h->n[k]);
    const TimePoint t = log.back().at;
    if (counts_.empty() || counts_.back().t != t || counts_.back().host != h->lane) {
      counts_.push_back({t, h->lane, h->n});
    } else {
      counts_.back().n = h->n;
    }
  }
}

TimePoint LabWorld::run(TimePoint until, Duration tick, const std::function<bool(TimePoint)>& app) {
  ticker_->tick = tick;
  ticker_->next_ = net_.now();
  // Listeners are not in the state log: count them as they are now.
  for (auto& h : hosts_) {
    uint32_t listening = 0;
    for (const auto& row : h->stack->socket_table()) listening += row.state == tcp::State::Listen;
    const int k = static_cast<int>(tcp::State::Listen);
    if (h->n[k] != listening) {
      h->n[k] = listening;
      h->peak[k] = std::max(h->peak[k], listening);
      counts_.push_back({net_.now(), h->lane, h->n});
    }
  }
  TimePoint next_app = net_.now();
  bool stop = false;
  net_.run_until(
      [&] {
        drain_logs();
        if (!stop && net_.now() >= next_app) {
          next_app = net_.now() + tick;
          stop = !app(net_.now());
          drain_logs();
        }
        return stop;
      },
      until);
  drain_logs();
  ticker_->next_.reset();
  return net_.now();
}

// The virtual time as the report's lines start with it.
std::string LabWorld::clock() const { return fmt::format("{:8.3f} s", to_seconds(net_.now())); }

void LabWorld::note(const std::string& text) {
  notes_.push_back({net_.now(), text});
  fmt::print("  {}  {}\n", clock(), text);
}

void LabWorld::say(const std::string& text) { fmt::print("{}\n", text); }

LabWorld::Host& LabWorld::find(const std::string& name) {
  for (auto& h : hosts_) {
    if (h->name == name) return *h;
  }
  throw std::invalid_argument("no lab host " + name);
}

const LabWorld::Host& LabWorld::find(const std::string& name) const {
  for (const auto& h : hosts_) {
    if (h->name == name) return *h;
  }
  throw std::invalid_argument("no lab host " + name);
}

stack::Stack& LabWorld::stack(const std::string& host) { return *find(host).stack; }

uint32_t LabWorld::count(const std::string& host, tcp::State st) const {
  return find(host).n[static_cast<int>(st)];
}

uint32_t LabWorld::peak(const std::string& host, tcp::State st) const {
  return find(host).peak[static_cast<int>(st)];
}

void LabWorld::show_ss(const std::string& host, const std::string& args, size_t rows) {
  // The same options and filters as `ustcp ss` (query.cpp), applied to this host.
  SsCommand c;
  std::istringstream in(args);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  CLI::App app;
  add_ss_options(&app, c);
  std::vector<std::string> argv(words.rbegin(), words.rend());
  app.parse(argv);
  SsOptions o;
  std::string error;
  if (!ss_options(c, o, error)) throw std::invalid_argument("lab: ss " + args + ": " + error);
  o.screen_width = -1;
  const SsData data = ss_data(*find(host).stack, net_.now(), 0);
  std::string text = c.summary ? ss_summary_text(data.summary) : ss_table_text(data, o);
  // At most `rows` rows after the header.
  std::istringstream lines(text);
  std::string out, line;
  size_t n = 0, total = 0;
  while (std::getline(lines, line)) {
    ++total;
    if (c.summary || n++ <= rows) out += "    " + line + "\n";
  }
  if (!c.summary && total > rows + 1) {
    out += fmt::format("    ... {} more\n", total - rows - 1);
  }
  fmt::print("  {}  {}$ ss {}\n{}", clock(), host, args, out);
}

void LabWorld::show_nstat(const std::string& host, const std::vector<std::string>& patterns) {
  Host& h = find(host);
  const auto now = stack::nstat_rows(*h.stack);
  auto rows = stack::nstat_increments(now, h.nstat_history);
  h.nstat_history = now;
  std::erase_if(rows, [&](const stack::NstatRow& r) {
    for (const auto& p : patterns) {
      if (::fnmatch(p.c_str(), r.name.c_str(), FNM_CASEFOLD) == 0) return false;
    }
    return true;
  });
  std::string args;
  for (const auto& p : patterns) args += " " + p;
  std::string text = stack::nstat_text(rows);
  std::istringstream lines(text);
  std::string out;
  for (std::string line; std::getline(lines, line);) out += "    " + line + "\n";
  fmt::print("  {}  {}$ nstat{}\n{}", clock(), host, args, out);
}

}  // namespace ustcp::cli
