// Telling Nexus Repository 3 apart from other registries: its `Server:
// Nexus/3...` header on the /v2/ ping, or, when a reverse proxy strips that
// header, one unauthenticated GET /service/rest/v1/status (only in the core's
// second pass, when it allows a request). No credentials are sent before the
// type is known.
#pragma once

#include "regscan/registry.hpp"

namespace regscan::nexus {

inline constexpr int certain_by_evidence = 90;

// Whether a Server header value is Nexus Repository 3's ("Nexus/3.94.0-03 (OSS)").
bool is_nexus_server(const std::string& server_header);

// Whether an answer to GET /service/rest/v1/status is Nexus's: 200 with an
// empty or non-HTML body (a catch-all web page is not Nexus), or any answer
// carrying its Server header.
bool is_nexus_status(const sdk::HttpResponse& response);

sdk::Identification identify(const sdk::Host& host, const sdk::Probe& probe, const char* type);

}  // namespace regscan::nexus
