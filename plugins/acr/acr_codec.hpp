// Encodings the Azure flows need: Basic credentials (base64), JWT payloads
// (base64url) and OAuth form bodies (application/x-www-form-urlencoded).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace regscan::acr {

std::string base64_encode(std::string_view data);

// Accepts base64url with or without padding; nullopt on any other character.
std::optional<std::string> base64url_decode(std::string_view text);

// "a=1&b=x%20y", every name and value percent-encoded.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

// "repository:a:pull repository:b:pull" -> each scope; a challenge may name several.
std::vector<std::string> split_scopes(std::string_view scopes);

}  // namespace regscan::acr
