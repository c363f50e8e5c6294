#include "apps/host.hpp"

#include <algorithm>
#include <array>

namespace ustcp::apps {

void Host::add(App& app) {
  apps_.push_back(Entry{&app, std::nullopt, true});
  dirty_ = true;
}

void Host::remove(App& app) {
  std::erase_if(apps_, [&](const Entry& e) { return e.app == &app; });
}

void Host::shutdown(TimePoint now) {
  for (Entry& e : apps_) {
    e.app->shutdown(now);
    e.deadline.reset();
  }
  wake();
}

bool Host::finished() const {
  return std::all_of(apps_.begin(), apps_.end(), [](const Entry& e) { return e.app->finished(); });
}

bool Host::dispatch_ready() {
  std::array<api::ReadyFd, 64> ready;
  bool any = false;
  for (int n; (n = sockets_.take_ready(ready)) > 0;) {
    any = true;
    for (int i = 0; i < n; ++i) {
      // The data is the watching app (App::watch_token); an app removed since is skipped.
      for (Entry& e : apps_) {
        if (e.app->watch_token() == ready[i].data) {
          e.app->ready(ready[i].fd, ready[i].events);
          e.due = true;
          break;
        }
      }
    }
    if (n < static_cast<int>(ready.size())) break;
  }
  return any;
}

void Host::step_apps(TimePoint now) {
  dirty_ = false;
  // A step may make more descriptors ready (an app's socket calls on the same stack): a
  // few rounds, until the ready list is empty.
  for (int round = 0; round < 4; ++round) {
    const bool readied = dispatch_ready();
    if (round > 0 && !readied) break;
    // By index: an app's step must not add or remove apps, but be safe if it does.
    for (size_t i = 0; i < apps_.size(); ++i) {
      Entry& e = apps_[i];
      const bool deadline_came = e.deadline && *e.deadline <= now;
      if (round > 0 && !e.due) continue;
      if (!e.app->uses_readiness() || e.due || deadline_came) {
        e.due = false;
        e.deadline = e.app->step(now);
      }
    }
  }
}

void Host::receive(TimePoint now, Bytes datagram) {
  stack_.receive(now, datagram);
  dirty_ = true;
}

std::optional<Bytes> Host::poll_transmit(TimePoint now) {
  if (dirty_) step_apps(now);
  return stack_.poll_transmit(now);
}

std::optional<TimePoint> Host::next_deadline() const {
  std::optional<TimePoint> next = stack_.next_deadline();
  for (const Entry& e : apps_) {
    if (e.deadline && (!next || *e.deadline < *next)) next = e.deadline;
  }
  return next;
}

void Host::on_timer(TimePoint now) {
  if (auto d = stack_.next_deadline(); d && *d <= now) {
    stack_.on_timer(now);
    // A retransmission that gave up, a connection that timed out: the apps must see it.
    dirty_ = true;
  }
  for (const Entry& e : apps_) {
    if (e.deadline && *e.deadline <= now) dirty_ = true;
  }
  if (dirty_) step_apps(now);
}

}  // namespace ustcp::apps
