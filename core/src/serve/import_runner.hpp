// One import: a connector's stored options on top of serve's defaults make
// the same engine::RunOptions the command line fills, and the engine's one
// registry run does the work; an observer writes each image's index rows (one
// transaction per tag) and the import's progress as the run goes.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <string>

#include "engine/run_observer.hpp"
#include "engine/run_options.hpp"
#include "plugin/loaded_plugin.hpp"
#include "serve/schedule.hpp"
#include "serve/secret_box.hpp"
#include "state/service_store.hpp"

namespace regscan::serve {

// The run options of an import of `connector`: `defaults` plus the
// connector's URL, type, credentials (decrypted here, only in memory, and
// registered with the redacting log sink), filters, platform, tag limits,
// image timeout and plugin options; reports into `output_dir`. Scan mode,
// no table on standard output, no progress line.
engine::RunOptions import_run_options(const engine::RunOptions& defaults, const state::ConnectorRecord& connector,
                                      const SecretBox& secrets, const std::filesystem::path& output_dir);

// The triage policy of an import started at `now`: the command line's
// --severity, --ignore-file, --vex... read again, ignore entries expiring on
// or before that day (UTC) left out; `defaults.triage` when the defaults
// carry no triage options. Throws triage::InputError for a file that can no
// longer be used (the import fails with it rather than use a stale policy).
std::shared_ptr<const triage::Policy> import_policy(const engine::RunOptions& defaults,
                                                   std::chrono::sys_seconds now);

// The index rows of one finished image (every platform of it, or one row
// without a platform when it could not be read).
std::vector<state::ImageIndexRow> index_rows(const engine::ObservedImage& image, const state::ConnectorRecord& connector,
                                             const std::string& project, int64_t import_id,
                                             const std::string& scanned_at);

// How a run of an import that came to its end is recorded. A cancel or a
// server stop counts only when it left something out (`listing_whole`: the
// listing ended before either arrived; `done` < `found`: an image was not
// finished): one after the last image changes nothing, while one during the
// listing is never taken for a complete import (which would drop from the
// index every image it did not list). `clean`: the run's exit was ok and no
// image failed.
struct ImportEnd {
    std::string state;  // succeeded|partial|cancelled|interrupted
    std::string error;  // why it ended early; "" otherwise
};
ImportEnd import_end(bool cancelled, bool stopping, bool listing_whole, int64_t done, int64_t found, bool clean);

class ImportRunner {
public:
    // `environment`: the server's, where a connector without credentials of
    // its own finds docker's (auth::docker_credentials_unless_given).
    ImportRunner(state::ServiceStore& store, const engine::RunOptions& defaults, const plugin::PluginSet& plugins,
                 const SecretBox& secrets, const std::map<std::string, std::string>& environment,
                 std::filesystem::path imports_dir, Clock clock);

    // Runs import `import_id` (queued) to its end: running, then succeeded,
    // partial, failed; interrupted when `stopping` (the server's) or
    // cancelled when `cancelled` (a user's, for this import) cut it short
    // (import_end). Either starts no further image; a cancel also stops the
    // transfers in flight, leaving their images for the next import. Never
    // throws.
    void run(int64_t import_id, const std::atomic<bool>& stopping, const std::atomic<bool>& cancelled);

    [[nodiscard]] std::filesystem::path reports_dir(int64_t import_id) const;

private:
    state::ServiceStore& store_;
    const engine::RunOptions& defaults_;
    const plugin::PluginSet& plugins_;
    const SecretBox& secrets_;
    const std::map<std::string, std::string>& environment_;
    std::filesystem::path imports_dir_;
    Clock clock_;
};

}  // namespace regscan::serve
