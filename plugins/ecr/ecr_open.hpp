// From the core's probe and session config to an ECR session: identification,
// region, endpoints and credentials.
#pragma once

#include <memory>

#include "ecr_environment.hpp"
#include "regscan/registry.hpp"

namespace regscan::ecr {

inline constexpr const char* registry_type = "ECR";

// 90 for an ECR host name, else 0: a registry is never taken for ECR on its
// own word (its challenge), which would hand it a token from this machine's
// AWS credentials; another name in front of ECR needs --type ECR.
sdk::Identification identify(const sdk::Probe& probe);

// Whether the /v2/ challenge says service="ecr.amazonaws.com" (to say
// --type ECR is what such a name needs).
bool challenge_names_ecr(const sdk::Probe& probe);

// Resolves everything and fetches credentials once, so a bad setup fails here
// with one clear message rather than on every repository.
std::unique_ptr<sdk::Session> open_session(const sdk::Host& host, const sdk::SessionConfig& config,
                                           const Environment& env);

}  // namespace regscan::ecr
