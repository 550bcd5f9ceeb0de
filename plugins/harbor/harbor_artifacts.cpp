#include "harbor_artifacts.hpp"

#include "regscan/digest.hpp"
#include "regscan/json_fields.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>

namespace regscan::harbor {
namespace {

using nlohmann::json;

bool is_manifest_type(const std::string& media_type) {
    return media_type.find("manifest") != std::string::npos || media_type.find("image.index") != std::string::npos;
}

// Harbor's `media_type` is the config's for an image, the manifest's for an
// index; `manifest_media_type` is always the manifest's.
std::string manifest_type(const json& artifact) {
    auto type = sdk::json_string(artifact, "manifest_media_type", sdk::max_listed_field);
    if (!type.empty()) return type;
    type = sdk::json_string(artifact, "media_type", sdk::max_listed_field);
    return is_manifest_type(type) ? type : std::string{};
}

// The number `count` digits at `pos` spell, or -1.
int number(const std::string& text, size_t pos, size_t count) {
    if (pos + count > text.size()) return -1;
    int value = 0;
    for (size_t i = pos; i < pos + count; ++i) {
        if (!std::isdigit(static_cast<unsigned char>(text[i]))) return -1;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

}  // namespace

std::string time_key(const std::string& t) {
    if (t.size() < 20 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't') || t[13] != ':' ||
        t[16] != ':')
        return {};
    const int year = number(t, 0, 4), month = number(t, 5, 2), day = number(t, 8, 2);
    const int hour = number(t, 11, 2), minute = number(t, 14, 2), second = number(t, 17, 2);
    // A key that sorts is not yet a time: "9999-99-99T99:99:99Z" would reach
    // the inventory as a build time. 60 is a leap second, as the core allows.
    if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 ||
        second > 60)
        return {};
    const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                           std::chrono::day{static_cast<unsigned>(day)}};
    if (!date.ok()) return {};
    size_t pos = 19;
    std::string fraction;
    if (t[pos] == '.') {
        for (++pos; pos < t.size() && std::isdigit(static_cast<unsigned char>(t[pos])); ++pos) fraction += t[pos];
        if (fraction.empty()) return {};
    }
    if (pos + 1 != t.size() || (t[pos] != 'Z' && t[pos] != 'z')) return {};
    fraction.resize(9, '0');
    return t.substr(0, 19) + "." + fraction.substr(0, 9);
}

std::vector<sdk::PlatformImage> index_platforms(const json& artifact) {
    auto it = artifact.find("references");
    if (it == artifact.end() || !it->is_array()) return {};
    std::vector<sdk::PlatformImage> platforms;
    for (const auto& reference : *it) {
        if (!reference.is_object()) return {};
        auto digest = sdk::json_string(reference, "child_digest", sdk::max_listed_field);
        auto platform = reference.find("platform");
        if (platform == reference.end() || !platform->is_object()) return {};
        auto os = sdk::json_string(*platform, "os", sdk::max_listed_field);
        auto architecture = sdk::json_string(*platform, "architecture", sdk::max_listed_field);
        std::string variant;
        if (auto it = platform->find("variant"); it != platform->end() && it->is_string()) {
            // An oversized variant is not a missing one: the entry is not read.
            if (it->get_ref<const std::string&>().size() > sdk::max_listed_field) return {};
            variant = it->get<std::string>();
        }
        if (os == "unknown") continue;
        if (!sdk::valid_digest(digest) || os.empty() || architecture.empty()) return {};
        platforms.push_back({os + "/" + architecture + (variant.empty() ? "" : "/" + variant), digest});
    }
    return platforms;
}

std::vector<sdk::TagInfo> artifact_tags(const json& artifact, size_t max_tags, size_t platform_room,
                                        const std::function<bool(const std::string& key)>& is_new) {
    if (!artifact.is_object()) return {};
    // Every field of `base` is copied into each tag: each is read bounded.
    sdk::TagInfo base;
    base.digest = sdk::json_string(artifact, "digest", sdk::max_listed_field);
    // A digest the core would refuse is no hint: the tags are read by name
    // (the core checks what they point at), an untagged artifact not at all.
    const bool addressable = sdk::valid_digest(base.digest);
    if (!addressable) base.digest.clear();
    base.media_type = manifest_type(artifact);
    base.pushed = sdk::json_string(artifact, "push_time", sdk::max_listed_field);
    const auto platforms = addressable ? index_platforms(artifact) : std::vector<sdk::PlatformImage>{};
    // The build time only of an image: a dry run then reads nothing more of
    // it, so a chart or other artifact must be read to be told apart.
    const auto type = sdk::json_string(artifact, "type");
    if (platforms.empty() && (type.empty() || type == "IMAGE")) {
        auto extra = artifact.find("extra_attrs");
        if (extra != artifact.end()) base.created = sdk::json_string(*extra, "created", sdk::max_listed_field);
    }
    if (time_key(base.created).empty()) base.created.clear();
    if (time_key(base.pushed).empty()) base.pushed.clear();

    // The platforms too, while the room lasts: a tag without them is read
    // through its index by the core.
    auto with_platforms = [&](sdk::TagInfo tag) {
        if (platforms.size() <= platform_room) {
            tag.platforms = platforms;
            platform_room -= platforms.size();
        }
        return tag;
    };
    std::vector<sdk::TagInfo> tags;
    bool named = false;
    if (auto list = artifact.find("tags"); list != artifact.end() && list->is_array()) {
        for (const auto& entry : *list) {
            if (tags.size() >= max_tags) break;
            auto name = sdk::json_string(entry, "name");
            if (name.empty()) continue;
            named = true;
            if (is_new && !is_new(":" + name)) continue;
            sdk::TagInfo tag = with_platforms(base);
            tag.tag = std::move(name);
            if (auto pushed = sdk::json_string(entry, "push_time", sdk::max_listed_field); !time_key(pushed).empty())
                tag.pushed = pushed;
            tags.push_back(std::move(tag));
        }
    }
    // Untagged: by digest.
    if (!named && addressable && max_tags > 0 && (!is_new || is_new("@" + base.digest)))
        tags.push_back(with_platforms(std::move(base)));
    return tags;
}

size_t TagCollector::remaining() const {
    if (!max_tags_) return SIZE_MAX;
    return tags_.size() > max_tags_ ? 0 : max_tags_ + 1 - tags_.size();
}

void TagCollector::add(const json& artifact) {
    auto is_new = [&](const std::string& key) { return keys_.insert(key).second; };
    for (auto& tag : artifact_tags(artifact, remaining(), sdk::max_listed_platforms - platforms_, is_new)) {
        platforms_ += tag.platforms.size();
        tags_.push_back(std::move(tag));
    }
}

std::vector<sdk::TagInfo> TagCollector::take() {
    std::stable_sort(tags_.begin(), tags_.end(), [](const sdk::TagInfo& a, const sdk::TagInfo& b) {
        auto ka = time_key(a.pushed);
        auto kb = time_key(b.pushed);
        if (ka.empty() != kb.empty()) return kb.empty();
        return ka > kb;
    });
    keys_.clear();
    return std::move(tags_);
}

}  // namespace regscan::harbor
