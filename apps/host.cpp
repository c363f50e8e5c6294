#include "apps/host.hpp"

#include <algorithm>

namespace ustcp::apps {

void Host::add(App& app) {
  apps_.push_back(Entry{&app, std::nullopt});
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
  dirty_ = true;
}

bool Host::finished() const {
  return std::all_of(apps_.begin(), apps_.end(), [](const Entry& e) { return e.app->finished(); });
}

void Host::step_apps(TimePoint now) {
  dirty_ = false;
  // By index: an app's step must not add or remove apps, but be safe if it does.
  for (size_t i = 0; i < apps_.size(); ++i) apps_[i].deadline = apps_[i].app->step(now);
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
