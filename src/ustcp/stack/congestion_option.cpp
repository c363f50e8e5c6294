// TCP_CONGESTION (Linux do_tcp_setsockopt -> tcp_set_congestion_control): one socket's
// congestion control, chosen by name.
#include <cerrno>

#include "ustcp/stack/stack.hpp"

namespace ustcp::stack {

Result<void> Stack::set_congestion_control(TimePoint now, SocketId s, std::string_view name) {
  SocketSlot* sl = slot(s);
  if (!sl) return err(EBADF);
  const tcp::CongestionControl* ca = tcp::find_congestion_control(name);
  if (!ca) return err(ENOENT);  // Linux: no module by that name
  if (sl->kind == Kind::Conn) {
    auto cx = ctx(now);
    conns_[sl->obj]->set_congestion_control(cx, *ca);
    sync(now, sl->obj);
  } else {
    listeners_[sl->obj]->options().congestion = ca;
  }
  return {};
}

Result<std::string_view> Stack::congestion_control(SocketId s) const {
  const SocketSlot* sl = slot(s);
  if (!sl) return err(EBADF);
  if (sl->kind == Kind::Conn) return std::string_view(conns_[sl->obj]->congestion_control().name());
  const tcp::CongestionControl* ca = listeners_[sl->obj]->options().congestion;
  return std::string_view(ca ? ca->name() : cfg_.congestion_control->name());
}

}  // namespace ustcp::stack
