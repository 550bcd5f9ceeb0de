// A bearer credential and when to stop using it. Every token in the Azure
// flows (Entra ID, ACR refresh, ACR access) is cached until shortly before
// it expires; the expiry comes from expires_in, else the JWT exp claim.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace regscan::acr {

using TimePoint = std::chrono::system_clock::time_point;
using Clock = std::function<TimePoint()>;

struct Token {
    std::string value;
    TimePoint refresh_at{};  // fetch a new one from then on

    [[nodiscard]] bool usable(TimePoint now) const { return !value.empty() && now < refresh_at; }
};

// The unverified claims of a JWT (we only read our own tokens' expiry and
// tenant; the services that issued them do the verifying).
std::optional<nlohmann::json> jwt_claims(std::string_view token);

// seconds since the epoch of the `exp` claim.
std::optional<long long> jwt_expiry(std::string_view token);

// A JSON field holding seconds as a number or a string (IMDS sends strings).
std::optional<long long> seconds_field(const nlohmann::json& object, const std::string& key);

// expires_in when given, else the JWT's exp, else `fallback` from now. The
// token is renewed a minute early (half its life for short-lived ones) so a
// request never leaves with a token that expires on the way.
Token make_token(std::string value, TimePoint now, std::optional<long long> expires_in,
                 std::chrono::seconds fallback);

}  // namespace regscan::acr
