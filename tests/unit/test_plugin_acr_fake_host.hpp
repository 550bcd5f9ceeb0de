// What the acr plugin's unit tests add to the shared fake host
// (regscan/testing/fake_host.hpp): JSON replies and unsigned JWTs.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acr_codec.hpp"
#include "regscan/testing/fake_host.hpp"

namespace acr_test {

using regscan::sdk::Header;
using regscan::sdk::HttpResponse;

using fake_host::Call;
using fake_host::field;
using fake_host::FakeHost;

using fake_host::json_reply;

// An unsigned JWT with these claims (the plugin only reads them).
inline std::string make_jwt(const nlohmann::json& claims) {
    auto url = [](std::string text) {
        for (auto& c : text) c = c == '+' ? '-' : c == '/' ? '_' : c;
        while (!text.empty() && text.back() == '=') text.pop_back();
        return text;
    };
    return url(regscan::acr::base64_encode(R"({"alg":"RS256","typ":"JWT"})")) + "." +
           url(regscan::acr::base64_encode(claims.dump())) + ".c2lnbmF0dXJl";
}

}  // namespace acr_test
