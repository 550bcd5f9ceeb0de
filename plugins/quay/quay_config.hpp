// What a Quay session needs, from the user's URL, options and credentials:
// the registry base (API and /v2/ share one origin), the namespaces to list,
// the robot (or user) credentials for /v2/, and the OAuth application token
// for the API.
#pragma once

#include <string>
#include <vector>

#include "regscan/registry.hpp"

namespace regscan::quay {

// Quay's OAuth token, and the username Quay's /v2/auth takes it with.
inline constexpr const char* oauth_token_username = "$oauthtoken";

struct QuayConfig {
    std::string base;  // "https://quay.io" (an origin): /api/v1/... and /v2/... are appended
    std::vector<std::string> namespaces;
    std::string username;  // robot "org+name" (or a user) for /v2/
    std::string password;  // the robot's token
    std::string token;     // OAuth application token: Bearer to /api/v1

    [[nodiscard]] bool has_login() const { return !username.empty() && !password.empty(); }
    [[nodiscard]] bool has_token() const { return !token.empty(); }
};

bool is_quay_io_host(const std::string& host);

// "a, b,,a" -> {"a", "b"}: trimmed, lowercased, duplicates dropped, order
// kept. Throws sdk::Error for a name that cannot be a Quay namespace.
std::vector<std::string> split_namespaces(const std::string& joined);

// The organisation (or user) a robot belongs to: "acme+reader" -> "acme"; "" when not a robot.
std::string robot_namespace(const std::string& username);

// The namespace a Quay web address names (/organization/NS, /user/NS,
// /repository/NS/...), or "".
std::string namespace_from_url(const std::string& url);

// The base is the URL's origin: Quay serves /api/v1 and /v2 at the root of its
// host, and users paste web addresses (https://quay.io/organization/acme).
// Namespaces: --namespace, else the web address's, else the robot's
// organisation, else the username.
// The token: --quay-token (or its env), else a --password without --username.
// Throws sdk::Error (REGSCAN_BAD_ARGUMENT) when no namespace can be known.
QuayConfig quay_config(const sdk::SessionConfig& config);

}  // namespace regscan::quay
