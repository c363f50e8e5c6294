// CUBIC (RFC 9438) with HyStart, as Linux 6.x's tcp_cubic.c runs it: the window grows along
// W_cubic(t) = C (t - K)^3 + W_max after a loss, never slower than the Reno estimate W_est,
// and HyStart ends slow start early when ACK trains stretch or RTTs rise within a round.
//
// Design note: which Linux behaviours this follows, and where it deviates.
// - Constants as Linux's module parameters default: beta 717/1024 (BICTCP_BETA_SCALE),
//   bic_scale 41 (C = 410/1024, and K's scale cube_factor = 2^40 / 410), fast_convergence,
//   tcp_friendliness, hystart with hystart_detect 3 (ACK train and delay),
//   hystart_low_window 16, hystart_ack_delta_us 2000, HYSTART_MIN_SAMPLES 8, delay threshold
//   clamped to 4..16 ms, initial_ssthresh 0 (ssthresh stays infinite until a loss/HyStart).
// - Integer arithmetic as Linux does it, wraparound included: K in 1/1024 s from the same
//   table-and-one-Newton-step cube root (bit-identical results), the target one delay_min
//   ahead, cnt = cwnd / (target - cwnd), 20 while no loss has been seen, at least 2
//   (1.5 x per RTT at most), capped by the Reno estimate (W_est grows one packet per
//   cwnd * 15/8 acked, i.e. 8/15 per RTT; RFC 9438 4.3 says 3(1-beta)/(1+beta) = 0.53 then
//   1 once W_est passes cwnd_prior; Linux keeps 8/15, and so do we).
// - bictcp_update runs at most once per jiffy, and not again within HZ/32 while cwnd is
//   unchanged (the 2024 proposal to run it at least once per RTT was not merged).
// - Clocks as in Linux, with HZ = 1000: the epoch (epoch_start, last_time) and the idle time
//   of a TxStart (lsndtime) count jiffies (tcp_jiffies32, milliseconds starting at
//   INITIAL_JIFFIES = -300 s so that they wrap five minutes in, as on a booted kernel);
//   delay_min and HyStart (round_start, last_ack, curr_rtt) count microseconds
//   (bictcp_clock_us, tcp_mstamp truncated to 32 bits). delay_min enters the epoch time
//   rounded up to whole jiffies (usecs_to_jiffies). As in Linux, an epoch that starts when
//   jiffies read 0 counts as no epoch.
// - HyStart's round restarts when snd_una passes the snd_nxt noted at the round's start, in
//   hystart_update on an RTT sample (6.x; older kernels did it in cong_avoid).
// - undo_cwnd is tcp_reno_undo_cwnd (max(cwnd, prior_cwnd)), as in 6.x; Loss (RTO) forgets
//   W_max and delay_min and re-arms HyStart.
// Deviations:
// - hystart_ack_delay (a cushion of up to 1 ms for TSO/GRO batching, from sk_pacing_rate and
//   sk_gso_max_size) is 0: ustcp neither builds GSO/TSO super-packets nor receives GRO
//   batches, which is what Linux computes for sk_gso_max_size = 0. Pacing is off
//   (SK_PACING_NONE), so the ACK-train threshold is delay_min / 2.
// - The Reno estimate's "while (ack_cnt > delta)" loop is one division with the same result.
// - The TCPHystart* counters are counted only once counters.hpp has them (count_hystart).
#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "ustcp/base/jiffies.hpp"
#include "ustcp/tcp/congestion.hpp"

namespace ustcp::tcp {
namespace {

// --- Parameters (Linux's module parameter defaults) ----------------------------------------
constexpr uint32_t kBetaScale = 1024;  // BICTCP_BETA_SCALE
constexpr uint32_t kBeta = 717;        // beta_cubic = 717/1024 = 0.7002
constexpr uint32_t kBicScale = 41;     // C = bic_scale * 10 / 1024 = 0.4004
constexpr uint32_t kBicHzShift = 10;   // BICTCP_HZ: epoch time in 1/1024 s
constexpr bool kFastConvergence = true;
constexpr bool kTcpFriendliness = true;
constexpr bool kHystart = true;
constexpr bool kHystartAckTrain = true;  // hystart_detect & HYSTART_ACK_TRAIN
constexpr bool kHystartDelay = true;     // hystart_detect & HYSTART_DELAY
constexpr uint32_t kHystartLowWindow = 16;
constexpr int32_t kHystartAckDeltaUs = 2000;
constexpr uint8_t kHystartMinSamples = 8;
constexpr uint32_t kHystartDelayMinUs = 4000;
constexpr uint32_t kHystartDelayMaxUs = 16000;
// hystart_ack_delay(): no TSO/GRO batching to allow for (see the design note).
constexpr uint32_t kHystartAckDelayUs = 0;

// Precomputed as cubictcp_register does. beta_scale: W_est grows one packet per
// cwnd * beta_scale / 8 acked, so 8/15 packet per RTT, Linux's stand-in for
// 3 (1 - beta) / (1 + beta).
constexpr uint32_t kRenoBetaScale = 8 * (kBetaScale + kBeta) / 3 / (kBetaScale - kBeta);
constexpr uint64_t kCubeRttScale = kBicScale * 10;  // C * 2^10
// K = cbrt((W_max - cwnd) / C), in 1/1024 s: cbrt(cube_factor * (W_max - cwnd)).
constexpr uint64_t kCubeFactor = (uint64_t{1} << (10 + 3 * kBicHzShift)) / (kBicScale * 10);
static_assert(kRenoBetaScale == 15);
static_assert(kCubeFactor == 2681735677);

// --- Linux's clocks (jiffies32 and kHz: ustcp/base/jiffies.hpp) ----------------------------
// bictcp_clock_us: tcp_mstamp (microseconds) truncated to 32 bits.
uint32_t clock_us(TimePoint t) {
  return static_cast<uint32_t>(
      std::chrono::floor<std::chrono::microseconds>(t.time_since_epoch()).count());
}

// usecs_to_jiffies with HZ = 1000: rounds up.
uint32_t usecs_to_jiffies(uint32_t us) {
  constexpr uint64_t kUsPerJiffy = 1'000'000 / kHz;
  return static_cast<uint32_t>((uint64_t{us} + kUsPerJiffy - 1) / kUsPerJiffy);
}

// after() on 32-bit clock values, as on sequence numbers.
bool clock_after(uint32_t a, uint32_t b) { return static_cast<int32_t>(b - a) < 0; }

// --- State in CongestionState::priv (Linux struct bictcp) ----------------------------------
struct Bic {
  // Reset on Loss (bictcp_reset zeroes these).
  uint32_t cnt;               // packets acked per cwnd increment
  uint32_t last_max_cwnd;     // W_max
  uint32_t last_cwnd;         // cwnd at the last bictcp_update
  uint32_t last_time;         // jiffies of the last bictcp_update
  uint32_t bic_origin_point;  // the curve's plateau (W_max, or cwnd when above it)
  uint32_t bic_K;             // time from epoch start to the plateau, 1/1024 s
  uint32_t delay_min;         // minimum RTT, us
  uint32_t epoch_start;       // jiffies; 0: no epoch (a loss ended it)
  uint32_t ack_cnt;           // packets acked, for the Reno estimate
  uint32_t tcp_cwnd;          // W_est, the Reno estimate
  // HyStart.
  uint8_t sample_cnt;    // RTT samples seen this round
  bool found;            // slow start's exit found; reset with the above
  uint32_t round_start;  // us
  SeqNum end_seq;        // the round ends when snd_una passes this
  uint32_t last_ack;     // us: the last ACK of an unbroken train
  uint32_t curr_rtt;     // us: minimum RTT of this round
};
static_assert(sizeof(Bic) <= sizeof(CongestionState::priv));
static_assert(alignof(Bic) <= alignof(CongestionState));
static_assert(std::is_trivially_copyable_v<Bic>);

Bic load(const CongestionState& s) {
  Bic ca;
  std::memcpy(&ca, s.priv.data(), sizeof ca);
  return ca;
}

void store(CongestionState& s, const Bic& ca) { std::memcpy(s.priv.data(), &ca, sizeof ca); }

// bictcp_reset: everything but HyStart's round.
void bic_reset(Bic& ca) {
  const Bic hystart = ca;
  ca = Bic{};
  ca.sample_cnt = hystart.sample_cnt;
  ca.round_start = hystart.round_start;
  ca.end_seq = hystart.end_seq;
  ca.last_ack = hystart.last_ack;
  ca.curr_rtt = hystart.curr_rtt;
}

// bictcp_hystart_reset: a new round starts now and ends when what is sent so far is acked.
void hystart_reset(Bic& ca, const CaContext& c) {
  ca.round_start = ca.last_ack = clock_us(c.now);
  ca.end_seq = c.snd_nxt;
  ca.curr_rtt = ~0u;
  ca.sample_cnt = 0;
}

// Linux's cube root: the top bits from a table, then one Newton-Raphson step
// x' = (2x + a / x^2) / 3 (with x (x - 1) for x^2, and * 341 >> 10 for / 3). Average error
// 0.2%; kept bit-identical because K, and so every window after a loss, depends on it.
uint32_t cubic_root(uint64_t a) {
  // cbrt of 0..63 scaled by 2^6 (less one), refined by hand in Linux; the values are Linux's.
  static constexpr std::array<uint8_t, 64> kCbrtTable = {
      0,   54,  54,  54,  118, 118, 118, 118, 123, 129, 134, 138, 143, 147, 151, 156,
      157, 161, 164, 168, 170, 173, 176, 179, 181, 185, 187, 190, 192, 194, 197, 199,
      200, 202, 204, 206, 209, 211, 213, 215, 217, 219, 221, 222, 224, 225, 227, 229,
      231, 232, 234, 236, 237, 239, 240, 242, 244, 245, 246, 248, 250, 251, 252, 254,
  };
  uint32_t b = static_cast<uint32_t>(std::bit_width(a));  // fls64
  if (b < 7) return (uint32_t{kCbrtTable[a]} + 35) >> 6;
  b = ((b * 84) >> 8) - 1;  // about a third of the bit count, less one
  const auto top = static_cast<uint32_t>(a >> (b * 3));
  uint32_t x = ((uint32_t{kCbrtTable[top]} + 10) << b) >> 6;
  x = 2 * x + static_cast<uint32_t>(a / (uint64_t{x} * (x - 1)));
  return (x * 341) >> 10;
}

// bictcp_update: how many packets must be acked per cwnd increment (ca.cnt) to follow the
// cubic curve one delay_min ahead (RFC 9438 4.2, 4.4, 4.5), or the Reno estimate where that is
// faster (4.3).
void bic_update(Bic& ca, uint32_t cwnd, uint32_t acked, uint32_t now) {
  ca.ack_cnt += acked;

  if (ca.last_cwnd == cwnd && static_cast<int32_t>(now - ca.last_time) <= int32_t{kHz / 32}) {
    return;
  }

  // The curve is evaluated at most once per jiffy; a loss (epoch_start = 0) forces it.
  if (ca.epoch_start == 0 || now != ca.last_time) {
    ca.last_cwnd = cwnd;
    ca.last_time = now;

    if (ca.epoch_start == 0) {
      ca.epoch_start = now;
      ca.ack_cnt = acked;
      ca.tcp_cwnd = cwnd;  // W_est starts at cwnd_epoch
      if (ca.last_max_cwnd <= cwnd) {
        ca.bic_K = 0;  // above the old maximum: convex from here (4.5)
        ca.bic_origin_point = cwnd;
      } else {
        ca.bic_K = cubic_root(kCubeFactor * (ca.last_max_cwnd - cwnd));  // RFC 9438 (2)
        ca.bic_origin_point = ca.last_max_cwnd;
      }
    }

    // t + RTT in 1/1024 s, the RTT being delay_min in whole jiffies. A negative epoch time
    // wraps as it does in Linux's u64.
    uint64_t t =
        static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(now - ca.epoch_start)));
    t += usecs_to_jiffies(ca.delay_min);
    t = (t << kBicHzShift) / kHz;

    // RFC 9438 (1): W_cubic = C (t - K)^3 + W_max, C scaled by 2^10 and time by 2^30.
    const uint64_t offs = t < ca.bic_K ? ca.bic_K - t : t - ca.bic_K;
    const auto delta =
        static_cast<uint32_t>((kCubeRttScale * offs * offs * offs) >> (10 + 3 * kBicHzShift));
    const uint32_t target =
        t < ca.bic_K ? ca.bic_origin_point - delta : ca.bic_origin_point + delta;

    // cwnd grows by (target - cwnd) over the next cwnd packets acked.
    ca.cnt = target > cwnd ? cwnd / (target - cwnd) : 100 * cwnd;

    // Before any loss the curve starts flat at cwnd: grow at least 5% per RTT.
    if (ca.last_max_cwnd == 0 && ca.cnt > 20) ca.cnt = 20;
  }

  if (kTcpFriendliness) {
    // W_est gains one packet per cwnd * 15/8 packets acked ("while (ack_cnt > delta)").
    const uint32_t per_packet = (cwnd * kRenoBetaScale) >> 3;
    if (per_packet != 0 && ca.ack_cnt > per_packet) {
      const uint32_t n = (ca.ack_cnt - 1) / per_packet;
      ca.ack_cnt -= n * per_packet;
      ca.tcp_cwnd += n;
    }
    // Reno-friendly region: grow at least as fast as W_est says.
    if (ca.tcp_cwnd > cwnd) ca.cnt = std::min(ca.cnt, cwnd / (ca.tcp_cwnd - cwnd));
  }

  // At most one packet per two acked: 1.5 x per RTT (RFC 9438 4.2's target clamp).
  ca.cnt = std::max(ca.cnt, 2u);
}

// The TCPHystart* counters (LINUX_MIB_TCPHYSTART{TRAIN,DELAY}{DETECT,CWND}). counters.hpp
// on this branch predates them; they are being added on main, and this counts them from the
// moment the fields exist. Once they do, the `if constexpr` can go.
enum class HystartExit { Train, Delay };

template <typename Mib>
void count_hystart(Mib* mib, HystartExit how, uint32_t cwnd) {
  if constexpr (requires(Mib & m) {
                  m.TCPHystartTrainDetect += 1;
                  m.TCPHystartTrainCwnd += 1;
                  m.TCPHystartDelayDetect += 1;
                  m.TCPHystartDelayCwnd += 1;
                }) {
    if (mib == nullptr) return;
    if (how == HystartExit::Train) {
      ++mib->TCPHystartTrainDetect;
      mib->TCPHystartTrainCwnd += cwnd;
    } else {
      ++mib->TCPHystartDelayDetect;
      mib->TCPHystartDelayCwnd += cwnd;
    }
  }
}

// hystart_update: on an RTT sample in slow start, end slow start (ssthresh = cwnd) when
// the ACKs of one round keep coming back-to-back for longer than delay_min / 2 (the round's
// data filled the pipe), or when the round's minimum RTT exceeds delay_min by an eighth of
// it, clamped to 4..16 ms (a queue is building).
void hystart_update(CongestionState& s, const CaContext& c, Bic& ca, uint32_t delay) {
  if (c.snd_una.after(ca.end_seq)) hystart_reset(ca, c);

  if (s.cwnd < kHystartLowWindow) return;

  if (kHystartAckTrain) {
    const uint32_t now = clock_us(c.now);
    if (static_cast<int32_t>(now - ca.last_ack) <= kHystartAckDeltaUs) {
      ca.last_ack = now;
      // Not paced (SK_PACING_NONE): half of delay_min plus the cushion.
      const uint32_t threshold = (ca.delay_min + kHystartAckDelayUs) >> 1;
      // Linux compares (s32)(now - round_start) with the u32 threshold, which is unsigned.
      if (now - ca.round_start > threshold) {
        ca.found = true;
        count_hystart(c.mib, HystartExit::Train, s.cwnd);
        s.ssthresh = s.cwnd;
      }
    }
  }

  if (kHystartDelay) {
    ca.curr_rtt = std::min(ca.curr_rtt, delay);
    if (ca.sample_cnt < kHystartMinSamples) {
      ++ca.sample_cnt;
    } else if (ca.curr_rtt > ca.delay_min + std::clamp(ca.delay_min >> 3, kHystartDelayMinUs,
                                                       kHystartDelayMaxUs)) {
      ca.found = true;
      count_hystart(c.mib, HystartExit::Delay, s.cwnd);
      s.ssthresh = s.cwnd;
    }
  }
}

class Cubic final : public CongestionControl {
 public:
  const char* name() const override { return "cubic"; }

  // cubictcp_init.
  void init(CongestionState& s, const CaContext& c) const override {
    Bic ca{};
    bic_reset(ca);
    if (kHystart) hystart_reset(ca, c);
    store(s, ca);
  }

  // cubictcp_recalc_ssthresh (RFC 9438 4.6, 4.7): the epoch ends; W_max is the window at
  // the loss, or, when losses come before the last W_max was reached, (1 + beta) / 2 of
  // it, so that a flow releases bandwidth to newer flows.
  uint32_t ssthresh(CongestionState& s, const CaContext&) const override {
    Bic ca = load(s);
    ca.epoch_start = 0;
    if (s.cwnd < ca.last_max_cwnd && kFastConvergence) {
      ca.last_max_cwnd = (s.cwnd * (kBetaScale + kBeta)) / (2 * kBetaScale);
    } else {
      ca.last_max_cwnd = s.cwnd;
    }
    store(s, ca);
    return std::max((s.cwnd * kBeta) / kBetaScale, 2u);
  }

  // cubictcp_cong_avoid.
  void cong_avoid(CongestionState& s, const CaContext& c, uint32_t acked,
                  bool cwnd_limited) const override {
    if (!cwnd_limited) return;
    if (s.in_slow_start()) {
      acked = slow_start(s, acked);
      if (acked == 0) return;
    }
    Bic ca = load(s);
    bic_update(ca, s.cwnd, acked, jiffies32(c.now));
    store(s, ca);
    cong_avoid_ai(s, ca.cnt, acked);
  }

  // cubictcp_acked: track delay_min and run HyStart on each RTT sample.
  void pkts_acked(CongestionState& s, const CaContext& c, const AckSample& sample) const override {
    if (sample.rtt_us < 0) return;  // no sample (Karn)
    Bic ca = load(s);
    // Samples from the first second of an epoch may still carry recovery's queue.
    if (ca.epoch_start != 0 &&
        static_cast<int32_t>(jiffies32(c.now) - ca.epoch_start) < int32_t{kHz}) {
      return;
    }
    const uint32_t delay = std::max(static_cast<uint32_t>(sample.rtt_us), 1u);
    if (ca.delay_min == 0 || ca.delay_min > delay) ca.delay_min = delay;
    if (!ca.found && s.in_slow_start() && kHystart) hystart_update(s, c, ca, delay);
    store(s, ca);
  }

  // cubictcp_state: an RTO forgets the curve and re-arms HyStart (RFC 9438 4.8).
  void set_state(CongestionState& s, const CaContext& c, CaState state) const override {
    if (state != CaState::Loss) return;
    Bic ca = load(s);
    bic_reset(ca);
    hystart_reset(ca, c);
    store(s, ca);
  }

  // cubictcp_cwnd_event (CA_EVENT_TX_START): sending resumes after the application left the
  // connection idle; move the epoch forward by the idle time so that the curve does not
  // count it (a window unused while idle is not validated).
  void cwnd_event(CongestionState& s, const CaContext& c, CaEvent event) const override {
    if (event != CaEvent::TxStart) return;
    Bic ca = load(s);
    const uint32_t now = jiffies32(c.now);
    const auto idle = static_cast<int32_t>(now - jiffies32(c.last_send));
    if (ca.epoch_start != 0 && idle > 0) {
      ca.epoch_start += static_cast<uint32_t>(idle);
      if (clock_after(ca.epoch_start, now)) ca.epoch_start = now;
    }
    store(s, ca);
  }
};

const Cubic kCubic;

}  // namespace

const CongestionControl& cubic() { return kCubic; }

}  // namespace ustcp::tcp
