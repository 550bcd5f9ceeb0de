#include "catalog/npm_document.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include "util/memory_estimate.hpp"

namespace regscan::catalog {

namespace {

using nlohmann::json;

// Where an object sits in the document: which of its keys are kept, and
// where the value of a kept key sits in turn (a manifest's top is not a
// lockfile's: only a lockfile's "packages" is read).
enum class Place {
    manifest_top,
    lockfile_top,
    install_paths,
    package_entry,
    dependency_names,
    dependency_entry,
    license,
    leaf
};

bool keeps(Place place, const std::string& key) {
    auto one_of = [&](std::initializer_list<std::string_view> names) {
        for (auto name : names)
            if (key == name) return true;
        return false;
    };
    switch (place) {
        case Place::manifest_top: return one_of({"name", "version", "license", "licenses", "dependencies"});
        case Place::lockfile_top: return one_of({"name", "version", "license", "licenses", "dependencies", "packages"});
        case Place::install_paths:
        case Place::dependency_names: return true;
        case Place::package_entry: return one_of({"name", "version", "link", "license", "licenses", "dependencies"});
        case Place::dependency_entry: return one_of({"version", "dependencies"});
        case Place::license: return key == "type";
        case Place::leaf: return false;
    }
    return false;
}

Place place_of_value(Place object, const std::string& key) {
    if (key == "dependencies" && object != Place::install_paths && object != Place::dependency_names)
        return Place::dependency_names;
    const bool top = object == Place::manifest_top || object == Place::lockfile_top;
    if ((key == "license" || key == "licenses") && (top || object == Place::package_entry))
        return Place::license;
    switch (object) {
        case Place::lockfile_top: return key == "packages" ? Place::install_paths : Place::leaf;
        case Place::install_paths: return Place::package_entry;
        case Place::dependency_names: return Place::dependency_entry;
        default: return Place::leaf;
    }
}

// Builds the document from the parser's events (nlohmann's SAX interface),
// storing only kept values. Not nlohmann's parse callback: that parser scans
// an object's members after each nested object closes, quadratic in an object
// of many entries (a lockfile's "packages").
class KeptDocument : public nlohmann::json_sax<json> {
public:
    KeptDocument(NpmDocument kind, FileBudget& budget) : kind_(kind), budget_(budget) {}

    json take() { return failed_ ? json(json::value_t::discarded) : std::move(root_); }

    bool null() override { return value(nullptr); }
    bool boolean(bool v) override { return value(v); }
    bool number_integer(number_integer_t v) override { return value(v); }
    bool number_unsigned(number_unsigned_t v) override { return value(v); }
    bool number_float(number_float_t v, const string_t&) override { return value(v); }
    bool string(string_t& v) override {
        // A dependency's range: only its name (the key) is read.
        if (!levels_.empty() && levels_.back().place == Place::dependency_names && !levels_.back().array)
            return value(nullptr);
        // nlohmann holds a string value on the heap: the string, its header, its characters.
        const auto bytes = sizeof(std::string) + 16 + util::heap_bytes(v);
        return value(std::move(v), bytes);
    }
    bool binary(binary_t&) override { return true; }  // JSON text has none
    bool start_object(std::size_t) override { return open(json::object(), false); }
    bool start_array(std::size_t) override { return open(json::array(), true); }
    bool end_object() override { return close(); }
    bool end_array() override { return close(); }
    bool key(string_t& key) override {
        auto& object = levels_.back();
        object.key_kept = keeps(object.place, key);
        if (object.place == Place::lockfile_top) {
            // A lockfile's v1 tree is read only when it has no "packages" (v2 has both).
            if (key == "packages" && object.container) object.container->erase("dependencies");
            if (key == "packages") packages_seen_ = true;
            if (key == "dependencies" && packages_seen_) object.key_kept = false;
        }
        object.next = object.key_kept ? place_of_value(object.place, key) : Place::leaf;
        if (object.key_kept && object.container)
            budget_.add(util::map_node_bytes + sizeof(std::string) + util::heap_bytes(key));
        object.key = std::move(key);
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
        failed_ = true;
        return false;
    }

private:
    // One open container: where it sits and where the document holds it
    // (nullptr: discarded, and all it holds with it).
    struct Level {
        json* container;
        Place place;
        bool array;
        bool key_kept = false;
        Place next = Place::leaf;
        std::string key = {};
    };

    // Where a value arriving now is stored; nullptr when it is discarded.
    json* slot(json&& v, uint64_t bytes) {
        if (levels_.empty()) {
            root_ = std::move(v);
            return &root_;
        }
        auto& parent = levels_.back();
        if (!parent.container || (parent.array ? parent.place == Place::leaf : !parent.key_kept)) return nullptr;
        budget_.add(sizeof(json) + bytes);
        if (parent.array) {
            parent.container->push_back(std::move(v));
            return &parent.container->back();  // the array grows again only once this value is closed
        }
        return &((*parent.container)[parent.key] = std::move(v));
    }

    bool value(json&& v, uint64_t bytes = 0) {
        slot(std::move(v), bytes);
        return true;
    }

    bool open(json&& empty, bool array) {
        // 64 MiB of '[' would otherwise open 64 million levels.
        if (levels_.size() >= max_depth)
            throw std::runtime_error("JSON nested deeper than " + std::to_string(max_depth));
        Place place = kind_ == NpmDocument::lockfile ? Place::lockfile_top : Place::manifest_top;
        if (!levels_.empty()) place = levels_.back().array ? levels_.back().place : levels_.back().next;
        json* container = slot(std::move(empty), 48);
        levels_.push_back({container, place, array});
        return true;
    }

    bool close() {
        levels_.pop_back();
        return true;
    }

    static constexpr size_t max_depth = 1000;

    NpmDocument kind_;
    FileBudget& budget_;
    bool packages_seen_ = false;
    json root_;
    std::vector<Level> levels_;
    bool failed_ = false;
};

}  // namespace

json parse_npm_document(std::string_view content, NpmDocument kind, FileBudget& budget) {
    KeptDocument document(kind, budget);
    if (!json::sax_parse(content.begin(), content.end(), &document)) return json(json::value_t::discarded);
    return document.take();
}

}  // namespace regscan::catalog
