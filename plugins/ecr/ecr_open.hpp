// From the core's probe and session config to an ECR session: identification,
// region, endpoints and credentials.
#pragma once

#include <memory>

#include "ecr_environment.hpp"
#include "regscan/registry.hpp"

namespace regscan::ecr {

inline constexpr const char* registry_type = "ECR";

// 90 for an ECR host name; 60 for another name whose /v2/ challenge says
// service="ecr.amazonaws.com" (a proxy or private DNS name in front of ECR).
sdk::Identification identify(const sdk::Probe& probe);

// Resolves everything and fetches credentials once, so a bad setup fails here
// with one clear message rather than on every repository.
std::unique_ptr<sdk::Session> open_session(const sdk::Host& host, const sdk::SessionConfig& config,
                                           const Environment& env);

}  // namespace regscan::ecr
