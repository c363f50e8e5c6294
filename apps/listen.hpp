// Opening a listening socket, shared by the servers: socket, SO_REUSEADDR (as nginx and
// most servers set it, so a restart does not wait for old connections' TIME_WAIT), bind,
// listen. Errors name the call, the address and the errno: "bind 198.18.0.2:7: EADDRINUSE".
#pragma once

#include <optional>
#include <string>

#include "ustcp/api/sockets.hpp"

namespace ustcp::apps {

// On success `local` becomes the bound address (the port the stack chose for port 0).
std::optional<int> open_listener(api::Sockets& net, TimePoint now, Endpoint& local, int backlog,
                                 std::string& error);

}  // namespace ustcp::apps
