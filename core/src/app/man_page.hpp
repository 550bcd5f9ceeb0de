// `regscan man`: the manual page (roff, section 1) generated from the usage
// text and the same boost::program_options descriptions --help and the
// completion scripts use, so none of them can drift from the parser.
#pragma once

#include <string>
#include <vector>

#include "app/completion.hpp"

namespace regscan::app {

// `usage`: the top-level --help text (commands and exit codes); `commands`:
// each command with its options (nullptr: described by its own --help only).
std::string man_page(const std::string& version, const std::string& usage,
                     const std::vector<CompletionCommand>& commands);

}  // namespace regscan::app
