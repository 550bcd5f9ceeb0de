#include "nexus_components.hpp"

#include <algorithm>
#include <cctype>

namespace regscan::nexus {
namespace {

bool alnum_lower(char c) { return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'z'); }

bool valid_path_component(std::string_view part) {
    if (part.empty() || !alnum_lower(part.front()) || !alnum_lower(part.back())) return false;
    for (size_t i = 0; i < part.size(); ++i) {
        char c = part[i];
        if (alnum_lower(c)) continue;
        if (c != '.' && c != '_' && c != '-') return false;
        // Separators: one '.' or '_', "__", or any run of '-'.
        char next = part[i + 1];
        if (c == '-' && next == '-') continue;
        if (c == '_' && next == '_' && i + 2 < part.size() && alnum_lower(part[i + 2])) {
            ++i;
            continue;
        }
        if (!alnum_lower(next)) return false;
    }
    return true;
}

}  // namespace

bool valid_image_name(const std::string& name) {
    if (name.empty() || name.size() > 255) return false;
    size_t start = 0;
    while (true) {
        auto slash = name.find('/', start);
        if (!valid_path_component(std::string_view(name).substr(start, slash - start))) return false;
        if (slash == std::string::npos) return true;
        start = slash + 1;
    }
}

bool valid_tag(const std::string& tag) {
    if (tag.empty() || tag.size() > 128) return false;
    auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    if (!word(tag.front())) return false;
    return std::all_of(tag.begin(), tag.end(), [&](char c) { return word(c) || c == '.' || c == '-'; });
}

bool ImageListing::add(const std::vector<Component>& components) {
    for (const auto& component : components) {
        if (full_ != Full::no) return false;
        if (component.version.rfind("sha256:", 0) == 0) {
            ++by_digest_;
            continue;
        }
        if (!valid_image_name(prefix_ + component.name) || !valid_tag(component.version)) {
            ++malformed_;
            continue;
        }
        auto& tags = images_[component.name];
        if (tags.count(component.version)) {
            ++repeated_;
            continue;
        }
        if (tags.size() > max_tags_) {
            ++tags_not_taken_;
            continue;
        }
        sdk::TagInfo tag;
        tag.tag = component.version;
        tag.digest = component.digest;
        tag.media_type = component.media_type;
        tag.pushed = component.last_modified;
        tags.emplace(component.version, std::move(tag));
        ++tags_;
        if (images_.size() > max_images_)
            full_ = Full::images;
        else if (tags.size() > max_tags_)  // reached once: no tag is taken past it
            cut_images_.push_back(component.name);
    }
    return full_ == Full::no;
}

std::map<std::string, std::vector<sdk::TagInfo>> ImageListing::take_images() {
    std::map<std::string, std::vector<sdk::TagInfo>> out;
    // One image at a time, so the tags are never held twice over.
    while (!images_.empty()) {
        auto node = images_.extract(images_.begin());
        auto& list = out[node.key()];
        list.reserve(node.mapped().size());
        for (auto& [_, tag] : node.mapped()) list.push_back(std::move(tag));
        // Nexus writes every time with the same offset ("+00:00"), so the text orders them.
        std::stable_sort(list.begin(), list.end(), [](const sdk::TagInfo& a, const sdk::TagInfo& b) {
            if (a.pushed.empty() != b.pushed.empty()) return b.pushed.empty();
            return a.pushed > b.pushed;
        });
    }
    return out;
}

}  // namespace regscan::nexus
