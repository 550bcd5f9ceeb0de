// The session's sign-in to one registry: picks the flow (admin user or token,
// service principal, managed identity), caches every token until shortly
// before it expires, and hands out ACR access tokens per scope. Thread-safe:
// tags() and the core's authorize() ask for tokens concurrently.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "acr_oauth.hpp"
#include "acr_settings.hpp"
#include "acr_token.hpp"
#include "regscan/host.hpp"

namespace regscan::acr {

class AcrCredentials {
public:
    // registry_base: where GET /v2/ is asked when the tenant must be discovered.
    AcrCredentials(sdk::Host host, AuthSettings settings, std::string registry_base,
                   Clock clock = std::chrono::system_clock::now);

    // "Bearer <ACR access token>" for `scope` (space-separated scopes allowed).
    std::string authorization(const AcrEndpoint& endpoint, const std::string& scope);

    // Drops the cached access token for `scope`: the registry refused it.
    void forget(const AcrEndpoint& endpoint, const std::string& scope);

    // The flow in use; `automatic` until the first token decided it.
    AuthMode mode();

private:
    Token fetch(const AcrEndpoint& endpoint, const std::string& scope);
    Token first_token(const AcrEndpoint& endpoint, const std::string& scope);
    Token basic_token(const AcrEndpoint& endpoint, const std::string& scope);
    Token token_from_refresh(const AcrEndpoint& endpoint, const std::string& scope);
    std::string refresh_token(const AcrEndpoint& endpoint, bool renew);
    std::string refresh_token_locked(const AcrEndpoint& endpoint, bool renew);
    Token entra_token();
    std::string tenant();
    std::string discover_tenant();
    [[nodiscard]] std::string basic_refusal_context() const;

    sdk::Host host_;
    AuthSettings settings_;
    std::string registry_base_;
    Clock clock_;

    std::mutex access_mutex_;
    std::map<std::string, Token> access_tokens_;  // "service scope"

    // Held while signing in, so concurrent callers wait for one sign-in
    // rather than each running their own.
    std::mutex login_mutex_;
    AuthMode mode_;
    std::string basic_refusal_;             // why Basic failed before we tried Entra ID
    std::optional<Token> entra_token_;
    std::map<std::string, Token> refresh_tokens_;  // by service
    std::optional<std::string> discovered_tenant_;
};

}  // namespace regscan::acr
