// The triage policy an image's page marks its findings with: today's, as an
// import would read it (import_policy), kept until the day or one of the
// policy's files changes (path, size, modification time), so that a page of
// details does not parse a 16 MiB VEX document per request, and an edited
// ignore file shows at the next request. A file that cannot be read is
// remembered the same way: get() throws its error again without re-reading.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "engine/run_options.hpp"
#include "triage/policy.hpp"

namespace regscan::serve {

class MarkingPolicy {
public:
    explicit MarkingPolicy(const engine::RunOptions& defaults) : defaults_(defaults) {}

    // Null when the policy suppresses nothing. Throws triage::InputError.
    std::shared_ptr<const triage::Policy> get(std::chrono::sys_seconds now);

private:
    // The day and every policy file's identity: equal while nothing changed.
    [[nodiscard]] std::string key_of(std::chrono::sys_seconds now) const;

    const engine::RunOptions& defaults_;
    std::mutex mutex_;
    std::string key_;
    std::shared_ptr<const triage::Policy> policy_;
    std::optional<std::string> error_;
};

}  // namespace regscan::serve
