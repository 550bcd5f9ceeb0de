#include "acr_identity.hpp"

#include <nlohmann/json.hpp>

#include "acr_codec.hpp"
#include "acr_errors.hpp"
#include "regscan/url.hpp"

namespace regscan::acr {
namespace {

using sdk::Error;

constexpr const char* imds_token_path = "/metadata/identity/oauth2/token";
// Entra ID always says expires_in; this only guards a malformed answer.
constexpr std::chrono::seconds fallback_lifetime{300};

std::string trimmed(std::string text) {
    while (!text.empty() && text.back() == '/') text.pop_back();
    return text;
}

// The access token of an OAuth token response, registered as a secret first.
Token read_token(const sdk::Host& host, const sdk::HttpResponse& response, const std::string& who, TimePoint now) {
    auto body = nlohmann::json::parse(response.body, nullptr, false);
    if (!body.is_object() || !body.contains("access_token") || !body["access_token"].is_string() ||
        body["access_token"].get_ref<const std::string&>().empty())
        throw Error(REGSCAN_AUTH_FAILED, who + " answered without an access_token");
    std::string token = body["access_token"].get<std::string>();
    host.add_secret(token);
    return make_token(std::move(token), now, seconds_field(body, "expires_in"), fallback_lifetime);
}

}  // namespace

std::string default_scope(const std::string& resource) { return trimmed(resource) + "/.default"; }

std::string imds_token_url(const std::string& endpoint) {
    if (endpoint.find(imds_token_path) != std::string::npos) return endpoint.substr(0, endpoint.find('?'));
    std::string base = trimmed(endpoint);
    if (base.find("://") == std::string::npos) base = "http://" + base;
    return base + imds_token_path;
}

Token service_principal_token(const sdk::Host& host, const ServicePrincipal& principal, const std::string& resource,
                              TimePoint now) {
    std::string authority = trimmed(principal.authority_host);
    if (authority.find("://") == std::string::npos) authority = "https://" + authority;
    sdk::HttpRequest request;
    request.method = "POST";
    request.url = authority + "/" + sdk::url_encode(principal.tenant) + "/oauth2/v2.0/token";
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    request.body = form_encode({{"grant_type", "client_credentials"},
                                {"client_id", principal.client_id},
                                {"client_secret", principal.client_secret},
                                {"scope", default_scope(resource)}});
    const std::string who = "Entra ID (" + authority + ") for service principal " + principal.client_id +
                            " in tenant " + principal.tenant;
    auto response = host.http(request);
    throw_if_listing_cut(response, "POST " + authority + "/" + principal.tenant + "/oauth2/v2.0/token");
    if (!response.ok()) {
        // 400 and 401 both mean a refusal here (unknown tenant or app, wrong secret).
        auto status = response.status == 0 ? REGSCAN_UNREACHABLE
                      : response.status < 500 ? REGSCAN_AUTH_FAILED
                                              : REGSCAN_ERROR;
        throw Error(status, who + " refused the sign-in: " + entra_error_text(response));
    }
    return read_token(host, response, who, now);
}

Token managed_identity_token(const sdk::Host& host, const ManagedIdentity& identity, const std::string& resource,
                             TimePoint now) {
    sdk::HttpRequest request;
    const std::string url = imds_token_url(identity.imds_endpoint);
    request.url = url + "?api-version=2018-02-01&resource=" + sdk::url_encode(resource);
    if (!identity.client_id.empty()) request.url += "&client_id=" + sdk::url_encode(identity.client_id);
    request.headers = {{"Metadata", "true"}, {"Accept", "application/json"}};
    // Off Azure nothing answers at 169.254.169.254: fail after one connect
    // timeout rather than after every retry's.
    request.retry = false;
    const std::string who = "the managed identity endpoint (IMDS) " + url +
                            (identity.client_id.empty() ? "" : " for client id " + identity.client_id);
    auto response = host.http(request);
    throw_if_listing_cut(response, "GET " + url);
    if (!response.ok())
        throw Error(REGSCAN_AUTH_FAILED,
                    who + " gave no token: " + entra_error_text(response) +
                        (response.status == 0 ? " (not on an Azure resource with a managed identity?)" : ""));
    return read_token(host, response, who, now);
}

}  // namespace regscan::acr
