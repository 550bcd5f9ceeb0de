#include "quay_api.hpp"

#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <set>

#include "regscan/digest.hpp"
#include "regscan/json_fields.hpp"
#include "regscan/url.hpp"

namespace regscan::quay {
namespace {

using nlohmann::json;

}  // namespace

std::vector<std::string> repository_names(const json& page, const std::string& namespace_name) {
    std::vector<std::string> names;
    if (!page.is_object()) return names;
    auto list = page.find("repositories");
    if (list == page.end() || !list->is_array()) return names;
    for (const auto& entry : *list) {
        if (!entry.is_object()) continue;
        std::string name = sdk::json_string(entry, "name");
        if (name.empty() || sdk::json_string(entry, "namespace") != namespace_name) continue;
        names.push_back(name);
    }
    return names;
}

std::string rfc3339_from_epoch(long long seconds) {
    using namespace std::chrono;
    sys_seconds at{std::chrono::seconds(seconds)};
    auto day = floor<days>(at);
    year_month_day date{day};
    hh_mm_ss time{at - day};
    char out[32];
    std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02ld:%02ld:%02lldZ", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  static_cast<long>(time.hours().count()), static_cast<long>(time.minutes().count()),
                  static_cast<long long>(time.seconds().count()));
    return out;
}

std::optional<std::string> rfc3339_from_rfc2822(const std::string& text) {
    static constexpr std::array<const char*, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char weekday[4] = {}, month[4] = {}, zone[6] = {};
    int day = 0, year = 0, hour = 0, minute = 0, second = 0;
    if (text.size() > 64 ||
        std::sscanf(text.c_str(), "%3s, %d %3s %d %d:%d:%d %5s", weekday, &day, month, &year, &hour, &minute, &second,
                    zone) != 8)
        return std::nullopt;
    int month_number = 0;
    for (size_t i = 0; i < months.size(); ++i)
        if (std::string(month) == months[i]) month_number = static_cast<int>(i) + 1;
    std::string z = zone;
    if (!month_number || day < 1 || day > 31 || year < 1970 || year > 9999 || hour > 23 || minute > 59 ||
        second > 60 || hour < 0 || minute < 0 || second < 0 || z.size() != 5 || (z[0] != '+' && z[0] != '-'))
        return std::nullopt;
    for (size_t i = 1; i < 5; ++i)
        if (!std::isdigit(static_cast<unsigned char>(z[i]))) return std::nullopt;
    using namespace std::chrono;
    year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month_number)),
                        std::chrono::day(static_cast<unsigned>(day))};
    if (!date.ok()) return std::nullopt;
    long long offset = (std::stoi(z.substr(1, 2)) * 60 + std::stoi(z.substr(3, 2))) * 60 * (z[0] == '-' ? -1 : 1);
    long long epoch = sys_days{date}.time_since_epoch() / std::chrono::seconds(1) + hour * 3600LL + minute * 60LL +
                      second - offset;
    return rfc3339_from_epoch(epoch);
}

std::vector<sdk::TagInfo> tag_infos(const json& page, long long now_epoch) {
    std::vector<sdk::TagInfo> tags;
    if (!page.is_object()) return tags;
    auto list = page.find("tags");
    if (list == page.end() || !list->is_array()) return tags;
    std::set<std::string> seen;
    for (const auto& entry : *list) {
        if (!entry.is_object()) continue;
        sdk::TagInfo tag;
        tag.tag = sdk::json_string(entry, "name");
        if (tag.tag.empty()) continue;
        if (auto ended = entry.find("end_ts"); ended != entry.end()) {
            auto end = sdk::json_seconds_value(*ended);
            if (!end || *end <= now_epoch) continue;  // history: the tag no longer points there
        }
        if (!seen.insert(tag.tag).second) continue;
        if (auto digest = sdk::json_string(entry, "manifest_digest"); sdk::valid_digest(digest)) tag.digest = digest;
        if (auto start = entry.find("start_ts"); start != entry.end()) {
            if (auto seconds = sdk::json_seconds_value(*start); seconds && *seconds >= 0)
                tag.pushed = rfc3339_from_epoch(*seconds);
        }
        if (tag.pushed.empty())
            if (auto modified = rfc3339_from_rfc2822(sdk::json_string(entry, "last_modified"))) tag.pushed = *modified;
        tags.push_back(std::move(tag));
    }
    return tags;
}

std::string readable_failure(const std::string& text) {
    // The body may be cut (HttpResponse::describe keeps its first bytes), so
    // the message is looked up rather than the JSON parsed.
    static const std::string key = "\"error_message\": \"";
    auto http = text.find(": HTTP ");
    auto body = http == std::string::npos ? std::string::npos : text.find(": {", http + 7);
    auto at = body == std::string::npos ? std::string::npos : text.find(key, body);
    if (at == std::string::npos) return text;
    auto start = at + key.size();
    auto end = text.find('"', start);
    if (end == std::string::npos || end == start) return text;
    return text.substr(0, body) + " (" + text.substr(start, end - start) + ")";
}

std::string repository_path(const std::string& namespace_name, const std::string& repository) {
    return sdk::url_encode(namespace_name) + "/" + sdk::url_encode(repository, "/");
}

}  // namespace regscan::quay
