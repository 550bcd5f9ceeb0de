// Plugin command-line options checked against the plugin a run ends up with:
// a flag of another plugin is an error, never silently ignored.
#pragma once

#include <set>
#include <string>

#include "plugin/loaded_plugin.hpp"

namespace regscan::app {

// `given`: the plugin options the user set on the command line or in the
// config file (not those filled from an environment variable, which may be
// set for other tools). Throws Fatal(bad_arguments) naming the first one
// that `chosen` (identified as `type`, or forced with --type when `forced`)
// does not declare, with the plugin that does.
void check_plugin_options(const std::set<std::string>& given, const plugin::PluginSet& plugins,
                          const plugin::LoadedPlugin& chosen, const std::string& type, bool forced);

// Why an option the command line did not know may be missing: the plugin
// files that were refused (named first when the file name contains the
// option's first word, as --gitlab-group and libregscan-gitlab.so). "" when
// no plugin was refused.
std::string refused_plugins_hint(const std::string& option, const plugin::PluginSet& plugins);

}  // namespace regscan::app
