// A Host is one Stack with the apps that run on it, seen by a driver as one link::Node:
// the simulated network (in virtual time) or a TUN loop (in real time) drive it exactly
// as they drive a bare Stack.
//
// The contract, for drivers:
//   receive(now, d)     hands the datagram to the stack; the apps react at the next
//                       poll_transmit (a batch of datagrams costs one round of steps).
//   on_timer(now)       runs the stack's timers if their deadline came, and steps the apps
//                       if any app's deadline came or the stack's timers fired.
//   poll_transmit(now)  first steps the apps if anything happened since they last ran
//                       (datagrams arrived, timers fired, wake() was called), so what the
//                       apps send in reaction is in the stack's output; then returns the
//                       stack's next datagram. Call it until it returns nullopt.
// Which apps step: those that use readiness (App::uses_readiness) when one of their watched
// descriptors is ready (the stack's ready list says which; they are told with App::ready),
// their deadline came or wake() was called; the others after every event.
//   next_deadline()     the earliest of the stack's deadline and the apps' (each app's, as
//                       its last step() returned).
// A driver that calls receive for a batch, then on_timer if due, then poll_transmit until
// empty, gets every reaction. Each App::step does all it can (it loops until its socket
// calls say EAGAIN), so one round of steps after an event is enough: apps on one host
// only affect each other through datagrams, which come back through receive.
//
// The Host owns nothing: the stack and the apps must outlive it. Code outside a driver
// call that changes an app or the stack (a CLI's signal handler calling shutdown, a test
// calling into an app) calls wake(), or Host::shutdown, which does.
#pragma once

#include <optional>
#include <vector>

#include "apps/app.hpp"
#include "ustcp/api/sockets.hpp"
#include "ustcp/link/node.hpp"
#include "ustcp/stack/stack.hpp"

namespace ustcp::apps {

class Host final : public link::Node {
 public:
  explicit Host(stack::Stack& stack) : stack_(stack), sockets_(stack) {}
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  stack::Stack& stack() { return stack_; }
  // The descriptors of every app on this host (apps are constructed with it).
  api::Sockets& sockets() { return sockets_; }

  // Adds an app (not owned); it steps at the next poll_transmit.
  void add(App& app);
  void remove(App& app);
  // Something changed outside a driver call: step every app at the next poll_transmit.
  void wake() {
    dirty_ = true;
    for (Entry& e : apps_) e.due = true;
  }

  // Every app's shutdown(): listeners and connections closed with FINs.
  void shutdown(TimePoint now);
  // Every app has finished (nothing left open).
  bool finished() const;

  // link::Node
  void receive(TimePoint now, Bytes datagram) override;
  std::optional<Bytes> poll_transmit(TimePoint now) override;
  std::optional<TimePoint> next_deadline() const override;
  void on_timer(TimePoint now) override;

 private:
  struct Entry {
    App* app;
    std::optional<TimePoint> deadline;
    bool due = false;  // ready descriptors, deadline or wake(): step it
  };
  void step_apps(TimePoint now);
  // Takes the stack's ready list and tells each descriptor's app; false if it was empty.
  bool dispatch_ready();

  stack::Stack& stack_;
  api::Sockets sockets_;
  std::vector<Entry> apps_;
  bool dirty_ = true;
};

}  // namespace ustcp::apps
