// The small commands' options (`malware status`, `state prune`): one verb,
// its own option table, --help as the usage followed by that table.
#pragma once

#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace regscan::app {

// `words` parsed against `options`; a mistake is Fatal(bad_arguments) whose
// message starts with `command` (e.g. "state prune: ...").
boost::program_options::variables_map parse_verb_options(const std::vector<std::string>& words,
                                                         const boost::program_options::options_description& options,
                                                         const std::string& command);

// The usage text, then the option table.
std::string usage_with_options(const char* usage, const boost::program_options::options_description& options);

}  // namespace regscan::app
