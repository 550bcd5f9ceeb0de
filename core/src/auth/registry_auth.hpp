// Answers a registry's WWW-Authenticate challenges for /v2/ requests: Basic
// with the user's credentials, the Bearer token flow (realm, service, scope;
// `token` or `access_token`; cached until it expires; an identity token is
// exchanged there as an OAuth2 refresh token), or a plugin's own authorize()
// when the registry needs a vendor flow.
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

// A password without a username is a token (an access token, a PAT): it is
// sent as `Bearer <token>` to a Basic challenge and to the token realm, since
// Basic ":<token>" is refused by JWT realms.
struct Credentials {
    std::string username;
    std::string password;
    // docker's "identity token": an OAuth2 refresh token for the registry's
    // token service (docker login stores one for ACR and other OAuth2 realms).
    // It is never an Authorization value: it is exchanged at the Bearer realm
    // for an access token (identity_token_form), and answers no Basic challenge.
    std::string identity_token;
    // Where they came from ("--username/--password", "the environment
    // (REGSCAN_REGISTRY_*)", "the config file", "the URL"), never their value.
    std::string source;
    [[nodiscard]] bool empty() const { return username.empty() && password.empty() && identity_token.empty(); }
    [[nodiscard]] bool token_only() const { return username.empty() && !password.empty() && identity_token.empty(); }
    // The same values, wherever each came from.
    [[nodiscard]] bool same_as(const Credentials& other) const {
        return username == other.username && password == other.password && identity_token == other.identity_token;
    }
    // The Authorization value these credentials give a Basic challenge or a
    // token realm; "" when there are none or they are an identity token.
    [[nodiscard]] std::string authorization() const;
};

// The OAuth2 form (application/x-www-form-urlencoded) that exchanges an
// identity token at a token realm, as docker sends it: grant_type=refresh_token,
// the token, the challenge's service, the scopes joined by spaces in one
// `scope`, client_id=regscan.
std::string identity_token_form(const std::string& identity_token, const std::string& service,
                                const std::string& scope);

// After a registry refused a request for credentials: which ones were tried
// (their source, never their value) and how to give others.
std::string credentials_hint(const Credentials& credentials);

// What a plugin's authorize() decided for one request: its own Authorization
// value, or the standard flow with credentials of its choosing (SDK 1.2).
struct PluginAuthorization {
    std::string authorization;
    std::optional<Credentials> credentials;
};

// A plugin's authorize(): nullopt for the standard flow with the user's
// credentials; throws sdk::Error when the vendor refused.
using AuthorizeHook = std::function<std::optional<PluginAuthorization>(const sdk::AuthRequest&)>;

class RegistryAuth {
public:
    RegistryAuth(http::HttpClient& client, Credentials credentials);

    void set_authorize_hook(AuthorizeHook hook);

    // Sends `request`, adding a cached Authorization for its scope, and on a
    // 401 answers the challenge once and retries. A failed token request is
    // returned as a 401 response whose body says why, unless nothing was
    // refused: the realm (or a plugin's sign-in) gave no answer at all
    // (http::unanswered: no connection, TLS, time) or failed (5xx, 429). Then
    // as a response without a status whose error says why.
    http::Response send(http::Request request);

private:
    AuthorizeHook authorize_hook();

    struct Cached {
        std::string authorization;
        std::chrono::steady_clock::time_point expires;
    };

    std::optional<std::string> cached(const std::string& key);
    void remember(const std::string& key, const std::string& authorization, std::chrono::seconds lifetime);
    void forget(const std::string& key);
    // The Authorization value answering `challenge`, or an error text.
    struct Answer {
        std::optional<std::string> authorization;
        std::string error;
        bool unanswered = false;  // nothing was refused: no answer, or a failing token service
    };
    Answer answer(const Challenge& challenge, const std::string& scope, const http::Request& request,
                  std::chrono::seconds& lifetime);
    Answer bearer_token(const Challenge& challenge, const std::string& scope, const http::Request& request,
                        const Credentials& credentials, std::chrono::seconds& lifetime);
    // The token realm's answer to `credentials`: a GET with their Basic or
    // Bearer value, or, for an identity token, the OAuth2 refresh_token POST.
    // Within the deadline of the registry request `asking` for it, retried
    // only where that request is, its answer bounded
    // (limits::max_token_response: every token is kept as a log secret).
    http::Response request_token(const std::string& realm, const std::string& service, const std::string& scope,
                                 const Credentials& credentials, const http::Request& asking);

    http::HttpClient& client_;
    Credentials credentials_;
    // Set and cleared by the session owning the plugin; answered from the
    // tag-listing threads (and from any thread a plugin runs a request on),
    // so read as a copy, under its lock.
    AuthorizeHook hook_;
    std::mutex hook_mutex_;
    std::mutex mutex_;
    // Identity tokens are exchanged one at a time: a token service that
    // rotates refresh tokens takes each one once, so the next exchange uses
    // the one it gave back (by "realm service"), as docker does.
    std::mutex exchange_mutex_;
    std::map<std::string, std::string> rotated_refresh_tokens_;
    std::map<std::string, Cached> cache_;  // "origin scope" -> header
};

}  // namespace regscan::auth
