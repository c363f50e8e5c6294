// The Stack's ready list, as epoll keeps one (fs/eventpoll.c): the application registers
// interest in a socket once, and each call takes only the sockets whose state changed, so
// a host with 100,000 idle connections pays for the active ones only.
//
//   stack.watch(s, events::IN | events::ET, /*data=*/fd);     // epoll_ctl ADD / MOD
//   ReadyEvent ev[64];
//   for (size_t i = 0, n = stack.take_ready(ev); i < n; ++i) handle(ev[i].data, ev[i].events);
//
// The Stack tells the list when a socket may have changed (Stack::sync after a segment, a
// timer or a socket call; a connection joining a listener's accept queue); the list polls
// that socket at once and remembers what it saw:
//   - level-triggered (default): the socket is reported by every take_ready() while its
//     poll mask meets the interest (Linux puts such items back on the ready list);
//   - edge-triggered (events::ET, EPOLLET): reported once per change: a poll bit of interest
//     that was clear and is now set, or more to read (bytes or queued connections) than
//     when last seen. Reading half of the data does not report it again; new data does;
//   - one-shot (events::ONESHOT, EPOLLONESHOT): disabled after one report until watch()
//     re-arms it.
// ERR and HUP are always reported, as epoll does. A closed socket leaves the list.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ustcp::stack {

// One ready socket: which (by slot index and generation, see SocketId), its poll events
// restricted to the interest (plus ERR and HUP), and the data given to watch().
struct ReadyEvent {
  uint32_t index = 0;
  uint32_t gen = 0;
  int events = 0;
  uint64_t data = 0;
};

class ReadyList {
 public:
  static constexpr int kEdge = 1 << 31;          // EPOLLET
  static constexpr int kOneShot = 1 << 30;       // EPOLLONESHOT
  static constexpr int kAlways = 0x008 | 0x010;  // EPOLLERR | EPOLLHUP

  // Registers or changes the interest of socket (index, gen); `mask` and `level` are its
  // state now (poll mask; bytes readable or connections waiting), queued at once if ready.
  void watch(uint32_t index, uint32_t gen, int events, uint64_t data, int mask, uint64_t level);
  // false when the socket was not watched.
  bool unwatch(uint32_t index, uint32_t gen);
  bool watching(uint32_t index, uint32_t gen) const {
    return index < items_.size() && items_[index].gen == gen && items_[index].gen != 0;
  }
  // The socket's state may have changed: it is now `mask` / `level`.
  void changed(uint32_t index, uint32_t gen, int mask, uint64_t level);

  // Up to out.size() ready sockets. `poll(index)` gives a socket's mask now: level-triggered
  // items are reported on their current state and stay queued while ready.
  template <typename Poll>
  size_t take(std::span<ReadyEvent> out, Poll&& poll);

  // Sockets queued (some may turn out not ready when taken).
  size_t queued() const { return queue_.size() - head_; }
  size_t watched() const { return watched_; }

 private:
  struct Item {
    uint32_t gen = 0;  // 0: not watched
    int events = 0;    // interest, with kEdge / kOneShot
    uint64_t data = 0;
    int seen = 0;        // poll mask when last looked at
    uint64_t level = 0;  // readable bytes / accept queue length when last looked at
    int edges = 0;       // bits that rose since the last report (edge-triggered)
    bool queued = false;
    bool disabled = false;  // one-shot, reported: waits for watch()
  };
  struct Ref {
    uint32_t index;
    uint32_t gen;
  };
  int interest(const Item& it) const { return (it.events & ~(kEdge | kOneShot)) | kAlways; }
  void enqueue(uint32_t index, Item& it);
  void compact();

  std::vector<Item> items_;  // by socket slot index
  std::vector<Ref> queue_;   // FIFO from head_
  size_t head_ = 0;
  size_t watched_ = 0;
};

template <typename Poll>
size_t ReadyList::take(std::span<ReadyEvent> out, Poll&& poll) {
  size_t n = 0;
  // Each queued item is looked at once per call: level-triggered ones that stay ready go to
  // the back, after this call's end (Linux's ep_send_events re-adds them the same way).
  const size_t end = queue_.size();
  while (head_ < end && n < out.size()) {
    const Ref r = queue_[head_++];
    if (r.index >= items_.size() || items_[r.index].gen != r.gen) continue;  // unwatched
    Item& it = items_[r.index];
    it.queued = false;
    if (it.disabled) continue;
    const int mask = poll(r.index);
    const int ev = mask & interest(it);
    it.seen = mask;
    const bool edge = (it.events & kEdge) != 0;
    if (ev == 0 || (edge && (it.edges & interest(it)) == 0)) {
      it.edges = 0;
      continue;
    }
    it.edges = 0;
    out[n++] = ReadyEvent{r.index, r.gen, ev, it.data};
    if (it.events & kOneShot) {
      it.disabled = true;
    } else if (!edge) {
      enqueue(r.index, it);
    }
  }
  compact();
  return n;
}

}  // namespace ustcp::stack
