#include "acr_credentials.hpp"

#include "acr_challenge.hpp"
#include "acr_cloud.hpp"
#include "acr_errors.hpp"
#include "acr_identity.hpp"
#include "regscan/error.hpp"

namespace regscan::acr {
namespace {

using sdk::Error;

std::string cache_key(const AcrEndpoint& endpoint, const std::string& scope) {
    return endpoint.service + " " + scope;
}

}  // namespace

AcrCredentials::AcrCredentials(sdk::Host host, AuthSettings settings, std::string registry_base, Clock clock)
    : host_(host), settings_(std::move(settings)), registry_base_(std::move(registry_base)), clock_(std::move(clock)) {
    host_.add_secret(settings_.password);
    host_.add_secret(settings_.identity_token);
    mode_ = settings_.mode;
    if (mode_ == AuthMode::automatic && !settings_.has_credentials()) mode_ = AuthMode::managed_identity;
}

AuthMode AcrCredentials::mode() {
    std::lock_guard lock(login_mutex_);
    return mode_;
}

std::string AcrCredentials::authorization(const AcrEndpoint& endpoint, const std::string& scope) {
    const std::string key = cache_key(endpoint, scope);
    {
        std::lock_guard lock(access_mutex_);
        auto it = access_tokens_.find(key);
        if (it != access_tokens_.end() && it->second.usable(clock_())) return "Bearer " + it->second.value;
    }
    // Fetched without the lock: other scopes need not wait. Two threads may
    // fetch the same scope at once; both tokens are valid.
    Token token = fetch(endpoint, scope);
    std::lock_guard lock(access_mutex_);
    access_tokens_[key] = token;
    return "Bearer " + token.value;
}

void AcrCredentials::forget(const AcrEndpoint& endpoint, const std::string& scope) {
    std::lock_guard lock(access_mutex_);
    access_tokens_.erase(cache_key(endpoint, scope));
}

Token AcrCredentials::fetch(const AcrEndpoint& endpoint, const std::string& scope) {
    AuthMode mode;
    {
        std::unique_lock lock(login_mutex_);
        if (mode_ == AuthMode::automatic) return first_token(endpoint, scope);
        mode = mode_;
    }
    if (mode == AuthMode::identity_token)
        return refresh_access_token(host_, endpoint, scope, settings_.identity_token, clock_());
    return mode == AuthMode::basic ? basic_token(endpoint, scope) : token_from_refresh(endpoint, scope);
}

// Called with login_mutex_ held: the first token decides between Basic and
// a service principal, since the same --username/--password fit both.
Token AcrCredentials::first_token(const AcrEndpoint& endpoint, const std::string& scope) {
    auto outcome = basic_access_token(host_, endpoint, scope, settings_.username, settings_.password, clock_());
    if (outcome.token) {
        mode_ = AuthMode::basic;
        host_.info("Signed in to " + endpoint.service + " as '" + settings_.username +
                   "' (admin user or repository-scoped token)");
        return *outcome.token;
    }
    basic_refusal_ = outcome.refusal;
    mode_ = AuthMode::service_principal;
    host_.info("The registry refused '" + settings_.username + "' as an admin user or token (" + basic_refusal_ +
               "); signing in as an Entra ID service principal");
    return refresh_access_token(host_, endpoint, scope, refresh_token_locked(endpoint, false), clock_());
}

Token AcrCredentials::basic_token(const AcrEndpoint& endpoint, const std::string& scope) {
    auto outcome = basic_access_token(host_, endpoint, scope, settings_.username, settings_.password, clock_());
    if (!outcome.token)
        throw Error(REGSCAN_AUTH_FAILED, "the registry " + endpoint.service + " refused '" + settings_.username +
                                             "' for " + scope + ": " + outcome.refusal);
    return *outcome.token;
}

Token AcrCredentials::token_from_refresh(const AcrEndpoint& endpoint, const std::string& scope) {
    // A refresh token can die before its exp (revoked, role removed): one
    // refused exchange earns one fresh sign-in, never a loop.
    for (bool renew : {false, true}) {
        std::string refresh = refresh_token(endpoint, renew);
        try {
            return refresh_access_token(host_, endpoint, scope, refresh, clock_());
        } catch (const Error& e) {
            if (renew || e.status() != REGSCAN_AUTH_FAILED) throw;
            host_.debug("ACR refused its refresh token for " + scope + "; signing in again");
        }
    }
    throw Error(REGSCAN_AUTH_FAILED, "no ACR access token for " + scope);  // not reached
}

std::string AcrCredentials::refresh_token(const AcrEndpoint& endpoint, bool renew) {
    std::lock_guard lock(login_mutex_);
    return refresh_token_locked(endpoint, renew);
}

std::string AcrCredentials::refresh_token_locked(const AcrEndpoint& endpoint, bool renew) {
    auto& cached = refresh_tokens_[endpoint.service];
    if (!renew && cached.usable(clock_())) return cached.value;
    if (renew || !entra_token_ || !entra_token_->usable(clock_())) entra_token_ = entra_token();
    // For a managed identity the tenant is the token's own (tid).
    std::string tenant_id = mode_ == AuthMode::service_principal ? tenant() : std::string{};
    if (tenant_id.empty())
        if (auto claims = jwt_claims(entra_token_->value); claims && claims->contains("tid") && (*claims)["tid"].is_string())
            tenant_id = (*claims)["tid"].get<std::string>();
    cached = exchange_refresh_token(host_, endpoint, tenant_id, entra_token_->value, clock_());
    host_.debug("Obtained an ACR refresh token for " + endpoint.service);
    return cached.value;
}

// Called with login_mutex_ held.
Token AcrCredentials::entra_token() {
    if (mode_ == AuthMode::managed_identity) {
        // Another name may belong to anyone (and may have been taken for ACR on
        // a connector's say): the machine's identity signs in to ACR's own only.
        if (const auto host = sdk::parse_url(registry_base_).host; !is_acr_host(host))
            throw Error(REGSCAN_AUTH_FAILED, host + " is not an ACR login server name (<name>.azurecr.io, .cn, .us): "
                                             "this machine's managed identity signs in to those only; give "
                                             "--username/--password for it");
        try {
            Token token = managed_identity_token(
                host_, {settings_.imds_endpoint, settings_.identity_client_id}, settings_.resource, clock_());
            host_.info("Signed in with the managed identity" +
                       (settings_.identity_client_id.empty() ? std::string(" (system-assigned)")
                                                             : " " + settings_.identity_client_id));
            return token;
        } catch (const ListingCut&) {
            throw;  // not a failed sign-in: the listing it was made in is cut
        } catch (const Error& e) {
            throw Error(e.status(), std::string(settings_.has_credentials() ? "" : "no --username/--password given; ") +
                                        "managed identity sign-in failed: " + e.what());
        }
    }
    const std::string tenant_id = tenant();
    if (tenant_id.empty())
        throw Error(REGSCAN_AUTH_FAILED, basic_refusal_context() + "signing in as Entra ID service principal '" +
                                             settings_.username +
                                             "' needs its tenant: set AZURE_TENANT_ID or --acr-tenant");
    try {
        Token token = service_principal_token(
            host_, {settings_.authority_host, tenant_id, settings_.username, settings_.password}, settings_.resource,
            clock_());
        host_.info("Signed in to Entra ID as service principal " + settings_.username + " (tenant " + tenant_id + ")");
        return token;
    } catch (const ListingCut&) {
        throw;
    } catch (const Error& e) {
        throw Error(e.status(), basic_refusal_context() + e.what());
    }
}

std::string AcrCredentials::basic_refusal_context() const {
    if (basic_refusal_.empty()) return {};
    return "the registry refused '" + settings_.username + "' as an admin user or token (" + basic_refusal_ +
           "), and as a service principal: ";
}

// Called with login_mutex_ held.
std::string AcrCredentials::tenant() {
    if (!settings_.tenant.empty()) return settings_.tenant;
    if (!discovered_tenant_) discovered_tenant_ = discover_tenant();
    return *discovered_tenant_;
}

// ACR's documented challenge names no tenant, but a registry (or a gateway
// in front of it) that does, the way Resource Manager does, saves the user
// from setting one.
std::string AcrCredentials::discover_tenant() {
    sdk::HttpRequest request;
    request.url = registry_base_ + "/v2/";
    auto response = host_.http(request);
    // Not answered is not "no tenant named": asked again at the next sign-in.
    throw_if_listing_cut(response, "GET " + request.url);
    auto header = response.header("WWW-Authenticate");
    auto params = header ? bearer_challenge(*header) : std::nullopt;
    std::string tenant_id = params ? challenge_tenant(*params) : std::string{};
    if (!tenant_id.empty()) host_.info("The registry's challenge names Entra ID tenant " + tenant_id);
    return tenant_id;
}

}  // namespace regscan::acr
