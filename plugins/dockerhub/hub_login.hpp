// The Hub API's bearer token (a JWT), from the user's username and password
// or personal access token. Short-lived (10 minutes for /v2/auth/token), so
// it is renewed before its `exp` and after the API refuses it.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "regscan/error.hpp"
#include "regscan/host.hpp"

namespace regscan::dockerhub {

// A login request (a token renewal mid-listing) that the host refused because
// the listing it was made in ran past its bounds (sdk::listing_cut). The
// caller hands `response` to its page loop, so the listing is cut there with
// the pages read kept, as on a refused page request, instead of failing.
class LoginCut : public sdk::Error {
public:
    explicit LoginCut(sdk::HttpResponse refused)
        : sdk::Error(REGSCAN_ERROR, refused.error), response(std::move(refused)) {}

    sdk::HttpResponse response;
};

// The `exp` claim (unix seconds) of a JWT, without checking its signature:
// only used to know when to renew.
std::optional<std::int64_t> jwt_expiry(const std::string& jwt);

class HubLogin {
public:
    HubLogin(const sdk::Host& host, std::string api, std::string username, std::string secret);

    [[nodiscard]] bool anonymous() const { return username_.empty() || secret_.empty(); }

    // "Bearer <jwt>" for Hub API calls, logging in when needed; "" when anonymous.
    // Throws sdk::Error(REGSCAN_AUTH_FAILED) when Docker Hub refuses the credentials,
    // LoginCut when the host refuses the login request at a listing's bounds.
    std::string authorization();

    // The API answered 401 to `used` (a value authorization() returned): forget it.
    void refused(const std::string& used);

private:
    struct Token {
        std::string jwt;
        std::chrono::system_clock::time_point renew_at;
    };
    Token log_in();
    std::optional<std::string> create_access_token();
    std::string users_login();
    [[noreturn]] void refuse(const std::string& url, const sdk::HttpResponse& response) const;
    sdk::HttpResponse post_json(const std::string& url, const std::string& body) const;

    sdk::Host host_;
    std::string api_;
    std::string username_;
    std::string secret_;
    std::mutex mutex_;
    Token token_;
    bool announced_ = false;
};

}  // namespace regscan::dockerhub
