// One unauthenticated GET /v2/: what registry identification is based on.
#pragma once

#include <string>

#include "http/http_client.hpp"
#include "regscan/registry.hpp"

namespace regscan::engine {

// Throws app::Fatal(unreachable) when no answer comes back.
sdk::Probe probe_registry(http::HttpClient& client, const std::string& url);

}  // namespace regscan::engine
