// The whole job for one registry: identify it, load its plugin, discover,
// filter, read each image, report. Orchestration lives here and only here.
#pragma once

#include "app/exit_codes.hpp"
#include "engine/run_options.hpp"
#include "plugin/loaded_plugin.hpp"

namespace regscan::engine {

// Returns ok or partial_failure; throws app::Fatal when the run cannot go on.
app::ExitCode run_registry(const RunOptions& options, const plugin::PluginSet& plugins);

}  // namespace regscan::engine
