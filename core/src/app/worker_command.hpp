// `regscan worker` (a fleet member: claims images from the state's queue and
// scans them) and the `registry` flags that hand a run to the fleet
// (--enqueue, --wait, --wait-timeout, --priority).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "app/exit_codes.hpp"
#include "engine/run_options.hpp"
#include "plugin/loaded_plugin.hpp"

namespace regscan::app {

// The registry command's fleet flags, and their values into `run`.
boost::program_options::options_description fleet_options();
void apply_fleet_options(engine::RunOptions& run, const boost::program_options::variables_map& cli);

ExitCode run_worker_command(const std::vector<std::string>& arguments, const std::map<std::string, std::string>& env,
                            const plugin::PluginSet& plugins);

}  // namespace regscan::app
