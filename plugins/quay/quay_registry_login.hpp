// A login to Quay's registry token endpoint (the /v2/ challenge's realm,
// https://<host>/v2/auth) with the robot's Basic credentials and no scope:
// Quay answers a token naming the robot, which checks the credentials before
// discovery starts and is what /v2/_catalog wants. (Quay's endpoint refuses
// the usual `registry:catalog:*` scope with 400 "Unable to decode repository
// and actions", so the core's standard flow cannot get a catalog token.)
// The credentials go only to a realm on the registry's own origin.
#pragma once

#include <cstddef>
#include <string>

#include "regscan/host.hpp"

namespace regscan::quay {

// The longest realm token used (Quay's JWTs are a few hundred bytes to a few
// KiB); a token must also be visible ASCII, as a header value's token68 is.
inline constexpr size_t max_registry_token = 8192;

// The Authorization value for /v2/ requests as `username`: "Bearer <token>"
// from the realm, "Basic ..." when /v2/ asks for Basic, "" when /v2/ needs
// none. Throws sdk::Error: REGSCAN_AUTH_FAILED when Quay refuses the
// credentials, REGSCAN_ERROR for a realm on another origin or a bad answer
// (a token past max_registry_token, or with a character outside '!'..'~').
std::string registry_login(const sdk::Host& host, const std::string& base, const std::string& username,
                           const std::string& password);

}  // namespace regscan::quay
