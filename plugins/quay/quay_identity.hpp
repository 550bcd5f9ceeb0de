// Is this URL a Quay? quay.io by name (certain); any other host only in the
// core's second identify pass, by one unauthenticated GET /api/v1/discovery
// whose Swagger document names "Quay". No credentials ever go with it.
#pragma once

#include "regscan/registry.hpp"

namespace regscan::quay {

inline constexpr int url_score = 100;
inline constexpr int probe_score = 90;

// True when `response` is Quay's API discovery document (Swagger 2.0 whose info.title names Quay).
bool is_quay_discovery(const sdk::HttpResponse& response);

// The score for `probe`: url_score for quay.io, probe_score when the
// discovery probe (second pass only) proves Quay, else 0.
int identify_score(const sdk::Host& host, const sdk::Probe& probe);

}  // namespace regscan::quay
