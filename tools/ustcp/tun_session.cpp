#include "tun_session.hpp"

#include <fmt/core.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "ustcp/link/random_secrets.hpp"
#include "ustcp/tcp/state.hpp"

namespace ustcp::cli {

namespace {

// "198.18.0.2/24" -> (address, 24).
std::optional<std::pair<Ipv4Addr, int>> parse_prefix(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  auto addr = Ipv4Addr::parse(text.substr(0, slash));
  const std::string len = text.substr(slash + 1);
  if (!addr || len.empty() || len.size() > 2 ||
      len.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  const int n = std::stoi(len);
  if (n < 1 || n > 30) return std::nullopt;  // room for two hosts: us and the kernel
  return std::pair{*addr, n};
}

bool same_subnet(Ipv4Addr a, Ipv4Addr b, int prefix) {
  const uint32_t mask = Ipv4Addr::netmask(prefix).raw();
  return (a.raw() & mask) == (b.raw() & mask);
}

}  // namespace

std::unique_ptr<TunSession> TunSession::open(const TunOptions& o, const std::string& cmd,
                                             std::string& error, bool& bad_usage) {
  bad_usage = true;
  std::unique_ptr<TunSession> s(new TunSession());
  s->cmd_ = cmd;
  if (!link::valid_interface_name(o.tun)) {
    error = fmt::format(
        "--tun '{}': not a valid interface name (1 to 15 characters, no '/', "
        "':', '%' or spaces)",
        o.tun);
    return nullptr;
  }
  auto prefix = parse_prefix(o.addr);
  if (!prefix) {
    error = fmt::format(
        "--addr '{}': expected an IPv4 address with a prefix length from 1 to "
        "30, e.g. 198.18.0.2/24",
        o.addr);
    return nullptr;
  }
  s->addr_ = prefix->first;
  s->prefix_ = prefix->second;
  std::optional<Ipv4Addr> peer;
  if (!o.peer_addr.empty()) {
    peer = Ipv4Addr::parse(o.peer_addr);
    if (!peer || *peer == s->addr_ || !same_subnet(*peer, s->addr_, s->prefix_)) {
      error = fmt::format("--peer-addr '{}': expected an IPv4 address in {} other than ustcp's",
                          o.peer_addr, o.addr);
      return nullptr;
    }
  }
  tcp::Config cfg;
  if (!load_config(o.stack, cfg, error)) return nullptr;
  link::PcapOptions pcap_options;
  if (!pcap_options_from(o.capture, pcap_options, error)) return nullptr;
  const std::string control = o.control.empty() ? default_control_path(o.tun) : o.control;

  bad_usage = false;
  auto tun = link::TunDevice::open(o.tun);
  if (!tun) {
    error = tun.error();
    return nullptr;
  }
  s->tun_.emplace(std::move(*tun));
  // The kernel's side: ours to set on a device we created (or when asked); a device the
  // user made with `ip tuntap add` keeps the addresses they gave it.
  if (s->tun_->created() || peer) {
    if (!peer) peer = link::other_host(s->addr_, s->prefix_);
    error = s->tun_->configure(*peer, s->prefix_);
  } else {
    error = s->tun_->bring_up();
  }
  if (!error.empty()) return nullptr;

  // Every secret (ISN, timestamp offset, SYN-cookie, demux and port keys) gets 128 bits
  // of its own from getrandom().
  auto secrets = link::random_secrets();
  if (!secrets) {
    error = secrets.error();
    return nullptr;
  }
  s->stack_ = std::make_unique<stack::Stack>(s->addr_, cfg, *secrets);
  s->host_ = std::make_unique<apps::Host>(*s->stack_);
  s->top_ = s->host_.get();
  if (o.trace) {
    s->tracer_ = std::make_unique<Tracer>(std::vector<Tracer::Host>{{"ustcp", s->stack_.get()}},
                                          s->info_, link::TunLoop::now());
    s->trace_tap_ = std::make_unique<TraceTap>(*s->top_, *s->tracer_, s->addr_);
    s->top_ = s->trace_tap_.get();
  }
  if (!o.capture.path.empty()) {
    s->pcap_ = std::make_unique<link::PcapWriter>(o.capture.path, pcap_options);
    if (!s->pcap_->ok()) {
      error = "--pcap: " + s->pcap_->error();
      return nullptr;
    }
    s->pcap_->set_clock_offset(link::TunLoop::wall_offset());
    s->tap_ = std::make_unique<link::PcapTap>(*s->top_, *s->pcap_);
    s->top_ = s->tap_.get();
  }
  auto server = ControlServer::listen(control);
  if (!server) {
    error = server.error();
    return nullptr;
  }
  s->control_.emplace(std::move(*server));
  s->introspect_ = std::make_unique<Introspection>(*s->stack_, static_cast<int>(::getpid()));

  // SIGINT and SIGTERM arrive through a descriptor the loop watches, so a signal is handled
  // between two rounds, never in the middle of one.
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGHUP);
  sigprocmask(SIG_BLOCK, &mask, &s->old_mask_);
  s->signal_fd_ = ::signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (s->signal_fd_ < 0) {
    error = "signalfd: " + std::string(std::strerror(errno));
    return nullptr;
  }
  return s;
}

TunSession::~TunSession() {
  if (signal_fd_ >= 0) {
    ::close(signal_fd_);
    sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
  }
}

void TunSession::describe() const {
  std::FILE* out = info_;
  auto kernel = tun_->kernel_address();
  fmt::print(out, "ustcp {}: {} ({}), mtu {}: Linux {} <-> ustcp {}/{}\n", cmd_, tun_->name(),
             tun_->created() ? "created; removed at exit" : "existing", tun_->mtu(),
             kernel ? fmt::format("{}/{}", kernel->first.to_string(), kernel->second)
                    : std::string("(no address)"),
             addr_.to_string(), prefix_);
  fmt::print(out, "ustcp {}: control socket {} (ustcp ss, ustcp nstat)\n", cmd_, control_->path());
  if (pcap_) fmt::print(out, "ustcp {}: writing datagrams to {}\n", cmd_, pcap_->path());
}

bool TunSession::signalled() {
  signalfd_siginfo info;
  bool got = false;
  while (::read(signal_fd_, &info, sizeof info) == sizeof info) got = true;
  return got;
}

size_t TunSession::unfinished() const {
  size_t n = 0;
  for (const auto& row : stack_->socket_table()) {
    switch (row.state) {
      case tcp::State::Listen:
      case tcp::State::FinWait2:  // our FIN is acknowledged: the peer's close is its own
      case tcp::State::TimeWait:
      case tcp::State::Close:
        break;
      default:
        ++n;
    }
  }
  return n;
}

int TunSession::run(const std::function<bool(TimePoint, TimePoint&)>& step, Duration grace) {
  link::TunLoop loop(*tun_, *top_);
  loop.watch(signal_fd_);
  loop.watch(control_->fd());
  std::optional<TimePoint> stop_by;
  TimePoint next_flush{};
  loop.run([&](TimePoint now, TimePoint& wake) {
    control_->serve([&](const std::string& request) { return introspect_->answer(request, now); });
    if (pcap_ && now >= next_flush) {  // so Wireshark can follow the file while we run
      pcap_->flush();
      next_flush = now + std::chrono::seconds(1);
    }
    // Always read the signalfd: a signal left in it would wake every round. A second signal
    // while the connections are closing means "now": stop without waiting for them.
    const bool by_signal = signalled();
    if (by_signal && stop_by) return false;
    if (!stop_by && (by_signal || !step(now, wake))) {
      interrupted_ = by_signal;
      if (by_signal) {
        fmt::print(info_, "ustcp {}: stopping: closing {} connection(s) with FIN\n", cmd_,
                   unfinished());
        std::fflush(info_);
      }
      host_->shutdown(now);
      stop_by = now + grace;
    }
    if (stop_by) {
      if (unfinished() == 0 || now >= *stop_by) return false;
      wake = std::min(wake, *stop_by);
    }
    return true;
  });
  if (!loop.error().empty()) {
    fmt::print(stderr, "ustcp {}: {}\n", cmd_, loop.error());
    return 1;
  }
  const auto& st = loop.stats();
  const size_t left = unfinished();
  fmt::print(info_, "ustcp {}: stopped: {} datagrams in, {} out{}{}\n", cmd_, st.rx, st.tx,
             left ? fmt::format("; {} connection(s) did not finish closing", left) : "",
             tun_->created() ? fmt::format("; {} removed", tun_->name()) : "");
  return 0;
}

}  // namespace ustcp::cli
