#include "ecr_sigv4.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>

#include "ecr_crypto.hpp"
#include "ecr_time.hpp"
#include "regscan/url.hpp"

namespace regscan::ecr::sigv4 {
namespace {

constexpr const char* algorithm = "AWS4-HMAC-SHA256";

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Query components arrive percent-encoded (or not); decode before the one
// canonical encoding so both forms sign the same.
std::string percent_decode(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

std::string lowercase(std::string_view text) {
    std::string out(text);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Trim, and fold every run of whitespace (folded header lines included) to one space.
std::string canonical_value(std::string_view value) {
    std::string out;
    bool pending_space = false;
    for (char c : value) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) out += ' ';
        pending_space = false;
        out += c;
    }
    return out;
}

bool has_header(const std::vector<sdk::Header>& headers, std::string_view name) {
    return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return sdk::iequals(h.first, name); });
}

}  // namespace

std::string uri_encode(std::string_view text, bool keep_slash) {
    return sdk::url_encode(text, keep_slash ? "/" : "");
}

std::string canonical_path(std::string_view path, bool normalize) {
    if (path.empty()) return "/";
    if (!normalize) return uri_encode(path, true);
    std::vector<std::string_view> segments;
    for (size_t start = 0; start <= path.size();) {
        size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        auto segment = path.substr(start, end - start);
        if (segment == "..") {
            if (!segments.empty()) segments.pop_back();
        } else if (!segment.empty() && segment != ".") {
            segments.push_back(segment);
        }
        start = end + 1;
    }
    std::string out;
    for (auto segment : segments) out += "/" + uri_encode(segment, false);
    // A trailing slash survives normalisation.
    if (out.empty() || path.back() == '/') out += '/';
    return out;
}

std::string canonical_query(std::string_view query) {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (size_t start = 0; start < query.size();) {
        size_t end = query.find('&', start);
        if (end == std::string_view::npos) end = query.size();
        auto item = query.substr(start, end - start);
        if (!item.empty()) {
            auto eq = item.find('=');
            auto key = item.substr(0, eq);
            auto value = eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1);
            pairs.emplace_back(uri_encode(percent_decode(key), false), uri_encode(percent_decode(value), false));
        }
        start = end + 1;
    }
    std::sort(pairs.begin(), pairs.end());
    std::string out;
    for (const auto& [key, value] : pairs) out += (out.empty() ? "" : "&") + key + "=" + value;
    return out;
}

std::pair<std::string, std::string> canonical_headers(const std::vector<sdk::Header>& headers) {
    // Values of a repeated header join with commas in the order sent.
    std::map<std::string, std::string> merged;
    for (const auto& [name, value] : headers) {
        auto key = lowercase(sdk::trim(name));
        auto it = merged.find(key);
        if (it == merged.end())
            merged.emplace(key, canonical_value(value));
        else
            it->second += "," + canonical_value(value);
    }
    std::string canonical, names;
    for (const auto& [name, value] : merged) {
        canonical += name + ":" + value + "\n";
        names += (names.empty() ? "" : ";") + name;
    }
    return {canonical, names};
}

std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service) {
    auto key = hmac_sha256("AWS4" + std::string(secret), date);
    key = hmac_sha256(key, region);
    key = hmac_sha256(key, service);
    return hmac_sha256(key, "aws4_request");
}

Signature sign(Request& request, const Credentials& credentials, const Options& options,
               std::chrono::system_clock::time_point when) {
    const std::string timestamp = amz_date(when);
    const std::string date = timestamp.substr(0, 8);
    const std::string payload_hash = sha256_hex(request.body);

    std::erase_if(request.headers, [](const auto& h) {
        return sdk::iequals(h.first, "Authorization") || sdk::iequals(h.first, "X-Amz-Date") ||
               sdk::iequals(h.first, "X-Amz-Security-Token");
    });
    request.headers.emplace_back("X-Amz-Date", timestamp);
    if (options.add_content_sha256 && !has_header(request.headers, "x-amz-content-sha256"))
        request.headers.emplace_back("x-amz-content-sha256", payload_hash);
    const bool with_token = !credentials.session_token.empty();
    if (with_token && !options.omit_session_token)
        request.headers.emplace_back("X-Amz-Security-Token", credentials.session_token);

    Signature result;
    auto [headers, signed_names] = canonical_headers(request.headers);
    result.canonical_request = request.method + "\n" + canonical_path(request.path, options.normalize_path) + "\n" +
                               canonical_query(request.query) + "\n" + headers + "\n" + signed_names + "\n" +
                               payload_hash;
    const std::string scope = date + "/" + options.region + "/" + options.service + "/aws4_request";
    result.string_to_sign =
        std::string(algorithm) + "\n" + timestamp + "\n" + scope + "\n" + sha256_hex(result.canonical_request);
    result.signature = hex(hmac_sha256(
        signing_key(credentials.secret_access_key, date, options.region, options.service), result.string_to_sign));
    result.authorization = std::string(algorithm) + " Credential=" + credentials.access_key_id + "/" + scope +
                           ", SignedHeaders=" + signed_names + ", Signature=" + result.signature;

    if (with_token && options.omit_session_token)
        request.headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
    request.headers.emplace_back("Authorization", result.authorization);
    return result;
}

}  // namespace regscan::ecr::sigv4
