// WWW-Authenticate challenges (RFC 9110 section 11.6.1) as registries send them:
//   Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull"
//   Basic realm="Registry Realm"
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace regscan::auth {

struct Challenge {
    std::string scheme;  // as sent: "Bearer", "Basic"
    std::map<std::string, std::string> params;  // lowercase names

    [[nodiscard]] std::string param(const std::string& name) const {
        auto it = params.find(name);
        return it == params.end() ? std::string{} : it->second;
    }
};

// Every challenge in one header value (several may be comma-separated).
std::vector<Challenge> parse_challenges(std::string_view header_value);

// The scope a /v2/ URL needs: "registry:catalog:*" for the catalog,
// "repository:<name>:pull" for tags, manifests, blobs and referrers, "" else.
std::string scope_for_url(std::string_view url);

}  // namespace regscan::auth
