#include "hub_pages.hpp"

#include <algorithm>
#include <cctype>
#include <tuple>

#include "regscan/error.hpp"
#include "regscan/json_fields.hpp"
#include "regscan/url.hpp"

namespace regscan::dockerhub {
namespace {

using nlohmann::json;

const json& results_of(const json& body, const std::string& url) {
    if (!body.is_object()) throw sdk::Error(REGSCAN_ERROR, "GET " + url + ": expected a JSON object");
    auto it = body.find("results");
    if (it == body.end() || it->is_null()) {
        static const json empty = json::array();
        return empty;
    }
    if (!it->is_array()) throw sdk::Error(REGSCAN_ERROR, "GET " + url + ": \"results\" is not an array");
    return *it;
}

// The spec declares `images` as one object; Docker Hub sends an array of
// per-platform images. Either way, a single image's digest is the tag's.
std::string single_image_digest(const json& tag) {
    auto it = tag.find("images");
    if (it == tag.end()) return {};
    if (it->is_object()) return sdk::json_string(*it, "digest");
    if (it->is_array() && it->size() == 1 && (*it)[0].is_object()) return sdk::json_string((*it)[0], "digest");
    return {};
}

// The per-platform image manifests of a multi-platform tag, from images[].
// Empty for a single image, or when any entry lacks a digest or platform, so
// that the core then reads the index itself. Attestation entries (os
// "unknown") are not images and are left out.
std::vector<sdk::PlatformImage> listed_platforms(const json& tag, const std::string& tag_digest) {
    auto it = tag.find("images");
    if (tag_digest.empty() || it == tag.end() || !it->is_array()) return {};
    std::vector<sdk::PlatformImage> platforms;
    bool differs_from_tag = false;
    for (const auto& image : *it) {
        if (!image.is_object()) return {};
        auto os = sdk::json_string(image, "os");
        auto architecture = sdk::json_string(image, "architecture");
        auto variant = sdk::json_string(image, "variant");
        auto digest = sdk::json_string(image, "digest");
        if (os == "unknown") continue;
        if (os.empty() || architecture.empty() || digest.empty()) return {};
        differs_from_tag = differs_from_tag || digest != tag_digest;
        platforms.push_back({os + "/" + architecture + (variant.empty() ? "" : "/" + variant), std::move(digest)});
    }
    return differs_from_tag ? platforms : std::vector<sdk::PlatformImage>{};
}

bool parse_digits(std::string_view text, size_t pos, size_t count, int& out) {
    if (pos + count > text.size()) return false;
    out = 0;
    for (size_t i = pos; i < pos + count; ++i) {
        if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
        out = out * 10 + (text[i] - '0');
    }
    return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = static_cast<int>(y - era * 400);
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

}  // namespace

RepositoryPage parse_repository_page(const json& body, const std::string& url) {
    RepositoryPage page;
    for (const auto& entry : results_of(body, url)) {
        if (!entry.is_object()) continue;
        auto name = sdk::json_string(entry, "name");
        if (!name.empty()) page.names.push_back(std::move(name));
    }
    page.next = sdk::json_string(body, "next");
    return page;
}

TagPage parse_tag_page(const json& body, const std::string& url) {
    TagPage page;
    for (const auto& entry : results_of(body, url)) {
        if (!entry.is_object()) continue;
        sdk::TagInfo tag;
        tag.tag = sdk::json_string(entry, "name");
        if (tag.tag.empty()) continue;
        tag.digest = sdk::json_string(entry, "digest");
        if (tag.digest.empty()) tag.digest = single_image_digest(entry);
        tag.media_type = sdk::json_string(entry, "media_type");
        tag.platforms = listed_platforms(entry, tag.digest);
        tag.pushed = sdk::json_string(entry, "tag_last_pushed");
        if (tag.pushed.empty()) tag.pushed = sdk::json_string(entry, "last_updated");
        page.tags.push_back(std::move(tag));
    }
    page.next = sdk::json_string(body, "next");
    return page;
}

std::optional<std::int64_t> rfc3339_micros(std::string_view text) {
    int year, month, day, hour, minute, second;
    if (text.size() < 20 || !parse_digits(text, 0, 4, year) || text[4] != '-' || !parse_digits(text, 5, 2, month) ||
        text[7] != '-' || !parse_digits(text, 8, 2, day) || (text[10] != 'T' && text[10] != 't') ||
        !parse_digits(text, 11, 2, hour) || text[13] != ':' || !parse_digits(text, 14, 2, minute) ||
        text[16] != ':' || !parse_digits(text, 17, 2, second))
        return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
        return std::nullopt;
    size_t pos = 19;
    std::int64_t micros = 0;
    if (text[pos] == '.') {
        int digits = 0;
        for (++pos; pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])); ++pos, ++digits)
            if (digits < 6) micros = micros * 10 + (text[pos] - '0');
        if (digits == 0) return std::nullopt;
        for (; digits < 6; ++digits) micros *= 10;
    }
    std::int64_t offset_seconds = 0;
    if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
        ++pos;
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        int oh, om;
        if (!parse_digits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
            !parse_digits(text, pos + 4, 2, om))
            return std::nullopt;
        offset_seconds = (text[pos] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != text.size()) return std::nullopt;
    std::int64_t seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second -
                           offset_seconds;
    return seconds * 1000000 + micros;
}

void sort_newest_first(std::vector<sdk::TagInfo>& tags) {
    std::stable_sort(tags.begin(), tags.end(), [](const sdk::TagInfo& a, const sdk::TagInfo& b) {
        auto ta = rfc3339_micros(a.pushed);
        auto tb = rfc3339_micros(b.pushed);
        // Known times before unknown ones, newer before older, then by name.
        return std::make_tuple(!ta.has_value(), -ta.value_or(0), a.tag) <
               std::make_tuple(!tb.has_value(), -tb.value_or(0), b.tag);
    });
}

std::string next_page_url(const std::string& api_base, const std::string& current, const std::string& next) {
    if (next.empty()) return {};
    std::string absolute = sdk::resolve_url(current, next);
    auto target = sdk::parse_url(absolute);
    auto base = sdk::parse_url(api_base);
    if (target.origin() == base.origin()) return absolute;
    return api_base + target.path;
}

std::string hub_error_text(const std::string& body) {
    auto parsed = json::parse(body, nullptr, false);
    if (parsed.is_object()) {
        for (const char* key : {"detail", "message", "details"}) {
            auto text = sdk::json_string(parsed, key);
            if (!text.empty()) return text;
        }
    }
    std::string snippet = body.substr(0, 200);
    std::replace_if(snippet.begin(), snippet.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    return snippet;
}

}  // namespace regscan::dockerhub
