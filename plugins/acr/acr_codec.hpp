// Encodings the Azure flows need: Basic credentials and JWT payloads (the
// SDK's base64) and OAuth form bodies (application/x-www-form-urlencoded).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "regscan/base64.hpp"

namespace regscan::acr {

using sdk::base64_encode;
using sdk::base64url_decode;

// "a=1&b=x%20y", every name and value percent-encoded.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

// "repository:a:pull repository:b:pull" -> each scope; a challenge may name several.
std::vector<std::string> split_scopes(std::string_view scopes);

}  // namespace regscan::acr
