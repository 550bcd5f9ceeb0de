#include "quay_registry_login.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "regscan/base64.hpp"
#include "regscan/challenge.hpp"
#include "regscan/error.hpp"
#include "regscan/url.hpp"

namespace regscan::quay {

std::string registry_login(const sdk::Host& host, const std::string& base, const std::string& username,
                           const std::string& password) {
    sdk::HttpRequest ping;
    ping.url = base + "/v2/";
    auto pinged = host.http(ping);
    if (pinged.ok()) return {};
    if (pinged.status != 401) throw sdk::Error(sdk::status_of(pinged), "GET " + ping.url + ": " + pinged.describe());

    const std::string basic = "Basic " + sdk::base64_encode(username + ":" + password);
    host.add_secret(basic);
    const sdk::Challenge* bearer = nullptr;
    auto challenges = sdk::parse_challenges(pinged.header("WWW-Authenticate").value_or(""));
    for (const auto& c : challenges)
        if (sdk::iequals(c.scheme, "Bearer")) bearer = &c;
    if (!bearer) {
        for (const auto& c : challenges)
            if (sdk::iequals(c.scheme, "Basic")) return basic;
        throw sdk::Error(REGSCAN_ERROR, "GET " + ping.url + " answered 401 without a Bearer or Basic challenge");
    }
    const std::string realm = bearer->param("realm");
    if (realm.empty() || sdk::parse_url(realm).origin() != sdk::parse_url(base).origin())
        throw sdk::Error(REGSCAN_ERROR, "the registry's token realm '" + realm + "' is not on " +
                                            sdk::parse_url(base).origin() +
                                            ": the robot credentials are only sent to the registry's own origin");
    sdk::HttpRequest login;
    login.url = bearer->param("service").empty() ? realm : sdk::with_query(realm, "service", bearer->param("service"));
    login.headers.emplace_back("Authorization", basic);
    auto answer = host.http(login);
    if (answer.status == 401 || answer.status == 403)
        throw sdk::Error(REGSCAN_AUTH_FAILED, "Quay refused the robot credentials of '" + username + "' (GET " +
                                                  login.url + ": " + answer.describe() + ")");
    if (!answer.ok()) throw sdk::Error(sdk::status_of(answer), "GET " + login.url + ": " + answer.describe());
    auto body = nlohmann::json::parse(answer.body, nullptr, false);
    std::string token;
    if (body.is_object())
        for (const char* key : {"token", "access_token"})
            if (auto it = body.find(key); token.empty() && it != body.end() && it->is_string()) token = *it;
    if (token.empty()) throw sdk::Error(REGSCAN_ERROR, "GET " + login.url + ": the answer holds no token");
    // The token becomes a header of every /v2/_catalog request: a CR or LF in
    // it would add header lines of the registry's choosing. Not echoed: it is
    // a credential even when malformed.
    if (token.size() > max_registry_token)
        throw sdk::Error(REGSCAN_ERROR, "GET " + login.url + ": the token Quay answered is " +
                                            std::to_string(token.size()) + " bytes, more than " +
                                            std::to_string(max_registry_token) + ": not used");
    auto bad = std::find_if(token.begin(), token.end(), [](unsigned char c) { return c < 0x21 || c > 0x7e; });
    if (bad != token.end())
        throw sdk::Error(REGSCAN_ERROR, "GET " + login.url + ": the token Quay answered holds a control, space or "
                                            "non-ASCII character (byte " + std::to_string(bad - token.begin() + 1) +
                                            "), which no header may carry: not used");
    host.add_secret(token);
    return "Bearer " + token;
}

}  // namespace regscan::quay
