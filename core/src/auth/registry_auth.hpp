// Answers a registry's WWW-Authenticate challenges for /v2/ requests: Basic
// with the user's credentials, the Bearer token flow (realm, service, scope;
// `token` or `access_token`; cached until it expires), or a plugin's own
// authorize() when the registry needs a vendor flow.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "auth/challenge.hpp"
#include "http/http_client.hpp"
#include "regscan/registry.hpp"

namespace regscan::auth {

struct Credentials {
    std::string username;
    std::string password;
    [[nodiscard]] bool empty() const { return username.empty() && password.empty(); }
};

// A plugin's authorize(): the Authorization value, nullopt for the standard
// flow; throws sdk::Error when the vendor refused.
using AuthorizeHook = std::function<std::optional<std::string>(const sdk::AuthRequest&)>;

class RegistryAuth {
public:
    RegistryAuth(http::HttpClient& client, Credentials credentials);

    void set_authorize_hook(AuthorizeHook hook);

    // Sends `request`, adding a cached Authorization for its scope, and on a
    // 401 answers the challenge once and retries. A failed token request is
    // returned as a 401 response whose body says why.
    http::Response send(http::Request request);

private:
    struct Cached {
        std::string authorization;
        std::chrono::steady_clock::time_point expires;
    };

    std::optional<std::string> cached(const std::string& key);
    void remember(const std::string& key, const std::string& authorization, std::chrono::seconds lifetime);
    void forget(const std::string& key);
    // The Authorization value answering `challenge`, or an error text.
    std::pair<std::optional<std::string>, std::string> answer(const Challenge& challenge, const std::string& scope,
                                                              const http::Request& request,
                                                              std::chrono::seconds& lifetime);
    std::pair<std::optional<std::string>, std::string> bearer_token(const Challenge& challenge,
                                                                    const std::string& scope,
                                                                    const std::string& registry_url,
                                                                    std::chrono::seconds& lifetime);

    http::HttpClient& client_;
    Credentials credentials_;
    AuthorizeHook hook_;
    std::mutex mutex_;
    std::map<std::string, Cached> cache_;  // "origin scope" -> header
};

}  // namespace regscan::auth
