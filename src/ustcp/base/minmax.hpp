// A running minimum over a time window, kept as the best three samples of sub-windows
// (Kathleen Nichols' algorithm, as Linux's lib/win_minmax.c uses it for min_rtt): O(1)
// per sample and 24 bytes, instead of a queue of every sample in the window. Times are
// jiffies32 (ustcp/base/jiffies.hpp), compared modulo 2^32. Empty, every sample holds the
// largest value (minmax_reset(~0U)), so the first sample replaces them all.
#pragma once

#include <cstdint>

#include "ustcp/base/jiffies.hpp"

namespace ustcp {

class WindowedMin {
 public:
  // The minimum of the samples taken within `win` before `now` (approximately: a sample
  // may outlive the window by up to a quarter of it, as in Linux).
  uint32_t update(Duration win, TimePoint now, uint32_t value) {
    const uint32_t w =
        static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::milliseconds>(win).count());
    const Sample v{jiffies32(now), value};
    if (value <= s_[0].v || v.t - s_[2].t > w) return reset(v);
    if (value <= s_[1].v) {
      s_[2] = s_[1] = v;
    } else if (value <= s_[2].v) {
      s_[2] = v;
    }
    return subwin_update(w, v);
  }
  uint32_t get() const { return s_[0].v; }

 private:
  struct Sample {
    uint32_t t;  // ms
    uint32_t v;
  };
  uint32_t reset(Sample v) {
    s_[0] = s_[1] = s_[2] = v;
    return v.v;
  }
  // The best sample aged out: promote the next ones; keep a fresher second and third
  // choice once a quarter and a half of the window have passed.
  uint32_t subwin_update(uint32_t win, Sample v) {
    const uint32_t dt = v.t - s_[0].t;
    if (dt > win) {
      s_[0] = s_[1];
      s_[1] = s_[2];
      s_[2] = v;
      if (v.t - s_[0].t > win) {
        s_[0] = s_[1];
        s_[1] = s_[2];
        s_[2] = v;
      }
    } else if (s_[1].t == s_[0].t && dt > win / 4) {
      s_[2] = s_[1] = v;
    } else if (s_[2].t == s_[1].t && dt > win / 2) {
      s_[2] = v;
    }
    return s_[0].v;
  }
  Sample s_[3]{{0, UINT32_MAX}, {0, UINT32_MAX}, {0, UINT32_MAX}};
};

}  // namespace ustcp
