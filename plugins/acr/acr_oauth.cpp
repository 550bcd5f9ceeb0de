#include "acr_oauth.hpp"

#include <nlohmann/json.hpp>

#include "acr_codec.hpp"
#include "acr_errors.hpp"
#include "regscan/url.hpp"

namespace regscan::acr {
namespace {

using sdk::Error;

// The distribution token spec's default when a token says nothing of its
// lifetime (ACR's tokens are JWTs with exp, so this is rarely used).
constexpr std::chrono::seconds fallback_lifetime{60};

regscan_status refusal_status(const sdk::HttpResponse& response) {
    if (response.status == 0) return REGSCAN_UNREACHABLE;
    if (response.status == 400 || response.status == 401 || response.status == 403) return REGSCAN_AUTH_FAILED;
    return sdk::status_of(response);
}

Token read_token(const sdk::Host& host, const sdk::HttpResponse& response, const std::string& field,
                 const std::string& what, TimePoint now) {
    auto body = nlohmann::json::parse(response.body, nullptr, false);
    if (!body.is_object() || !body.contains(field) || !body[field].is_string() ||
        body[field].get_ref<const std::string&>().empty())
        throw Error(REGSCAN_AUTH_FAILED, what + ": the answer has no " + field);
    std::string token = body[field].get<std::string>();
    host.add_secret(token);
    return make_token(std::move(token), now, seconds_field(body, "expires_in"), fallback_lifetime);
}

sdk::HttpRequest form_post(const std::string& url, const std::vector<std::pair<std::string, std::string>>& fields) {
    sdk::HttpRequest request;
    request.method = "POST";
    request.url = url;
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    request.body = form_encode(fields);
    return request;
}

}  // namespace

Token exchange_refresh_token(const sdk::Host& host, const AcrEndpoint& endpoint, const std::string& tenant,
                             const std::string& aad_access_token, TimePoint now) {
    std::vector<std::pair<std::string, std::string>> fields{{"grant_type", "access_token"},
                                                            {"service", endpoint.service}};
    // Optional: ACR reads the tenant from the token when it is not given.
    if (!tenant.empty()) fields.emplace_back("tenant", tenant);
    fields.emplace_back("access_token", aad_access_token);
    const std::string url = endpoint.origin + "/oauth2/exchange";
    auto response = host.http(form_post(url, fields));
    throw_if_listing_cut(response, "POST " + url);
    if (!response.ok())
        throw Error(refusal_status(response),
                    "POST " + url + " (Entra ID token for an ACR refresh token): " + acr_error_text(response));
    return read_token(host, response, "refresh_token", "POST " + url, now);
}

Token refresh_access_token(const sdk::Host& host, const AcrEndpoint& endpoint, const std::string& scope,
                           const std::string& refresh_token, TimePoint now) {
    std::vector<std::pair<std::string, std::string>> fields{{"grant_type", "refresh_token"},
                                                            {"service", endpoint.service}};
    for (auto& one : split_scopes(scope)) fields.emplace_back("scope", std::move(one));
    fields.emplace_back("refresh_token", refresh_token);
    const std::string url = endpoint.origin + "/oauth2/token";
    auto response = host.http(form_post(url, fields));
    throw_if_listing_cut(response, "POST " + url);
    if (!response.ok())
        throw Error(refusal_status(response),
                    "POST " + url + " (access token for " + scope + "): " + acr_error_text(response));
    return read_token(host, response, "access_token", "POST " + url, now);
}

BasicOutcome basic_access_token(const sdk::Host& host, const AcrEndpoint& endpoint, const std::string& scope,
                                const std::string& username, const std::string& password, TimePoint now) {
    sdk::HttpRequest request;
    request.url = endpoint.origin + "/oauth2/token?service=" + sdk::url_encode(endpoint.service);
    for (const auto& one : split_scopes(scope)) request.url += "&scope=" + sdk::url_encode(one);
    const std::string basic = base64_encode(username + ":" + password);
    host.add_secret(basic);
    request.headers = {{"Authorization", "Basic " + basic}, {"Accept", "application/json"}};
    auto response = host.http(request);
    throw_if_listing_cut(response, "GET " + endpoint.origin + "/oauth2/token");
    if (response.status == 401 || response.status == 403) return {std::nullopt, acr_error_text(response)};
    if (!response.ok())
        throw Error(refusal_status(response), "GET " + endpoint.origin + "/oauth2/token (access token for " + scope +
                                                  "): " + acr_error_text(response));
    return {read_token(host, response, "access_token", "GET " + endpoint.origin + "/oauth2/token", now), {}};
}

}  // namespace regscan::acr
