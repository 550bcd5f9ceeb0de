// The console log: one line per event, "2026-11-22T13:01:57.950+0000 info
// <message> key=value", UTC, with every secret redacted by the sink itself so
// that no caller can forget.
#pragma once

#include <string>

#include <spdlog/spdlog.h>

namespace regscan::log {

// Installs the redacting stderr logger as spdlog's default. `level` is one of
// trace, debug, info, warn, error, off.
void init(const std::string& level);

}  // namespace regscan::log
