// A Nexus repository's components, gathered page by page, as the images and
// tags regscan walks: one component per tag (its version); the images of a
// multi-platform index, versioned by digest, are left to their index; a
// group's repeats of one image:tag (in two members) count once, the first
// member winning as in the group's own resolution order.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "nexus_api.hpp"
#include "regscan/registry.hpp"

namespace regscan::nexus {

// Docker's grammar: lowercase path components of [a-z0-9] joined by '.', '_',
// '__' or '-', separated by '/', at most 255 characters.
bool valid_image_name(const std::string& name);
// [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
bool valid_tag(const std::string& tag);

// Built page by page, holding at most what the core keeps plus one (the SDK's
// "stop once you have one more": the core then reports the cut), so a listing
// of millions of components costs no more than the core keeps:
//  - once it holds one image more than `max_images` it is full and takes no
//    further component: images on later pages would be cut by the core anyway;
//  - an image holding one tag more than `max_tags` takes no further tag, but
//    the walk goes on, since a later page may bring other images' first tags
//    (a components listing is in the database's order, not by image).
class ImageListing {
public:
    enum class Full { no, images };

    // `prefix`: what the image's regscan repository name starts with ("docker-hosted/"). The whole
    // name is checked, as the core checks it (over 255 characters, it is refused): an image the core
    // would refuse is malformed here, and counts to no bound.
    explicit ImageListing(size_t max_images = SIZE_MAX, size_t max_tags = SIZE_MAX, std::string prefix = {})
        : max_images_(max_images), max_tags_(max_tags), prefix_(std::move(prefix)) {}

    // False once full: the rest of `components` is not taken, nor any later page.
    bool add(const std::vector<Component>& components);

    [[nodiscard]] Full full() const { return full_; }
    // The images whose tags were cut at max_tags + 1, in the order they got there.
    [[nodiscard]] const std::vector<std::string>& cut_images() const { return cut_images_; }
    [[nodiscard]] size_t tags_not_taken() const { return tags_not_taken_; }  // of cut images, after the cut
    [[nodiscard]] size_t image_count() const { return images_.size(); }

    // Image name -> its tags, newest push first (the order the core's
    // --max-tags-per-repo and age filters apply to). Moves them out: the
    // listing is empty afterwards.
    [[nodiscard]] std::map<std::string, std::vector<sdk::TagInfo>> take_images();

    [[nodiscard]] size_t tags() const { return tags_; }
    [[nodiscard]] size_t by_digest() const { return by_digest_; }    // index children, not tags
    [[nodiscard]] size_t malformed() const { return malformed_; }    // names or tags no client could pull
    [[nodiscard]] size_t repeated() const { return repeated_; }      // the same image:tag again

private:
    std::map<std::string, std::map<std::string, sdk::TagInfo>> images_;
    size_t max_images_;
    size_t max_tags_;
    std::string prefix_;
    Full full_ = Full::no;
    std::vector<std::string> cut_images_;  // at most one per image held
    size_t tags_not_taken_ = 0;
    size_t tags_ = 0;
    size_t by_digest_ = 0;
    size_t malformed_ = 0;
    size_t repeated_ = 0;
};

}  // namespace regscan::nexus
