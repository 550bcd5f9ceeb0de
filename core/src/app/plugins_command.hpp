// `regscan plugins`: what a team has installed, and what was refused and why.
#pragma once

#include "app/exit_codes.hpp"
#include "plugin/loaded_plugin.hpp"

namespace regscan::app {

ExitCode run_plugins_command(const plugin::PluginSet& plugins);

}  // namespace regscan::app
