// The symbolic constants packetdrill scripts use (SOL_SOCKET, O_NONBLOCK, POLLIN, ...) and
// errno names, with Linux's values: a script's numbers mean what they mean on Linux.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ustcp::drill {

std::optional<int64_t> symbol_value(std::string_view name);
// "ECONNREFUSED" -> 111; nullopt for a name that is not an errno.
std::optional<int> errno_value(std::string_view name);
// 111 -> "ECONNREFUSED" ("errno 999" style names are the caller's business: "" here).
std::string_view errno_symbol(int e);

}  // namespace ustcp::drill
