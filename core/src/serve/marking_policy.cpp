#include "serve/marking_policy.hpp"

#include <filesystem>
#include <vector>

#include "serve/import_runner.hpp"
#include "triage/input.hpp"
#include "util/time.hpp"

namespace regscan::serve {

std::string MarkingPolicy::key_of(std::chrono::sys_seconds now) const {
    std::string key = util::format_utc(now).substr(0, 10);
    const auto& options = defaults_.triage_options;
    if (!options) return key;
    std::vector<std::string> files = options->vex_files;
    if (!options->ignore_file.empty())
        files.push_back(options->ignore_file);
    else if (!options->no_ignore_file)
        files.push_back(triage::default_ignore_file);
    for (const auto& file : files) {
        std::error_code error;
        auto size = std::filesystem::file_size(file, error);
        auto modified = std::filesystem::last_write_time(file, error);
        key += "\n" + file + "\t" + (error ? std::string("-") : std::to_string(size)) + "\t" +
               (error ? std::string("-") : std::to_string(modified.time_since_epoch().count()));
    }
    return key;
}

std::shared_ptr<const triage::Policy> MarkingPolicy::get(std::chrono::sys_seconds now) {
    std::lock_guard lock(mutex_);
    auto key = key_of(now);
    if (key != key_) {
        std::shared_ptr<const triage::Policy> policy;
        std::optional<std::string> error;
        try {
            policy = import_policy(defaults_, now);
            if (policy && policy->suppresses_nothing()) policy.reset();
        } catch (const triage::InputError& e) {
            error = e.what();
        }
        // Anything else (out of memory) is not remembered: the next request tries again.
        key_ = std::move(key);
        policy_ = std::move(policy);
        error_ = std::move(error);
    }
    if (error_) throw triage::InputError(*error_);
    return policy_;
}

}  // namespace regscan::serve
