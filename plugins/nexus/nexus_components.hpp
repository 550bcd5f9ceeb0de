// A Nexus repository's components, gathered page by page, as the images and
// tags regscan walks: one component per tag (its version); the images of a
// multi-platform index, versioned by digest, are left to their index; a
// group's repeats of one image:tag (in two members) count once, the first
// member winning as in the group's own resolution order.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "nexus_api.hpp"
#include "regscan/registry.hpp"

namespace regscan::nexus {

// Docker's grammar: lowercase path components of [a-z0-9] joined by '.', '_',
// '__' or '-', separated by '/', at most 255 characters.
bool valid_image_name(const std::string& name);
// [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
bool valid_tag(const std::string& tag);

class ImageListing {
public:
    void add(const std::vector<Component>& components);

    // Image name -> its tags, newest push first (the order the core's
    // --max-tags-per-repo and age filters apply to).
    [[nodiscard]] std::map<std::string, std::vector<sdk::TagInfo>> images() const;

    [[nodiscard]] size_t tags() const { return tags_; }
    [[nodiscard]] size_t by_digest() const { return by_digest_; }    // index children, not tags
    [[nodiscard]] size_t malformed() const { return malformed_; }    // names or tags no client could pull
    [[nodiscard]] size_t repeated() const { return repeated_; }      // the same image:tag again

private:
    std::map<std::string, std::map<std::string, sdk::TagInfo>> images_;
    size_t tags_ = 0;
    size_t by_digest_ = 0;
    size_t malformed_ = 0;
    size_t repeated_ = 0;
};

}  // namespace regscan::nexus
