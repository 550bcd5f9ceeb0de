// `regscan registry --enqueue` and `--wait`: the selected images go to the
// state's work queue as one batch for `regscan worker`s to scan; --wait then
// waits for the batch and reports through the normal pipeline, whose rescan
// path finds every image the fleet scanned, so the reports are those of a
// single-process run.
#pragma once

#include <string>

#include "app/exit_codes.hpp"
#include "engine/discovery.hpp"
#include "engine/run_options.hpp"
#include "nlohmann/json.hpp"
#include "state/work_queue.hpp"

namespace regscan::fleet {

// What a worker needs of the run, as a queue row's options: never a
// credential.
nlohmann::json job_options(const engine::RunOptions& options, const engine::ImageRecord& image);

// The selected (not skipped) images of `images` as queue rows.
std::vector<state::NewWork> work_for(const engine::RunOptions& options, const std::string& registry_type,
                                     const std::vector<engine::ImageRecord>& images);

// Workers seen alive lately on the state at `state_location`.
size_t live_workers(const std::string& state_location);

app::ExitCode enqueue_registry(const engine::RunOptions& options, const std::string& registry_type,
                               engine::Discovery& discovery);

}  // namespace regscan::fleet
