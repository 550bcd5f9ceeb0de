#include "auth/registry_auth.hpp"

#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "http/plain_url.hpp"
#include "limits/limits.hpp"
#include "log/secrets.hpp"
#include "regscan/error.hpp"
#include "regscan/url.hpp"
#include "regscan/base64.hpp"
#include "regscan/json_fields.hpp"

namespace regscan::auth {

std::string credentials_hint(const Credentials& credentials) {
    constexpr const char* how = "--username with --password-stdin (or --password), REGSCAN_REGISTRY_USERNAME and "
                                "REGSCAN_REGISTRY_PASSWORD, docker login (docker's config.json or its credential "
                                "helper), or username and password in the config file";
    if (credentials.empty()) return std::string("no credentials were given; give them with ") + how;
    if (!credentials.identity_token.empty())
        return "the identity token from " + (credentials.source.empty() ? std::string("docker config") : credentials.source) +
               " was refused; check it (docker login again), or give other credentials with " + how;
    return "the credentials from " + (credentials.source.empty() ? std::string("the command line") : credentials.source) +
           " were refused; check them, or give others with " + how;
}
namespace {

// Renew tokens this long before the registry would refuse them.
constexpr std::chrono::seconds expiry_margin{10};
// RFC 6750 / distribution token spec: 60 s when expires_in is absent.
constexpr std::chrono::seconds default_token_lifetime{60};
// Basic credentials do not expire; re-check them now and then anyway.
constexpr std::chrono::seconds basic_lifetime{3600};

std::string cache_key(const std::string& url, const std::string& scope) {
    return http::origin_of(url) + " " + scope;
}

// A challenge may name several scopes separated by spaces.
std::vector<std::string> split_scopes(const std::string& scope) {
    std::vector<std::string> scopes;
    for (size_t start = 0; start < scope.size();) {
        size_t end = scope.find(' ', start);
        std::string one = scope.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (!one.empty()) scopes.push_back(std::move(one));
        start = end == std::string::npos ? scope.size() : end + 1;
    }
    return scopes;
}

http::Response refused(const std::string& why) {
    http::Response response;
    response.status = 401;
    response.body = why;
    return response;
}

http::Response no_answer(const std::string& why) {
    http::Response response;
    response.error = why;
    return response;
}

}  // namespace

std::string Credentials::authorization() const {
    if (!identity_token.empty() || (username.empty() && password.empty())) return {};
    if (token_only()) return "Bearer " + password;
    return "Basic " + sdk::base64_encode(username + ":" + password);
}

std::string identity_token_form(const std::string& identity_token, const std::string& service,
                                const std::string& scope) {
    // One `scope` with the scopes space-separated, as docker and RFC 6749 send it.
    std::string scopes;
    for (const auto& one : split_scopes(scope)) scopes += (scopes.empty() ? "" : " ") + one;
    std::string form = "grant_type=refresh_token&refresh_token=" + sdk::url_encode(identity_token);
    if (!service.empty()) form += "&service=" + sdk::url_encode(service);
    if (!scopes.empty()) form += "&scope=" + sdk::url_encode(scopes);
    return form + "&client_id=regscan";
}

RegistryAuth::RegistryAuth(http::HttpClient& client, Credentials credentials)
    : client_(client), credentials_(std::move(credentials)) {
    log::add_secret(credentials_.password);
    log::add_secret(credentials_.identity_token);
    log::add_secret(sdk::url_encode(credentials_.identity_token));
    log::add_secret(credentials_.authorization());
    if (!credentials_.username.empty() || !credentials_.password.empty())
        log::add_secret(sdk::base64_encode(credentials_.username + ":" + credentials_.password));
}

void RegistryAuth::set_authorize_hook(AuthorizeHook hook) {
    std::lock_guard lock(hook_mutex_);
    hook_ = std::move(hook);
}

AuthorizeHook RegistryAuth::authorize_hook() {
    std::lock_guard lock(hook_mutex_);
    return hook_;
}

std::optional<std::string> RegistryAuth::cached(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(key);
    if (it == cache_.end() || it->second.expires <= std::chrono::steady_clock::now()) return std::nullopt;
    return it->second.authorization;
}

void RegistryAuth::remember(const std::string& key, const std::string& authorization, std::chrono::seconds lifetime) {
    std::lock_guard lock(mutex_);
    auto margin = lifetime > 2 * expiry_margin ? expiry_margin : std::chrono::seconds(0);
    cache_[key] = {authorization, std::chrono::steady_clock::now() + lifetime - margin};
}

void RegistryAuth::forget(const std::string& key) {
    std::lock_guard lock(mutex_);
    cache_.erase(key);
}

http::Response RegistryAuth::send(http::Request request) {
    const std::string url_scope = scope_for_url(request.url);
    const std::string key = cache_key(request.url, url_scope);
    const auto plain_headers = request.headers;
    if (auto authorization = cached(key)) request.headers.emplace_back("Authorization", *authorization);

    auto response = client_.send(request);
    if (response.status != 401) return response;
    // A redirect target (object storage, a CDN) is not the registry: its
    // challenge would take the registry's credentials somewhere else.
    if (!response.final_url.empty() && !http::same_origin(request.url, response.final_url))
        return refused("HTTP 401 from redirect target " + sdk::parse_url(response.final_url).origin() +
                       ": its challenge is not answered (credentials go only to the registry)");
    forget(key);

    auto header = response.header("WWW-Authenticate");
    auto challenges = parse_challenges(header.value_or(""));
    const Challenge* chosen = nullptr;
    for (const auto& c : challenges)
        if (sdk::iequals(c.scheme, "Bearer")) chosen = &c;
    for (const auto& c : challenges)
        if (!chosen && sdk::iequals(c.scheme, "Basic")) chosen = &c;
    if (!chosen && !authorize_hook()) return response;

    Challenge challenge = chosen ? *chosen : Challenge{};
    std::string scope = challenge.param("scope").empty() ? url_scope : challenge.param("scope");
    std::chrono::seconds lifetime = default_token_lifetime;
    auto [authorization, error, unanswered] = answer(challenge, scope, request, lifetime);
    if (!authorization) return error.empty() ? response : unanswered ? no_answer(error) : refused(error);

    remember(key, *authorization, lifetime);
    request.headers = plain_headers;
    request.headers.emplace_back("Authorization", *authorization);
    return client_.send(request);
}

RegistryAuth::Answer RegistryAuth::answer(const Challenge& challenge, const std::string& scope,
                                          const http::Request& request, std::chrono::seconds& lifetime) {
    const Credentials* credentials = &credentials_;
    std::optional<PluginAuthorization> decided;
    if (auto hook = authorize_hook()) {
        sdk::AuthRequest ask{request.url, request.method, scope, challenge.scheme, challenge.params};
        try {
            decided = hook(ask);
        } catch (const sdk::Error& e) {
            // A sign-in nothing answered (ACR's exchange, ECR's token) refused nothing either.
            return {std::nullopt, std::string("plugin authorisation failed: ") + e.what(),
                    e.status() == REGSCAN_UNREACHABLE};
        } catch (const std::exception& e) {
            return {std::nullopt, std::string("plugin authorisation failed: ") + e.what()};
        }
        if (decided && !decided->authorization.empty()) {
            log::add_token_secret(decided->authorization);
            return {decided->authorization, {}};
        }
        if (decided && decided->credentials) {
            log::add_token_secret(decided->credentials->password);
            log::add_token_secret(decided->credentials->authorization());
            credentials = &*decided->credentials;
        }
    }
    if (sdk::iequals(challenge.scheme, "Basic")) {
        if (credentials->empty()) return {std::nullopt, {}};
        if (!credentials->identity_token.empty())
            return {std::nullopt, "the registry asks for Basic credentials; an identity token is only exchanged at "
                                  "a Bearer token service"};
        lifetime = basic_lifetime;
        return {credentials->authorization(), {}};
    }
    if (sdk::iequals(challenge.scheme, "Bearer"))
        return bearer_token(challenge, scope, request, *credentials, lifetime);
    return {std::nullopt, {}};
}

RegistryAuth::Answer RegistryAuth::bearer_token(const Challenge& challenge, const std::string& scope,
                                                const http::Request& request, const Credentials& credentials,
                                                std::chrono::seconds& lifetime) {
    std::string realm = challenge.param("realm");
    if (realm.empty()) return {std::nullopt, "Bearer challenge without a realm"};
    auto realm_url = sdk::parse_url(realm);
    if (realm_url.scheme != "https" && realm_url.scheme != "http")
        return {std::nullopt, "token realm " + log::redact(realm) + " is not an http(s) URL"};
    if (sdk::parse_url(request.url).scheme == "https" && realm_url.scheme != "https")
        return {std::nullopt, "token realm " + log::redact(realm) +
                                  " is plain http while the registry is https: refused, it would downgrade the "
                                  "credentials to clear text"};
    const Credentials* presented = &credentials;
    Credentials rotated;
    std::unique_lock<std::mutex> exchange;
    const std::string rotation_key = realm + " " + challenge.param("service");
    if (!credentials.identity_token.empty()) {
        exchange = std::unique_lock(exchange_mutex_);
        if (auto it = rotated_refresh_tokens_.find(rotation_key); it != rotated_refresh_tokens_.end()) {
            rotated = credentials;
            rotated.identity_token = it->second;
            presented = &rotated;
        }
        spdlog::debug("Exchanging the identity token from {} at {} for {}", credentials.source, log::redact(realm),
                      scope);
    }
    auto response = request_token(realm, challenge.param("service"), scope, *presented, request);
    const std::string asked = (credentials.identity_token.empty() ? "token request to "
                                                                  : "identity token exchange (OAuth2) at ") +
                              log::redact(realm);
    // No answer is no refusal: the error stays first ("timed out" at the deadline).
    if (http::unanswered(response))
        return {std::nullopt, response.error + " (" + asked + ", which the registry's 401 asked for)", true};
    // Nor is a token service failing (a server error, or too many requests, after the retries).
    if (!response.ok())
        return {std::nullopt, asked + " failed: " + response.describe(),
                response.status >= 500 || response.status == 429};
    try {
        auto body = nlohmann::json::parse(response.body);
        std::string token = body.value("token", "");
        if (token.empty()) token = body.value("access_token", "");
        if (token.empty()) return {std::nullopt, "token response from " + realm + " has no token"};
        log::add_token_secret(token);
        // A token service may rotate the refresh token of an identity-token
        // exchange: the next exchange presents the new one, as secret as the
        // one it replaces. Any other answer's refresh token is a token secret
        // (a realm answering a new one each time must not grow the list).
        if (auto refresh = body.find("refresh_token"); refresh != body.end() && refresh->is_string() &&
                                                        !refresh->get<std::string>().empty()) {
            const std::string& value = refresh->get_ref<const std::string&>();
            const auto keep = exchange.owns_lock() ? &log::add_secret : &log::add_token_secret;
            keep(value);
            keep(sdk::url_encode(value));
            if (exchange.owns_lock()) rotated_refresh_tokens_[rotation_key] = value;
        }
        long expires_in = sdk::json_integer(body, "expires_in", 0L);
        lifetime = expires_in > 0 ? std::chrono::seconds(expires_in) : default_token_lifetime;
        return {"Bearer " + token, {}};
    } catch (const nlohmann::json::exception&) {
        return {std::nullopt, "token response from " + realm + " is not JSON"};
    }
}

http::Response RegistryAuth::request_token(const std::string& realm, const std::string& service,
                                           const std::string& scope, const Credentials& credentials,
                                           const http::Request& asking) {
    http::Request token_request;
    // The request's own bounds: its deadline, and no retries where it takes
    // none (an identification probe must not wait out a failing realm's backoff).
    token_request.deadline = asking.deadline;
    token_request.retry = asking.retry;
    token_request.max_body = limits::max_token_response;
    if (!credentials.identity_token.empty()) {
        // The OAuth2 form goes in the body, never in the URL (URLs are logged).
        token_request.method = "POST";
        token_request.url = realm;
        token_request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
        token_request.body = identity_token_form(credentials.identity_token, service, scope);
        return client_.send(token_request);
    }
    std::string query;
    if (!service.empty()) query += "service=" + sdk::url_encode(service);
    for (const auto& one : split_scopes(scope))
        query += (query.empty() ? "" : "&") + std::string("scope=") + sdk::url_encode(one);
    token_request.url = realm + (realm.find('?') == std::string::npos ? "?" : "&") + query;
    if (!credentials.empty()) token_request.headers.emplace_back("Authorization", credentials.authorization());
    return client_.send(token_request);
}

}  // namespace regscan::auth
