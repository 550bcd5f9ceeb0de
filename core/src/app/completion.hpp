// `regscan completion bash|zsh|fish`: a shell completion script generated
// from the same boost::program_options descriptions --help prints, so the two
// cannot drift apart.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <boost/program_options/options_description.hpp>

namespace regscan::app {

// One command and the options it accepts (nullptr: none known here, only the name is completed).
using CompletionCommand = std::pair<std::string, const boost::program_options::options_description*>;

// The script for `shell` (bash, zsh or fish). Throws std::invalid_argument for another shell.
std::string completion_script(const std::string& shell, const std::vector<CompletionCommand>& commands);

}  // namespace regscan::app
