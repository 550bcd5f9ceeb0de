#include "hub_login.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "hub_pages.hpp"
#include "regscan/base64.hpp"
#include "regscan/error.hpp"
#include "regscan/json_fields.hpp"
#include "regscan/paging.hpp"

namespace regscan::dockerhub {
namespace {

using nlohmann::json;
using Clock = std::chrono::system_clock;

// Renew this long before `exp`, so a request never carries a token that
// expires on the way.
constexpr std::chrono::seconds renew_margin{60};
// When a token carries no readable `exp`: /v2/auth/token's are documented to
// last 10 minutes.
constexpr std::chrono::seconds assumed_lifetime{540};
constexpr std::chrono::seconds minimum_lifetime{30};

// The status of a login route that this Hub deployment does not have.
bool route_missing(long status) { return status == 404 || status == 405 || status == 501; }

}  // namespace

std::optional<std::int64_t> jwt_expiry(const std::string& jwt) {
    // Real tokens are a few KiB; a longer one's claims are not parsed (JSON inside a string escapes the
    // host's check of the answer's JSON).
    if (jwt.size() > 64 * 1024) return std::nullopt;
    auto first = jwt.find('.');
    auto second = first == std::string::npos ? std::string::npos : jwt.find('.', first + 1);
    if (second == std::string::npos) return std::nullopt;
    auto claims = json::parse(sdk::base64url_decode(std::string_view(jwt).substr(first + 1, second - first - 1)).value_or(""), nullptr,
                              false);
    if (!claims.is_object()) return std::nullopt;
    auto exp = claims.find("exp");
    if (exp == claims.end()) return std::nullopt;
    return sdk::json_seconds_value(*exp);
}

HubLogin::HubLogin(const sdk::Host& host, std::string api, std::string username, std::string secret)
    : host_(host), api_(std::move(api)), username_(std::move(username)), secret_(std::move(secret)) {
    host_.add_secret(secret_);
}

std::string HubLogin::authorization() {
    if (anonymous()) return {};
    std::lock_guard lock(mutex_);
    if (token_.jwt.empty() || Clock::now() >= token_.renew_at) token_ = log_in();
    return "Bearer " + token_.jwt;
}

void HubLogin::refused(const std::string& used) {
    std::lock_guard lock(mutex_);
    if (!token_.jwt.empty() && used == "Bearer " + token_.jwt) token_ = {};
}

sdk::HttpResponse HubLogin::post_json(const std::string& url, const std::string& body) const {
    sdk::HttpRequest request;
    request.method = "POST";
    request.url = url;
    request.body = body;
    request.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
    auto response = host_.http(request);
    if (sdk::listing_cut(response)) throw LoginCut(std::move(response));
    return response;
}

void HubLogin::refuse(const std::string& url, const sdk::HttpResponse& response) const {
    // Only the error text of the body: a 2FA answer carries a login token.
    const std::string answer = "POST " + url + ": HTTP " + std::to_string(response.status) + ": " +
                               hub_error_text(response.body);
    if (response.status == 0)
        throw sdk::Error(REGSCAN_UNREACHABLE, "cannot reach the Docker Hub API: POST " + url + ": " + response.error);
    if (response.status == 401 || response.status == 403) {
        auto body = json::parse(response.body, nullptr, false);
        bool second_factor = body.is_object() && body.contains("login_2fa_token") &&
                             body["login_2fa_token"].is_string();
        if (second_factor) host_.add_secret(body["login_2fa_token"].get<std::string>());
        throw sdk::Error(REGSCAN_AUTH_FAILED,
                         "Docker Hub refused the credentials of '" + username_ + "' (" + answer + ")" +
                             (second_factor ? "; the account uses two-factor authentication: give a personal "
                                              "access token as the password"
                                            : "; give that account's personal access token (or password)"));
    }
    throw sdk::Error(REGSCAN_ERROR, "Docker Hub login failed (" + answer + ")");
}

// POST /v2/auth/token, the documented route; nullopt when this Hub lacks it.
std::optional<std::string> HubLogin::create_access_token() {
    const std::string url = api_ + "/v2/auth/token";
    auto response = post_json(url, json{{"identifier", username_}, {"secret", secret_}}.dump());
    if (route_missing(response.status)) return std::nullopt;
    if (!response.ok()) refuse(url, response);
    auto body = json::parse(response.body, nullptr, false);
    if (!body.is_object() || !body.contains("access_token") || !body["access_token"].is_string() ||
        body["access_token"].get<std::string>().empty())
        throw sdk::Error(REGSCAN_ERROR, "POST " + url + ": the answer holds no access_token");
    return body["access_token"].get<std::string>();
}

// POST /v2/users/login, deprecated but still answered by Docker Hub.
std::string HubLogin::users_login() {
    const std::string url = api_ + "/v2/users/login";
    auto response = post_json(url, json{{"username", username_}, {"password", secret_}}.dump());
    if (!response.ok()) refuse(url, response);
    auto body = json::parse(response.body, nullptr, false);
    if (!body.is_object() || !body.contains("token") || !body["token"].is_string() ||
        body["token"].get<std::string>().empty())
        throw sdk::Error(REGSCAN_ERROR, "POST " + url + ": the answer holds no token");
    return body["token"].get<std::string>();
}

HubLogin::Token HubLogin::log_in() {
    std::string route = "/v2/auth/token";
    auto jwt = create_access_token();
    if (!jwt) {
        route = "/v2/users/login";
        host_.debug("Docker Hub API has no /v2/auth/token; logging in through /v2/users/login");
        jwt = users_login();
    }
    host_.add_secret(*jwt);
    Token token{*jwt, Clock::now() + assumed_lifetime};
    // A clock ahead of Docker Hub's must not turn into a login per request.
    if (auto exp = jwt_expiry(*jwt))
        token.renew_at = std::max(Clock::time_point(std::chrono::seconds(*exp)) - renew_margin,
                                  Clock::now() + minimum_lifetime);
    if (!announced_) {
        host_.info("Logged in to the Docker Hub API as " + username_ + " (" + route + ")");
        announced_ = true;
    } else {
        host_.debug("Renewed the Docker Hub API token (" + route + ")");
    }
    return token;
}

}  // namespace regscan::dockerhub
