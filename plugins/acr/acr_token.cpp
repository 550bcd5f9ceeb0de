#include "acr_token.hpp"

#include <algorithm>

#include "acr_codec.hpp"
#include "regscan/json_fields.hpp"

namespace regscan::acr {

std::optional<nlohmann::json> jwt_claims(std::string_view token) {
    // Real tokens are a few KiB; a longer one's claims are not parsed (JSON inside a string escapes the
    // host's check of the answer's JSON).
    if (token.size() > 64 * 1024) return std::nullopt;
    auto first = token.find('.');
    if (first == std::string_view::npos) return std::nullopt;
    auto second = token.find('.', first + 1);
    if (second == std::string_view::npos) return std::nullopt;
    auto payload = base64url_decode(token.substr(first + 1, second - first - 1));
    if (!payload) return std::nullopt;
    auto claims = nlohmann::json::parse(*payload, nullptr, false);
    if (claims.is_discarded() || !claims.is_object()) return std::nullopt;
    return claims;
}

std::optional<long long> jwt_expiry(std::string_view token) {
    auto claims = jwt_claims(token);
    if (!claims) return std::nullopt;
    return seconds_field(*claims, "exp");
}

std::optional<long long> seconds_field(const nlohmann::json& object, const std::string& key) {
    auto it = object.find(key);
    if (it == object.end()) return std::nullopt;
    if (it->is_number()) return sdk::json_seconds_value(*it);
    if (it->is_string()) {
        const auto& text = it->get_ref<const std::string&>();
        if (text.empty() || text.size() > 18 || !std::all_of(text.begin(), text.end(), ::isdigit))
            return std::nullopt;
        return sdk::json_seconds_value(std::stoll(text));
    }
    return std::nullopt;
}

Token make_token(std::string value, TimePoint now, std::optional<long long> expires_in,
                 std::chrono::seconds fallback) {
    using std::chrono::seconds;
    TimePoint expires = now + fallback;
    if (expires_in && *expires_in > 0) {
        expires = now + seconds(*expires_in);
    } else if (auto exp = jwt_expiry(value)) {
        expires = TimePoint(seconds(*exp));
    }
    auto lifetime = std::max(std::chrono::duration_cast<seconds>(expires - now), seconds(0));
    auto margin = std::min(seconds(60), lifetime / 2);
    return {std::move(value), expires - margin};
}

}  // namespace regscan::acr
