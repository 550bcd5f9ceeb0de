// `regscan worker`: claims images from the state's work queue, scans each
// through the engine's one per-image pipeline (engine/scan_phase), and writes
// its results and marks its queue row done in one transaction under the
// row's lease, so a worker that lost its lease cannot overwrite the next
// owner's result. Registry sessions (client, auth, plugin) are kept per
// registry across jobs; layers are analysed once across the fleet (layer
// claims in the state).
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <string>

#include "app/exit_codes.hpp"
#include "engine/run_options.hpp"
#include "plugin/loaded_plugin.hpp"

namespace regscan::fleet {

struct WorkerOptions {
    // The worker's own settings: state, --db, HTTP, limits, credentials (as
    // the CLI gets them), malware, and concurrency (images at once).
    engine::RunOptions run;
    std::string worker_id;  // default host:pid
    std::chrono::milliseconds lease{std::chrono::seconds(60)};
    int max_attempts = 3;
    bool exit_when_idle = false;  // exit once no row is queued or claimed
    std::chrono::seconds shutdown_grace{20};
    std::chrono::milliseconds idle_poll{std::chrono::seconds(1)};
    // serve's connector key (serve-secret.key): a job from a connector's
    // import takes that connector's credentials from the store, opened with
    // it. Empty: such jobs use the worker's own credentials.
    std::string connector_key;
    // The worker's environment (DOCKER_CONFIG, HOME, PATH): docker's
    // credentials for a job's registry when neither the worker nor the job's
    // connector has any, looked up when the worker first meets the registry.
    std::map<std::string, std::string> environment;
    // How long docker's credentials for a registry are used before they are
    // looked up again: a credential helper's tokens (ECR's last 12 h) expire
    // under a worker that runs for days. 0: for every image.
    std::chrono::milliseconds docker_refresh{std::chrono::minutes(10)};
    // --credentials-for: the origin ("https://reg.example:5000") the worker's
    // own credentials (run.credentials) belong to; the jobs of any other
    // registry get docker's or none. Empty: every registry queued.
    std::string credentials_origin;
};

// Runs until `stop` is set (SIGTERM/SIGINT) or, with exit_when_idle, the
// queue has nothing left. On stop, images in flight may finish within the
// grace; the rest are released (queued again, attempt not counted).
app::ExitCode run_worker(const WorkerOptions& options, const plugin::PluginSet& plugins, const std::atomic<bool>& stop);

// host:pid, for the worker's id and its heartbeat row.
std::string default_worker_id();

}  // namespace regscan::fleet
