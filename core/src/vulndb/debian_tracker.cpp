#include "vulndb/debian_tracker.hpp"

#include <utility>

#include <nlohmann/json.hpp>

namespace regscan::vulndb {

namespace {

using json = nlohmann::json;

// Input bytes echoed in a message: at most 100 of them, as they are. The log
// sink is the one place that escapes control characters and backslashes;
// escaping here too would show an ESC as "\\x1b" in the log.
std::string bounded(std::string_view text) {
    constexpr size_t limit = 100;
    if (text.size() <= limit) return std::string(text);
    return std::string(text.substr(0, limit)) + "...";
}

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// Debian source package names (Policy 5.6.1), and codenames in the same alphabet.
bool valid_debian_name(std::string_view name, size_t max) {
    if (name.empty() || name.size() > max || !is_lower_alnum(name[0])) return false;
    for (char c : name)
        if (!is_lower_alnum(c) && c != '+' && c != '.' && c != '-') return false;
    return true;
}

bool valid_issue_id(std::string_view id) {
    if (id.empty() || id.size() > max_tracker_issue_id) return false;
    for (char c : id)
        if (!is_lower_alnum(c) && !(c >= 'A' && c <= 'Z') && c != '-') return false;
    return true;
}

// Depth (open containers) at which each level's keys are read.
constexpr size_t packages_level = 1;  // top object: package -> issues
constexpr size_t issues_level = 2;    // package: issue id -> issue
constexpr size_t issue_level = 3;     // issue: description, releases, ...
constexpr size_t releases_level = 4;  // releases: codename -> release
constexpr size_t release_level = 5;   // release: status, urgency, nodsa_reason, ...

enum class Member { other, releases, status, urgency, nodsa_reason };

class Handler {
public:
    explicit Handler(const std::function<void(TrackerStatus&&)>& emit) : emit_(emit) {}

    TrackerReadSummary summary;

    bool null() { return scalar("null"); }
    bool boolean(bool) { return scalar("a boolean"); }
    bool number_integer(json::number_integer_t) { return scalar("a number"); }
    bool number_unsigned(json::number_unsigned_t) { return scalar("a number"); }
    bool number_float(json::number_float_t, const json::string_t&) { return scalar("a number"); }
    bool binary(json::binary_t&) { return scalar("binary data"); }

    bool string(json::string_t& value) {
        if (skip_ > 0) return true;
        if (depth_ == release_level && member_ != Member::other) {
            if (value.size() > max_tracker_string) fail("a string longer than 4 KiB");
            switch (member_) {
            case Member::status: status_ = std::move(value); has_status_ = true; break;
            case Member::urgency: urgency_ = std::move(value); break;
            case Member::nodsa_reason: nodsa_reason_ = std::move(value); break;
            default: break;
            }
            return true;
        }
        return scalar("a string");
    }

    bool start_object(std::size_t) { return start_container(true); }
    bool start_array(std::size_t) { return start_container(false); }
    bool end_object() { return end_container(); }
    bool end_array() { return end_container(); }

    bool key(json::string_t& name) {
        if (name.size() > max_tracker_string) fail("a key longer than 4 KiB");
        if (skip_ > 0) return true;
        switch (depth_) {
        case packages_level:
            if (!valid_debian_name(name, max_tracker_package_name))
                throw TrackerError("Debian tracker: invalid source package name \"" + bounded(name) + "\"");
            package_ = std::move(name);
            issue_.clear();
            ++summary.packages;
            break;
        case issues_level:
            if (!valid_issue_id(name))
                throw TrackerError("Debian tracker: package \"" + package_ + "\": invalid issue id \"" +
                                   bounded(name) + "\"");
            issue_ = std::move(name);
            codename_.clear();
            if (++summary.issues > max_tracker_issues) fail("more than 2,000,000 issues");
            releases_in_issue_ = 0;
            break;
        case issue_level: member_ = name == "releases" ? Member::releases : Member::other; break;
        case releases_level:
            if (!valid_debian_name(name, max_tracker_codename))
                throw TrackerError("Debian tracker: " + place() + ": invalid release name \"" + bounded(name) + "\"");
            codename_ = std::move(name);
            ++summary.releases;
            if (++releases_in_issue_ > max_tracker_releases_per_issue) fail("more than 100 releases");
            status_.clear();
            urgency_.clear();
            nodsa_reason_.clear();
            has_status_ = false;
            break;
        case release_level:
            member_ = name == "status"         ? Member::status
                      : name == "urgency"      ? Member::urgency
                      : name == "nodsa_reason" ? Member::nodsa_reason
                                               : Member::other;
            break;
        default: break;
        }
        return true;
    }

    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& error) {
        throw TrackerError("Debian tracker: invalid JSON at byte " + std::to_string(position) + ": " +
                           bounded(error.what()));
    }

private:
    const std::function<void(TrackerStatus&&)>& emit_;
    size_t depth_ = 0;  // open containers
    size_t skip_ = 0;   // open containers inside a subtree being skipped
    Member member_ = Member::other;
    std::string package_, issue_, codename_;
    std::string status_, urgency_, nodsa_reason_;
    bool has_status_ = false;
    size_t releases_in_issue_ = 0;

    std::string place() const {
        std::string where = "package \"" + package_ + "\"";
        if (!issue_.empty()) where += ", issue \"" + issue_ + "\"";
        if (!codename_.empty()) where += ", release \"" + codename_ + "\"";
        return where;
    }

    [[noreturn]] void fail(const std::string& what) const {
        if (depth_ == 0 || package_.empty()) throw TrackerError("Debian tracker: " + what);
        throw TrackerError("Debian tracker: " + place() + ": " + what);
    }

    // A value whose type the shape fixes, at the current depth; what = its actual type.
    void expect_object_here(const char* what) const {
        switch (depth_) {
        case 0: throw TrackerError("not the Debian Security Tracker's JSON export (top level is not an object)");
        case packages_level: fail(std::string("issues are ") + what + ", not an object");
        case issues_level: fail(std::string("the issue is ") + what + ", not an object");
        case releases_level: fail(std::string("the release is ") + what + ", not an object");
        default: break;
        }
    }

    bool scalar(const char* what) {
        if (skip_ > 0) return true;
        expect_object_here(what);
        if (depth_ == issue_level && member_ == Member::releases)
            fail(std::string("\"releases\" is ") + what + ", not an object");
        if (depth_ == release_level && member_ != Member::other)
            fail(std::string("\"") + member_name() + "\" is " + what + ", not a string");
        return true;
    }

    const char* member_name() const {
        switch (member_) {
        case Member::status: return "status";
        case Member::urgency: return "urgency";
        case Member::nodsa_reason: return "nodsa_reason";
        case Member::releases: return "releases";
        default: return "?";
        }
    }

    bool start_container(bool object) {
        if (depth_ >= max_tracker_depth) fail("nested deeper than 8");
        if (skip_ > 0) {
            ++skip_;
            ++depth_;
            return true;
        }
        const char* what = object ? "an object" : "an array";
        bool keep = false;
        switch (depth_) {
        case 0:
        case packages_level:
        case issues_level:
        case releases_level:
            if (!object) expect_object_here(what);
            keep = true;
            break;
        case issue_level:
            if (member_ == Member::releases) {
                if (!object) fail("\"releases\" is an array, not an object");
                keep = true;
                releases_in_issue_ = 0;
            }
            break;
        case release_level:
            if (member_ != Member::other) fail(std::string("\"") + member_name() + "\" is " + what + ", not a string");
            break;
        default: break;
        }
        ++depth_;
        if (!keep) skip_ = 1;
        return true;
    }

    bool end_container() {
        if (skip_ > 0) {
            --skip_;
            --depth_;
            return true;
        }
        if (depth_ == release_level) finish_release();
        // The names of what closes leave the place named in later messages.
        if (depth_ == release_level) codename_.clear();
        if (depth_ == issue_level) issue_.clear();
        --depth_;
        member_ = Member::other;
        return true;
    }

    void finish_release() {
        if (!has_status_) fail("no \"status\"");
        if (status_ != "open" && status_ != "resolved" && status_ != "undetermined")
            fail("unknown status \"" + bounded(status_) + "\"");
        auto ecosystem = debian_ecosystem_of_codename(codename_);
        if (!ecosystem) {
            ++summary.unknown_releases;
            return;
        }
        auto status = tracker_status_of(status_, urgency_, nodsa_reason_);
        if (status.empty()) return;
        ++summary.statuses;
        emit_(TrackerStatus{std::move(*ecosystem), package_, issue_, std::string(status)});
    }
};

}  // namespace

std::optional<std::string> debian_ecosystem_of_codename(std::string_view codename) {
    static constexpr std::pair<std::string_view, std::string_view> releases[] = {
        {"jessie", "Debian:8"},    {"stretch", "Debian:9"}, {"buster", "Debian:10"}, {"bullseye", "Debian:11"},
        {"bookworm", "Debian:12"}, {"trixie", "Debian:13"}, {"forky", "Debian:14"},  {"duke", "Debian:15"},
    };
    for (const auto& [name, ecosystem] : releases)
        if (name == codename) return std::string(ecosystem);
    return std::nullopt;
}

std::string_view tracker_status_of(std::string_view status, std::string_view urgency,
                                   std::string_view nodsa_reason) {
    if (status == "resolved") return {};
    if (nodsa_reason == "ignored") return "will_not_fix";
    if (nodsa_reason == "postponed") return "fix_deferred";
    while (!urgency.empty() && urgency.back() == '*') urgency.remove_suffix(1);
    if (urgency == "end-of-life") return "end_of_life";
    if (status == "undetermined") return "under_investigation";
    return {};
}

TrackerReadSummary read_debian_tracker(std::string_view text, const std::function<void(TrackerStatus&&)>& emit) {
    if (text.size() > max_tracker_size)
        throw TrackerError("Debian tracker: input of " + std::to_string(text.size()) +
                           " bytes is larger than the 512 MiB bound");
    Handler handler(emit);
    json::sax_parse(text.data(), text.data() + text.size(), &handler);
    return handler.summary;
}

}  // namespace regscan::vulndb
