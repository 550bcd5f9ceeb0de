// Commands that take a few flags of their own in front of the registry
// command's (`regscan serve`, `regscan worker`): their own flags are parsed
// here, everything else is forwarded to the registry parser, and registry
// flags that make no sense for the command are refused with the reason.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <boost/program_options.hpp>

namespace regscan::app {

struct ForwardedArguments {
    boost::program_options::variables_map own;  // the command's own flags
    std::vector<std::string> forwarded;          // the rest, for the registry parser

    // Whether `flag` ("--state") is among the forwarded tokens, alone or as
    // "--state=VALUE" (a value given apart is a token of its own).
    [[nodiscard]] bool forwards(const std::string& flag) const;
    // Throws Fatal(bad_arguments) "<command>: FLAG is not a <noun> option: WHY"
    // for the first forwarded flag in `refused` ({flag, why}).
    void refuse(const std::string& command, const std::string& noun,
                const std::vector<std::pair<std::string, std::string>>& refused) const;
};

// Parses `own_options` out of `arguments`; a malformed own flag is
// Fatal(bad_arguments) pointing at 'regscan <command> --help'.
ForwardedArguments split_arguments(const std::string& command,
                                   const boost::program_options::options_description& own_options,
                                   const std::vector<std::string>& arguments);

}  // namespace regscan::app
